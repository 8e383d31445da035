package regress

import (
	"cmp"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// stumpOptions grows one depth-1 tree with no shrinkage or sampling.
func stumpOptions() GBDTOptions {
	o := DefaultGBDTOptions()
	o.Trees, o.MaxDepth, o.LearningRate, o.Lambda, o.ColsampleByTree = 1, 1, 1, 0, 1
	return o
}

// TestGBDTStump fits one split to a step function and checks predictions
// against the closed form. With base = mean(y) and g_i = base − y_i, a leaf
// predicts base − T_α(G)/(H+λ).
func TestGBDTStump(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	step := func(at float64) []float64 {
		y := make([]float64, len(x))
		for i, v := range x {
			if v >= at {
				y[i] = 10
			}
		}
		return y
	}
	tests := []struct {
		name          string
		y             []float64
		edit          func(*GBDTOptions)
		wantLo, wantH float64 // prediction left and right of the step
		wantSplit     bool
		wantThreshold float64
	}{
		{
			name: "λ=0 reproduces the step", y: step(5),
			wantLo: 0, wantH: 10, wantSplit: true, wantThreshold: 4.5,
		},
		{
			// G_L = 25, H_L = 5: 5 − 25/6 and 5 + 25/6.
			name: "λ=1 shrinks the leaves", y: step(5), edit: func(o *GBDTOptions) { o.Lambda = 1 },
			wantLo: 5 - 25.0/6, wantH: 5 + 25.0/6, wantSplit: true, wantThreshold: 4.5,
		},
		{
			// T_2(25) = 23: 5 − 23/6.
			name: "α=2 soft-thresholds the gradient sums", y: step(5), edit: func(o *GBDTOptions) { o.Lambda, o.Alpha = 1, 2 },
			wantLo: 5 - 23.0/6, wantH: 5 + 23.0/6, wantSplit: true, wantThreshold: 4.5,
		},
		{
			// gain = 25²/5 + 25²/5 − 0 = 250 < γ: the root stays a leaf with
			// weight −0/(10+0) = 0.
			name: "γ above the gain forbids the split", y: step(5), edit: func(o *GBDTOptions) { o.Gamma = 250.5 },
			wantLo: 5, wantH: 5,
		},
		{
			name: "γ at the gain allows it", y: step(5), edit: func(o *GBDTOptions) { o.Gamma = 249.5 },
			wantLo: 0, wantH: 10, wantSplit: true, wantThreshold: 4.5,
		},
		{
			// Step after 3 rows, min_child_weight 4: candidates keep 4..6
			// rows left. Base 7, g = 7 on zeros, −3 on tens. Left of 4 rows:
			// G = 18, w = −4.5 → 2.5; right: G = −18, H = 6, w = 3 → 10.
			// Gains 135 (4 left), 90 (5), 60 (6).
			name: "min_child_weight moves the split", y: step(3), edit: func(o *GBDTOptions) { o.MinChildWeight = 4 },
			wantLo: 2.5, wantH: 10, wantSplit: true, wantThreshold: 3.5,
		},
		{
			name: "min_child_weight above half the rows forbids any split", y: step(5), edit: func(o *GBDTOptions) { o.MinChildWeight = 6 },
			wantLo: 5, wantH: 5,
		},
	}
	X := column(x...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := stumpOptions()
			if tc.edit != nil {
				tc.edit(&o)
			}
			g := NewGBDT(o)
			pred := fitPredict(t, g, X, tc.y, column(0, 9))
			if math.Abs(pred[0]-tc.wantLo) > 1e-12 || math.Abs(pred[1]-tc.wantH) > 1e-12 {
				t.Errorf("predictions at x=0, 9 = %v, want [%v %v]", pred, tc.wantLo, tc.wantH)
			}
			root := g.ens.nodes[g.ens.roots[0]]
			if got := root.feature >= 0; got != tc.wantSplit {
				t.Fatalf("root split = %v, want %v", got, tc.wantSplit)
			}
			if tc.wantSplit && root.threshold != tc.wantThreshold {
				t.Errorf("threshold = %v, want %v", root.threshold, tc.wantThreshold)
			}
		})
	}
}

// TestGBDTMissingDirection checks that the default direction for NaN is
// learned from where the rows with missing values fit best.
func TestGBDTMissingDirection(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name            string
		x, y            []float64
		wantDefaultLeft bool
		wantNaN         float64 // prediction for a NaN row
	}{
		{
			name: "missing rows look like the high side",
			x:    []float64{1, 2, 3, 4, nan, nan, nan, nan}, y: []float64{0, 0, 10, 10, 10, 10, 10, 10},
			wantDefaultLeft: false, wantNaN: 10,
		},
		{
			name: "missing rows look like the low side",
			x:    []float64{1, 2, 3, 4, nan, nan, nan, nan}, y: []float64{10, 10, 0, 0, 10, 10, 10, 10},
			wantDefaultLeft: true, wantNaN: 10,
		},
		{
			// Every observed value is 5: the only split is "missing or not",
			// found by the forward scan with all values left (threshold +∞).
			name: "missing versus present",
			x:    []float64{5, 5, 5, nan, nan}, y: []float64{0, 0, 0, 10, 10},
			wantDefaultLeft: false, wantNaN: 10,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := NewGBDT(stumpOptions())
			mustFit(t, g, column(tc.x...), tc.y)
			root := g.ens.nodes[g.ens.roots[0]]
			if root.feature < 0 {
				t.Fatal("no split")
			}
			if root.defaultLeft != tc.wantDefaultLeft {
				t.Errorf("defaultLeft = %v, want %v", root.defaultLeft, tc.wantDefaultLeft)
			}
			pred, err := g.Predict(column(nan))
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(pred[0]-tc.wantNaN) > 1e-12 {
				t.Errorf("prediction for NaN = %v, want %v", pred[0], tc.wantNaN)
			}
			train, err := g.Predict(column(tc.x...))
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "training predictions", train, tc.y, 1e-12)
		})
	}
	t.Run("NaN unseen in training goes right", func(t *testing.T) {
		g := NewGBDT(stumpOptions())
		pred := fitPredict(t, g, column(1, 2, 3, 4), []float64{0, 0, 10, 10}, column(nan))
		if pred[0] != 10 {
			t.Errorf("prediction for NaN = %v, want the right leaf, 10", pred[0])
		}
	})
}

var friedmanGBDT = sync.OnceValues(func() (*GBDT, error) {
	Xtr, ytr, _, _ := friedmanSplit()
	g := NewGBDT(DefaultGBDTOptions())
	return g, g.Fit(Xtr, ytr)
})

// xgboostR2 is XGBoost 1.7.4's test R² on the Friedman data with the same
// settings (hist, 256 bins, 500 trees, depth 5, η 0.1, colsample 0.8,
// base_score = mean(y)); see testdata/crosscheck.py.
const xgboostR2 = 0.898555

func TestGBDTFriedman(t *testing.T) {
	g, err := friedmanGBDT()
	if err != nil {
		t.Fatal(err)
	}
	_, _, Xte, yte := friedmanSplit()
	got := r2(t, g, Xte, yte)
	t.Logf("GBDT test R² = %.4f (XGBoost %.4f)", got, xgboostR2)
	if got < 0.90 {
		t.Errorf("test R² = %.4f, want ≥ 0.90", got)
	}
	if math.Abs(got-xgboostR2) > 0.01 {
		t.Errorf("test R² = %.4f, want XGBoost's %.4f ± 0.01", got, xgboostR2)
	}
	if g.NumTrees() != 500 {
		t.Errorf("NumTrees = %d, want 500", g.NumTrees())
	}

	imp := g.FeatureImportances()
	checkImportances(t, imp, 0.8)
	order := make([]int, len(imp))
	for j := range order {
		order[j] = j
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(imp[b], imp[a]) })
	if top := slices.Sorted(slices.Values(order[:5])); !slices.Equal(top, []int{0, 1, 2, 3, 4}) {
		t.Errorf("top-5 features by gain = %v, want [0 1 2 3 4]", top)
	}
}

// TestGBDTDeterministic checks that a seed fixes the model, whatever the
// number of workers, and that another seed changes it.
func TestGBDTDeterministic(t *testing.T) {
	Xtr, ytr, Xte, _ := friedmanSplit()
	fit := func(seed uint64, workers int) []float64 {
		o := DefaultGBDTOptions()
		o.Trees, o.Subsample, o.Seed, o.Workers = 60, 0.8, seed, workers
		g := NewGBDT(o)
		return fitPredict(t, g, Xtr, ytr, Xte)
	}
	checkDeterministic(t, fit, 42, []int{1, 2, 3})
}

// TestGBDTTrainingPredictions checks the trainer's bookkeeping: the
// predictions it accumulates for training rows (from leaf row ranges, and
// binned walks for rows left out by subsampling) must equal Predict's raw
// walks.
func TestGBDTTrainingPredictions(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	// Big enough (1000 rows × 36 sampled features at the root) for the
	// split search to run on the worker pool.
	const n, p = 1000, 45
	X, y := friedman1(n, p-5, 1, rng)
	for i := range n {
		if rng.IntN(4) == 0 {
			X.Set(i, rng.IntN(5), math.NaN())
		}
	}
	for _, sub := range []float64{1, 0.6} {
		o := DefaultGBDTOptions()
		o.Trees, o.Subsample, o.Workers = 40, sub, 3
		g := &GBDT{opt: o, p: p, fitted: true, base: mean(y)}
		tr := newGBTrainer(o, newBinned(X, 256, 3), y, g.base)
		tr.ens = &g.ens
		tr.train()
		tr.close()
		pred, err := g.Predict(X)
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, "training predictions", tr.pred, pred, 1e-9)
	}
}

// xgboostMissingR2 is XGBoost 1.7.4's test R² on friedmanMissing with the
// settings of xgboostR2 (testdata/crosscheck.py).
const xgboostMissingR2 = 0.740870

func TestGBDTMissingFriedman(t *testing.T) {
	Xtr, ytr, Xte, yte := friedmanMissing()
	g := NewGBDT(DefaultGBDTOptions())
	mustFit(t, g, Xtr, ytr)
	got := r2(t, g, Xte, yte)
	t.Logf("GBDT test R² with 20%% of x₁ and x₄ missing = %.4f (XGBoost %.4f)", got, xgboostMissingR2)
	// Losing a fifth of the two strongest features costs XGBoost as much.
	if math.Abs(got-xgboostMissingR2) > 0.01 {
		t.Errorf("test R² = %.4f, want XGBoost's %.4f ± 0.01", got, xgboostMissingR2)
	}
	var left, right int
	for _, nd := range g.ens.nodes {
		if nd.feature == 0 || nd.feature == 3 {
			if nd.defaultLeft {
				left++
			} else {
				right++
			}
		}
	}
	if left == 0 || right == 0 {
		t.Errorf("splits on the features with missing values default left %d and right %d times; want both learned", left, right)
	}
}

func TestGBDTEarlyStopping(t *testing.T) {
	Xtr, ytr, Xte, yte := friedmanSplit()
	o := DefaultGBDTOptions()
	o.Trees, o.LearningRate, o.EarlyStoppingRounds = 1000, 0.3, 25
	g := NewGBDT(o)
	if err := g.FitWithValidation(Xtr, ytr, Xte, yte); err != nil {
		t.Fatal(err)
	}
	hist := g.ValidationRMSE()
	best := 0
	for i, v := range hist {
		if v < hist[best] {
			best = i
		}
	}
	t.Logf("stopped after %d rounds, kept %d trees", len(hist), g.NumTrees())
	if len(hist) >= o.Trees {
		t.Fatalf("ran all %d rounds; want an early stop", o.Trees)
	}
	if got, want := len(hist), best+1+o.EarlyStoppingRounds; got != want {
		t.Errorf("ran %d rounds, want best round %d + 1 + %d patience = %d", got, best, o.EarlyStoppingRounds, want)
	}
	if g.NumTrees() != best+1 {
		t.Errorf("kept %d trees, want %d (up to the best round)", g.NumTrees(), best+1)
	}
	pred, err := g.Predict(Xte)
	if err != nil {
		t.Fatal(err)
	}
	var sse float64
	for i, p := range pred {
		sse += (p - yte[i]) * (p - yte[i])
	}
	if rmse := math.Sqrt(sse / float64(len(yte))); math.Abs(rmse-hist[best]) > 1e-9 {
		t.Errorf("RMSE of the kept model = %v, want the best recorded %v", rmse, hist[best])
	}
}

// TestGBDTEarlyStoppingRoundsRunOut: with early stopping on, the model
// keeps the trees up to the best round even when Trees ends the fit
// before the patience does.
func TestGBDTEarlyStoppingRoundsRunOut(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	X, y := friedman1(60, 5, 3, rng)
	Xv, yv := friedman1(60, 5, 3, rng)
	o := DefaultGBDTOptions()
	o.Trees, o.LearningRate, o.EarlyStoppingRounds = 40, 1, 1000
	g := NewGBDT(o)
	if err := g.FitWithValidation(X, y, Xv, yv); err != nil {
		t.Fatal(err)
	}
	hist := g.ValidationRMSE()
	if len(hist) != o.Trees {
		t.Fatalf("ran %d rounds, want all %d", len(hist), o.Trees)
	}
	best := 0
	for i, v := range hist {
		if v < hist[best] {
			best = i
		}
	}
	if best == len(hist)-1 {
		t.Fatalf("the last round is the best (%v): the test needs a fit that overfits", hist)
	}
	if got, want := g.NumTrees(), best+1; got != want {
		t.Errorf("kept %d trees, want %d (up to the best round)", got, want)
	}
	pred, err := g.Predict(Xv)
	if err != nil {
		t.Fatal(err)
	}
	var sse float64
	for i, p := range pred {
		sse += (p - yv[i]) * (p - yv[i])
	}
	if rmse := math.Sqrt(sse / float64(len(yv))); math.Abs(rmse-hist[best]) > 1e-9 {
		t.Errorf("RMSE of the kept model = %v, want the best recorded %v", rmse, hist[best])
	}
}

func TestGBDTValidationWithoutStopping(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	X, y := friedman1(300, 5, 1, rng)
	Xv, yv := friedman1(100, 5, 1, rng)
	o := DefaultGBDTOptions()
	o.Trees = 30
	g := NewGBDT(o)
	if err := g.FitWithValidation(X, y, Xv, yv); err != nil {
		t.Fatal(err)
	}
	if got := len(g.ValidationRMSE()); got != 30 || g.NumTrees() != 30 {
		t.Errorf("recorded %d rounds and kept %d trees, want 30 and 30", got, g.NumTrees())
	}
}

// TestGBDTPredictStaged checks that the staged predictions of a fit with
// many rounds are, bit for bit, the predictions of fits with fewer rounds
// (row and column sampling included), that a count past the trees reads
// them all, and that bad counts are refused.
func TestGBDTPredictStaged(t *testing.T) {
	Xtr, ytr, Xte, _ := friedmanSplit()
	opt := func(trees int) GBDTOptions {
		o := DefaultGBDTOptions()
		o.Trees, o.Subsample, o.Seed = trees, 0.8, 7
		return o
	}
	full := NewGBDT(opt(60))
	if err := full.Fit(Xtr, ytr); err != nil {
		t.Fatal(err)
	}
	counts := []int{1, 15, 60, 90}
	staged, err := full.PredictStaged(Xte, counts)
	if err != nil {
		t.Fatal(err)
	}
	for s, k := range counts {
		want := fitPredict(t, NewGBDT(opt(min(k, 60))), Xtr, ytr, Xte)
		if !slices.Equal(staged[s], want) {
			t.Errorf("%d trees: staged predictions differ from a %d-tree fit's", k, min(k, 60))
		}
	}
	for _, bad := range [][]int{{0}, {5, 5}, {10, 3}} {
		if _, err := full.PredictStaged(Xte, bad); err == nil {
			t.Errorf("PredictStaged(%v): no error", bad)
		}
	}
	if _, err := NewGBDT(opt(5)).PredictStaged(Xte, []int{1}); !errors.Is(err, ErrNotFitted) {
		t.Errorf("unfitted: err = %v, want ErrNotFitted", err)
	}
}
