package regress

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// LinearOptions configures ordinary least squares and ridge regression.
type LinearOptions struct {
	// Ridge is the L2 penalty λ ≥ 0 on the coefficients (never on the
	// intercept); 0 is ordinary least squares.
	Ridge float64 `json:"ridge"`
	// Standardize scales every feature to unit variance before fitting, so
	// that the ridge penalty treats features alike. Coefficients are
	// reported in the original units either way.
	Standardize bool `json:"standardize"`
	// ImputeMissing replaces NaN in X, in Fit and Predict, by the feature's
	// mean over the non-missing training values (0 if it has none).
	// Without it NaN gives ErrMissingValues.
	ImputeMissing bool `json:"impute_missing"`
}

// Linear is a least-squares linear model with intercept,
//
//	ŷ = b₀ + Σ_j β_j x_j,
//
// fitted through the thin SVD of the centred (optionally standardised)
// design Xc = U Σ Vᵀ:
//
//	β = V diag(σ_i / (σ_i² + λ)) Uᵀ (y − ȳ),   b₀ = ȳ − x̄ᵀβ.
//
// For λ = 0 this is the minimum-norm least-squares solution Xc⁺(y − ȳ):
// singular values σ_i ≤ max(n, p)·ε·σ_max are treated as zero (NumPy's
// lstsq rule), so a rank-deficient design — duplicated or constant columns,
// or more features than rows — still gets a unique, stable answer. For λ > 0
// it is ridge regression, the solution of (XcᵀXc + λI)β = Xcᵀ(y − ȳ), with an
// unpenalised intercept. With Standardize the same holds for the
// standardised design and β is mapped back.
type Linear struct {
	opt       LinearOptions
	p         int
	fitted    bool
	coef      []float64
	intercept float64
	scale     []float64 // training standard deviation of each feature
	fill      []float64 // imputation values
}

// NewLinear returns an unfitted linear model.
func NewLinear(opt LinearOptions) *Linear { return &Linear{opt: opt} }

// Coefficients returns β in the units of the original features (nil before
// Fit).
func (l *Linear) Coefficients() []float64 {
	if !l.fitted {
		return nil
	}
	return append([]float64(nil), l.coef...)
}

// Intercept returns b₀.
func (l *Linear) Intercept() float64 { return l.intercept }

// Fit solves the least-squares problem described on Linear.
func (l *Linear) Fit(X *mat.Dense, y []float64) error {
	*l = Linear{opt: l.opt}
	if err := firstInvalid("linear", finiteNonNeg("Ridge", l.opt.Ridge)); err != nil {
		return err
	}
	n, p, err := checkTrain(X, y, l.opt.ImputeMissing)
	if err != nil {
		return err
	}
	if err := checkMagnitude(X); err != nil {
		return err
	}
	l.p = p

	// Centre (and impute) column by column into Xc.
	xc := mat.DenseCopyOf(X)
	raw := xc.RawMatrix()
	means := make([]float64, p)
	l.fill = make([]float64, p)
	l.scale = make([]float64, p)
	for j := range p {
		var s float64
		var k int
		for i := range n {
			if v := raw.Data[i*raw.Stride+j]; !math.IsNaN(v) {
				s += v
				k++
			}
		}
		if k > 0 {
			l.fill[j] = s / float64(k)
		}
		var m float64
		for i := range n {
			v := &raw.Data[i*raw.Stride+j]
			if math.IsNaN(*v) {
				*v = l.fill[j]
			}
			m += *v
		}
		m /= float64(n)
		means[j] = m
		var ss float64
		for i := range n {
			v := &raw.Data[i*raw.Stride+j]
			*v -= m
			ss += *v * *v
		}
		l.scale[j] = math.Sqrt(ss / float64(n))
	}
	ybar := mean(y)
	if constantLabels(y) {
		l.coef, l.intercept, l.fitted = make([]float64, p), y[0], true
		return fmt.Errorf("%w: all %d labels are %v; the model predicts that constant", ErrConstantLabels, n, y[0])
	}
	// With Standardize, work on Xc·D⁻¹ with D = diag(σ_j); a constant column
	// keeps scale 1 (it is all zeros after centring anyway).
	div := make([]float64, p)
	for j := range p {
		div[j] = 1
		if l.opt.Standardize && l.scale[j] > 0 {
			div[j] = l.scale[j]
		}
	}
	if l.opt.Standardize {
		for i := range n {
			row := raw.Data[i*raw.Stride : i*raw.Stride+p]
			for j := range row {
				row[j] /= div[j]
			}
		}
	}
	yc := mat.NewVecDense(n, nil)
	for i, v := range y {
		yc.SetVec(i, v-ybar)
	}

	beta, err := solveSVD(xc, yc, l.opt.Ridge)
	if err != nil {
		return err
	}
	l.coef = make([]float64, p)
	l.intercept = ybar
	for j := range p {
		l.coef[j] = beta[j] / div[j]
		l.intercept -= l.coef[j] * means[j]
	}
	l.fitted = true
	return nil
}

// solveSVD returns V diag(σ_i/(σ_i²+λ)) Uᵀ y for the thin SVD of A, zeroing
// the terms of negligible singular values when λ = 0.
func solveSVD(a *mat.Dense, y *mat.VecDense, lambda float64) ([]float64, error) {
	n, p := a.Dims()
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, errors.New("regress: linear: SVD did not converge")
	}
	s := svd.Values(nil)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	var uty mat.VecDense
	uty.MulVec(u.T(), y)
	tol := float64(max(n, p)) * 0x1p-52 * s[0]
	for i, si := range s {
		switch {
		case lambda == 0 && si <= tol:
			uty.SetVec(i, 0)
		default:
			uty.SetVec(i, uty.AtVec(i)*si/(si*si+lambda))
		}
	}
	var beta mat.VecDense
	beta.MulVec(&v, &uty)
	out := make([]float64, p)
	for j := range out {
		out[j] = beta.AtVec(j)
	}
	return out, nil
}

// Predict returns b₀ + Σ_j β_j x_j for each row of X.
func (l *Linear) Predict(X *mat.Dense) ([]float64, error) {
	n, err := checkPredict(X, l.p, l.fitted, l.opt.ImputeMissing)
	if err != nil {
		return nil, err
	}
	if err := checkMagnitude(X); err != nil {
		return nil, err
	}
	out := make([]float64, n)
	for i := range n {
		s := l.intercept
		for j, x := range X.RawRowView(i) {
			if math.IsNaN(x) {
				x = l.fill[j]
			}
			s += l.coef[j] * x
		}
		out[i] = s
	}
	return out, nil
}

// FeatureImportances returns |β_j|·σ_j, the magnitude of each coefficient on
// the standardised feature, normalised to sum to 1.
func (l *Linear) FeatureImportances() []float64 {
	if !l.fitted {
		return nil
	}
	imp := make([]float64, l.p)
	for j := range imp {
		imp[j] = math.Abs(l.coef[j]) * l.scale[j]
	}
	return normalise(imp)
}
