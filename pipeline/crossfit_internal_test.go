package pipeline

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/zoograph/zoograph/store"
)

// crossFitTables is a small zoo, with or without dataset distances, with a
// planted structure (a general skill per model plus noise).
func crossFitTables(distances bool) *store.Tables {
	r := rand.New(rand.NewPCG(5, 1))
	tables := &store.Tables{}
	for i := range 7 {
		tables.Datasets = append(tables.Datasets, store.Dataset{DatasetID: fmt.Sprintf("ds%d", i), NumClasses: int64(2 + i%3),
			TaskCategories: []string{"image-classification"}, Source: "test"})
		for j := range 7 {
			if i != j && distances {
				tables.DatasetDistances = append(tables.DatasetDistances, store.DatasetDistance{
					DatasetA: fmt.Sprintf("ds%d", i), DatasetB: fmt.Sprintf("ds%d", j), Distance: 1 + math.Abs(float64(i-j)), Method: "test"})
			}
		}
	}
	for m := range 30 {
		id, skill := fmt.Sprintf("org/m%d", m), r.Float64()
		tables.Models = append(tables.Models, store.Model{ModelID: id, ModelType: "vit", NumParameters: int64(1e6 * (m + 1)),
			ReportedAccuracy: math.NaN(), Source: "test"})
		for i := range 7 {
			tables.Finetunes = append(tables.Finetunes, store.Finetune{ModelID: id, DatasetID: fmt.Sprintf("ds%d", i),
				Accuracy: 0.4 + 0.4*skill + 0.2*r.Float64(), Method: "full", Epochs: math.NaN(), LearningRate: math.NaN(),
				TrainSeconds: math.NaN(), Source: "test"})
		}
	}
	return tables
}

// crossFitData is crossFitTables(true), cleaned.
func crossFitData(t *testing.T) (*Data, []int) {
	t.Helper()
	d, err := Clean(crossFitTables(true), DefaultConfig().Clean)
	if err != nil {
		t.Fatal(err)
	}
	return d, d.HistoryDatasets()
}

// TestFoldGroups checks that the folds are balanced and that a dataset's
// fold does not depend on which other dataset is held out, so the paired
// inner folds of nested selection (T holding D out, D holding T out) see
// the same folds.
func TestFoldGroups(t *testing.T) {
	d, hist := crossFitData(t)
	T, D := hist[0], hist[1]
	g, _ := foldGroups(d.Without(T), D, 3, 7)
	h, _ := foldGroups(d.Without(D), T, 3, 7)
	if !slices.Equal(g, h) {
		t.Fatalf("paired folds differ:\n%v\n%v", g, h)
	}
	count := make([]int, 3)
	for di, gi := range g {
		switch {
		case di == T || di == D:
			if gi != -1 {
				t.Errorf("held-out dataset %d is in fold %d", di, gi)
			}
		case gi >= 0:
			count[gi]++
		}
	}
	if slices.Max(count)-slices.Min(count) > 1 {
		t.Errorf("fold sizes %v, want balanced", count)
	}
	if other, _ := foldGroups(d.Without(T), D, 3, 8); slices.Equal(g, other) {
		t.Error("another seed dealt the same folds")
	}
}

// TestCrossFitHidesRowLabel scrambles the accuracies of one history dataset
// D in the zoo's tables and checks that the graph features of D's own
// training rows do not change by a bit: they come from the fold embedding
// that never saw D's results — neither its fine-tuning edges nor, on a zoo
// without distances, the similarity edges its accuracies weigh. Without
// cross-fitting they do change: the leak of the row's label through the
// graph that cross-fitting removes.
func TestCrossFitHidesRowLabel(t *testing.T) {
	for _, distances := range []bool{true, false} {
		t.Run(fmt.Sprintf("distances=%v", distances), func(t *testing.T) {
			tables := crossFitTables(distances)
			const target, D = "ds0", "ds3"
			scrambled := *tables
			scrambled.Finetunes = slices.Clone(tables.Finetunes)
			var rows []int
			for i, f := range scrambled.Finetunes {
				if f.DatasetID == D {
					rows = append(rows, i)
				}
			}
			for k, i := range rows { // D's accuracies in reverse model order
				scrambled.Finetunes[i].Accuracy = tables.Finetunes[rows[len(rows)-1-k]].Accuracy
			}
			a, b := crossFitRows(t, tables, target, D, 2), crossFitRows(t, &scrambled, target, D, 2)
			if len(a) == 0 || !slices.EqualFunc(a, b, slices.Equal) {
				t.Errorf("cross-fitted: %d rows of %s, and their graph features changed with its accuracies", len(a), D)
			}
			if slices.EqualFunc(crossFitRows(t, tables, target, D, 0), crossFitRows(t, &scrambled, target, D, 0), slices.Equal) {
				t.Errorf("one embedding: %s's graph features did not change with its accuracies; the test would not see the leak", D)
			}
		})
	}
}

// crossFitRows returns the graph features (emb_dot, emb_cosine) of dataset
// D's training rows in target's table, with node2vec cross-fitted over
// folds (0: one embedding), unstandardised.
func crossFitRows(t *testing.T, tables *store.Tables, target, D string, folds int) [][]float64 {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Node2Vec.Dim, cfg.Node2Vec.Epochs = 8, 2
	cfg.FeatureOptions.CrossFitFolds = folds
	cfg.FeatureOptions.GroupStandardize = false
	d, err := Clean(tables, cfg.Clean)
	if err != nil {
		t.Fatal(err)
	}
	ti, _ := d.DatasetIndex(target)
	di, _ := d.DatasetIndex(D)
	tg, emb := graphEmbedding(t, d, ti, cfg)
	ft, err := Features(d, ti, tg, emb, FeaturesZoograph, LearnerNode2Vec, cfg.FeatureOptions, nil)
	if err != nil {
		t.Fatal(err)
	}
	j := slices.Index(ft.Names, "emb_dot")
	var out [][]float64
	for i, ri := range ft.TrainDataset {
		if ri == di {
			out = append(out, slices.Clone(ft.Train.RawRowView(i)[j:j+2]))
		}
	}
	return out
}

// TestCrossFitFewDatasets checks that cross-fitting never learns more
// folds than there are history datasets, and learns one embedding when
// there are fewer than two.
func TestCrossFitFewDatasets(t *testing.T) {
	d, hist := crossFitData(t)
	cfg := DefaultConfig()
	cfg.Node2Vec.Dim, cfg.Node2Vec.Epochs = 8, 1
	cfg.FeatureOptions.CrossFitFolds = 50
	target := hist[0]
	_, emb := graphEmbedding(t, d, target, cfg)
	if c, ok := emb.(*crossFitted); !ok || len(c.folds) != len(hist)-1 {
		t.Fatalf("50 folds over %d history datasets: got %T, want %d folds", len(hist)-1, emb, len(hist)-1)
	}
	few := d
	for _, di := range hist[2:] {
		few = few.Without(di)
	}
	_, emb = graphEmbedding(t, few, target, cfg)
	if _, ok := emb.(*crossFitted); ok {
		t.Fatal("one history dataset besides the target: cross-fitted, want one embedding")
	}
}

// graphEmbedding builds target's graph on d and learns cfg's embedding on
// it with seed 1.
func graphEmbedding(t *testing.T, d *Data, target int, cfg Config) (*TargetGraph, Embedding) {
	t.Helper()
	tg, err := BuildGraph(d, target, cfg.Graph)
	if err != nil {
		t.Fatal(err)
	}
	emb, err := embed(context.Background(), d, target, tg, cfg, 1, newTimings())
	if err != nil {
		t.Fatal(err)
	}
	return tg, emb
}
