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

// crossFitData is a small zoo with dataset distances and a planted
// structure (a general skill per model plus noise), cleaned.
func crossFitData(t *testing.T) (*Data, []int) {
	t.Helper()
	r := rand.New(rand.NewPCG(5, 1))
	tables := &store.Tables{}
	for i := range 7 {
		tables.Datasets = append(tables.Datasets, store.Dataset{DatasetID: fmt.Sprintf("ds%d", i), NumClasses: 10, Source: "test"})
		for j := range 7 {
			if i != j {
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
	d, err := Clean(tables, DefaultConfig().Clean)
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
	g := foldGroups(d.Without(T), D, 3, 7)
	h := foldGroups(d.Without(D), T, 3, 7)
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
	if slices.Equal(g, foldGroups(d.Without(T), D, 3, 8)) {
		t.Error("another seed dealt the same folds")
	}
}

// TestCrossFitHidesRowLabel scrambles the accuracies of one history dataset
// D and checks that the graph features of D's own training rows do not
// change by a bit: they come from the fold embedding that never saw D's
// results. Without cross-fitting they do change — the leak of the row's
// label through the graph that cross-fitting removes.
func TestCrossFitHidesRowLabel(t *testing.T) {
	d, hist := crossFitData(t)
	target, D := hist[0], hist[1]
	cfg := DefaultConfig()
	cfg.Node2Vec.Dim, cfg.Node2Vec.Epochs = 8, 2
	scrambled := *d
	scrambled.acc, scrambled.norm = slices.Clone(d.acc), slices.Clone(d.norm)
	scrambled.acc[D], scrambled.norm[D] = slices.Clone(d.acc[D]), slices.Clone(d.norm[D])
	slices.Reverse(scrambled.acc[D])
	slices.Reverse(scrambled.norm[D])
	rowsOf := func(d *Data, folds int) [][]float64 {
		c := cfg
		c.FeatureOptions.CrossFitFolds = folds
		c.FeatureOptions.GroupStandardize = false
		tg, err := BuildGraph(d, target, c.Graph)
		if err != nil {
			t.Fatal(err)
		}
		emb, err := embed(context.Background(), d, target, tg, c, 1, newTimings())
		if err != nil {
			t.Fatal(err)
		}
		ft, err := Features(d, target, tg, emb, FeaturesZoograph, LearnerNode2Vec, c.FeatureOptions, nil)
		if err != nil {
			t.Fatal(err)
		}
		j := slices.Index(ft.Names, "emb_dot")
		var out [][]float64
		for i, di := range ft.TrainDataset {
			if di == D {
				out = append(out, ft.Train.RawRowView(i)[j:j+2])
			}
		}
		return out
	}
	same := func(a, b [][]float64) bool {
		return slices.EqualFunc(a, b, func(x, y []float64) bool { return slices.Equal(x, y) })
	}
	if a, b := rowsOf(d, 2), rowsOf(&scrambled, 2); len(a) == 0 || !same(a, b) {
		t.Errorf("cross-fitted: %d rows of D, and their graph features changed with D's accuracies", len(a))
	}
	if a, b := rowsOf(d, 0), rowsOf(&scrambled, 0); same(a, b) {
		t.Error("one embedding: D's graph features did not change with D's accuracies; the test would not see the leak")
	}
}
