package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zoograph/zoograph/crawler/hubtest"
	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store/storetest"
)

// TestRankCrawledHub crawls a synthetic Hub of 20,000 models and 1,000
// datasets (models' cards with model-index results, lineage, crawled
// dataset metadata), then ranks its models for a described dataset and
// runs the evaluation on it: the user's path at hub scale. The zoo's
// dataset × model matrix is past the working-set bound, so Clean keeps the
// models connected to a record, and rank counts the rest as models without
// history. ZOOGRAPH_HUB_MODELS=200000 makes it the size the README's "A
// crawl of the whole Hub" measures (the shipped settings, about a minute),
// and it logs each command's wall and CPU time.
func TestRankCrawledHub(t *testing.T) {
	n, big := 20_000, false
	if v := os.Getenv("ZOOGRAPH_HUB_MODELS"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < 1000 {
			t.Fatalf("ZOOGRAPH_HUB_MODELS=%q: want a number of models, at least 1000", v)
		}
		n, big = k, true
	}
	_, url := crawlHub(t, hubtest.Options{Zoo: hubtest.Zoo{Models: n, Datasets: n / 20, Seed: 1}})
	zoo := filepath.Join(t.TempDir(), "zoo")
	ctx := context.Background()
	timed := func(args ...string) (int, string, string) {
		t.Helper()
		start, cpu := time.Now(), storetest.CPUTime()
		code, out, errs := runCLI(t, args...)
		t.Logf("zoograph %s: %v wall, %v CPU", args[0], time.Since(start).Round(10*time.Millisecond), (storetest.CPUTime() - cpu).Round(10*time.Millisecond))
		return code, out, errs
	}
	for _, kind := range []string{"datasets", "models"} {
		if code, _, errs := runCrawlCmd(ctx, kind, "--endpoint", url, "--token-file", writeFile(t, "token", crawlTestToken), "--out", zoo, "--quota", "none", "--quiet"); code != exitOK {
			t.Fatalf("crawl %s: exit %d\n%s", kind, code, errs)
		}
	}
	desc := writeFile(t, "reviews.yaml", "name: my-reviews\nmodality: text\ntask: text-classification\nnum_classes: 2\n"+
		"num_examples: 12000\nlanguage: en\ndomain: product reviews\n")
	args := []string{"rank", "--zoo", zoo, "--describe", desc, "--top", "5"}
	if !big {
		args = append(args, "--config", smallConfig(t), "--seeds", "1", "--calibration", "2")
	}
	code, out, errs := timed(args...)
	if code != exitOK {
		t.Fatalf("rank --describe: exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"my-reviews (text, text-classification; described)", "History from model-index results:",
		"left out: no fine-tuning history, of its own or through its base model", "rank  model"} {
		if !strings.Contains(out, want) {
			t.Errorf("rank's output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "of "+strconv.Itoa(n)) {
		t.Errorf("rank's candidates line does not count the zoo's %d models:\n%s", n, out)
	}

	runDir := filepath.Join(t.TempDir(), "run")
	args = []string{"run", "--zoo", zoo, "--out", runDir, "--seeds", "1"}
	if !big {
		args = append(args, "--config", smallConfig(t))
	}
	code, out, errs = timed(args...)
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "working set") {
		t.Errorf("run did not say it left models out of its working set:\n%s", errs)
	}
	// The report says so too, for whoever reads it later.
	b, err := os.ReadFile(filepath.Join(runDir, pipeline.FileReportJSON))
	if err != nil {
		t.Fatal(err)
	}
	var info pipeline.ReportInfo
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	ws := info.WorkingSet
	if ws == nil || ws.Models+ws.ModelsLeftOut < n || ws.ModelsLeftOut == 0 || ws.DatasetsLeftOut == 0 {
		t.Errorf("report.json working_set = %+v; want the %d models of the zoo, some left out", ws, n)
	}
	md, err := os.ReadFile(filepath.Join(runDir, pipeline.FileReportMD))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "## Working set") {
		t.Error("report.md does not say the run read the zoo's working set")
	}
}
