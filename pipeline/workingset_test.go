package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

// TestWorkingSetCrowd: a crawl of the Hub holds hundreds of thousands of
// models and thousands of datasets that no record touches, and the dense
// dataset × model matrices of every model and dataset do not fit in
// memory. Past CleanConfig.MaxCells the pipeline keeps the working set, so
// a crowd of such models (new model types, lineage among themselves,
// source datasets of their own) and crawled datasets changes no
// recommendation, no predicted accuracy and no prediction of a run by a
// bit; the filter still counts the crowd, as models without history.
func TestWorkingSetCrowd(t *testing.T) {
	tables, targets := smallZoo(t)
	crowd := *tables
	crowd.Models = slices.Clone(tables.Models)
	crowd.Datasets = slices.Clone(tables.Datasets)
	const n = 3000
	for i := range n {
		m := store.Model{ModelID: fmt.Sprintf("crowd/m%04d", i), ModelType: fmt.Sprintf("crowdtype%d", i%17),
			PipelineTag: []string{"text-classification", "image-classification"}[i%2], Source: "hub", ReportedAccuracy: math.NaN(),
			SourceDatasets: []string{fmt.Sprintf("crowd/src%d", i%50)}}
		if i%3 > 0 {
			m.BaseModels = []string{fmt.Sprintf("crowd/m%04d", i-1)}
		}
		crowd.Models = append(crowd.Models, m)
		crowd.Datasets = append(crowd.Datasets, store.Dataset{DatasetID: fmt.Sprintf("crowd/ds%d", i), TaskCategories: []string{"text-classification"}})
	}
	cfg := rankConfig()
	cfg.Clean.MaxCells = 1 // both zoos prune, to the same working set
	target := pipeline.Target{Describe: &pipeline.Description{Name: "my-reviews", Modality: "text",
		Task: "text-classification", NumClasses: 2, NumExamples: 12000, Languages: []string{"en"}, Domain: "product reviews"}}
	ctx := context.Background()
	want, err := pipeline.Recommend(ctx, tables, cfg, target, pipeline.RecommendOptions{Calibration: 3})
	if err != nil {
		t.Fatal(err)
	}
	got, err := pipeline.Recommend(ctx, &crowd, cfg, target, pipeline.RecommendOptions{Calibration: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Models) != len(want.Models) || len(got.Models) == 0 {
		t.Fatalf("%d recommendations with the crowd, %d without", len(got.Models), len(want.Models))
	}
	for i := range want.Models {
		g, w := got.Models[i], want.Models[i]
		if g.ModelID != w.ModelID || g.Score != w.Score || g.Predicted != w.Predicted || g.Low != w.Low || g.High != w.High {
			t.Errorf("rank %d: %s %v %v with the crowd, %s %v %v without", i+1, g.ModelID, g.Score, g.Predicted, w.ModelID, w.Score, w.Predicted)
		}
	}
	const noHistory = "no fine-tuning history, of its own or through its base model"
	if got.Filter.Models != want.Filter.Models+n || got.Filter.Excluded[noHistory] != want.Filter.Excluded[noHistory]+n {
		t.Errorf("filter with the crowd %v; without %v: want the %d crowd models counted as without history", got.Filter.Lines(), want.Filter.Lines(), n)
	}

	runCfg := fastConfig(targets[:1])
	runCfg.Seeds = 1
	runCfg.Clean.MaxCells = 1
	a, err := pipeline.Run(ctx, tables, runCfg, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := pipeline.Run(ctx, &crowd, runCfg, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Predictions) == 0 || len(a.Predictions) != len(b.Predictions) {
		t.Fatalf("%d predictions with the crowd, %d without", len(b.Predictions), len(a.Predictions))
	}
	for i := range a.Predictions {
		if a.Predictions[i] != b.Predictions[i] {
			t.Fatalf("prediction %d: %+v with the crowd, %+v without", i, b.Predictions[i], a.Predictions[i])
		}
	}
}

// TestWorkingSetTargetRecords ranks for a zoo dataset that neither
// metadata nor distances describe, whose models have no record but on it
// (a crawled dataset named by the model-index results of its own
// fine-tunes): it is of the kind of those models past the working-set
// bound as below it. Recommend hides the target's records, so the
// working set must keep the models recorded on it.
func TestWorkingSetTargetRecords(t *testing.T) {
	tables, _ := smallZoo(t)
	const target = "reviews-movies"
	zoo := undescribed(tables, target)
	zoo.Models = slices.Clone(tables.Models)
	zoo.Finetunes = slices.DeleteFunc(slices.Clone(tables.Finetunes), func(f store.Finetune) bool { return f.DatasetID == target })
	for i := range 6 {
		id := fmt.Sprintf("solo/m%d", i)
		zoo.Models = append(zoo.Models, store.Model{ModelID: id, PipelineTag: "text-classification", Source: "hub", ReportedAccuracy: math.NaN()})
		zoo.Finetunes = append(zoo.Finetunes, store.Finetune{ModelID: id, DatasetID: target, Method: "full", Accuracy: 0.7 + 0.01*float64(i),
			Epochs: math.NaN(), LearningRate: math.NaN(), TrainSeconds: math.NaN()})
	}
	for _, maxCells := range []int{0, 1} {
		cfg := rankConfig()
		cfg.Clean.MaxCells = maxCells
		r, err := pipeline.Recommend(context.Background(), &zoo, cfg, pipeline.Target{ID: target}, pipeline.RecommendOptions{Calibration: -1})
		if err != nil {
			t.Fatalf("max_cells %d: %v", maxCells, err)
		}
		if r.Description.Modality != "text" {
			t.Errorf("max_cells %d: modality %q, want text", maxCells, r.Description.Modality)
		}
	}
}

// TestWorkingSetGivenDistance describes a dataset by, among others, its
// distance to a crawled dataset that nothing records: past the bound the
// distance is taken as below it, not refused as naming no dataset of the
// zoo.
func TestWorkingSetGivenDistance(t *testing.T) {
	tables, targets := smallZoo(t)
	zoo := *tables
	zoo.Datasets = append(slices.Clone(tables.Datasets), store.Dataset{DatasetID: "crawled/reviews", TaskCategories: []string{"text-classification"}})
	target := pipeline.Target{Describe: &pipeline.Description{Name: "my-reviews", Modality: "text", Task: "text-classification",
		NumClasses: 2, NumExamples: 12000, Distances: map[string]float64{"crawled/reviews": 0.5, targets[0]: 1}}}
	for _, maxCells := range []int{0, 1} {
		cfg := rankConfig()
		cfg.Clean.MaxCells = maxCells
		if _, err := pipeline.Recommend(context.Background(), &zoo, cfg, target, pipeline.RecommendOptions{Calibration: -1}); err != nil {
			t.Errorf("max_cells %d: %v", maxCells, err)
		}
	}
}

// TestWorkingSetRunTarget names as run's target a crawled dataset that
// nothing records: past the bound, as below it, the error says it has too
// few recorded models, not that the zoo has no such dataset.
func TestWorkingSetRunTarget(t *testing.T) {
	tables, _ := smallZoo(t)
	zoo := *tables
	zoo.Datasets = append(slices.Clone(tables.Datasets), store.Dataset{DatasetID: "crawled/reviews"})
	for _, maxCells := range []int{0, 1} {
		cfg := fastConfig([]string{"crawled/reviews"})
		cfg.Clean.MaxCells = maxCells
		_, err := pipeline.Run(context.Background(), &zoo, cfg, pipeline.Options{})
		if err == nil || errors.Is(err, pipeline.ErrUnknownTarget) || !strings.Contains(err.Error(), "fewer than 3 models") {
			t.Errorf("max_cells %d: %v, want too few recorded models", maxCells, err)
		}
	}
}
