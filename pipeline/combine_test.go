package pipeline_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/zoograph/zoograph/pipeline"
)

// TestCombineLevelIsTheMembersAverage runs a target under selection.combine
// level_all and checks that its predictions are, for every seed and model,
// the equal average of the standardised predictions of fixed runs of each
// member — which span several fits (learners, weightings), tree counts,
// priors and blends — and that combine level keeps only the members that
// share the chosen candidate's fit.
func TestCombineLevelIsTheMembersAverage(t *testing.T) {
	tables, targets := smallZoo(t)
	target := targets[0]
	cfg := fastConfig([]string{target})
	cfg.Baselines = nil
	cfg.Selection.MetadataWeights = []float64{0} // a fixed run's metadata regressor would take the member's trees
	cfg.Selection.Combine = pipeline.CombineLevelAll
	res := runFor(t, tables, cfg)
	sel := res.Selection[target]
	fits := map[string]bool{}
	for _, m := range sel.Members {
		fits[fmt.Sprint(m.Learner, m.Weighting, m.GBDTMaxDepth)] = true
	}
	if len(sel.Members) < 3 || len(fits) < 2 {
		t.Fatalf("members %v: the test needs several of them over at least two fits", sel.Members)
	}

	t.Logf("%d members over %d fits: %v", len(sel.Members), len(fits), sel.Members)
	sum := map[string]float64{}
	for _, m := range sel.Members {
		c := cfg
		c.Selection.Mode = pipeline.SelectFixed
		c.Learner, c.Graph.Weighting, c.GBDT.MaxDepth, c.GBDT.Trees = m.Learner, m.Weighting, m.GBDTMaxDepth, m.GBDTTrees
		c.Blend, c.Prior, c.MetadataWeight = m.Blend, m.Prior, m.MetadataWeight
		bySeed := map[int64][]float64{}
		ids := map[int64][]string{}
		for _, p := range runFor(t, tables, c).Predictions {
			bySeed[p.Seed] = append(bySeed[p.Seed], p.Predicted)
			ids[p.Seed] = append(ids[p.Seed], p.ModelID)
		}
		for seed, v := range bySeed {
			for i, z := range zscores(v) {
				sum[fmt.Sprint(seed, "/", ids[seed][i])] += z / float64(len(sel.Members))
			}
		}
	}
	if len(res.Predictions) != len(sum) {
		t.Fatalf("%d predictions, %d averaged", len(res.Predictions), len(sum))
	}
	for _, p := range res.Predictions {
		if want := sum[fmt.Sprint(p.Seed, "/", p.ModelID)]; math.Abs(p.Predicted-want) > 1e-9 {
			t.Fatalf("seed %d, %s: %v, want the members' average %v", p.Seed, p.ModelID, p.Predicted, want)
		}
	}

	cfg.Selection.Combine = pipeline.CombineLevel
	lv := runFor(t, tables, cfg).Selection[target]
	if lv.Chosen != sel.Chosen {
		t.Fatalf("chosen %v under level, %v under level_all", lv.Chosen, sel.Chosen)
	}
	var want []pipeline.Candidate
	for _, m := range sel.Members {
		if m.Learner == sel.Chosen.Learner && m.Weighting == sel.Chosen.Weighting && m.GBDTMaxDepth == sel.Chosen.GBDTMaxDepth {
			want = append(want, m)
		}
	}
	if fmt.Sprint(lv.Members) != fmt.Sprint(want) && !(len(want) == 1 && len(lv.Members) == 1) {
		t.Errorf("level members %v, want those of the chosen fit %v", lv.Members, want)
	}
}

// zscores standardises v (population standard deviation).
func zscores(v []float64) []float64 {
	var s, ss float64
	for _, x := range v {
		s += x
		ss += x * x
	}
	n := float64(len(v))
	m := s / n
	sd := math.Sqrt(ss/n - m*m)
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = (x - m) / sd
	}
	return out
}
