package pipeline

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/zoograph/zoograph/graphlearn/regress"
	"github.com/zoograph/zoograph/store"
)

// TestFailedRows applies the documented failure rule to a training dataset
// of 10 classes: chance c = 0.1, median ã = (0.80 + 0.85)/2 = 0.825, so a
// run failed when a ≤ 0.1 + 0.02·0.9 = 0.118 or a − 0.1 < (0.825 − 0.1)/2,
// i.e. a < 0.4625.
func TestFailedRows(t *testing.T) {
	nan := math.NaN()
	d := &Data{
		Datasets: []store.Dataset{{DatasetID: "ten", NumClasses: 10}},
		acc:      [][]float64{{0.90, 0.85, 0.80, 0.12, 0.40, 0.88, nan, 0.47}},
	}
	ft := &FeatureTable{TrainDataset: []int{0, 0, 0, 0, 0, 0, 0}, TrainModels: []int{0, 1, 2, 3, 4, 5, 7}}
	got := failedRows(d, ft)
	want := []bool{false, false, false, true, true, false, false}
	if !slices.Equal(got, want) {
		t.Errorf("failedRows = %v, want %v", got, want)
	}
}

// failureTable is a hand-built training set: x0 = 1 marks the 8 rows whose
// fine-tune failed (label −3); on the 32 that worked the label is x1; x2 is
// noise.
func failureTable() *FeatureTable {
	const n = 40
	ft := &FeatureTable{Names: []string{"x0", "x1", "x2"}, Train: mat.NewDense(n, 3, nil), Label: make([]float64, n),
		TrainFailed: make([]bool, n), Test: mat.NewDense(2, 3, []float64{0, 0.5, 0, 1, 0.5, 0})}
	for i := range n {
		x1 := float64(i) / n
		ft.Train.Set(i, 1, x1)
		ft.Train.Set(i, 2, math.Sin(float64(7*i)))
		ft.Label[i] = x1
		if i%5 == 0 {
			ft.Train.Set(i, 0, 1)
			ft.Label[i], ft.TrainFailed[i] = -3, true
		}
	}
	return ft
}

// TestFailureAwareHandBuilt checks the combination
// E = (1 − p)·μ_work + p·ȳ_fail on the hand-built set: μ_work is the linear
// fit of the working rows (exactly x1), p the logistic classifier's, ȳ_fail
// = −3.
func TestFailureAwareHandBuilt(t *testing.T) {
	ft := failureTable()
	cfg := DefaultConfig()
	cfg.Regressor = RegressorLinear
	got, err := fitPredictFailureAware(ft, []*mat.Dense{ft.Test}, cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float64, len(ft.TrainFailed))
	for i, f := range ft.TrainFailed {
		if f {
			y[i] = 1
		}
	}
	clf := regress.NewLogistic(regress.LogisticOptions{Ridge: failureRidge})
	if err := clf.Fit(ft.Train, y); err != nil {
		t.Fatal(err)
	}
	p, _ := clf.Predict(ft.Test)
	if !(p[0] < 0.2 && p[1] > 0.8) {
		t.Fatalf("P(failed) = %v for x0 = 0 and 1: the classifier does not see the failures", p)
	}
	for i, want := range []float64{(1-p[0])*0.5 + p[0]*-3, (1-p[1])*0.5 + p[1]*-3} {
		if math.Abs(got[0][i]-want) > 1e-9 {
			t.Errorf("row %d: E = %v, want (1 − %.4f)·0.5 + %.4f·(−3) = %v", i, got[0][i], p[i], p[i], want)
		}
	}
	// Too few failures to learn from: p = 0, the working rows' regressor
	// alone (the rows no longer counted as failed are working ones now).
	var working []int
	for i := range ft.TrainFailed {
		ft.TrainFailed[i] = ft.TrainFailed[i] && i < 5*(failureMinRows-1)
		if !ft.TrainFailed[i] {
			working = append(working, i)
		}
	}
	got, err = fitPredictFailureAware(ft, []*mat.Dense{ft.Test}, cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	train := mat.NewDense(len(working), 3, nil)
	label := make([]float64, len(working))
	for k, i := range working {
		train.SetRow(k, ft.Train.RawRowView(i))
		label[k] = ft.Label[i]
	}
	want, err := fitPredictAll(train, label, []*mat.Dense{ft.Test}, cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got[0], want[0]) {
		t.Errorf("%d failed rows: E = %v, want μ_work = %v", failureMinRows-1, got[0], want[0])
	}
}

// TestFailureAwareDeterministic checks that a seed fixes the failure-aware
// GBDT prediction to the bit, and that another seed changes it.
func TestFailureAwareDeterministic(t *testing.T) {
	cfg := DefaultConfig()
	cfg.GBDT.Trees = 50
	run := func(seed uint64) []float64 {
		ft := failureTable()
		out, err := fitPredictFailureAware(ft, []*mat.Dense{ft.Test}, cfg, seed)
		if err != nil {
			t.Fatal(err)
		}
		return out[0]
	}
	a, b := run(7), run(7)
	if !slices.Equal(a, b) {
		t.Errorf("seed 7 twice: %v and %v", a, b)
	}
	if c := run(8); slices.Equal(a, c) {
		t.Errorf("seeds 7 and 8 both give %v: the seed does not reach the fit", a)
	}
}

// TestAblationNoFailureModel checks that ablate pairs the method with
// itself without the failure model exactly when the method can use it.
func TestAblationNoFailureModel(t *testing.T) {
	i := slices.IndexFunc(ablationVariants, func(v ablationVariant) bool { return v.name == "no failure model" })
	if i < 0 {
		t.Fatal("no ablation variant 'no failure model'")
	}
	v := ablationVariants[i]
	nested := DefaultConfig()
	nested.Selection.FailureAware = []bool{false, true}
	fixed := DefaultConfig()
	fixed.Selection.Mode, fixed.FailureAware = SelectFixed, true
	fixedOff := DefaultConfig()
	fixedOff.Selection.Mode, fixedOff.Selection.FailureAware = SelectFixed, []bool{false, true}
	for _, tc := range []struct {
		name string
		cfg  Config
		want bool
	}{
		{"default space", DefaultConfig(), false},
		{"nested, space with it", nested, true},
		{"fixed, on", fixed, true},
		{"fixed, off", fixedOff, false},
	} {
		if got := v.when(tc.cfg); got != tc.want {
			t.Errorf("%s: variant runs = %v, want %v", tc.name, got, tc.want)
		}
		if got := failureValues(v.apply(tc.cfg)); !slices.Equal(got, []bool{false}) {
			t.Errorf("%s: the variant tries failure_aware %v, want only false", tc.name, got)
		}
	}
}

// TestAblationNoAveraging checks that ablate pairs the method with the
// chosen candidate alone exactly when nested selection averages several
// (selection.combine level or level_all).
func TestAblationNoAveraging(t *testing.T) {
	i := slices.IndexFunc(ablationVariants, func(v ablationVariant) bool { return v.name == "no averaging" })
	if i < 0 {
		t.Fatal("no ablation variant 'no averaging'")
	}
	v := ablationVariants[i]
	for _, tc := range []struct {
		mode, combine string
		want          bool
	}{
		{SelectNested, CombineBest, false},
		{SelectNested, CombineLevel, true},
		{SelectNested, CombineLevelAll, true},
		{SelectFixed, CombineLevel, false},
	} {
		cfg := DefaultConfig()
		cfg.Selection.Mode, cfg.Selection.Combine = tc.mode, tc.combine
		if got := v.when(cfg); got != tc.want {
			t.Errorf("%s, combine %s: variant runs = %v, want %v", tc.mode, tc.combine, got, tc.want)
		}
		if got := v.apply(cfg).Selection.Combine; got != CombineBest {
			t.Errorf("%s, combine %s: the variant combines %s, want best", tc.mode, tc.combine, got)
		}
	}
}
