package regress

import (
	"errors"
	"fmt"
	"math"
	"runtime"

	"gonum.org/v1/gonum/mat"
)

// Regressor is a supervised model of a real-valued target.
//
// Fit trains on the n×p design X and the n targets y; it resets any earlier
// fit first. Predict returns one prediction per row of X, which must have the
// p columns seen by Fit. A fitted Regressor is read-only: Predict is safe for
// concurrent use, Fit is not.
//
// NaN in X means "missing". The tree models (GBDT, Forest) route missing values
// along a direction learned at each split; Linear returns ErrMissingValues
// unless LinearOptions.ImputeMissing is set. ±Inf in X and non-finite targets
// are always rejected with ErrNonFinite.
type Regressor interface {
	Fit(X *mat.Dense, y []float64) error
	Predict(X *mat.Dense) ([]float64, error)
}

// Importancer reports how much a fitted model relies on each feature.
//
// FeatureImportances returns p non-negative values that sum to 1 (or are all
// zero when the model uses no feature, e.g. after ErrConstantLabels). Trees
// report total split gain; Linear reports |β_j|·σ_j, the magnitude of the
// coefficient on the standardised feature. It returns nil before Fit.
type Importancer interface {
	FeatureImportances() []float64
}

// Sentinel errors. Fit and Predict wrap them with details; test with errors.Is.
var (
	// ErrEmpty: X is nil or has no rows or no columns.
	ErrEmpty = errors.New("regress: empty input")
	// ErrDimension: len(y) differs from the rows of X, or Predict got a
	// different number of columns than Fit.
	ErrDimension = errors.New("regress: dimension mismatch")
	// ErrNonFinite: a target is NaN or ±Inf, or X holds ±Inf; or a value
	// is too large to square and sum (beyond ±10¹⁰⁰: any target, and the
	// features of Linear and Logistic), which would turn finite input into
	// a NaN model.
	ErrNonFinite = errors.New("regress: non-finite value")
	// ErrMissingValues: X holds NaN and the model does not handle missing values.
	ErrMissingValues = errors.New("regress: missing value (NaN) in X")
	// ErrConstantLabels: every target is the same value. Fit still leaves a
	// usable model that predicts that constant, so a caller that can live
	// with it may log the error and carry on.
	ErrConstantLabels = errors.New("regress: constant labels")
	// ErrNotFitted: Predict was called before a successful Fit.
	ErrNotFitted = errors.New("regress: model not fitted")
	// ErrInvalidOptions: an option is out of range.
	ErrInvalidOptions = errors.New("regress: invalid options")
)

// Compile-time checks that every model satisfies the interfaces.
var (
	_ Regressor   = (*Linear)(nil)
	_ Regressor   = (*Forest)(nil)
	_ Regressor   = (*GBDT)(nil)
	_ Importancer = (*Linear)(nil)
	_ Importancer = (*Forest)(nil)
	_ Importancer = (*GBDT)(nil)
)

// checkTrain validates a training set and returns its shape. NaN in X is
// accepted only when allowNaN is set; ±Inf never is.
func checkTrain(X *mat.Dense, y []float64, allowNaN bool) (n, p int, err error) {
	if X == nil || X.IsEmpty() {
		return 0, 0, fmt.Errorf("%w: X has no rows", ErrEmpty)
	}
	n, p = X.Dims()
	if len(y) != n {
		return 0, 0, fmt.Errorf("%w: X has %d rows but y has %d values", ErrDimension, n, len(y))
	}
	if err := checkLabels(y); err != nil {
		return 0, 0, err
	}
	if err := checkValues(X, allowNaN); err != nil {
		return 0, 0, err
	}
	return n, p, nil
}

// maxMagnitude bounds targets, and the features of the linear models:
// below it, sums of squares over any realistic number of rows stay finite.
const maxMagnitude = 1e100

// checkLabels rejects NaN, ±Inf and magnitudes beyond maxMagnitude.
func checkLabels(y []float64) error {
	for i, v := range y {
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			return fmt.Errorf("%w: label %d is %v", ErrNonFinite, i, v)
		case math.Abs(v) > maxMagnitude:
			return fmt.Errorf("%w: label %d is %v, beyond ±%g: sums of squares would overflow; rescale the targets", ErrNonFinite, i, v, maxMagnitude)
		}
	}
	return nil
}

// checkMagnitude rejects features beyond ±maxMagnitude, for the models that
// square them.
func checkMagnitude(X *mat.Dense) error {
	raw := X.RawMatrix()
	for i := range raw.Rows {
		for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
			if math.Abs(v) > maxMagnitude {
				return fmt.Errorf("%w: X[%d,%d] is %v, beyond ±%g: sums of squares would overflow; rescale the feature", ErrNonFinite, i, j, v, maxMagnitude)
			}
		}
	}
	return nil
}

// checkPredict validates a matrix to predict on against the fitted width p.
func checkPredict(X *mat.Dense, p int, fitted, allowNaN bool) (n int, err error) {
	if !fitted {
		return 0, ErrNotFitted
	}
	if X == nil || X.IsEmpty() {
		return 0, fmt.Errorf("%w: X has no rows", ErrEmpty)
	}
	n, c := X.Dims()
	if c != p {
		return 0, fmt.Errorf("%w: X has %d columns, the model was fitted on %d", ErrDimension, c, p)
	}
	if err := checkValues(X, allowNaN); err != nil {
		return 0, err
	}
	return n, nil
}

// checkValues rejects ±Inf, and NaN unless allowNaN.
func checkValues(X *mat.Dense, allowNaN bool) error {
	raw := X.RawMatrix()
	for i := range raw.Rows {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j, v := range row {
			switch {
			case math.IsInf(v, 0):
				return fmt.Errorf("%w: X[%d,%d] is %v", ErrNonFinite, i, j, v)
			case !allowNaN && math.IsNaN(v):
				return fmt.Errorf("%w: X[%d,%d]", ErrMissingValues, i, j)
			}
		}
	}
	return nil
}

// constantLabels reports whether all of y equals y[0].
func constantLabels(y []float64) bool {
	for _, v := range y[1:] {
		if v != y[0] {
			return false
		}
	}
	return true
}

func mean(y []float64) float64 {
	var s float64
	for _, v := range y {
		s += v
	}
	return s / float64(len(y))
}

// workerCount maps the Workers option to a positive count: ≤ 0 means
// GOMAXPROCS.
func workerCount(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// normalise scales v to sum to 1 in place, leaving an all-zero v alone.
func normalise(v []float64) []float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	if s > 0 {
		for i := range v {
			v[i] /= s
		}
	}
	return v
}

// splitmix64 is the SplitMix64 finaliser, used to derive independent seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// deriveSeed returns the PCG seed pair for stream i of a base seed, so that
// work item i draws the same numbers whichever worker runs it.
func deriveSeed(base uint64, i int) (uint64, uint64) {
	return splitmix64(base), splitmix64(base ^ splitmix64(uint64(i)+1))
}
