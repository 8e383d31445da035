package demo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

	// The demo never overwrites.
	if _, err := Run(context.Background(), Options{Out: out}); err == nil {
		t.Error("a second demo into the same directory succeeded")
	}
}
