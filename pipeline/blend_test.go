package pipeline

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestBlendPriorSameScale checks that a model without a prior gets the
// regressor's z-score, not its raw prediction, so it ranks on the same scale
// as the blended models.
func TestBlendPriorSameScale(t *testing.T) {
	ft := &FeatureTable{
		Names: []string{priorFeature},
		Test:  mat.NewDense(3, 1, []float64{0, 1, math.NaN()}),
	}
	scores := []float64{10, 20, 30}
	zs := zscore(scores)
	blendPrior(scores, ft, 0.5, "")
	if got, want := scores[2], zs[2]; got != want {
		t.Errorf("score without a prior = %v, want the regressor's z-score %v", got, want)
	}
	if scores[2] > 10 {
		t.Errorf("scores = %v: the model without a prior kept its raw prediction", scores)
	}
}
