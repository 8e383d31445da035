package evaluate

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/pipeline/transfergraph"
	"github.com/zoograph/zoograph/store"
	"github.com/zoograph/zoograph/store/storetest"
)

// importBenchmark imports a TransferGraph experiment directory.
func importBenchmark(t *testing.T, dir string) *store.Tables {
	t.Helper()
	tables, _, err := transfergraph.Import(context.Background(), dir, transfergraph.Options{})
	if err != nil {
		t.Fatalf("import %s: %v", dir, err)
	}
	return tables
}

// checkAgainstPublished compares every published cell of the given methods
// with Evaluate's: correlations to 1e-9 everywhere, top-k cells to 1e-9
// unless the top-k set depended on tie-breaking. It returns how many cells
// were compared and how many were skipped for ties.
func checkAgainstPublished(t *testing.T, res *Result, ref []store.ReferenceResult, methods ...string) (compared, tied int) {
	t.Helper()
	sums := Summaries(res)
	for _, r := range ref {
		if !slices.Contains(methods, r.Method) {
			continue
		}
		c := Cell{MethodFromPublished(r.Method), r.Target, r.Metric}
		s, ok := sums[c]
		if !ok {
			t.Errorf("%v: published %v, not computed", c, r.Value)
			continue
		}
		if s.Tied {
			tied++
			continue
		}
		compared++
		if math.IsNaN(s.Mean) || math.Abs(s.Mean-r.Value) > 1e-9 {
			t.Errorf("%s %s %s = %.12g, published %.12g (Δ %.3g)", c.Method, c.Metric, c.Target, s.Mean, r.Value, s.Mean-r.Value)
		}
	}
	return compared, tied
}

func TestPaperReproducesImageBaselines(t *testing.T) {
	dir := storetest.Shared(t, "transfergraph/image_classification")
	zoo := importBenchmark(t, dir)
	res, err := Evaluate(context.Background(), zoo, nil, Options{
		Protocol:  ProtocolPaper,
		Baselines: []string{BaselineLogME, BaselineRegHScore},
	})
	if err != nil {
		t.Fatal(err)
	}

	published := map[string]bool{}
	perMetric := map[string]int{}
	for _, r := range zoo.ReferenceResults {
		if r.Method == "LogME" || r.Method == "Reg-H-Score" {
			perMetric[r.Metric]++
			if !IsAggregate(r.Target) {
				published[r.Target] = true
			}
		}
	}
	var targets []string
	for _, tg := range res.Targets {
		targets = append(targets, tg.ID)
	}
	if got, want := targets, sortedKeys(published); !slices.Equal(got, want) {
		t.Fatalf("targets %v, published %v", got, want)
	}
	for _, m := range []string{MetricPearson, MetricSpearman, MetricKendall, MetricWeightedKendall} {
		// 2 methods × (targets + the weighted average).
		if got, want := perMetric[m], 2*(len(targets)+1); got != want {
			t.Errorf("%d published %s cells for LogME and Reg-H-Score, want %d", got, m, want)
		}
	}

	compared, tied := checkAgainstPublished(t, res, zoo.ReferenceResults, "LogME", "Reg-H-Score")
	t.Logf("%d published cells matched to 1e-9, %d skipped for tied scores", compared, tied)
	if compared == 0 {
		t.Fatal("no published cell compared")
	}

	// The model sets of research §4.1 (TransferGraph's pipeline predicts them).
	for _, tg := range res.Targets {
		switch tg.ID {
		case "caltech101":
			if len(tg.Evaluated) != 179 {
				t.Errorf("caltech101: %d models in the pipeline's set, want 179", len(tg.Evaluated))
			}
		case "smallnorb_label_elevation":
			if len(tg.Evaluated) != 175 {
				t.Errorf("smallnorb_label_elevation: %d models in the pipeline's set, want 175", len(tg.Evaluated))
			}
		}
	}
	// dtd keeps its duplicated score rows (research §5.4: 201 rows).
	for _, e := range res.Evaluations {
		if e.Target == "dtd" && e.Method == BaselineLogME {
			models := map[string]bool{}
			for _, p := range e.Pairs {
				models[p.ModelID] = true
			}
			if len(e.Pairs) <= len(models) {
				t.Errorf("dtd logme: %d rows for %d models; duplicates were dropped", len(e.Pairs), len(models))
			}
		}
	}
}

// TestCleanImage checks the clean protocol's promises on the image
// benchmark: one row per model and the same models for every method.
func TestCleanImage(t *testing.T) {
	dir := storetest.Shared(t, "transfergraph/image_classification")
	zoo := importBenchmark(t, dir)
	res, err := Evaluate(context.Background(), zoo, nil, Options{
		Protocol:    ProtocolClean,
		Baselines:   ComputedBaselines(),
		RandomSeeds: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	byTarget := map[string]Target{}
	for _, tg := range res.Targets {
		byTarget[tg.ID] = tg
	}
	for _, e := range res.Evaluations {
		if e.Method == BaselineDownloads {
			if e.Note == "" {
				t.Errorf("downloads on %s defined, but the benchmark has no download counts", e.Target)
			}
			continue
		}
		var models []string
		for _, p := range e.Pairs {
			models = append(models, p.ModelID)
		}
		if want := byTarget[e.Target].Evaluated; !slices.Equal(models, want) {
			t.Errorf("%s on %s: %d models, want the common %d", e.Method, e.Target, len(models), len(want))
		}
		if e.Values.N < MinModels || math.IsNaN(e.Values.Pearson) {
			t.Errorf("%s on %s: undefined (%s)", e.Method, e.Target, e.Note)
		}
	}
	// De-duplicating dtd moves LogME's Pearson away from the published
	// 0.480 towards 0.54 (research §5.4).
	sums := Summaries(res)
	if v := sums[Cell{BaselineLogME, "dtd", MetricPearson}].Mean; !(v > 0.5) {
		t.Errorf("clean logme dtd pearson = %v, want > 0.5 once duplicates are averaged", v)
	}
	var names []string
	for _, m := range res.Methods {
		names = append(names, m.Name)
	}
	if got := strings.Join(names, ","); got != "logme,reg_h_score,downloads,random" {
		t.Errorf("methods %s", got)
	}
}

// TestPaperSequenceFixture evaluates testdata/sequence_classification, a
// small experiment directory in the text layout (LoRA runs, repeated runs,
// duplicate and infinite scores; see generate.py there), against its
// expected tables.
func TestPaperSequenceFixture(t *testing.T) {
	zoo := importBenchmark(t, filepath.Join("testdata", "sequence_classification"))
	res, err := Evaluate(context.Background(), zoo, nil, Options{
		Protocol:  ProtocolPaper,
		Baselines: []string{BaselineLogME, BaselineRegHScore},
	})
	if err != nil {
		t.Fatal(err)
	}
	compared, tied := checkAgainstPublished(t, res, zoo.ReferenceResults, "LogME", "Reg-H-Score")
	// 2 methods × 20 metrics × (2 targets + the weighted average).
	if want := 2 * 20 * 3; compared != want || tied != 0 {
		t.Errorf("compared %d cells (%d tied), want %d", compared, tied, want)
	}

	// Worked by hand from generate.py's table.
	truth := map[string]Target{}
	for _, tg := range res.Targets {
		truth[tg.ID] = tg
	}
	cola := truth["glue/cola"]
	// bert-b (best run LoRA), lora-f (LoRA only) and gpt-g (tie, LoRA first)
	// are dropped; roberta-c keeps its better run.
	if got, want := strings.Join(cola.Models, " "), "acme/bert-a acme/distil-d acme/electra-e acme/roberta-c acme/untyped-h"; got != want {
		t.Errorf("glue/cola ground truth %s, want %s", got, want)
	}
	if got, want := cola.Accuracy, []float64{0.80, 0.50, 0.65, 0.72, 0.66}; !slices.Equal(got, want) {
		t.Errorf("glue/cola accuracies %v, want %v", got, want)
	}
	// weight = 0.80 − (0.80+0.50+0.65+0.72+0.66)/5 = 0.134.
	if math.Abs(cola.Weight-0.134) > 1e-12 {
		t.Errorf("glue/cola weight %v, want 0.134", cola.Weight)
	}
	// The pipeline predicts bert-a, bert-b, roberta-c, distil-d, electra-e,
	// gpt-g (full fine-tune with accuracy and a model_type); untyped-h has no
	// model_type, lora-f no full fine-tune.
	if got, want := len(cola.Evaluated), 4; got != want { // ∩ ground truth
		t.Errorf("glue/cola evaluated %v, want %d models", cola.Evaluated, want)
	}
	for _, e := range res.Evaluations {
		if e.Target != "glue/cola" {
			continue
		}
		switch e.Method {
		case BaselineLogME:
			// Rows in ground-truth order; roberta-c has two LogME rows and
			// two full runs (two prediction rows), so 2 × 2 pairs:
			// a = 0.80 0.50 0.65 0.72 0.72 0.72 0.72, s = 1 −1 0.5 3 3 2.5 2.5.
			if got, want := pairModels(e), []string{"acme/bert-a", "acme/distil-d", "acme/electra-e",
				"acme/roberta-c", "acme/roberta-c", "acme/roberta-c", "acme/roberta-c"}; !slices.Equal(got, want) {
				t.Errorf("logme rows %v, want %v", e.Pairs, want)
			}
			// top@1: score 3 → roberta-c 0.72; rel@1 = 0.72/0.80;
			// p@1 = (2 below + 6 at or below + 1)·50/7.
			if e.Values.Top[0] != 0.72 || math.Abs(e.Values.Rel[0]-0.9) > 1e-12 || math.Abs(e.Values.Percentile[0]-450.0/7) > 1e-12 {
				t.Errorf("logme top@1 %v rel@1 %v p@1 %v, want 0.72 0.9 %v", e.Values.Top[0], e.Values.Rel[0], e.Values.Percentile[0], 450.0/7)
			}
		case BaselineRegHScore:
			// roberta-c's one score row, twice (two full runs). distil-d's
			// −inf becomes 2·min(10, 11, 14) = 20: it tops the ranking, so
			// top@1 = 0.50 and p@1 = (0 + 1 + 1)·50/5 = 20.
			if len(e.Pairs) != 5 || e.Values.Top[0] != 0.5 || math.Abs(e.Values.Percentile[0]-20) > 1e-12 {
				t.Errorf("reg_h_score %d rows, top@1 %v p@1 %v, want 5 rows, 0.5 20", len(e.Pairs), e.Values.Top[0], e.Values.Percentile[0])
			}
		}
	}
}

// TestCleanSequenceFixture: the clean protocol averages repeated runs and
// duplicate scores, ignores LoRA, drops non-finite scores, and evaluates
// both baselines on the same models.
func TestCleanSequenceFixture(t *testing.T) {
	zoo := importBenchmark(t, filepath.Join("testdata", "sequence_classification"))
	res, err := Evaluate(context.Background(), zoo, nil, Options{
		Protocol:  ProtocolClean,
		Baselines: []string{BaselineLogME, BaselineRegHScore},
		Targets:   []string{"glue/cola"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cola := res.Targets[0]
	// Full fine-tunes: bert-a 0.80, bert-b 0.60, roberta-c (0.70+0.72)/2,
	// distil-d 0.50, electra-e 0.65, gpt-g 0.55 (the run without accuracy
	// ignored), untyped-h 0.66.
	wantTruth := map[string]float64{"acme/bert-a": 0.80, "acme/bert-b": 0.60, "acme/roberta-c": 0.71,
		"acme/distil-d": 0.50, "acme/electra-e": 0.65, "acme/gpt-g": 0.55, "acme/untyped-h": 0.66}
	if len(cola.Models) != len(wantTruth) {
		t.Fatalf("ground truth %v", cola.Models)
	}
	for i, m := range cola.Models {
		if math.Abs(cola.Accuracy[i]-wantTruth[m]) > 1e-12 {
			t.Errorf("%s accuracy %v, want %v", m, cola.Accuracy[i], wantTruth[m])
		}
	}
	// distil-d's only Reg-H-Score is −inf: it leaves the common set.
	if slices.Contains(cola.Evaluated, "acme/distil-d") || len(cola.Evaluated) != 6 {
		t.Errorf("common set %v, want the ground truth without distil-d", cola.Evaluated)
	}
	for _, e := range res.Evaluations {
		if len(e.Pairs) != 6 {
			t.Errorf("%s: %d rows, want 6", e.Method, len(e.Pairs))
		}
		for _, p := range e.Pairs {
			if e.Method == BaselineLogME && p.ModelID == "acme/roberta-c" && p.Score != 2.75 {
				t.Errorf("roberta-c logme %v, want the mean 2.75", p.Score)
			}
		}
	}
}
