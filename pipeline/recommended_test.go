package pipeline

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zoograph/zoograph/store"
)

func TestRecommendedFrom(t *testing.T) {
	p := func(target, model string, seed int64, pred, actual float64) store.Prediction {
		return store.Prediction{Target: target, ModelID: model, Method: "ours", Seed: seed, Predicted: pred, Actual: actual}
	}
	preds := []store.Prediction{
		p("a", "m1", 1, 0.9, 0.70), p("a", "m1", 2, 0.1, 0.70), // mean 0.5
		p("a", "m2", 1, 0.6, 0.80), p("a", "m2", 2, 0.6, 0.80), // mean 0.6: first
		p("a", "m3", 1, 0.2, 0.95), p("a", "m3", 2, 0.2, 0.95), // the best, last
		p("a", "m4", 1, 0.9, math.NaN()),
		{Target: "a", ModelID: "m5", Method: "logme", Predicted: 9, Actual: 0.99},
		p("b", "x", 1, 0.1, 0.5),
	}
	got := recommendedFrom(preds, "ours", []string{"a", "b", "c"}, 2)
	want := []TargetRecommendation{
		{Target: "a", Models: []RecommendedModel{{1, "m2", 0.6, 0.8}, {2, "m1", 0.5, 0.7}}, Best: "m3", BestAccuracy: 0.95,
			Regret: 0.95 - 0.8, RegretTop: 0.95 - 0.8},
		{Target: "b", Models: []RecommendedModel{{1, "x", 0.1, 0.5}}, Best: "x", BestAccuracy: 0.5},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-12 })); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var sb strings.Builder
	writeRecommended(&sb, got)
	for _, s := range []string{"## Recommended models", "| a | 1 | m2 | 0.600 | 0.8000 | 0.1500 (top 2: 0.1500) |", "|  | 2 | m1 | 0.500 | 0.7000 |  |", "| | best | m3 | | 0.9500 | |", "Mean regret over 2 targets: 0.0750"} {
		if !strings.Contains(sb.String(), s) {
			t.Errorf("report lacks %q:\n%s", s, sb.String())
		}
	}
}
