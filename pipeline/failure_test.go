package pipeline_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

// TestFailureAwareNoTargetRecord is the scramble test with the failure model
// on for every candidate and the final prediction: everything recorded on
// the target changed, its selection and predictions do not change by a bit.
func TestFailureAwareNoTargetRecord(t *testing.T) {
	tables, targets := smallZoo(t)
	target := targets[0]
	cfg := fastConfig([]string{target})
	cfg.Seeds, cfg.Baselines, cfg.Protocols = 1, nil, []string{"clean"}
	cfg.Selection.FailureAware = []bool{true}

	// The zoo must have failed fine-tunes to learn from, or the test
	// checks only the working-rows regressor.
	d, err := pipeline.Clean(tables, cfg.Clean)
	if err != nil {
		t.Fatal(err)
	}
	ti, _ := d.DatasetIndex(target)
	g, err := pipeline.BuildGraph(d, ti, cfg.Graph)
	if err != nil {
		t.Fatal(err)
	}
	ft, err := pipeline.Features(d, ti, g, nil, cfg.Features, pipeline.LearnerNone, cfg.FeatureOptions, nil)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, f := range ft.TrainFailed {
		if f {
			failed++
		}
	}
	if failed < 5 {
		t.Fatalf("%d failed training rows: too few for the failure classifier to run", failed)
	}

	run := func(tb *store.Tables) (*pipeline.Selection, map[string]float64) {
		res, err := pipeline.Run(context.Background(), tb, cfg, pipeline.Options{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, p := range res.Predictions {
			out[p.ModelID] = p.Predicted
		}
		return res.Selection[target], out
	}
	selBefore, before := run(tables)
	if !selBefore.Chosen.FailureAware {
		t.Fatalf("chosen %v: the failure model is off", selBefore.Chosen)
	}
	scrambled := *tables
	scrambled.Finetunes = slices.Clone(tables.Finetunes)
	for i := range scrambled.Finetunes {
		if f := &scrambled.Finetunes[i]; f.DatasetID == target {
			f.Accuracy = 1 - f.Accuracy
			f.TrainSeconds = 1e6 - f.TrainSeconds
		}
	}
	selAfter, after := run(&scrambled)
	if len(before) == 0 || !reflect.DeepEqual(before, after) {
		t.Errorf("predictions changed when the target's records changed (%d before, %d after)", len(before), len(after))
	}
	if !reflect.DeepEqual(selBefore, selAfter) {
		t.Errorf("selection changed when the target's records changed:\n%+v\n%+v", selBefore, selAfter)
	}
	t.Logf("%d of %d training rows failed; chosen %v", failed, len(ft.TrainFailed), selBefore.Chosen)
}
