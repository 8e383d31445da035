package regress

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// LogisticOptions configures L2-penalised logistic regression.
type LogisticOptions struct {
	// Ridge is the L2 penalty λ ≥ 0 on the coefficients of the
	// standardised features (never on the intercept). With λ = 0 a
	// separable training set has no finite solution; Fit then stops at
	// MaxIter with large coefficients.
	Ridge float64 `json:"ridge"`
	// MaxIter bounds the Newton steps (0 means 50).
	MaxIter int `json:"max_iter"`
}

// Logistic is a binary classifier with intercept,
//
//	P(y = 1 | x) = σ(b₀ + Σ_j β_j z_j),   σ(s) = 1/(1 + e^(−s)),
//
// on the standardised features z_j = (x_j − x̄_j)/s_j (a constant feature
// gets β_j = 0), fitted by Newton's method (iteratively reweighted least
// squares) on the penalised log-likelihood
//
//	Σ_i [y_i log p_i + (1 − y_i) log(1 − p_i)] − (λ/2) Σ_j β_j²,
//
// which is strictly concave for λ > 0, so the solution is unique and does
// not depend on the starting point (zero). A missing value (NaN) is
// replaced, in Fit and Predict, by the feature's training mean. It
// implements Regressor: Predict returns probabilities.
type Logistic struct {
	opt    LogisticOptions
	p      int
	fitted bool
	coef   []float64 // on the standardised features; coef[p] is the intercept
	mean   []float64
	scale  []float64 // 0 for a constant feature
}

// NewLogistic returns an unfitted logistic regression.
func NewLogistic(opt LogisticOptions) *Logistic { return &Logistic{opt: opt} }

// Fit trains on X (n×p, NaN = missing) and labels y, each 0 or 1.
func (l *Logistic) Fit(X *mat.Dense, y []float64) error {
	*l = Logistic{opt: l.opt}
	if err := firstInvalid("logistic", finiteNonNeg("Ridge", l.opt.Ridge), atLeast("MaxIter", l.opt.MaxIter, 0)); err != nil {
		return err
	}
	n, p, err := checkTrain(X, y, true)
	if err != nil {
		return err
	}
	if err := checkMagnitude(X); err != nil {
		return err
	}
	for i, v := range y {
		if v != 0 && v != 1 {
			return fmt.Errorf("regress: logistic: label %d is %v, want 0 or 1", i, v)
		}
	}
	l.p = p
	l.mean, l.scale = make([]float64, p), make([]float64, p)
	for j := range p {
		var s, c float64
		for i := range n {
			if v := X.At(i, j); !math.IsNaN(v) {
				s += v
				c++
			}
		}
		if c > 0 {
			l.mean[j] = s / c
		}
		var ss float64
		for i := range n {
			if v := X.At(i, j); !math.IsNaN(v) {
				ss += (v - l.mean[j]) * (v - l.mean[j])
			}
		}
		if c > 0 {
			l.scale[j] = math.Sqrt(ss / c)
		}
	}
	// Z holds the standardised rows with a trailing 1 for the intercept.
	Z := mat.NewDense(n, p+1, nil)
	for i := range n {
		l.standardise(Z.RawRowView(i), X.RawRowView(i))
	}
	maxIter := l.opt.MaxIter
	if maxIter == 0 {
		maxIter = 50
	}
	k := p + 1
	beta := make([]float64, k)
	var (
		h    = make([]float64, k*k) // upper triangle of the Hessian, row-major
		g    = make([]float64, k)
		step mat.VecDense
		chol mat.Cholesky
	)
	for range maxIter {
		clear(h)
		clear(g)
		for i := range n {
			z := Z.RawRowView(i)
			pr := sigmoid(dot(beta, z))
			w := math.Max(pr*(1-pr), 1e-12)
			r := y[i] - pr
			for a, za := range z {
				if za == 0 {
					continue
				}
				g[a] += r * za
				wa, row := w*za, h[a*k:(a+1)*k]
				for b := a; b < k; b++ {
					row[b] += wa * z[b]
				}
			}
		}
		for a := range p {
			g[a] -= l.opt.Ridge * beta[a]
			d := l.opt.Ridge
			if l.scale[a] == 0 {
				d = 1 // a constant feature is all zeros: keep H definite, its β stays 0
			}
			h[a*k+a] += d
		}
		for a := range k {
			for b := range a {
				h[a*k+b] = h[b*k+a]
			}
		}
		H, grad := mat.NewSymDense(k, h), mat.NewVecDense(k, g)
		if !chol.Factorize(H) {
			return fmt.Errorf("logistic: Newton step: the Hessian is not positive definite (a separable or degenerate training set; use Ridge > 0)")
		}
		if err := chol.SolveVecTo(&step, grad); err != nil {
			return fmt.Errorf("logistic: Newton step: %w", err)
		}
		var change float64
		for a := range beta {
			beta[a] += step.AtVec(a)
			change = math.Max(change, math.Abs(step.AtVec(a)))
		}
		if change < 1e-10 {
			break
		}
	}
	l.coef, l.fitted = beta, true
	return nil
}

// Predict returns P(y = 1 | x) for each row of X.
func (l *Logistic) Predict(X *mat.Dense) ([]float64, error) {
	n, err := checkPredict(X, l.p, l.fitted, true)
	if err != nil {
		return nil, err
	}
	if err := checkMagnitude(X); err != nil {
		return nil, err
	}
	out := make([]float64, n)
	z := make([]float64, l.p+1)
	for i := range out {
		l.standardise(z, X.RawRowView(i))
		out[i] = sigmoid(dot(l.coef, z))
	}
	return out, nil
}

// standardise writes the standardised row x, missing values at the mean
// (0), and the intercept's 1 into z.
func (l *Logistic) standardise(z, x []float64) {
	for j, v := range x {
		switch {
		case math.IsNaN(v) || l.scale[j] == 0:
			z[j] = 0
		default:
			z[j] = (v - l.mean[j]) / l.scale[j]
		}
	}
	z[len(x)] = 1
}

func sigmoid(s float64) float64 {
	if s >= 0 {
		return 1 / (1 + math.Exp(-s))
	}
	e := math.Exp(s)
	return e / (1 + e)
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
