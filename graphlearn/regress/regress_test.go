package regress

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// models returns one small instance of every regressor, by name.
func models() map[string]func() Regressor {
	return map[string]func() Regressor{
		"linear": func() Regressor { return NewLinear(LinearOptions{}) },
		"forest": func() Regressor {
			o := DefaultForestOptions()
			o.Trees = 5
			return NewForest(o)
		},
		"gbdt": func() Regressor {
			o := DefaultGBDTOptions()
			o.Trees = 5
			return NewGBDT(o)
		},
	}
}

// TestBadInput is the contract every Regressor keeps: bad input gives the
// documented sentinel error, never a panic or a NaN model.
func TestBadInput(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	good := mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, 6, 7, 9})
	goodY := []float64{1, 2, 3, 5}
	fitTests := []struct {
		name    string
		X       *mat.Dense
		y       []float64
		want    error
		wantFor map[string]error // overrides per model
	}{
		{name: "nil X", X: nil, y: goodY, want: ErrEmpty},
		{name: "zero-value X", X: &mat.Dense{}, y: nil, want: ErrEmpty},
		{name: "fewer labels than rows", X: good, y: goodY[:3], want: ErrDimension},
		{name: "more labels than rows", X: good, y: append(goodY, 1), want: ErrDimension},
		{name: "NaN label", X: good, y: []float64{1, nan, 3, 4}, want: ErrNonFinite},
		{name: "infinite label", X: good, y: []float64{1, 2, -inf, 4}, want: ErrNonFinite},
		{name: "infinite feature", X: mat.NewDense(2, 1, []float64{1, inf}), y: []float64{1, 2}, want: ErrNonFinite},
		{
			name: "NaN feature", X: mat.NewDense(3, 1, []float64{1, nan, 3}), y: []float64{1, 2, 3},
			want: nil, wantFor: map[string]error{"linear": ErrMissingValues},
		},
		// Finite, but their squares and sums overflow: a NaN model.
		{name: "huge label", X: good, y: []float64{1, 1e200, 3, -1e200}, want: ErrNonFinite},
		{
			name: "huge feature", X: mat.NewDense(4, 2, []float64{1e200, 2, -1e200, 4, 1e200, 6, 7, 9}), y: goodY,
			want: nil, wantFor: map[string]error{"linear": ErrNonFinite},
		},
	}
	for name, newModel := range models() {
		for _, tc := range fitTests {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				want := tc.want
				if w, ok := tc.wantFor[name]; ok {
					want = w
				}
				m := newModel()
				err := m.Fit(tc.X, tc.y)
				if want == nil {
					if err != nil {
						t.Fatalf("Fit: %v", err)
					}
					pred, err := m.Predict(tc.X)
					if err != nil {
						t.Fatalf("Predict: %v", err)
					}
					for i, p := range pred {
						if math.IsNaN(p) || math.IsInf(p, 0) {
							t.Errorf("prediction %d = %v", i, p)
						}
					}
					return
				}
				if !errors.Is(err, want) {
					t.Fatalf("Fit error = %v, want %v", err, want)
				}
				// A failed fit leaves no model behind.
				if _, err := m.Predict(good); !errors.Is(err, ErrNotFitted) {
					t.Errorf("Predict after failed Fit: err = %v, want ErrNotFitted", err)
				}
			})
		}
		t.Run(name+"/predict before fit", func(t *testing.T) {
			m := newModel()
			if _, err := m.Predict(good); !errors.Is(err, ErrNotFitted) {
				t.Errorf("err = %v, want ErrNotFitted", err)
			}
			if imp := m.(Importancer).FeatureImportances(); imp != nil {
				t.Errorf("FeatureImportances before Fit = %v, want nil", imp)
			}
		})
		t.Run(name+"/predict input", func(t *testing.T) {
			m := newModel()
			mustFit(t, m, good, goodY)
			predictTests := []struct {
				name string
				X    *mat.Dense
				want error
			}{
				{"nil X", nil, ErrEmpty},
				{"wrong column count", mat.NewDense(1, 3, nil), ErrDimension},
				{"infinite feature", mat.NewDense(1, 2, []float64{inf, 0}), ErrNonFinite},
			}
			if name == "linear" {
				predictTests = append(predictTests, struct {
					name string
					X    *mat.Dense
					want error
				}{"huge feature", mat.NewDense(1, 2, []float64{0, -1e200}), ErrNonFinite})
			}
			for _, pt := range predictTests {
				if _, err := m.Predict(pt.X); !errors.Is(err, pt.want) {
					t.Errorf("%s: err = %v, want %v", pt.name, err, pt.want)
				}
			}
			pred, err := m.Predict(good)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range pred {
				if math.IsNaN(p) || math.IsInf(p, 0) {
					t.Errorf("prediction %d = %v", i, p)
				}
			}
		})
		t.Run(name+"/constant labels", func(t *testing.T) {
			m := newModel()
			err := m.Fit(good, []float64{2.5, 2.5, 2.5, 2.5})
			if !errors.Is(err, ErrConstantLabels) {
				t.Fatalf("Fit error = %v, want ErrConstantLabels", err)
			}
			pred, err := m.Predict(mat.NewDense(2, 2, []float64{0, 0, 100, -100}))
			if err != nil {
				t.Fatalf("Predict after ErrConstantLabels: %v", err)
			}
			assertClose(t, "prediction", pred, []float64{2.5, 2.5}, 0)
			for j, v := range m.(Importancer).FeatureImportances() {
				if v != 0 {
					t.Errorf("importance %d = %v, want 0", j, v)
				}
			}
		})
		t.Run(name+"/refit resets", func(t *testing.T) {
			m := newModel()
			mustFit(t, m, good, goodY)
			if err := m.Fit(good, goodY[:2]); !errors.Is(err, ErrDimension) {
				t.Fatalf("second Fit: err = %v, want ErrDimension", err)
			}
			if _, err := m.Predict(good); !errors.Is(err, ErrNotFitted) {
				t.Errorf("Predict after failed refit: err = %v, want ErrNotFitted", err)
			}
		})
	}
}

func TestInvalidOptions(t *testing.T) {
	X := mat.NewDense(3, 1, []float64{1, 2, 3})
	y := []float64{1, 2, 4}
	gbdt := func(edit func(*GBDTOptions)) Regressor {
		o := DefaultGBDTOptions()
		edit(&o)
		return NewGBDT(o)
	}
	forest := func(edit func(*ForestOptions)) Regressor {
		o := DefaultForestOptions()
		edit(&o)
		return NewForest(o)
	}
	tests := []struct {
		name string
		m    Regressor
		want string // the error's text
	}{
		{"linear negative ridge", NewLinear(LinearOptions{Ridge: -1}), "regress: invalid options: linear: Ridge = -1, want finite ≥ 0"},
		{"linear NaN ridge", NewLinear(LinearOptions{Ridge: math.NaN()}), "regress: invalid options: linear: Ridge = NaN, want finite ≥ 0"},
		{"gbdt zero trees", gbdt(func(o *GBDTOptions) { o.Trees = 0 }), "regress: invalid options: gbdt: Trees = 0, want ≥ 1"},
		{"gbdt zero depth", gbdt(func(o *GBDTOptions) { o.MaxDepth = 0 }), "regress: invalid options: gbdt: MaxDepth = 0, want ≥ 1"},
		{"gbdt zero learning rate", gbdt(func(o *GBDTOptions) { o.LearningRate = 0 }), "regress: invalid options: gbdt: LearningRate = 0, want in (0, 1]"},
		{"gbdt learning rate above 1", gbdt(func(o *GBDTOptions) { o.LearningRate = 1.5 }), "regress: invalid options: gbdt: LearningRate = 1.5, want in (0, 1]"},
		{"gbdt NaN lambda", gbdt(func(o *GBDTOptions) { o.Lambda = math.NaN() }), "regress: invalid options: gbdt: Lambda = NaN, want finite ≥ 0"},
		{"gbdt negative alpha", gbdt(func(o *GBDTOptions) { o.Alpha = -1 }), "regress: invalid options: gbdt: Alpha = -1, want finite ≥ 0"},
		{"gbdt infinite gamma", gbdt(func(o *GBDTOptions) { o.Gamma = math.Inf(1) }), "regress: invalid options: gbdt: Gamma = +Inf, want finite ≥ 0"},
		{"gbdt negative min child weight", gbdt(func(o *GBDTOptions) { o.MinChildWeight = -1 }), "regress: invalid options: gbdt: MinChildWeight = -1, want finite ≥ 0"},
		{"gbdt zero subsample", gbdt(func(o *GBDTOptions) { o.Subsample = 0 }), "regress: invalid options: gbdt: Subsample = 0, want in (0, 1]"},
		{"gbdt colsample above 1", gbdt(func(o *GBDTOptions) { o.ColsampleByTree = 1.01 }), "regress: invalid options: gbdt: ColsampleByTree = 1.01, want in (0, 1]"},
		{"gbdt one bin", gbdt(func(o *GBDTOptions) { o.MaxBins = 1 }), "regress: invalid options: gbdt: MaxBins = 1, want 0 or in [2, 256]"},
		{"gbdt 257 bins", gbdt(func(o *GBDTOptions) { o.MaxBins = 257 }), "regress: invalid options: gbdt: MaxBins = 257, want 0 or in [2, 256]"},
		{"gbdt negative patience", gbdt(func(o *GBDTOptions) { o.EarlyStoppingRounds = -1 }), "regress: invalid options: gbdt: EarlyStoppingRounds = -1, want ≥ 0"},
		{"forest zero trees", forest(func(o *ForestOptions) { o.Trees = 0 }), "regress: invalid options: forest: Trees = 0, want in [1, 1000000]"},
		{"forest huge trees", forest(func(o *ForestOptions) { o.Trees = 1 << 50 }), "regress: invalid options: forest: Trees = 1125899906842624, want in [1, 1000000]"},
		{"forest negative depth", forest(func(o *ForestOptions) { o.MaxDepth = -1 }), "regress: invalid options: forest: MaxDepth = -1, want ≥ 0 (0 = unlimited)"},
		{"forest negative leaf", forest(func(o *ForestOptions) { o.MinSamplesLeaf = -1 }), "regress: invalid options: forest: MinSamplesLeaf = -1, want ≥ 0"},
		{"forest bad max features", forest(func(o *ForestOptions) { o.MaxFeatures = "most" }), "regress: invalid options: forest: MaxFeatures = \"most\", want sqrt, log2, all, a fraction in (0, 1] or a count ≥ 1"},
		{"forest 300 bins", forest(func(o *ForestOptions) { o.MaxBins = 300 }), "regress: invalid options: forest: MaxBins = 300, want 0 or in [2, 256]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.m.Fit(X, y)
			if !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("Fit error = %v, want ErrInvalidOptions", err)
			}
			if err.Error() != tc.want {
				t.Errorf("Fit error = %q, want %q", err, tc.want)
			}
		})
	}
}

func TestGBDTValidationInput(t *testing.T) {
	X := mat.NewDense(4, 1, []float64{1, 2, 3, 4})
	y := []float64{1, 2, 3, 5}
	tests := []struct {
		name string
		Xv   *mat.Dense
		yv   []float64
		want error
	}{
		{"nil", nil, nil, ErrEmpty},
		{"wrong width", mat.NewDense(2, 2, nil), []float64{1, 2}, ErrDimension},
		{"short labels", mat.NewDense(2, 1, nil), []float64{1}, ErrDimension},
		{"NaN label", mat.NewDense(2, 1, nil), []float64{1, math.NaN()}, ErrNonFinite},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := NewGBDT(DefaultGBDTOptions())
			if err := g.FitWithValidation(X, y, tc.Xv, tc.yv); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestConcurrentPredict exercises the documented guarantee that a fitted
// model may serve Predict from many goroutines (run with -race).
func TestConcurrentPredict(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	X, y := friedman1(300, 5, 1, rng)
	for name, newModel := range models() {
		m := newModel()
		mustFit(t, m, X, y)
		want, _ := m.Predict(X)
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				got, err := m.Predict(X)
				if err == nil {
					for i := range got {
						if got[i] != want[i] {
							err = errors.New("concurrent prediction differs")
							break
						}
					}
				}
				errs <- err
			}()
		}
		for range 4 {
			if err := <-errs; err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}
