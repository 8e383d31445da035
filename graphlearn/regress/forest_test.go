package regress

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestForestMaxFeatures(t *testing.T) {
	tests := []struct {
		spec    string
		p, want int
		wantErr bool
	}{
		{spec: "sqrt", p: 265, want: 16},
		{spec: "SQRT", p: 3, want: 1},
		{spec: "log2", p: 265, want: 8},
		{spec: "all", p: 265, want: 265},
		{spec: "", p: 10, want: 10},
		{spec: "0.33", p: 265, want: 87},
		{spec: "1.0", p: 7, want: 7},
		{spec: "0.01", p: 10, want: 1},
		{spec: "1e-1", p: 30, want: 3},
		{spec: "10", p: 265, want: 10},
		{spec: "500", p: 265, want: 265},
		{spec: "1", p: 265, want: 1},
		{spec: "0", wantErr: true},
		{spec: "-3", wantErr: true},
		{spec: "1.5", wantErr: true},
		{spec: "0.0", wantErr: true},
		{spec: "half", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			got, err := ForestOptions{MaxFeatures: tc.spec}.maxFeatures(tc.p)
			if tc.wantErr {
				if !errors.Is(err, ErrInvalidOptions) {
					t.Fatalf("err = %v, want ErrInvalidOptions", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("maxFeatures(%d) = %d, %v; want %d", tc.p, got, err, tc.want)
			}
		})
	}
}

// TestForestExact checks trees that must reproduce their training data.
func TestForestExact(t *testing.T) {
	exact := ForestOptions{Trees: 1, MaxFeatures: "all", Seed: 1}
	t.Run("stump on a step", func(t *testing.T) {
		o := exact
		o.MaxDepth = 1
		f := NewForest(o)
		x := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
		y := []float64{0, 0, 0, 0, 0, 10, 10, 10, 10, 10}
		mustFit(t, f, column(x...), y)
		root := f.ens.nodes[0]
		if root.feature != 0 || root.threshold != 4.5 {
			t.Errorf("root split = feature %d at %v, want feature 0 at 4.5", root.feature, root.threshold)
		}
		pred, err := f.Predict(column(x...))
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, "prediction", pred, y, 0)
	})
	t.Run("unlimited depth interpolates", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(2, 2))
		X, y := friedman1(200, 3, 1, rng)
		f := NewForest(exact) // MaxDepth 0: grow until pure
		pred := fitPredict(t, f, X, y, X)
		assertClose(t, "training prediction", pred, y, 1e-12)
	})
	t.Run("missing values get a learned side", func(t *testing.T) {
		nan := math.NaN()
		f := NewForest(exact)
		x := []float64{1, 2, 3, 4, nan, nan}
		y := []float64{10, 10, 0, 0, 10, 10}
		pred := fitPredict(t, f, column(x...), y, column(nan, 1.5, 3.5))
		assertClose(t, "prediction", pred, []float64{10, 10, 0}, 0)
		if !f.ens.nodes[0].defaultLeft {
			t.Error("root sends NaN right, want left (with the 10s)")
		}
	})
}

// TestForestMinSamplesLeaf routes the training rows and checks every leaf
// holds at least MinSamplesLeaf of them.
func TestForestMinSamplesLeaf(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	X, y := friedman1(300, 5, 1, rng)
	for _, k := range []int{1, 7, 30} {
		o := ForestOptions{Trees: 5, MinSamplesLeaf: k, MaxFeatures: "all", Seed: 4}
		f := NewForest(o)
		mustFit(t, f, X, y)
		for tr, root := range f.ens.roots {
			counts := map[int32]int{}
			for i := range 300 {
				counts[leafIndex(&f.ens, root, X.RawRowView(i))]++
			}
			for leaf, c := range counts {
				if c < k {
					t.Errorf("MinSamplesLeaf %d: tree %d leaf %d holds %d rows", k, tr, leaf, c)
				}
			}
		}
	}
}

func leafIndex(e *ensemble, root int32, x []float64) int32 {
	i := root
	for e.nodes[i].feature >= 0 {
		nd := e.nodes[i]
		if x[nd.feature] < nd.threshold {
			i = nd.left
		} else {
			i = nd.right
		}
	}
	return i
}

// sklearnForestR2 are scikit-learn 1.2.1 RandomForestRegressor(n_estimators=100,
// max_depth=5, max_features="sqrt") test R² on the Friedman data for
// random_state 0, 1, 2 (testdata/crosscheck.py).
var sklearnForestR2 = []float64{0.279719, 0.302139, 0.293124}

func TestForestFriedman(t *testing.T) {
	Xtr, ytr, Xte, yte := friedmanSplit()
	f := NewForest(DefaultForestOptions())
	mustFit(t, f, Xtr, ytr)
	got := r2(t, f, Xte, yte)
	ref := mean(sklearnForestR2)
	t.Logf("forest test R² = %.4f (scikit-learn %.4f over 3 seeds)", got, ref)
	if math.Abs(got-ref) > 0.05 {
		t.Errorf("test R² = %.4f, want scikit-learn's %.4f ± 0.05", got, ref)
	}
	// 5 of 265 features hold 1.9% of the mass by chance.
	checkImportances(t, f.FeatureImportances(), 0.2)
}

// checkImportances requires importances that sum to 1, of which the five
// informative features (the first) hold at least min.
func checkImportances(t *testing.T, imp []float64, min float64) {
	t.Helper()
	var sum, informative float64
	for j, v := range imp {
		sum += v
		if j < 5 {
			informative += v
		}
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("importances sum to %v, want 1", sum)
	}
	if informative < min {
		t.Errorf("informative features hold %.3f of the importance, want ≥ %v", informative, min)
	}
}

func TestForestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	X, y := friedman1(400, 30, 1, rng)
	fit := func(seed uint64, workers int) []float64 {
		o := DefaultForestOptions()
		o.Trees, o.Seed, o.Workers = 20, seed, workers
		f := NewForest(o)
		return fitPredict(t, f, X, y, X)
	}
	checkDeterministic(t, fit, 1, []int{1, 2, 5})
}

// checkDeterministic requires fit to give the same predictions for a seed
// whatever the number of workers, and others for the next seed.
func checkDeterministic(t *testing.T, fit func(seed uint64, workers int) []float64, seed uint64, workers []int) {
	t.Helper()
	ref := fit(seed, 1)
	for _, w := range workers {
		if got := fit(seed, w); !slices.Equal(got, ref) {
			t.Errorf("seed %d, %d workers: predictions differ from 1 worker", seed, w)
		}
	}
	if got := fit(seed+1, 2); slices.Equal(got, ref) {
		t.Errorf("seeds %d and %d gave identical predictions", seed, seed+1)
	}
}

func TestForestMissingValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	X, y := friedman1(1000, 0, 0.5, rng)
	Xte, yte := friedman1(1000, 0, 0.5, rng)
	for _, M := range []*mat.Dense{X, Xte} {
		for i := range 1000 {
			if rng.Float64() < 0.2 {
				M.Set(i, 3, math.NaN())
			}
		}
	}
	o := DefaultForestOptions()
	o.MaxDepth, o.MaxFeatures = 0, "all"
	f := NewForest(o)
	mustFit(t, f, X, y)
	got := r2(t, f, Xte, yte)
	t.Logf("forest R² with 20%% of x₄ missing = %.3f", got)
	if got < 0.7 {
		t.Errorf("test R² = %.3f, want ≥ 0.7", got)
	}
}

// TestGOMAXPROCSInvariance: with Workers = 0 the trees use GOMAXPROCS
// goroutines (binning, forest trees, prediction); the fitted models must
// not depend on it.
func TestGOMAXPROCSInvariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	X, y := friedman1(600, 10, 1, rng)
	X.Set(3, 2, math.NaN())
	X.Set(7, 0, math.NaN())
	fit := func(procs int) (gbdt, forest []float64) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		g := DefaultGBDTOptions()
		g.Trees, g.Subsample, g.Workers, g.Seed = 40, 0.8, 0, 3
		f := DefaultForestOptions()
		f.Trees, f.Workers, f.Seed = 20, 0, 3
		return fitPredict(t, NewGBDT(g), X, y, X), fitPredict(t, NewForest(f), X, y, X)
	}
	g1, f1 := fit(1)
	for _, procs := range []int{2, 4} {
		g, f := fit(procs)
		if !slices.Equal(g, g1) {
			t.Errorf("GOMAXPROCS %d: GBDT predictions differ from GOMAXPROCS 1", procs)
		}
		if !slices.Equal(f, f1) {
			t.Errorf("GOMAXPROCS %d: forest predictions differ from GOMAXPROCS 1", procs)
		}
	}
}
