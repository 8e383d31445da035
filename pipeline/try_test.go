package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/pipeline/transfergraph"
)

func TestTryImage(t *testing.T) {
	tables, rep, err := transfergraph.Import(context.Background(), "../../shared/transfergraph/image_classification", transfergraph.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("import: %d models %d finetunes %d problems", len(tables.Models), len(tables.Finetunes), len(rep.Problems))
	cfg := pipeline.DefaultConfig()
	cfg.Seeds, _ = strconv.Atoi(os.Getenv("SEEDS"))
	if cfg.Seeds == 0 {
		cfg.Seeds = 1
	}
	if v := os.Getenv("LEARNER"); v != "" {
		cfg.Learner = v
	}
	if v := os.Getenv("FEATURES"); v != "" {
		cfg.Features = v
	}
	if v, _ := strconv.Atoi(os.Getenv("DIM")); v > 0 {
		cfg.Node2Vec.Dim = v
	}
	if v, _ := strconv.Atoi(os.Getenv("DEPTH")); v > 0 {
		cfg.GBDT.MaxDepth = v
	}
	if v, _ := strconv.Atoi(os.Getenv("TREES")); v > 0 {
		cfg.GBDT.Trees = v
	}
	if v, _ := strconv.ParseFloat(os.Getenv("ETA"), 64); v > 0 {
		cfg.GBDT.LearningRate = v
	}
	if v, _ := strconv.ParseFloat(os.Getenv("SUB"), 64); v > 0 {
		cfg.GBDT.Subsample = v
	}
	if v := os.Getenv("REGRESSOR"); v != "" {
		cfg.Regressor = v
	}
	cfg.Protocols = []string{"clean"}
	start := time.Now()
	res, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := pipeline.Summarize(res.Metrics)["clean"]
	for _, m := range []string{res.Method, "metadata", "logme"} {
		line := fmt.Sprintf("%-16s", m)
		for _, tg := range append(res.Targets, "_mean", "_weighted_mean") {
			line += fmt.Sprintf(" %s=%.3f", tg[:min(6, len(tg))], s[m]["pearson"][tg].Mean)
		}
		t.Log(line)
	}
	t.Logf("wall %v timings %v", time.Since(start), res.Timings)
}
