package pipeline

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/zoograph/zoograph/pipeline/recycling"
	"github.com/zoograph/zoograph/pipeline/transfergraph"
	"github.com/zoograph/zoograph/store"
	"github.com/zoograph/zoograph/store/storetest"
)

// imageData imports and cleans the image benchmark.
func imageData(tb testing.TB, cfg Config) *Data {
	tb.Helper()
	tables, _, err := transfergraph.Import(context.Background(), storetest.Shared(tb, "transfergraph/image_classification"), transfergraph.Options{})
	return cleaned(tb, tables, err, cfg)
}

// recyclingData imports and cleans the model-recycling benchmark.
func recyclingData(tb testing.TB, cfg Config) *Data {
	tb.Helper()
	tables, _, err := recycling.Import(context.Background(), storetest.Shared(tb, "model-recycling"), recycling.Options{})
	return cleaned(tb, tables, err, cfg)
}

// cleaned cleans the tables an import returned with err.
func cleaned(tb testing.TB, tables *store.Tables, err error, cfg Config) *Data {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
	d, err := Clean(tables, cfg.Clean)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// BenchmarkInnerFoldOverhead times what one warm inner fold of nested
// selection costs besides its regressor fits, on the model-recycling
// benchmark with --probe 10 (target ag_news, its first inner fold, learner
// none, as selection runs there): the metadata regressor's table
// (metadataGroup), the fold's target graph and feature table, and the
// scoring of every prior, blend and metadata weight (innerFoldGroup). The
// trees are cut to one stump, so what is left is the pipeline's own work.
func BenchmarkInnerFoldOverhead(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Probe, cfg.Learner = 10, LearnerNone
	cfg.GBDT.Trees, cfg.GBDT.MaxDepth = 1, 1
	d := recyclingData(b, cfg)
	t, ok := d.DatasetIndex("ag_news")
	if !ok {
		b.Fatal("the model-recycling benchmark has no ag_news")
	}
	in := innerData{views: []*Data{d.Without(t)}, folds: [][]int{innerFolds(d, t, cfg.Selection.MaxInnerFolds, cfg.Seed)[:1]}}
	sel := DefaultSelection()
	sc := scoringGrid{priors: priorsFor(d, sel.Priors, cfg), blends: sel.Blends, metaWeights: sel.MetadataWeights}
	cells := []selectionCell{{0, 0}}
	b.ReportAllocs()
	cpu0 := storetest.CPUTime().Seconds()
	for b.Loop() {
		preds, fts, err := metadataGroup(in, cells, cfg)
		if err != nil {
			b.Fatal(err)
		}
		in.metas = [][]innerMeta{{{pred: preds[0], models: fts[0].TestModels}}}
		if _, err := innerFoldGroup(context.Background(), []innerSide{in.side(cells[0])}, cfg, regressorGrid{[]int{1}, []int{1}}, sc,
			newTimings()); err != nil {
			b.Fatal(err)
		}
	}
	if cpu := storetest.CPUTime().Seconds() - cpu0; cpu > 0 {
		b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
	}
}

// TestSelectionPairsChangeNoScore checks that nested selection gives the
// same inner scores, bit for bit, whether or not the inner folds (T, D) and
// (D, T) of two targets share their graph, embedding and fits — cold, and
// warm, where each side reveals K models of its held-out dataset.
func TestSelectionPairsChangeNoScore(t *testing.T) {
	for _, probe := range []int{0, 5} {
		t.Run(fmt.Sprintf("probe %d", probe), func(t *testing.T) { testSelectionPairs(t, probe) })
	}
}

func testSelectionPairs(t *testing.T, probe int) {
	cfg := DefaultConfig()
	cfg.Probe = probe
	cfg.GBDT.Trees = 40
	cfg.Selection.GBDTTrees = []int{40, 20} // staged, as the default space is
	cfg.Node2Vec.Dim, cfg.Node2Vec.Epochs = 8, 1
	cfg.Selection.Blends = []float64{1, 0.5}
	cfg.Selection.FailureAware = []bool{false, true} // the second stage pairs too
	d := imageData(t, cfg)
	var ts []int
	for _, name := range []string{"dtd", "pets", "svhn"} {
		i, _ := d.DatasetIndex(name)
		ts = append(ts, i)
	}
	folds := make([][]int, len(ts))
	for i, ti := range ts {
		folds[i] = innerFolds(d, ti, cfg.Selection.MaxInnerFolds, cfg.Seed)
	}
	pairs := 0
	for _, j := range selectionPlan(ts, folds, func(int) []int { return []int{0} }, func(int, int) bool { return true }) {
		if len(j.cells) == 2 {
			pairs++
		}
	}
	if pairs == 0 {
		t.Fatal("no inner folds paired: the test checks nothing")
	}
	run := func(pair bool) []*Selection {
		defer func(old bool) { pairInnerFolds = old }(pairInnerFolds)
		pairInnerFolds = pair
		sel, err := selectSettings(context.Background(), d, ts, cfg, newTimings(), func() {})
		if err != nil {
			t.Fatal(err)
		}
		return sel
	}
	paired, alone := run(true), run(false)
	for i, ti := range ts {
		if paired[i].Chosen != alone[i].Chosen {
			t.Errorf("%s: chose %v paired, %v alone", d.Datasets[ti].DatasetID, paired[i].Chosen, alone[i].Chosen)
		}
		for k, s := range paired[i].Scores {
			if a := alone[i].Scores[k]; math.Float64bits(s.Score) != math.Float64bits(a.Score) || s.Candidate != a.Candidate {
				t.Errorf("%s: %v scores %v paired, %v %v alone", d.Datasets[ti].DatasetID, s.Candidate, s.Score, a.Candidate, a.Score)
			}
		}
	}
	t.Logf("%d of %d inner folds paired", 2*pairs, len(folds[0])+len(folds[1])+len(folds[2]))
}

// innerFoldTable returns the feature table of one inner fold of nested
// selection on the image benchmark — target dtd hidden, the first of its
// inner datasets held out, no graph learner — and the configuration.
func innerFoldTable(tb testing.TB) (*FeatureTable, Config) {
	tb.Helper()
	cfg := DefaultConfig()
	cfg.Learner = LearnerNone
	d := imageData(tb, cfg)
	t, _ := d.DatasetIndex("dtd")
	view := d.Without(t)
	di := innerFolds(d, t, cfg.Selection.MaxInnerFolds, cfg.Seed)[0]
	tg, err := BuildWarmGraph(view, di, cfg.Graph, 0, cfg.Seed)
	if err != nil {
		tb.Fatal(err)
	}
	ft, err := Features(view, di, tg, nil, cfg.Features, cfg.Learner, cfg.FeatureOptions, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return ft, cfg
}

// BenchmarkInnerFoldFits times the regressor fits of one inner fold of
// nested selection on the image benchmark: the GBDT at each depth of the
// default search space (the blends reuse its predictions). Nested
// selection runs a few hundred of these per image run; they are most of
// its CPU time. It reports CPU seconds per fold, which a loaded machine
// distorts less than wall time.
func BenchmarkInnerFoldFits(b *testing.B) {
	ft, cfg := innerFoldTable(b)
	depths := DefaultSelection().GBDTMaxDepths
	rows, cols := ft.Train.Dims()
	b.Logf("%d training rows × %d features, depths %v", rows, cols, depths)
	b.ReportAllocs()
	cpu0 := storetest.CPUTime().Seconds()
	for b.Loop() {
		for _, depth := range depths {
			c := cfg
			c.GBDT.MaxDepth = depth
			if _, err := fitPredict(ft, c, cfg.Seed); err != nil {
				b.Fatal(err)
			}
		}
	}
	if cpu := storetest.CPUTime().Seconds() - cpu0; cpu > 0 {
		b.ReportMetric(cpu/float64(b.N), "cpu-s/fold")
	}
}

// BenchmarkInnerFoldFailureAware times the failure-aware prediction of one
// inner fold at depth 3: the logistic failure classifier and the regressor
// on the working rows.
func BenchmarkInnerFoldFailureAware(b *testing.B) {
	ft, cfg := innerFoldTable(b)
	cfg.GBDT.MaxDepth = 3
	for _, stage := range []string{"classifier", "all"} {
		b.Run(stage, func(b *testing.B) {
			c := cfg
			if stage == "classifier" {
				c.GBDT.Trees = 1 // the regressor costs next to nothing
			}
			b.ReportAllocs()
			cpu0 := storetest.CPUTime().Seconds()
			for b.Loop() {
				if _, err := fitPredictFailureAware(ft, []*mat.Dense{ft.Test}, c, cfg.Seed); err != nil {
					b.Fatal(err)
				}
			}
			if cpu := storetest.CPUTime().Seconds() - cpu0; cpu > 0 {
				b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
			}
		})
	}
}

// TestInnerFoldGroupTreeLayout checks innerFoldGroup's score layout over a
// grid of depths and unsorted tree counts: the score at index
// ((depth·trees + count)·priors + prior)·blends + blend is, to the bit, the
// one of the inner fold run alone at that depth and count, so reading every
// count off one fit changes no score and no regret.
func TestInnerFoldGroupTreeLayout(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Learner = LearnerNone
	d := imageData(t, cfg)
	ti, ok := d.DatasetIndex("dtd")
	if !ok {
		t.Fatal("the image benchmark has no dtd")
	}
	view, held := d.Without(ti), innerFolds(d, ti, cfg.Selection.MaxInnerFolds, cfg.Seed)[0]
	tg, err := BuildWarmGraph(view, held, cfg.Graph, 0, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	mft, meta, err := metadataPredict(view, held, tg, cfg, cfg.GBDT, cfg.Seed, nil, newTimings())
	if err != nil {
		t.Fatal(err)
	}
	side := []innerSide{{view: view, held: held, meta: innerMeta{pred: meta, models: mft.TestModels}}}
	depths, trees := []int{3, 2}, []int{30, 10, 20}
	sc := scoringGrid{priors: []string{""}, blends: []float64{1, 0.5, 0}, metaWeights: []float64{0, 0.5}}
	ctx := context.Background()
	got, err := innerFoldGroup(ctx, side, cfg, regressorGrid{depths, trees}, sc, newTimings())
	if err != nil {
		t.Fatal(err)
	}
	if want := len(depths) * len(trees) * len(sc.priors) * len(sc.blends) * len(sc.metaWeights); len(got[0]) != want {
		t.Fatalf("%d scores, want %d", len(got[0]), want)
	}
	stacked := 0
	for a, depth := range depths {
		for n, count := range trees {
			for m, v := range sc.metaWeights {
				one := sc
				one.metaWeights = []float64{v}
				alone, err := innerFoldGroup(ctx, side, cfg, regressorGrid{[]int{depth}, []int{count}}, one, newTimings())
				if err != nil {
					t.Fatal(err)
				}
				for p := range sc.priors {
					for b, blend := range sc.blends {
						g := got[0][(((a*len(trees)+n)*len(sc.priors)+p)*len(sc.blends)+b)*len(sc.metaWeights)+m]
						w := alone[0][p*len(sc.blends)+b]
						if math.Float64bits(g.fit) != math.Float64bits(w.fit) || math.Float64bits(g.regret) != math.Float64bits(w.regret) {
							t.Errorf("depth %d, %d trees, blend %g, metadata %g: %+v in the grid, %+v alone", depth, count, blend, v, g, w)
						}
						if plain := got[0][(((a*len(trees)+n)*len(sc.priors)+p)*len(sc.blends)+b)*len(sc.metaWeights)]; v > 0 && g.fit != plain.fit {
							stacked++
						}
					}
				}
			}
		}
	}
	if stacked == 0 {
		t.Error("the metadata weight changed no inner score")
	}
}

// TestSelectionMetadataAlone checks that the metadata-only predictions of
// nested selection, one fit per inner fold shared by the two cells of a
// pair, are those of the metadata regressor run on each inner fold alone,
// bit for bit.
func TestSelectionMetadataAlone(t *testing.T) {
	cfg := DefaultConfig()
	cfg.GBDT.Trees = 30
	d := imageData(t, cfg)
	var ts []int
	for _, name := range []string{"dtd", "pets"} {
		i, _ := d.DatasetIndex(name)
		ts = append(ts, i)
	}
	folds, views := make([][]int, len(ts)), make([]*Data, len(ts))
	for i, ti := range ts {
		folds[i], views[i] = innerFolds(d, ti, cfg.Selection.MaxInnerFolds, cfg.Seed), d.Without(ti)
	}
	jobs := selectionPlan(ts, folds, func(int) []int { return []int{0, 1} }, func(int, int) bool { return true })
	sp := selectionSpace{metaWeights: []float64{0, 0.5}}
	metas, err := selectionMetadata(context.Background(), d, ts, innerData{views: views, folds: folds}, jobs, sp, cfg, newTimings(), func() {})
	if err != nil {
		t.Fatal(err)
	}
	for i, ti := range ts {
		for f, held := range folds[i] {
			tg, err := BuildWarmGraph(views[i], held, cfg.Graph, 0, cfg.Seed)
			if err != nil {
				t.Fatal(err)
			}
			want, err := metadataScores(views[i], held, tg, cfg, cfg.GBDT, cfg.Seed, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(metas[i][f].pred, want, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
				t.Errorf("%s, inner fold %s: metadata predictions differ from the fold's alone", d.Datasets[ti].DatasetID, d.Datasets[held].DatasetID)
			}
		}
	}
}
