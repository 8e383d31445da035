package pipeline

import (
	"math"
	"slices"
	"testing"

	"github.com/zoograph/zoograph/pipeline/evaluate"
)

// TestFeatureTargetTables checks that the feature tables of a target graph
// built without its graph (featureTarget, what learner none and the
// metadata regressor use) are those of the built graph bit for bit, on
// inner folds of the model-recycling benchmark, cold and warm, for the
// zoograph and metadata feature sets.
func TestFeatureTargetTables(t *testing.T) {
	for _, probe := range []int{0, 10} {
		cfg := DefaultConfig()
		cfg.Probe, cfg.Learner = probe, LearnerNone
		d := recyclingData(t, cfg)
		outer, ok := d.DatasetIndex("ag_news")
		if !ok {
			t.Fatal("the model-recycling benchmark has no ag_news")
		}
		view := d.Without(outer)
		for _, held := range innerFolds(d, outer, cfg.Selection.MaxInnerFolds, cfg.Seed)[:3] {
			built, err := BuildWarmGraph(view, held, cfg.Graph, probe, cfg.Seed)
			if err != nil {
				t.Fatal(err)
			}
			bare := featureTarget(view, held, probe, cfg.Seed)
			if !slices.Equal(bare.Revealed, built.Revealed) {
				t.Errorf("probe %d, %s: revealed %v, want %v", probe, d.Datasets[held].DatasetID, bare.Revealed, built.Revealed)
			}
			for _, set := range []FeatureSet{FeaturesZoograph, FeaturesMetadata} {
				got, err := Features(view, held, bare, nil, set, LearnerNone, cfg.FeatureOptions, nil)
				if err != nil {
					t.Fatal(err)
				}
				want, err := Features(view, held, built, nil, set, LearnerNone, cfg.FeatureOptions, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !sameTraining(got, want) || !sameRows(got.Test.RawMatrix().Data, want.Test.RawMatrix().Data) ||
					!slices.Equal(got.TestModels, want.TestModels) {
					t.Errorf("probe %d, %s, %s features: the table without the graph differs from the built graph's",
						probe, d.Datasets[held].DatasetID, set)
				}
			}
		}
	}
}

// sameRows reports whether a and b are equal bit for bit.
func sameRows(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(u, v float64) bool { return math.Float64bits(u) == math.Float64bits(v) })
}

// TestFailureRulesOfView checks the failure rules that Clean derives
// (Data.fail) against the rule computed from the records, on the
// model-recycling benchmark and on views without a target, where the
// hidden target's rule is that of no records.
func TestFailureRulesOfView(t *testing.T) {
	cfg := DefaultConfig()
	d := recyclingData(t, cfg)
	check := func(name string, v *Data) {
		t.Helper()
		if len(v.fail) != len(v.Datasets) {
			t.Fatalf("%s: %d failure rules for %d datasets", name, len(v.fail), len(v.Datasets))
		}
		for di := range v.Datasets {
			got, want := v.fail[di], evaluate.NewFailure(v.acc[di], v.Datasets[di].NumClasses)
			if !sameFloat(got.Chance, want.Chance) || !sameFloat(got.Typical, want.Typical) {
				t.Errorf("%s, %s: rule %+v, want %+v", name, v.Datasets[di].DatasetID, got, want)
			}
		}
	}
	check("the zoo", d)
	for _, id := range []string{"ag_news", "mnli"} {
		ti, ok := d.DatasetIndex(id)
		if !ok {
			t.Fatalf("the model-recycling benchmark has no %s", id)
		}
		v := d.Without(ti)
		check("without "+id, v)
		if !math.IsNaN(v.fail[ti].Typical) {
			t.Errorf("without %s: its rule's typical accuracy is %v, want NaN (no records)", id, v.fail[ti].Typical)
		}
	}
}
