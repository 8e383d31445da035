package evaluate

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/zoograph/zoograph/store/storetest"
)

// TestFailure checks the failure rule on cases worked out by hand.
func TestFailure(t *testing.T) {
	tests := []struct {
		name      string
		acc       []float64
		classes   int64
		failed    []bool
		threshold float64
	}{
		// c = 0.1, ã = (0.5+0.8)/2 = 0.65: chance bound 0.1 + 0.02·0.9 =
		// 0.118, halfway 0.1 + 0.55/2 = 0.375. Only 0.11 fails; 0.4 is
		// closer to the typical 0.65 than to chance.
		{"10 classes", []float64{0.9, 0.8, 0.85, 0.11, 0.4, 0.5}, 10,
			[]bool{false, false, false, true, false, false}, 0.375},
		// c unknown = 0, ã = 0.44: halfway 0.22, chance bound 0.02.
		{"classes unknown", []float64{0.2, 0.9, 0.8, 0.44, 0.01}, 0,
			[]bool{true, false, false, false, true}, 0.22},
		// A collapse onto the majority class (0.19 with 10 classes) is
		// above the chance bound 0.118 but below halfway 0.1 + 0.8/2 = 0.5.
		{"majority-class collapse", []float64{0.19, 0.19, 0.9, 0.91, 0.92}, 10,
			[]bool{true, true, false, false, false}, 0.5},
		// Most runs at chance: c = 0.25, ã = 0.2575; the chance bound
		// 0.25 + 0.02·0.75 = 0.265 decides, the halfway point 0.25375 would
		// keep 0.255 and 0.26.
		{"median at chance", []float64{0.25, 0.26, 0.255, 0.9}, 4,
			[]bool{true, true, true, false}, 0.265},
		// One class is not a classification: chance unknown.
		{"one class", []float64{0.5, 0.6, 0.7}, 1, []bool{false, false, false}, 0.3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFailure(tt.acc, tt.classes)
			var got []bool
			for _, a := range tt.acc {
				got = append(got, f.Failed(a))
			}
			if !slices.Equal(got, tt.failed) {
				t.Errorf("failed %v, want %v (rule %+v)", got, tt.failed, f)
			}
			if !closeTo(f.Threshold(), tt.threshold, 1e-12) {
				t.Errorf("threshold %v, want %v", f.Threshold(), tt.threshold)
			}
		})
	}
	// No accuracies: only the chance clause.
	f := NewFailure([]float64{math.NaN()}, 2)
	if !math.IsNaN(f.Typical) || !f.Failed(0.5) || f.Failed(0.52) {
		t.Errorf("without accuracies: %+v, failed(0.5) %v, failed(0.52) %v", f, f.Failed(0.5), f.Failed(0.52))
	}
}

// TestPearsonWorkingEvaluated: Evaluate flags failed fine-tunes from the
// target's ground truth and number of classes and leaves them out of
// pearson_working, for every method alike.
func TestPearsonWorkingEvaluated(t *testing.T) {
	zoo := toyZoo()
	zoo.Datasets[0].NumClasses = 10 // t1: c = 0.1
	// m5 collapses on t1; with c = 0.1 and median (0.9 … 0.02) = 0.65 it
	// fails (0.02 ≤ 0.118); nothing else is below halfway 0.375.
	for i := range zoo.Finetunes {
		if f := &zoo.Finetunes[i]; f.ModelID == "m5" && f.DatasetID == "t1" {
			f.Accuracy = 0.02
		}
	}
	res := mustEvaluate(t, zoo, nil, Options{Protocol: ProtocolClean, Baselines: []string{BaselineLogME}})
	t1 := res.Targets[0]
	if !slices.Equal(t1.Failed, []string{"m5"}) || t1.Failure.Chance != 0.1 {
		t.Fatalf("t1 failed %v, rule %+v", t1.Failed, t1.Failure)
	}
	e := findEval(t, res, BaselineLogME, nil, "t1")
	var a, s []float64
	for _, p := range e.Pairs {
		if p.ModelID != "m5" {
			a, s = append(a, p.Actual), append(s, p.Score)
		}
	}
	if want := pearsonOf(a, s); !closeTo(e.Values.PearsonWorking, want, 1e-12) || e.Values.Working != len(e.Pairs)-1 {
		t.Errorf("pearson_working %v over %d pairs, want %v over %d", e.Values.PearsonWorking, e.Values.Working, want, len(e.Pairs)-1)
	}
	// t2 has no classes recorded: c = 0, median 0.70, halfway 0.35: none fails.
	if t2 := res.Targets[1]; len(t2.Failed) != 0 {
		t.Errorf("t2 failed %v", t2.Failed)
	}
}

// TestFailureImage reports how many fine-tunes the rule flags on each
// target of the image benchmark and checks what the rule promises there:
// every run at chance is flagged, a flagged run is at or below the
// threshold and an unflagged one above, and the rule flags few runs.
func TestFailureImage(t *testing.T) {
	zoo := importBenchmark(t, storetest.Shared(t, "transfergraph/image_classification"))
	classes := map[string]int64{}
	for _, d := range zoo.Datasets {
		classes[d.DatasetID] = d.NumClasses
	}
	res, err := Evaluate(context.Background(), zoo, nil, Options{Protocol: ProtocolClean, Baselines: []string{BaselineLogME, BaselineRegHScore}})
	if err != nil {
		t.Fatal(err)
	}
	total, flagged := 0, 0
	for _, tg := range res.Targets {
		f := tg.Failure
		if classes[tg.ID] < 2 || f.Chance != 1/float64(classes[tg.ID]) {
			t.Errorf("%s: chance %v with %d classes", tg.ID, f.Chance, classes[tg.ID])
		}
		for i, m := range tg.Models {
			a := tg.Accuracy[i]
			in := slices.Contains(tg.Failed, m)
			if a <= f.Chance+ChanceMargin*(1-f.Chance) && !in {
				t.Errorf("%s: %s at chance (%.4f) not flagged", tg.ID, m, a)
			}
			if in && a > f.Threshold() || !in && a < f.Threshold() {
				t.Errorf("%s: %s (%.4f) flagged %v, threshold %.4f", tg.ID, m, a, in, f.Threshold())
			}
		}
		t.Logf("%-26s chance %.4f typical %.4f threshold %.4f: %2d of %d fine-tunes failed (%d of %d evaluated)",
			tg.ID, f.Chance, f.Typical, f.Threshold(), len(tg.Failed), len(tg.Models), len(tg.EvaluatedFailed()), len(tg.Evaluated))
		total += len(tg.Models)
		flagged += len(tg.Failed)
	}
	if flagged == 0 || 10*flagged > total {
		t.Errorf("%d of %d fine-tunes flagged: want some, and under 10%%", flagged, total)
	}
}
