package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

// TestDemo runs the whole demo in process — replica, crawl, import,
// pipeline, report — on a small sample and checks every artifact and that
// zoograph beats the baselines on the planted structure.
func TestDemo(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo")
	var progress bytes.Buffer
	res, err := Run(context.Background(), Options{
		Out: out, Seed: 1, Targets: 3, Seeds: 2,
		Sample:   SampleOptions{BaseModels: 60, Seed: 1},
		Progress: &progress,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(progress.String())

	// The crawl harvested every model of the sample, with cards and evals.
	tables, manifest, err := store.ReadZoo(res.ZooDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables.Models) != res.Models {
		t.Errorf("zoo has %d models, the sample %d", len(tables.Models), res.Models)
	}
	if len(tables.Cards) == 0 || len(tables.Evals) < res.Models {
		t.Errorf("zoo has %d cards and %d eval rows for %d models", len(tables.Cards), len(tables.Evals), res.Models)
	}
	var lineage, sources int
	for _, m := range tables.Models {
		if len(m.BaseModels) > 0 {
			lineage++
		}
		if len(m.SourceDatasets) > 0 {
			sources++
		}
	}
	if lineage == 0 || sources < len(tables.Models)/2 {
		t.Errorf("crawled models: %d with base models, %d with source datasets", lineage, sources)
	}
	if len(tables.Finetunes) == 0 || len(tables.Scores) == 0 || len(tables.DatasetDistances) == 0 {
		t.Error("the sample's fine-tuning history was not imported")
	}
	if len(manifest.Provenance) < 2 {
		t.Errorf("manifest provenance has %d entries, want the crawl and the import", len(manifest.Provenance))
	}

	// Every artifact of the run directory exists and reads back.
	for _, f := range []string{pipeline.FileConfig, pipeline.FileReportJSON, pipeline.FileReportMD,
		pipeline.FilePredictions, pipeline.FileMetrics, "pearson_per_target.svg", "pearson_per_target.png"} {
		if st, err := os.Stat(filepath.Join(res.RunDir, f)); err != nil || st.Size() == 0 {
			t.Errorf("run directory lacks %s (%v)", f, err)
		}
	}
	metrics, err := store.ReadFile[store.Metric](filepath.Join(res.RunDir, pipeline.FileMetrics))
	if err != nil || len(metrics) == 0 {
		t.Fatalf("metrics: %d rows, %v", len(metrics), err)
	}
	md, err := os.ReadFile(filepath.Join(res.RunDir, pipeline.FileReportMD))
	if err != nil || !strings.Contains(string(md), "Pearson per target") {
		t.Errorf("report.md unreadable or without the Pearson table (%v)", err)
	}

	// zoograph beats the baselines on the planted structure.
	s := pipeline.Summarize(metrics)["clean"]
	ours := s[res.Run.Method]["pearson"]["_mean"].Mean
	t.Logf("mean Pearson: ours %.3f, logme %.3f, downloads %.3f, metadata %.3f, random %.3f", ours,
		s["logme"]["pearson"]["_mean"].Mean, s["downloads"]["pearson"]["_mean"].Mean,
		s["metadata"]["pearson"]["_mean"].Mean, s["random"]["pearson"]["_mean"].Mean)
	for _, b := range []string{"logme", "reg_h_score", "downloads", "random"} {
		if v := s[b]["pearson"]["_mean"].Mean; !(ours > v+0.1) {
			t.Errorf("ours %.3f does not clearly beat %s %.3f", ours, b, v)
		}
	}
	if ours < 0.6 {
		t.Errorf("mean Pearson %.3f on the planted structure, want ≥ 0.6", ours)
	}

	// History came from the cards' model-index results, and the report
	// recommends models per target.
	if res.History == nil || res.History.Records == 0 || res.Run.History == nil || res.Run.History.Records != res.History.Records {
		t.Errorf("history from model-index: crawl %+v, run %+v", res.History, res.Run.History)
	}
	if !strings.Contains(string(md), "## Recommended models") || !strings.Contains(string(md), "Mean regret") {
		t.Error("report.md has no Recommended models table")
	}

	// The held-out dataset, described by its metadata alone, gets image
	// models whose predicted accuracy follows what the sample recorded.
	if _, err := os.Stat(res.DescriptionFile); err != nil {
		t.Errorf("description file: %v", err)
	}
	r := res.Described
	if r == nil || len(r.Models) == 0 || len(res.HeldOut) == 0 {
		t.Fatalf("described dataset: %+v, %d held-out records", r, len(res.HeldOut))
	}
	for _, ds := range tables.Datasets {
		if ds.DatasetID == DescribedDataset {
			t.Errorf("the zoo holds %s", DescribedDataset)
		}
	}
	var pred, held []float64
	for _, m := range r.Models {
		if m.Kind.Modality != "image" {
			t.Errorf("%s (%+v) recommended for an image dataset", m.ModelID, m.Kind)
		}
		if a, ok := res.HeldOut[m.ModelID]; ok {
			pred, held = append(pred, m.Predicted), append(held, a)
		}
	}
	pearson := stat.Correlation(pred, held, nil)
	t.Logf("%s: %d candidates, Pearson %.3f with the %d held-out records", DescribedDataset, len(r.Models), pearson, len(pred))
	if len(pred) < 20 || pearson < 0.3 {
		t.Errorf("%s: Pearson %.3f over %d held-out records, want ≥ 0.3 on the planted structure", DescribedDataset, pearson, len(pred))
	}

	// The demo never overwrites.
	if _, err := Run(context.Background(), Options{Out: out}); !errors.Is(err, fs.ErrExist) {
		t.Errorf("a second demo into the same directory: %v, want fs.ErrExist", err)
	}
}

// TestDescribedWarm ranks the demo's held-out dataset twice from its
// description: cold, and warm with the accuracies of 10 of its held-out
// models given in the description's finetuned field, as a user who has
// fine-tuned a few models would. The given models are not ranked, and over
// the held-out models neither ranking saw, the warm ranking follows the
// recorded accuracies better than the cold one.
func TestDescribedWarm(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo")
	opt := Options{Out: out, Seed: 1, Targets: 1, Seeds: 2, Sample: SampleOptions{BaseModels: 60, Seed: 1}}
	res, err := Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	tables, _, err := store.ReadZoo(res.ZooDir)
	if err != nil {
		t.Fatal(err)
	}
	yaml, err := os.ReadFile(res.DescriptionFile)
	if err != nil {
		t.Fatal(err)
	}
	// Every 7th held-out model in id order: a spread of the sample's
	// families, chosen without looking at the accuracies.
	ids := slices.Sorted(maps.Keys(res.HeldOut))
	given := map[string]float64{}
	warmYAML := string(yaml) + "finetuned:\n"
	for i := 0; i < len(ids) && len(given) < 10; i += 7 {
		given[ids[i]] = res.HeldOut[ids[i]]
		warmYAML += fmt.Sprintf("  %s: %g\n", ids[i], res.HeldOut[ids[i]])
	}
	desc, err := pipeline.ParseDescription([]byte(warmYAML), "warm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config(opt)
	cfg.Selection.Mode = pipeline.SelectFixed
	warm, err := pipeline.Recommend(context.Background(), tables, cfg, pipeline.Target{Describe: desc}, pipeline.RecommendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if warm.Revealed != len(given) {
		t.Errorf("Revealed = %d, want %d", warm.Revealed, len(given))
	}
	// With 5 or more given, the predicted accuracies take their level.
	var sum float64
	for _, id := range slices.Sorted(maps.Keys(given)) {
		sum += given[id]
	}
	if c := warm.Calibration; !c.GivenLevel || math.Abs(c.Mean-sum/float64(len(given))) > 1e-12 || c.Median != 0 {
		t.Errorf("calibration %+v: want the level of the given accuracies, %.4f, and centred residuals", c, sum/float64(len(given)))
	}
	if c := res.Described.Calibration; c.GivenLevel {
		t.Errorf("cold calibration %+v says the level is given", c)
	}
	if n := warm.Filter.Excluded["fine-tuned on it already (finetuned)"]; n != len(given) {
		t.Errorf("%d candidates left out as fine-tuned already, want %d", n, len(given))
	}
	pearson := func(r *pipeline.Recommendations) (float64, int) {
		var pred, held []float64
		for _, m := range r.Models {
			a, ok := res.HeldOut[m.ModelID]
			if _, g := given[m.ModelID]; ok && !g {
				pred, held = append(pred, m.Predicted), append(held, a)
			}
		}
		return stat.Correlation(pred, held, nil), len(pred)
	}
	for _, m := range warm.Models {
		if _, ok := given[m.ModelID]; ok {
			t.Errorf("%s, given as fine-tuned, is ranked", m.ModelID)
		}
	}
	cold, nc := pearson(res.Described)
	hot, nw := pearson(warm)
	t.Logf("Pearson over the held-out models neither saw: cold %.3f (%d), warm with %d given %.3f (%d)", cold, nc, len(given), hot, nw)
	if nw != nc || nw < 20 {
		t.Errorf("compared over %d and %d models, want the same ≥ 20", nc, nw)
	}
	if !(hot > cold) {
		t.Errorf("warm Pearson %.3f is not above cold %.3f", hot, cold)
	}
}

// TestOutDirectory checks what the demo writes into: a new directory or an
// empty one, never one that holds files or a file.
func TestOutDirectory(t *testing.T) {
	dir := t.TempDir()
	empty, full, file := filepath.Join(dir, "empty"), filepath.Join(dir, "full"), filepath.Join(dir, "file")
	for _, d := range []string{empty, full} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(full, "notes.txt"), file} {
		if err := os.WriteFile(f, []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		out   string
		exist bool
	}{{filepath.Join(dir, "new"), false}, {empty, false}, {full, true}, {file, true}} {
		_, _, err := withDefaults(Options{Out: tc.out})
		if got := errors.Is(err, fs.ErrExist); got != tc.exist || (!tc.exist && err != nil) {
			t.Errorf("%s: %v, want fs.ErrExist %v", filepath.Base(tc.out), err, tc.exist)
		}
	}
	if b, err := os.ReadFile(filepath.Join(full, "notes.txt")); err != nil || string(b) != "mine" {
		t.Errorf("the directory's file: %q, %v", b, err)
	}
}
