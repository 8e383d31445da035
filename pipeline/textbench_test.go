package pipeline_test

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/pipeline/evaluate"
	"github.com/zoograph/zoograph/pipeline/transfergraph"
	"github.com/zoograph/zoograph/pipeline/transfergraph/textbench"
	"github.com/zoograph/zoograph/store"
	"github.com/zoograph/zoograph/store/storetest"
)

// textBenchmark writes the synthetic text benchmark (textbench) and
// imports it as `zoograph import transfergraph` does.
func textBenchmark(tb testing.TB) (*store.Tables, *textbench.Truth, string) {
	tb.Helper()
	dir := tb.TempDir()
	truth, err := textbench.Write(dir, textbench.Options{Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	tables, rep, err := transfergraph.Import(context.Background(), dir, transfergraph.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if rep.Task != transfergraph.TaskText || len(rep.Problems) != truth.Fragments {
		tb.Fatalf("import: task %q, %d problems; want text and the %d fragments", rep.Task, len(rep.Problems), truth.Fragments)
	}
	return tables, truth, dir
}

// TestTextBenchmarkRun runs the default configuration (nested selection,
// both protocols, every baseline the zoo has data for, the authors'
// prediction sets as reference) on three targets of a text benchmark of the
// published size and quirks, one seed, and checks what the published text
// benchmark will test: every target scored by every method, the LoRA-best
// models out of the paper protocol's ground truth, repeated runs averaged
// (clean) or counted (paper), the model_ratio re-runs not evaluated, and
// zoograph well ahead of random on the planted structure.
func TestTextBenchmarkRun(t *testing.T) {
	if testing.Short() {
		t.Skip("a whole run on a text benchmark of published size: skipped under -short")
	}
	tables, truth, dir := textBenchmark(t)
	targets := []string{"glue/sst2", "tweet_eval/irony", "tweet_eval/offensive"}
	cfg := pipeline.DefaultConfig()
	cfg.Seeds = 1
	cfg.Targets = targets
	cfg.ReferencePredictions = filepath.Join(dir, textbench.DirRanks)
	res, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Targets, targets) {
		t.Fatalf("targets %v, want %v", res.Targets, targets)
	}
	if want := textbench.RankMethods; !sameSet(res.References, want) {
		t.Errorf("reference methods %v, want %v (model_ratio re-runs skipped)", res.References, want)
	}
	methods := append(append([]string{res.Method}, res.References...), baselineNames(res.Config.Baselines)...)
	for _, b := range []pipeline.Baseline{pipeline.BaselineLogME, pipeline.BaselineRegHScore, pipeline.BaselineMetadata, pipeline.BaselineHistoryMean, pipeline.BaselineRandom} {
		if !slices.Contains(res.Config.Baselines, b) {
			t.Errorf("baseline %s left out; the benchmark has its data", b)
		}
	}
	for _, target := range targets {
		sel := res.Selection[target]
		if sel == nil || len(sel.InnerFolds) == 0 || slices.Contains(sel.InnerFolds, target) {
			t.Errorf("%s: selection %+v: want inner folds without the target", target, sel)
		}
	}
	for _, protocol := range cfg.Protocols {
		ev := res.Eval[protocol]
		for _, target := range targets {
			for _, m := range methods {
				e := evaluation(ev, m, target)
				if e == nil || math.IsNaN(e.Values.Pearson) || math.IsInf(e.Values.Pearson, 0) || e.Values.N < 50 {
					t.Errorf("%s, %s, %s: evaluation %+v, want a finite Pearson over at least 50 pairs", protocol, target, m, e)
				}
			}
		}
	}
	checkPredictions(t, res, tables, targets)
	checkGroundTruth(t, res, tables, truth, targets)
	checkRepeatedRuns(t, res, "tweet_eval/offensive", textbench.RankMethods[0])
	checkPaperBaselines(t, res, tables, targets)

	s := pipeline.Summarize(res.Metrics)["clean"]
	ours, random := s[res.Method]["pearson"]["_mean"].Mean, s["random"]["pearson"]["_mean"].Mean
	t.Logf("clean mean Pearson: %s %.3f, random %.3f, history_mean %.3f, %s %.3f", res.Method, ours, random,
		s["history_mean"]["pearson"]["_mean"].Mean, textbench.RankMethods[0], s[textbench.RankMethods[0]]["pearson"]["_mean"].Mean)
	if ours < random+0.3 {
		t.Errorf("zoograph's mean Pearson %.3f is not clearly above random's %.3f", ours, random)
	}
}

// checkPredictions checks that zoograph predicts, with a finite score, every
// model with a recorded accuracy on each target (LoRA-best models too: the
// evaluation, not the prediction, leaves them out).
func checkPredictions(t *testing.T, res *pipeline.Result, tables *store.Tables, targets []string) {
	t.Helper()
	for _, target := range targets {
		recorded := map[string]bool{}
		for _, f := range tables.Finetunes {
			if f.DatasetID == target && !math.IsNaN(f.Accuracy) && f.Method == transfergraph.MethodFull {
				recorded[f.ModelID] = true
			}
		}
		predicted := map[string]bool{}
		for _, p := range res.Predictions {
			if p.Target != target || p.Method != res.Method {
				continue
			}
			if math.IsNaN(p.Predicted) || math.IsInf(p.Predicted, 0) {
				t.Errorf("%s, %s: predicted %v", target, p.ModelID, p.Predicted)
			}
			predicted[p.ModelID] = true
		}
		for m := range recorded {
			if !predicted[m] {
				t.Errorf("%s: %s has a full fine-tune but no prediction", target, m)
			}
		}
	}
}

// checkGroundTruth checks each target's ground truth against the records:
// under the paper protocol exactly the models with a recorded accuracy
// whose best run is not LoRA; under the clean protocol the models with a
// full fine-tune, at the mean of those runs.
func checkGroundTruth(t *testing.T, res *pipeline.Result, tables *store.Tables, truth *textbench.Truth, targets []string) {
	t.Helper()
	for _, target := range targets {
		recorded, full := map[string]bool{}, map[string][]float64{}
		for _, f := range tables.Finetunes {
			if f.DatasetID != target || math.IsNaN(f.Accuracy) {
				continue
			}
			recorded[f.ModelID] = true
			if f.Method == transfergraph.MethodFull {
				full[f.ModelID] = append(full[f.ModelID], f.Accuracy)
			}
		}
		lora := truth.LoRABest[target]
		if len(lora) == 0 {
			t.Fatalf("%s: no LoRA-best model planted", target)
		}
		var want []string
		for m := range recorded {
			if !slices.Contains(lora, m) {
				want = append(want, m)
			}
		}
		paper := groundTruth(res.Eval["paper"], target)
		if !sameSet(paper.Models, want) {
			t.Errorf("paper %s: %d models in the ground truth, want the %d recorded less the %d LoRA-best", target, len(paper.Models), len(want), len(lora))
		}
		clean := groundTruth(res.Eval["clean"], target)
		if len(clean.Models) != len(full) {
			t.Errorf("clean %s: %d models in the ground truth, want the %d with a full fine-tune", target, len(clean.Models), len(full))
		}
		for i, m := range clean.Models {
			var sum float64
			for _, a := range full[m] {
				sum += a
			}
			if want := sum / float64(len(full[m])); math.Abs(clean.Accuracy[i]-want) > 1e-12 {
				t.Errorf("clean %s, %s: accuracy %v, want the mean of its full runs %v", target, m, clean.Accuracy[i], want)
			}
		}
		t.Logf("%s: paper %d models (%d LoRA-best left out), clean %d", target, len(paper.Models), len(lora), len(clean.Models))
	}
}

// checkRepeatedRuns checks the documented rule for a model with repeated
// full runs on target and as many rows in method's rank file: the paper
// protocol evaluates each of its rows, the clean protocol one averaged
// point.
func checkRepeatedRuns(t *testing.T, res *pipeline.Result, target, method string) {
	t.Helper()
	count := func(protocol string) map[string]int {
		n := map[string]int{}
		if e := evaluation(res.Eval[protocol], method, target); e != nil {
			for _, p := range e.Pairs {
				n[p.ModelID]++
			}
		}
		return n
	}
	paper, clean := count("paper"), count("clean")
	repeated := 0
	for m, k := range paper {
		if k > 1 {
			repeated++
			if clean[m] > 1 {
				t.Errorf("clean %s, %s: %s evaluated %d times, want once", target, method, m, clean[m])
			}
		}
	}
	if repeated == 0 {
		t.Errorf("paper %s, %s: no model evaluated more than once; the benchmark repeats runs there", target, method)
	}
}

// checkPaperBaselines checks that the run's paper-protocol LogME and
// Reg-H-Score are those of the baselines evaluated alone (zoograph
// baseline), which follow the published rule: repeated runs make repeated
// points whether or not predictions are evaluated beside them.
func checkPaperBaselines(t *testing.T, res *pipeline.Result, tables *store.Tables, targets []string) {
	t.Helper()
	alone, err := evaluate.Evaluate(context.Background(), tables, nil, evaluate.Options{Protocol: evaluate.ProtocolPaper,
		Targets: targets, Baselines: []string{evaluate.BaselineLogME, evaluate.BaselineRegHScore}})
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range targets {
		for _, b := range []string{evaluate.BaselineLogME, evaluate.BaselineRegHScore} {
			got, want := evaluation(res.Eval["paper"], b, target), evaluation(alone, b, target)
			if got == nil || want == nil || got.Values.N != want.Values.N || math.Abs(got.Values.Pearson-want.Values.Pearson) > 1e-12 {
				t.Errorf("paper %s, %s: %+v in the run, %+v alone", target, b, valuesOf(got), valuesOf(want))
			}
		}
	}
}

func valuesOf(e *evaluate.Evaluation) any {
	if e == nil {
		return nil
	}
	return struct {
		N       int
		Pearson float64
	}{e.Values.N, e.Values.Pearson}
}

func evaluation(ev *evaluate.Result, method, target string) *evaluate.Evaluation {
	if ev == nil {
		return nil
	}
	for i, e := range ev.Evaluations {
		if e.Method == method && e.Target == target {
			return &ev.Evaluations[i]
		}
	}
	return nil
}

func groundTruth(ev *evaluate.Result, target string) evaluate.Target {
	for _, tg := range ev.Targets {
		if tg.ID == target {
			return tg
		}
	}
	return evaluate.Target{}
}

func baselineNames(bs []pipeline.Baseline) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// BenchmarkTextBenchmarkRun times the full default run on the synthetic
// text benchmark: 8 targets × 5 seeds, nested selection, both protocols,
// every baseline and the authors' prediction sets as reference. It reports
// CPU seconds per run beside the wall time; for peak memory, run the same
// through the command (README, "The text benchmark"):
//
//	go test ./pipeline -run '^$' -bench TextBenchmarkRun -benchtime 1x
func BenchmarkTextBenchmarkRun(b *testing.B) {
	tables, _, dir := textBenchmark(b)
	cfg := pipeline.DefaultConfig()
	cfg.ReferencePredictions = filepath.Join(dir, textbench.DirRanks)
	b.ReportAllocs()
	cpu0 := storetest.CPUTime().Seconds()
	for b.Loop() {
		if _, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	if cpu := storetest.CPUTime().Seconds() - cpu0; cpu > 0 {
		b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
	}
}

// TestTextBenchmarkTargetRankName checks that a target written as a
// TransferGraph rank directory names it (glue_sst2) is refused with the
// dataset it stands for.
func TestTextBenchmarkTargetRankName(t *testing.T) {
	tables, _, _ := textBenchmark(t)
	cfg := pipeline.DefaultConfig()
	cfg.Targets = []string{"glue_sst2"}
	_, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{})
	if err == nil || !strings.Contains(err.Error(), `did you mean "glue/sst2"?`) {
		t.Errorf("err = %v, want one suggesting glue/sst2", err)
	}
}
