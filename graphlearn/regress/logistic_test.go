package regress

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestLogisticSaturated fits a binary feature, where the maximum-likelihood
// model is saturated: P(y = 1 | x) is the share of positives at each x.
func TestLogisticSaturated(t *testing.T) {
	// x = 0: 1 positive of 4; x = 1: 3 of 4.
	X := mat.NewDense(8, 1, []float64{0, 0, 0, 0, 1, 1, 1, 1})
	y := []float64{1, 0, 0, 0, 1, 1, 1, 0}
	l := NewLogistic(LogisticOptions{})
	if err := l.Fit(X, y); err != nil {
		t.Fatal(err)
	}
	got, err := l.Predict(mat.NewDense(3, 1, []float64{0, 1, math.NaN()}))
	if err != nil {
		t.Fatal(err)
	}
	// A missing x is the training mean ½, halfway in logit: log-odds
	// −log 3 and +log 3 average to 0.
	for i, want := range []float64{0.25, 0.75, 0.5} {
		if math.Abs(got[i]-want) > 1e-9 {
			t.Errorf("P(y = 1 | row %d) = %v, want %v", i, got[i], want)
		}
	}
}

// TestLogisticRidge checks that the penalty shrinks towards the base rate
// and that a separable set gets a finite fit with it.
func TestLogisticRidge(t *testing.T) {
	X := mat.NewDense(6, 2, []float64{0, 5, 1, 5, 2, 5, 3, 5, 4, 5, 5, 5}) // column 2 constant
	y := []float64{0, 0, 0, 1, 1, 1}
	l := NewLogistic(LogisticOptions{Ridge: 1})
	if err := l.Fit(X, y); err != nil {
		t.Fatal(err)
	}
	got, err := l.Predict(mat.NewDense(2, 2, []float64{0, 5, 5, 5}))
	if err != nil {
		t.Fatal(err)
	}
	if !(got[0] > 0.02 && got[0] < 0.5 && got[1] > 0.5 && got[1] < 0.98) {
		t.Errorf("P = %v at the two ends: want shrunk below 1 and above 0, on the right sides of ½", got)
	}
	if math.Abs(got[0]+got[1]-1) > 1e-9 {
		t.Errorf("P = %v: the fit is symmetric about x = 2.5, want probabilities summing to 1", got)
	}
	if l.coef[1] != 0 {
		t.Errorf("constant feature's coefficient %v, want 0", l.coef[1])
	}
}

func TestLogisticErrors(t *testing.T) {
	X := mat.NewDense(2, 1, []float64{0, 1})
	if err := NewLogistic(LogisticOptions{}).Fit(X, []float64{0, 0.5}); err == nil {
		t.Error("label 0.5 accepted, want an error")
	}
	if err := NewLogistic(LogisticOptions{Ridge: -1}).Fit(X, []float64{0, 1}); !errors.Is(err, ErrInvalidOptions) ||
		err.Error() != "regress: invalid options: logistic: Ridge = -1, want finite ≥ 0" {
		t.Errorf("Ridge −1: error %v, want ErrInvalidOptions naming Ridge", err)
	}
	if _, err := NewLogistic(LogisticOptions{}).Predict(X); err == nil {
		t.Error("Predict before Fit: want an error")
	}
	huge := mat.NewDense(4, 1, []float64{1e200, -1e200, 1e200, 3})
	if err := NewLogistic(LogisticOptions{Ridge: 1}).Fit(huge, []float64{0, 1, 1, 0}); !errors.Is(err, ErrNonFinite) {
		t.Errorf("feature 1e200: error %v, want ErrNonFinite", err)
	}
	l := NewLogistic(LogisticOptions{Ridge: 1})
	if err := l.Fit(X, []float64{0, 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Predict(mat.NewDense(1, 1, []float64{-1e200})); !errors.Is(err, ErrNonFinite) {
		t.Errorf("Predict on feature −1e200: error %v, want ErrNonFinite", err)
	}
}
