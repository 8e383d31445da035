package demo

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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
