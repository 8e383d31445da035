package regress

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// randomDesign returns an n×p matrix of N(0, 1) entries with column j scaled
// by j+1 and shifted by j, so centring and scaling matter.
func randomDesign(rng *rand.Rand, n, p int) *mat.Dense {
	X := mat.NewDense(n, p, nil)
	for i := range n {
		for j := range p {
			X.Set(i, j, float64(j)+float64(j+1)*rng.NormFloat64())
		}
	}
	return X
}

func linearTarget(rng *rand.Rand, X *mat.Dense, b0 float64, beta []float64, noise float64) []float64 {
	n, _ := X.Dims()
	y := make([]float64, n)
	for i := range n {
		y[i] = b0 + noise*rng.NormFloat64()
		for j, b := range beta {
			y[i] += b * X.At(i, j)
		}
	}
	return y
}

// augmentedSolve is the oracle for an intercept model: it solves
//
//	[ n     1ᵀX      ] [b₀]   [ 1ᵀy ]
//	[ Xᵀ1   XᵀX + λI ] [β ] = [ Xᵀy ]
//
// the normal equations with an unpenalised intercept, by gonum's LU solve.
func augmentedSolve(t *testing.T, X *mat.Dense, y []float64, lambda float64) (float64, []float64) {
	t.Helper()
	n, p := X.Dims()
	A := mat.NewDense(n, p+1, nil)
	for i := range n {
		A.Set(i, 0, 1)
		for j := range p {
			A.Set(i, j+1, X.At(i, j))
		}
	}
	var ata mat.Dense
	ata.Mul(A.T(), A)
	for j := 1; j <= p; j++ {
		ata.Set(j, j, ata.At(j, j)+lambda)
	}
	var aty, sol mat.VecDense
	aty.MulVec(A.T(), mat.NewVecDense(n, y))
	if err := sol.SolveVec(&ata, &aty); err != nil {
		t.Fatalf("oracle solve: %v", err)
	}
	beta := make([]float64, p)
	for j := range p {
		beta[j] = sol.AtVec(j + 1)
	}
	return sol.AtVec(0), beta
}

func assertClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Errorf("%s[%d] = %.12g, want %.12g", what, i, got[i], want[i])
		}
	}
}

func TestLinearMatchesNormalEquations(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0))
	X := randomDesign(rng, 60, 5)
	y := linearTarget(rng, X, 3, []float64{1, -2, 0.5, 0, 4}, 0.7)
	tests := []struct {
		name string
		opt  LinearOptions
	}{
		{"OLS", LinearOptions{}},
		{"OLS standardised", LinearOptions{Standardize: true}},
		{"ridge 0.1", LinearOptions{Ridge: 0.1}},
		{"ridge 10", LinearOptions{Ridge: 10}},
		{"ridge 1000", LinearOptions{Ridge: 1000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLinear(tc.opt)
			mustFit(t, l, X, y)
			b0, beta := augmentedSolve(t, X, y, tc.opt.Ridge)
			assertClose(t, "coef", l.Coefficients(), beta, 1e-9)
			assertClose(t, "intercept", []float64{l.Intercept()}, []float64{b0}, 1e-9)
		})
	}
}

// TestLinearStandardisedRidge checks that Standardize penalises the
// coefficients of the unit-variance features: the oracle standardises by
// hand, solves, and maps back.
func TestLinearStandardisedRidge(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 0))
	X := randomDesign(rng, 80, 4)
	y := linearTarget(rng, X, -1, []float64{2, 0, -1, 0.3}, 1)
	n, p := X.Dims()
	Z := mat.NewDense(n, p, nil)
	sd := make([]float64, p)
	for j := range p {
		col := mat.Col(nil, j, X)
		m := mean(col)
		var ss float64
		for _, v := range col {
			ss += (v - m) * (v - m)
		}
		sd[j] = math.Sqrt(ss / float64(n))
		for i := range n {
			Z.Set(i, j, X.At(i, j)/sd[j])
		}
	}
	const lambda = 25
	_, gamma := augmentedSolve(t, Z, y, lambda)
	want := make([]float64, p)
	for j := range p {
		want[j] = gamma[j] / sd[j]
	}
	l := NewLinear(LinearOptions{Ridge: lambda, Standardize: true})
	mustFit(t, l, X, y)
	assertClose(t, "coef", l.Coefficients(), want, 1e-9)
}

func TestLinearExactRecovery(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 0))
	X := randomDesign(rng, 30, 3)
	beta := []float64{1.5, -0.25, 3}
	y := linearTarget(rng, X, 7, beta, 0)
	l := NewLinear(LinearOptions{})
	mustFit(t, l, X, y)
	assertClose(t, "coef", l.Coefficients(), beta, 1e-10)
	assertClose(t, "intercept", []float64{l.Intercept()}, []float64{7}, 1e-10)
	pred, err := l.Predict(X)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "prediction", pred, y, 1e-10)
}

// TestLinearMinimumNorm covers rank-deficient designs, where OLS has many
// solutions and Linear must return the one of least ‖β‖.
func TestLinearMinimumNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 0))
	t.Run("duplicated column splits its weight", func(t *testing.T) {
		// x₂ = x₁ and y = 1 + 3x₁ − x₃: every β₁+β₂ = 3 fits; the least-norm
		// one is β₁ = β₂ = 1.5.
		n := 40
		X := mat.NewDense(n, 3, nil)
		y := make([]float64, n)
		for i := range n {
			a, c := rng.NormFloat64(), rng.NormFloat64()
			X.SetRow(i, []float64{a, a, c})
			y[i] = 1 + 3*a - c
		}
		for _, std := range []bool{false, true} {
			l := NewLinear(LinearOptions{Standardize: std})
			mustFit(t, l, X, y)
			assertClose(t, "coef", l.Coefficients(), []float64{1.5, 1.5, -1}, 1e-9)
			assertClose(t, "intercept", []float64{l.Intercept()}, []float64{1}, 1e-9)
		}
	})
	t.Run("constant column gets zero", func(t *testing.T) {
		n := 25
		X := mat.NewDense(n, 2, nil)
		y := make([]float64, n)
		for i := range n {
			a := rng.NormFloat64()
			X.SetRow(i, []float64{5, a})
			y[i] = 2 - a
		}
		l := NewLinear(LinearOptions{})
		mustFit(t, l, X, y)
		assertClose(t, "coef", l.Coefficients(), []float64{0, -1}, 1e-10)
		assertClose(t, "intercept", []float64{l.Intercept()}, []float64{2}, 1e-10)
	})
	t.Run("repeated embedding blocks", func(t *testing.T) {
		// Like the paper's data: each row joins a model vector with one of
		// only 3 dataset vectors of dimension 6, so the dataset block has
		// rank ≤ 3. Compare with the pseudo-inverse oracle
		// β = Xcᵀ (Xc Xcᵀ)⁺ yc computed on the row space by gonum's SVD.
		const n, pm, pd = 60, 4, 6
		ds := randomDesign(rng, 3, pd)
		X := mat.NewDense(n, pm+pd, nil)
		for i := range n {
			for j := range pm {
				X.Set(i, j, rng.NormFloat64())
			}
			for j := range pd {
				X.Set(i, pm+j, ds.At(i%3, j))
			}
		}
		y := make([]float64, n)
		for i := range y {
			y[i] = X.At(i, 0) - 2*X.At(i, 5) + 0.1*rng.NormFloat64()
		}
		l := NewLinear(LinearOptions{})
		mustFit(t, l, X, y)
		want := pinvSolve(t, X, y)
		assertClose(t, "coef", l.Coefficients(), want, 1e-8)
	})
	t.Run("more features than rows interpolates", func(t *testing.T) {
		X := randomDesign(rng, 8, 20)
		y := make([]float64, 8)
		for i := range y {
			y[i] = rng.NormFloat64()
		}
		l := NewLinear(LinearOptions{})
		pred := fitPredict(t, l, X, y, X)
		assertClose(t, "prediction", pred, y, 1e-9)
		assertClose(t, "coef", l.Coefficients(), pinvSolve(t, X, y), 1e-8)
	})
}

// pinvSolve returns the minimum-norm β of the centred least-squares problem
// from the eigen-decomposition of the Gram matrix Xc Xcᵀ (an independent route
// from Linear's SVD of Xc): β = Xcᵀ G⁺ yc with G⁺ from eigenvalues above a
// relative 1e-10.
func pinvSolve(t *testing.T, X *mat.Dense, y []float64) []float64 {
	t.Helper()
	n, p := X.Dims()
	xc := mat.DenseCopyOf(X)
	for j := range p {
		m := mean(mat.Col(nil, j, X))
		for i := range n {
			xc.Set(i, j, xc.At(i, j)-m)
		}
	}
	ym := mean(y)
	yc := mat.NewVecDense(n, nil)
	for i := range n {
		yc.SetVec(i, y[i]-ym)
	}
	var gram mat.SymDense
	gram.SymOuterK(1, xc)
	var eig mat.EigenSym
	if !eig.Factorize(&gram, true) {
		t.Fatal("eigen-decomposition failed")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	top := 0.0
	for _, v := range vals {
		top = max(top, v)
	}
	var vty mat.VecDense
	vty.MulVec(vecs.T(), yc)
	for i, v := range vals {
		if v > 1e-10*top {
			vty.SetVec(i, vty.AtVec(i)/v)
		} else {
			vty.SetVec(i, 0)
		}
	}
	var a, beta mat.VecDense
	a.MulVec(&vecs, &vty)
	beta.MulVec(xc.T(), &a)
	return mat.Col(nil, 0, &beta)
}

func TestLinearMissingValues(t *testing.T) {
	nan := math.NaN()
	X := mat.NewDense(6, 2, []float64{
		1, 10,
		2, nan,
		3, 30,
		nan, 40,
		5, 50,
		6, 60,
	})
	y := []float64{1, 2, 3, 4, 5, 7}
	if err := NewLinear(LinearOptions{}).Fit(X, y); !errors.Is(err, ErrMissingValues) {
		t.Fatalf("Fit without ImputeMissing: err = %v, want ErrMissingValues", err)
	}
	// Imputation must equal fitting on the matrix with NaN replaced by the
	// column means of the observed values (3.4 and 38).
	filled := mat.DenseCopyOf(X)
	filled.Set(1, 1, 38)
	filled.Set(3, 0, 3.4)
	want := NewLinear(LinearOptions{})
	mustFit(t, want, filled, y)
	got := NewLinear(LinearOptions{ImputeMissing: true})
	mustFit(t, got, X, y)
	assertClose(t, "coef", got.Coefficients(), want.Coefficients(), 1e-12)
	pGot, err := got.Predict(X)
	if err != nil {
		t.Fatal(err)
	}
	pWant, _ := want.Predict(filled)
	assertClose(t, "prediction", pGot, pWant, 1e-12)
}

func TestLinearImportances(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 0))
	X := randomDesign(rng, 200, 3) // column j has standard deviation ≈ j+1
	y := linearTarget(rng, X, 0, []float64{3, 1, 0}, 0)
	l := NewLinear(LinearOptions{})
	mustFit(t, l, X, y)
	imp := l.FeatureImportances()
	// |β|σ is about 3·1 and 1·2 for the first two, 0 for the third.
	if !(imp[0] > imp[1] && imp[1] > 0.3 && imp[2] < 1e-9) {
		t.Errorf("importances = %v, want about [0.6 0.4 0]", imp)
	}
	var sum float64
	for _, v := range imp {
		sum += v
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Errorf("importances sum to %v, want 1", sum)
	}
}

// sklearnLinearR2 is scikit-learn 1.2.1 LinearRegression's test R² on the
// Friedman data of friedmanSplit (testdata/crosscheck.py).
const sklearnLinearR2 = 0.665117

func TestLinearFriedman(t *testing.T) {
	Xtr, ytr, Xte, yte := friedmanSplit()
	l := NewLinear(LinearOptions{})
	mustFit(t, l, Xtr, ytr)
	got := r2(t, l, Xte, yte)
	t.Logf("linear test R² = %.4f (scikit-learn %.4f)", got, sklearnLinearR2)
	if math.Abs(got-sklearnLinearR2) > 0.005 {
		t.Errorf("test R² = %.4f, want scikit-learn's %.4f ± 0.005", got, sklearnLinearR2)
	}
}
