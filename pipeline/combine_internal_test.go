package pipeline

import (
	"context"
	"testing"
)

// TestCombineOneTablePerGraphVariant: members that differ only in what
// their fit reads off one feature table — depth, failure model, tree
// count, blend — share that table, so methodScores embeds each graph
// variant once (in.adjust runs once per table built).
func TestCombineOneTablePerGraphVariant(t *testing.T) {
	d, _ := crossFitData(t)
	ti, _ := d.DatasetIndex("ds0")
	cfg := DefaultConfig()
	cfg.Node2Vec.Dim, cfg.Node2Vec.Epochs = 8, 2
	var members []Candidate
	for _, learner := range []Learner{LearnerNode2Vec, LearnerNone} {
		for _, depth := range []int{2, 3} {
			for _, failure := range []bool{false, true} {
				members = append(members,
					Candidate{Learner: learner, Weighting: WeightMinMax, GBDTMaxDepth: depth, GBDTTrees: 20, Blend: 1, FailureAware: failure},
					Candidate{Learner: learner, Weighting: WeightMinMax, GBDTMaxDepth: depth, GBDTTrees: 10, Blend: 0.5, FailureAware: failure})
			}
		}
	}
	cfg = members[0].apply(cfg)
	cfg.members = members
	tg, err := BuildWarmGraph(d, ti, cfg.Graph, 0, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	var built int
	in := scoreInput{d: d, t: ti, tg: tg, seed: cfg.Seed, adjust: func(*FeatureTable) { built++ }}
	if _, _, err := methodScores(context.Background(), in, cfg, newTimings()); err != nil {
		t.Fatal(err)
	}
	if built != 2 {
		t.Errorf("%d feature tables built for %d members of 2 graph variants (node2vec/minmax, none), want 2", built, len(members))
	}
}
