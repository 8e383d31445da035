package pipeline

import (
	"math"
	"slices"
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

// TestStackMetadata checks the stacked score on a hand-computed case:
// (1 − v)·z(score) + v·z(metadata), z with the population standard
// deviation; a model without a metadata prediction keeps its z-score, and a
// weight of 0 leaves the scores as they are.
func TestStackMetadata(t *testing.T) {
	scores := []float64{10, 20, 30, 40}
	meta := []float64{40, 10, math.NaN(), 20}
	zs := func(x float64) float64 { return (x - 25) / math.Sqrt(125) } // mean 25, variance (15² + 5² + 5² + 15²)/4
	mm := 70.0 / 3
	sdm := math.Sqrt((math.Pow(40-mm, 2) + math.Pow(10-mm, 2) + math.Pow(20-mm, 2)) / 3)
	zm := func(x float64) float64 { return (x - mm) / sdm }
	want := []float64{
		0.75*zs(10) + 0.25*zm(40),
		0.75*zs(20) + 0.25*zm(10),
		zs(30),
		0.75*zs(40) + 0.25*zm(20),
	}
	got := slices.Clone(scores)
	stackMetadata(got, meta, 0.25)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("stacked[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	// the second model: 0.75·(−5/√125) + 0.25·(10 − 70/3)/sd = −0.6027 (to 4 places)
	if math.Abs(got[1]-(-0.6027)) > 1e-4 {
		t.Errorf("stacked[1] = %.4f, want −0.6027", got[1])
	}
	same := slices.Clone(scores)
	stackMetadata(same, meta, 0)
	if !slices.Equal(same, scores) {
		t.Errorf("weight 0 changed the scores: %v", same)
	}
}
