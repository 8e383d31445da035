package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/pipeline/transfergraph/textbench"
)

// TestImportRunTextBenchmark imports a text benchmark of the published size
// and quirks (textbench) and runs it through the commands, with the
// authors' prediction sets as reference: two targets, one seed, the small
// search space of the command tests.
func TestImportRunTextBenchmark(t *testing.T) {
	if testing.Short() {
		t.Skip("a run on a text benchmark of published size: skipped under -short")
	}
	src := t.TempDir()
	if _, err := textbench.Write(src, textbench.Options{Seed: 2}); err != nil {
		t.Fatal(err)
	}
	zoo := filepath.Join(t.TempDir(), "zoo")
	code, out, errs := runCLI(t, "import", "transfergraph", src, "--out", zoo)
	if code != exitOK {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"text layout", "skipped 4 malformed rows"} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	runDir := filepath.Join(t.TempDir(), "run")
	targets := "tweet_eval/offensive,glue/sst2"
	code, out, errs = runCLI(t, "run", "--zoo", zoo, "--out", runDir, "--config", smallConfig(t), "--targets", targets,
		"--seeds", "1", "--reference-predictions", filepath.Join(src, textbench.DirRanks))
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range append([]string{"Pearson per target", "tweet_eval/offensive", "glue/sst2"}, textbench.RankMethods...) {
		if !strings.Contains(out, want) {
			t.Errorf("run output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "model_ratio") {
		t.Errorf("run output evaluates a model_ratio re-run:\n%s", out)
	}
	md, err := os.ReadFile(filepath.Join(runDir, pipeline.FileReportMD))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Settings chosen per target", "paper best (published)", "(reference)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
}
