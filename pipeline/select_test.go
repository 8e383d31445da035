package pipeline

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/store"
)

func TestQuantilesTiesAndMissing(t *testing.T) {
	nan := math.NaN()
	got := quantiles([]float64{0.9, nan, 0.1, 0.5, 0.5})
	// Ranks 4, –, 1, 2.5, 2.5 of n = 4; quantile (r − ½)/n.
	want := []float64{3.5 / 4, nan, 0.5 / 4, 2.0 / 4, 2.0 / 4}
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || (!math.IsNaN(want[i]) && math.Abs(got[i]-want[i]) > 1e-15) {
			t.Fatalf("quantiles = %v, want %v", got, want)
		}
	}
	if r := ranks([]float64{3, nan, 1, 2, 2}); r[0] != 4 || r[2] != 1 || r[3] != 2.5 || r[4] != 2.5 {
		t.Errorf("ranks = %v, want 4 NaN 1 2.5 2.5", r)
	}
}

func TestSelectionSpace(t *testing.T) {
	cfg := DefaultConfig()
	sp := cfg.Selection.space(cfg, 0)
	// none has no embeddings, so one weighting: node2vec×2 + none.
	if len(sp.variants) != 3 || len(sp.depths) != 2 || len(sp.trees) != 3 || len(sp.blends) != 5 {
		t.Fatalf("space %v × %v × %v × %v, want 3 graph variants × 2 depths × 3 tree counts × 5 blends",
			sp.variants, sp.depths, sp.trees, sp.blends)
	}
	cfg.Selection = SelectionConfig{Mode: SelectNested, Objective: ObjectivePearson}
	sp = cfg.Selection.space(cfg, 0)
	if len(sp.variants) != 1 || sp.variants[0] != (Candidate{Learner: cfg.Learner, Weighting: cfg.Graph.Weighting}) ||
		!slices.Equal(sp.depths, []int{cfg.GBDT.MaxDepth}) || !slices.Equal(sp.trees, []int{cfg.GBDT.Trees}) ||
		!slices.Equal(sp.blends, []float64{cfg.Blend}) {
		t.Errorf("empty lists must keep the configured values: %v %v %v %v", sp.variants, sp.depths, sp.trees, sp.blends)
	}
	cfg.Regressor = RegressorForest
	if sp = cfg.Selection.space(cfg, 0); !slices.Equal(sp.depths, []int{0}) || !slices.Equal(sp.trees, []int{0}) {
		t.Errorf("forest: depths %v, trees %v, want [0] [0]", sp.depths, sp.trees)
	}
}

func TestSelectionValidate(t *testing.T) {
	for _, tc := range []struct {
		edit func(*SelectionConfig)
		want string
	}{
		{func(s *SelectionConfig) { s.Mode = "greedy" }, "selection.mode"},
		{func(s *SelectionConfig) { s.Objective = "r2" }, "selection.objective"},
		{func(s *SelectionConfig) { s.Learners = []Learner{"deepwalk"} }, "selection.learners"},
		{func(s *SelectionConfig) { s.Weightings = []string{"rank"} }, "selection.weightings"},
		{func(s *SelectionConfig) { s.GBDTMaxDepths = []int{0} }, "selection.gbdt_max_depths"},
		{func(s *SelectionConfig) { s.GBDTTrees = []int{100, 0} }, "selection.gbdt_trees"},
		{func(s *SelectionConfig) { s.Blends = []float64{1.5} }, "selection.blends"},
		{func(s *SelectionConfig) { s.Blends = []float64{math.NaN()} }, "selection.blends"},
		{func(s *SelectionConfig) { s.GNNObjectives = []string{"contrastive"} }, "selection.gnn_objectives"},
		{func(s *SelectionConfig) { s.Tiebreak = "regret@3" }, "selection.tiebreak"},
		{func(s *SelectionConfig) { s.Combine = "mean" }, "selection.combine"},
		{func(s *SelectionConfig) { s.Combine = "" }, "selection.combine"},
		{func(s *SelectionConfig) { s.MetadataWeights = []float64{0, -0.5} }, "selection.metadata_weights"},
		{func(s *SelectionConfig) { s.MetadataWeights = []float64{math.NaN()} }, "selection.metadata_weights"},
	} {
		cfg := DefaultConfig()
		tc.edit(&cfg.Selection)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate() = %v, want an error naming %s", err, tc.want)
		}
	}
	cfg := DefaultConfig()
	cfg.MetadataWeight = 2
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "metadata_weight") {
		t.Errorf("Validate() = %v, want an error naming metadata_weight", err)
	}
}

// TestWithoutHidesTarget checks the view nested selection runs on: the
// target's accuracies are unknown, it is no history, the rest is shared.
func TestWithoutHidesTarget(t *testing.T) {
	d := &Data{acc: [][]float64{{0.5, 0.6}, {0.7, 0.8}}, norm: [][]float64{{0, 1}, {0, 1}}, hasHistory: []bool{true, true},
		Models: make([]store.Model, 2)}
	v := d.Without(0)
	if !math.IsNaN(v.acc[0][0]) || !math.IsNaN(v.norm[0][1]) || v.hasHistory[0] || !v.hasHistory[1] || v.acc[1][1] != 0.8 {
		t.Errorf("view: acc %v norm %v history %v", v.acc, v.norm, v.hasHistory)
	}
	if d.acc[0][0] != 0.5 || !d.hasHistory[0] {
		t.Error("Without changed the data it was taken from")
	}
	if got := v.HistoryDatasets(); !slices.Equal(got, []int{1}) {
		t.Errorf("history datasets %v, want [1]", got)
	}
}

func TestMethodName(t *testing.T) {
	cfg := DefaultConfig()
	if got := cfg.Method(); got != "zoograph+gbdt" {
		t.Errorf("nested over several learners: %q", got)
	}
	cfg.Selection.Learners = []Learner{LearnerGAT}
	if got := cfg.Method(); got != "gat+gbdt" {
		t.Errorf("nested over one learner: %q, want gat+gbdt", got)
	}
	cfg.Selection.Learners, cfg.Learner = nil, LearnerNone
	if got := cfg.Method(); got != "none+gbdt" {
		t.Errorf("configured learner: %q", got)
	}
	cfg.Selection.Mode, cfg.Selection.Learners = SelectFixed, []Learner{LearnerGAT, LearnerNone}
	if got := cfg.Method(); got != "none+gbdt" {
		t.Errorf("fixed selection: %q", got)
	}
}

// TestSelectionSpaceGNN checks that a GNN learner is tried with every
// objective of the space, and the other learners once.
func TestSelectionSpaceGNN(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Selection.Learners = []Learner{LearnerGAT, LearnerNode2Vec}
	cfg.Selection.Weightings = []string{WeightQuantile}
	variants := cfg.Selection.space(cfg, 0).variants
	want := []Candidate{
		{Learner: LearnerGAT, Weighting: WeightQuantile, GNNObjective: "link"},
		{Learner: LearnerGAT, Weighting: WeightQuantile, GNNObjective: "regression"},
		{Learner: LearnerNode2Vec, Weighting: WeightQuantile},
	}
	if !slices.Equal(variants, want) {
		t.Fatalf("variants %v, want %v", variants, want)
	}
	c := variants[1].apply(cfg)
	if c.Learner != LearnerGAT || c.GNN.Objective.String() != "regression" || c.Graph.Weighting != WeightQuantile {
		t.Errorf("apply: learner %s, objective %s, weighting %s", c.Learner, c.GNN.Objective, c.Graph.Weighting)
	}
}

// A candidate that predicts a constant on an inner fold scores 0 there, not
// a skipped fold; a fold whose accuracies are constant is skipped for every
// candidate alike.
func TestObjectiveConstantPredictions(t *testing.T) {
	actual := []float64{0.2, 0.5, 0.9}
	for _, name := range []string{ObjectivePearson, ObjectiveSpearman} {
		if got := objective(name, []float64{0.4, 0.4, 0.4}, actual); got != 0 {
			t.Errorf("%s: constant predictions scored %v, want 0", name, got)
		}
		if got := objective(name, []float64{1, 2, 3}, []float64{0.7, 0.7, 0.7}); !math.IsNaN(got) {
			t.Errorf("%s: constant accuracies scored %v, want NaN", name, got)
		}
		// Pearson of (1, 2, 3) with (0.2, 0.5, 0.9): deviations (−1, 0, 1) and
		// (−1/3, −1/30, 11/30), so 0.7 / √(2 · 222/900) ≈ 0.9966; Spearman of
		// monotone predictions: 1.
		want := 0.7 / math.Sqrt(2*222.0/900)
		if name == ObjectiveSpearman {
			want = 1
		}
		if got := objective(name, []float64{1, 2, 3}, actual); math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: monotone predictions scored %v, want %v", name, got, want)
		}
	}
	// Two folds, two candidates: the first is constant on fold 1 (score 0),
	// fold 2 has constant accuracies (NaN for both).
	folds := [][]innerScore{
		{{0.9, 0}, {0.5, 0}},
		{{objective(ObjectivePearson, []float64{3, 3, 3}, actual), 0}, {0.4, 0}},
		{{math.NaN(), 0}, {math.NaN(), 0}},
	}
	var s Selection
	s.add(Candidate{Blend: 0}, folds, 0)
	s.add(Candidate{Blend: 1}, folds, 1)
	if !s.pick(TiebreakNone) {
		t.Fatal("no candidate picked")
	}
	if s.Scores[0].Score != 0.45 || s.Scores[1].Score != 0.45 {
		t.Fatalf("scores %v, want 0.45 and 0.45", s.Scores)
	}
	if s.Chosen.Blend != 0 {
		t.Fatalf("chose %v, want the first best", s.Chosen)
	}
}

func TestRegretAt1(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name         string
		pred, actual []float64
		want         float64
	}{
		{"best first", []float64{3, 1, 2}, []float64{0.9, 0.5, 0.7}, 0},
		{"worst first", []float64{1, 3, 2}, []float64{0.9, 0.5, 0.7}, 0.4},
		{"tie: the first of equal predictions", []float64{3, 3, 1}, []float64{0.6, 0.9, 0.7}, 0.3},
		{"NaN prediction skipped", []float64{nan, 1, 2}, []float64{0.9, 0.5, 0.7}, 0.2},
		{"NaN accuracy skipped", []float64{3, 1, 2}, []float64{nan, 0.5, 0.7}, 0},
		{"nothing left", []float64{nan}, []float64{0.5}, nan},
	} {
		got := regretAt1(tc.pred, tc.actual)
		if math.IsNaN(tc.want) != math.IsNaN(got) || (!math.IsNaN(got) && math.Abs(got-tc.want) > 1e-12) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The regret tie-break chooses, among the candidates level with the best
// within one paired standard error, the lowest mean inner regret; a
// candidate clearly below the best is not chosen whatever its regret, and
// without the tie-break the best score wins.
func TestPickRegretTiebreak(t *testing.T) {
	// Four inner folds, four candidates. 0 is the best (mean 0.5).
	// 1 trails it by 0.005 on average, differences (−0.02, 0.02, −0.02,
	// 0.04) of standard deviation 0.03, standard error 0.015: level. 2
	// trails by 0.2 on every fold: not level, though its regret is 0. 3
	// has 1's scores and regret but comes later.
	fit := [][]float64{
		{0.5, 0.6, 0.4, 0.5},
		{0.52, 0.58, 0.42, 0.46},
		{0.3, 0.4, 0.2, 0.3},
		{0.52, 0.58, 0.42, 0.46},
	}
	regret := []float64{0.2, 0.1, 0, 0.1}
	folds := make([][]innerScore, 4)
	for f := range folds {
		for c := range fit {
			folds[f] = append(folds[f], innerScore{fit[c][f], regret[c]})
		}
	}
	var s Selection
	for c := range fit {
		s.add(Candidate{GBDTTrees: c + 1}, folds, c)
	}
	for _, tc := range []struct {
		tiebreak string
		want     int
	}{{TiebreakNone, 1}, {TiebreakRegret, 2}} {
		if !s.pick(tc.tiebreak) {
			t.Fatal("no candidate picked")
		}
		if got := s.Chosen.GBDTTrees; got != tc.want {
			t.Errorf("tiebreak %q: chose candidate %d, want %d", tc.tiebreak, got-1, tc.want-1)
		}
	}
	if got, want := s.Scores[1].Regret, 0.1; got != want {
		t.Errorf("mean inner regret %v, want %v", got, want)
	}
}

func TestLevel(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		b, c []float64
		want bool
	}{
		{"equal", []float64{0.5, 0.4}, []float64{0.5, 0.4}, true},
		{"above", []float64{0.5, 0.4}, []float64{0.6, 0.5}, true},
		{"constant shortfall", []float64{0.5, 0.4, 0.3}, []float64{0.49, 0.39, 0.29}, false},
		// differences (0.1, −0.1, 0.1): mean 1/30, standard error 0.2/√12 ≈ 0.058.
		{"noisy shortfall", []float64{0.5, 0.4, 0.3}, []float64{0.4, 0.5, 0.2}, true},
		{"one fold, below", []float64{0.5, nan}, []float64{0.4, 0.9}, false},
		{"no common fold", []float64{0.5, nan}, []float64{nan, 0.4}, false},
	} {
		if got := level(tc.b, tc.c); got != tc.want {
			t.Errorf("%s: level %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestChosenLearners(t *testing.T) {
	sel := func(ls ...Learner) map[string]*Selection {
		m := map[string]*Selection{}
		for i, l := range ls {
			m[string(rune('a'+i))] = &Selection{Chosen: Candidate{Learner: l}}
		}
		return m
	}
	for _, c := range []struct {
		name string
		sel  map[string]*Selection
		want string
	}{
		{"none", nil, ""},
		{"one learner everywhere", sel(LearnerNone, LearnerNone, LearnerNone), "none ×3"},
		{"most frequent first", sel(LearnerNode2Vec, LearnerNone, LearnerNone), "none ×2, node2vec ×1"},
		{"ties by name", sel(LearnerNone, LearnerGAT), "gat ×1, none ×1"},
	} {
		if got := ChosenLearners(c.sel); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// TestInnerFoldsWithoutDistances checks that on a zoo without distances
// the inner folds capped at max are drawn per target from the seed, not
// taken alphabetically: the same seed draws the same folds, and across
// targets more datasets validate something than the alphabetically first.
func TestInnerFoldsWithoutDistances(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	d := handData([]string{"m0", "m1", "m2"}, names)
	d.acc = newMatrix(len(names), 3, 0.5)
	d.norm = d.acc
	d.hasHistory = make([]bool, len(names))
	for i := range d.hasHistory {
		d.hasHistory[i] = true
	}
	d.dist = newMatrix(len(names), len(names), math.NaN())
	used := map[int]bool{}
	var firsts [][]int
	for ti := range names {
		got := innerFolds(d, ti, 3, 7)
		if len(got) != 3 || slices.Contains(got, ti) || !slices.IsSorted(got) {
			t.Fatalf("target %s: folds %v, want 3 sorted datasets but the target", names[ti], got)
		}
		if again := innerFolds(d, ti, 3, 7); !slices.Equal(got, again) {
			t.Errorf("target %s: folds %v, then %v with the same seed", names[ti], got, again)
		}
		for _, di := range got {
			used[di] = true
		}
		firsts = append(firsts, got)
	}
	// Alphabetically, only a, b, c and d would ever be inner folds.
	if len(used) <= 4 {
		t.Errorf("only %d of %d datasets are ever an inner fold: %v", len(used), len(names), firsts)
	}
	differs := false
	for ti := range names {
		differs = differs || !slices.Equal(innerFolds(d, ti, 3, 8), firsts[ti])
	}
	if !differs {
		t.Error("another seed draws the same folds for every target")
	}
}

// TestSelectionConfigRoundTrip checks that a run's written config reads
// back to the same search space: an emptied list (keep the configured
// value) stays empty rather than turning back into the default.
func TestSelectionConfigRoundTrip(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Selection.GBDTTrees, cfg.Selection.GBDTMaxDepths, cfg.Selection.Blends = nil, nil, nil
	if back := readBack(t, cfg); !reflect.DeepEqual(back.Selection, cfg.Selection) {
		t.Errorf("selection read back as %+v, written as %+v", back.Selection, cfg.Selection)
	}
}

// An inner fold whose regret is undefined leaves the candidate's mean
// regret to the other folds, and a candidate with no defined regret loses
// the tie-break to a level one that has one.
func TestPickUndefinedRegret(t *testing.T) {
	nan := math.NaN()
	folds := [][]innerScore{
		{{0.5, nan}, {0.5, 0.2}},
		{{0.6, nan}, {0.6, nan}},
	}
	var s Selection
	s.add(Candidate{GBDTTrees: 1}, folds, 0)
	s.add(Candidate{GBDTTrees: 2}, folds, 1)
	if !math.IsNaN(s.Scores[0].Regret) || s.Scores[1].Regret != 0.2 {
		t.Fatalf("mean regrets %v and %v, want NaN and 0.2", s.Scores[0].Regret, s.Scores[1].Regret)
	}
	if !s.pick(TiebreakRegret) || s.Chosen.GBDTTrees != 2 {
		t.Errorf("chose %v, want the candidate with a regret", s.Chosen)
	}
}
