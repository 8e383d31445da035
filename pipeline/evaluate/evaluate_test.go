package evaluate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/zoograph/zoograph/store"
)

// toyZoo has two targets with six models each; m6 has no model_type, and
// every model has LogME scores with one duplicate on t1.
func toyZoo() *store.Tables {
	z := &store.Tables{}
	acc := map[string][]float64{
		"t1": {0.90, 0.80, 0.70, 0.60, 0.50, 0.40},
		"t2": {0.55, 0.65, 0.75, 0.85, 0.95, 0.45},
	}
	for i := range 6 {
		id := fmt.Sprintf("m%d", i+1)
		typ := "vit"
		if i == 5 {
			typ = ""
		}
		z.Models = append(z.Models, store.Model{ModelID: id, ModelType: typ, ReportedAccuracy: math.NaN()})
	}
	for _, t := range []string{"t1", "t2"} {
		z.Datasets = append(z.Datasets, store.Dataset{DatasetID: t})
		for i, a := range acc[t] {
			id := fmt.Sprintf("m%d", i+1)
			z.Finetunes = append(z.Finetunes, store.Finetune{ModelID: id, DatasetID: t, Accuracy: a, Method: "full"})
			// LogME agrees with the accuracies except for a swap of m2 and m3.
			s := a
			switch i {
			case 1:
				s = acc[t][2]
			case 2:
				s = acc[t][1]
			}
			z.Scores = append(z.Scores, store.Score{ModelID: id, DatasetID: t, Method: BaselineLogME, Score: s})
		}
	}
	z.Scores = append(z.Scores, store.Score{ModelID: "m1", DatasetID: "t1", Method: BaselineLogME, Score: 0.1})
	return z
}

func ptr(v int64) *int64 { return &v }

func mustEvaluate(t *testing.T, zoo *store.Tables, preds []Prediction, opt Options) *Result {
	t.Helper()
	res, err := Evaluate(context.Background(), zoo, preds, opt)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return res
}

func findEval(t *testing.T, res *Result, method string, seed *int64, target string) Evaluation {
	t.Helper()
	for _, e := range res.Evaluations {
		if e.Method == method && e.Target == target && compareSeeds(e.Seed, seed) == 0 {
			return e
		}
	}
	t.Fatalf("no evaluation of %s seed %v on %s", method, seed, target)
	return Evaluation{}
}

func pairModels(e Evaluation) []string {
	var out []string
	for _, p := range e.Pairs {
		out = append(out, p.ModelID)
	}
	return out
}

func TestPaperModelSet(t *testing.T) {
	zoo := toyZoo()
	// "ours" predicts m1..m4 on t1, m2 twice (the paper keeps both rows).
	preds := []Prediction{
		{Method: "ours", Target: "t1", ModelID: "m2", Score: 2},
		{Method: "ours", Target: "t1", ModelID: "m1", Score: 3},
		{Method: "ours", Target: "t1", ModelID: "m3", Score: 1},
		{Method: "ours", Target: "t1", ModelID: "m4", Score: 0},
		{Method: "ours", Target: "t1", ModelID: "m2", Score: 2.5},
		{Method: "ours", Target: "t1", ModelID: "zz", Score: 9}, // no ground truth: ignored
	}
	res := mustEvaluate(t, zoo, preds, Options{Baselines: []string{BaselineLogME}})

	ours := findEval(t, res, "ours", nil, "t1")
	if got, want := pairModels(ours), []string{"m1", "m2", "m2", "m3", "m4"}; !slices.Equal(got, want) {
		t.Errorf("ours rows %v, want %v (ground-truth order, duplicates kept)", got, want)
	}
	// Restricted to ours' models; m1's two score rows kept; m2's score row
	// once per prediction row of m2 (the script joins on model).
	logme := findEval(t, res, BaselineLogME, nil, "t1")
	if got, want := pairModels(logme), []string{"m1", "m1", "m2", "m2", "m3", "m4"}; !slices.Equal(got, want) {
		t.Errorf("logme rows %v, want %v", got, want)
	}
	if got := res.Targets[0].Evaluated; !slices.Equal(got, []string{"m1", "m2", "m3", "m4"}) {
		t.Errorf("evaluated %v", got)
	}
	if len(res.Targets) != 1 {
		t.Errorf("targets %v, want only t1 (the predictions' targets)", res.Targets)
	}
}

// TestPaperRepeatedRuns: the paper protocol joins the baseline scores to
// the evaluated method's prediction rows on model, so a model with k_pred
// prediction rows and k_score score rows gives k_pred × k_score pairs;
// without predictions k_pred is the model's full fine-tunes on the target
// with an accuracy (and a known model type), and so it is for a method that
// predicts models rather than runs (one row per model).
func TestPaperRepeatedRuns(t *testing.T) {
	zoo := &store.Tables{Datasets: []store.Dataset{{DatasetID: "t"}}}
	for _, m := range []struct{ id, typ string }{{"a", "vit"}, {"b", "vit"}, {"c", "vit"}, {"d", ""}, {"e", "vit"}, {"f", "vit"}, {"g", "vit"}} {
		zoo.Models = append(zoo.Models, store.Model{ModelID: m.id, ModelType: m.typ, ReportedAccuracy: math.NaN()})
	}
	for _, f := range []struct {
		model, method string
		acc           float64
	}{
		{"a", "full", 0.70}, {"a", "full", 0.74}, // two runs: k = 2
		{"b", "full", 0.60}, {"b", "full", math.NaN()}, // the run without accuracy does not count
		{"c", "full", 0.50}, {"c", "lora", 0.55}, // best run LoRA: not in the ground truth
		{"d", "full", 0.80}, {"d", "full", 0.82}, {"d", "full", 0.78}, // no model type: not predicted
		{"e", "lora", 0.90},                      // LoRA only
		{"f", "full", 0.65}, {"f", "lora", 0.40}, // one full run: k = 1
		{"g", "full", 0.30}, {"g", "full", 0.35}, {"g", "full", 0.40}, // k = 3
	} {
		zoo.Finetunes = append(zoo.Finetunes, store.Finetune{ModelID: f.model, DatasetID: "t", Method: f.method, Accuracy: f.acc})
	}
	for _, s := range []struct {
		model string
		score float64
	}{{"a", 1.0}, {"a", 1.5}, {"b", 2.0}, {"c", 3.0}, {"d", 4.0}, {"e", 5.0}, {"f", 0.5}, {"g", 0.1}} {
		zoo.Scores = append(zoo.Scores, store.Score{ModelID: s.model, DatasetID: "t", Method: BaselineLogME, Score: s.score})
	}
	// Ground truth (best run): a 0.74, b 0.60, d 0.82, f 0.65, g 0.40.
	a := func(s float64) Pair { return Pair{"a", 0.74, s} }
	b := Pair{"b", 0.60, 2.0}
	d := Pair{"d", 0.82, 4.0}
	f := Pair{"f", 0.65, 0.5}
	g := Pair{"g", 0.40, 0.1}
	pred := func(method, model string) Prediction {
		return Prediction{Method: method, Target: "t", ModelID: model, Score: 1}
	}
	tests := []struct {
		name  string
		preds []Prediction
		want  []Pair
	}{
		// The pipeline's rows: a ×2, b, f, g ×3; each score row k times, in
		// place.
		{"no predictions", nil, []Pair{a(1.0), a(1.0), a(1.5), a(1.5), b, f, g, g, g}},
		// ours predicts a twice, b, d and g once; f not at all.
		{"one method", []Prediction{pred("ours", "a"), pred("ours", "b"), pred("ours", "a"), pred("ours", "d"), pred("ours", "g")},
			[]Pair{a(1.0), a(1.0), a(1.5), a(1.5), b, d, g}},
		// Two methods: each model's fewest rows (a once, g once), the
		// models both predict.
		{"two methods", []Prediction{
			pred("ours", "a"), pred("ours", "a"), pred("ours", "b"), pred("ours", "d"), pred("ours", "g"),
			pred("theirs", "a"), pred("theirs", "b"), pred("theirs", "g"), pred("theirs", "g"), pred("theirs", "f"),
		}, []Pair{a(1.0), a(1.5), b, g}},
		// A method that predicts each model once (zoograph's own) predicts
		// models, not runs: each model counts its full runs with an
		// accuracy, d (no model type, but predicted) too.
		{"one row per model", []Prediction{pred("ours", "a"), pred("ours", "b"), pred("ours", "d"), pred("ours", "g")},
			[]Pair{a(1.0), a(1.0), a(1.5), a(1.5), b, d, d, d, g, g, g}},
		// Beside a method that predicts runs, it narrows the models only:
		// the rows are the other's.
		{"one row per model and runs", []Prediction{
			pred("ours", "a"), pred("ours", "b"), pred("ours", "d"), pred("ours", "g"),
			pred("theirs", "a"), pred("theirs", "a"), pred("theirs", "b"), pred("theirs", "g"), pred("theirs", "g"), pred("theirs", "f"),
		}, []Pair{a(1.0), a(1.0), a(1.5), a(1.5), b, g, g}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustEvaluate(t, zoo, tt.preds, Options{Targets: []string{"t"}, Baselines: []string{BaselineLogME}})
			if got := findEval(t, res, BaselineLogME, nil, "t").Pairs; !slices.Equal(got, tt.want) {
				t.Errorf("logme pairs\n got %v\nwant %v", got, tt.want)
			}
		})
	}
	// A second source scoring a and b again (a merged zoo): each model keeps
	// its first source's rows, so the pairs are those of one source.
	merged := *zoo
	merged.Scores = append(slices.Clone(zoo.Scores),
		store.Score{ModelID: "a", DatasetID: "t", Method: BaselineLogME, Score: 9, Source: "other"},
		store.Score{ModelID: "b", DatasetID: "t", Method: BaselineLogME, Score: 9, Source: "other"})
	res := mustEvaluate(t, &merged, nil, Options{Targets: []string{"t"}, Baselines: []string{BaselineLogME}})
	if got, want := findEval(t, res, BaselineLogME, nil, "t").Pairs, tests[0].want; !slices.Equal(got, want) {
		t.Errorf("logme pairs with a second source\n got %v\nwant %v", got, want)
	}
}

func TestPaperPipelineModelSet(t *testing.T) {
	// Without an evaluated method, baselines use the models the pipeline
	// would predict: m6 has no model_type.
	res := mustEvaluate(t, toyZoo(), nil, Options{Baselines: []string{BaselineLogME, BaselineRandom}, RandomSeeds: 2})
	for _, tg := range res.Targets {
		if want := []string{"m1", "m2", "m3", "m4", "m5"}; !slices.Equal(tg.Evaluated, want) {
			t.Errorf("%s evaluated %v, want %v", tg.ID, tg.Evaluated, want)
		}
		r := findEval(t, res, BaselineRandom, ptr(1), tg.ID)
		if got := pairModels(r); !slices.Equal(got, tg.Evaluated) {
			t.Errorf("random rows %v", got)
		}
		if len(tg.Models) != 6 {
			t.Errorf("ground truth %v, want all 6 models", tg.Models)
		}
	}
}

func TestMetadataIsABaseline(t *testing.T) {
	preds := []Prediction{
		{Method: "ours", Target: "t1", ModelID: "m1", Score: 1},
		{Method: "ours", Target: "t1", ModelID: "m2", Score: 2},
		{Method: "ours", Target: "t1", ModelID: "m3", Score: 3},
	}
	for i := range 6 {
		preds = append(preds, Prediction{Method: BaselineMetadata, Target: "t1", ModelID: fmt.Sprintf("m%d", i+1), Score: float64(i)})
	}
	res := mustEvaluate(t, toyZoo(), preds, Options{})
	var names []string
	for _, m := range res.Methods {
		names = append(names, fmt.Sprintf("%s/%v", m.Name, m.Baseline))
	}
	if want := []string{"ours/false", "metadata/true"}; !slices.Equal(names, want) {
		t.Errorf("methods %v, want %v", names, want)
	}
	// Metadata predicts all six, but is restricted to ours' three.
	if got := pairModels(findEval(t, res, BaselineMetadata, nil, "t1")); !slices.Equal(got, []string{"m1", "m2", "m3"}) {
		t.Errorf("metadata rows %v", got)
	}
}

func TestRandomBaseline(t *testing.T) {
	opt := Options{Baselines: []string{BaselineRandom}, Seed: 7, RandomSeeds: 4}
	a := mustEvaluate(t, toyZoo(), nil, opt)
	b := mustEvaluate(t, toyZoo(), nil, opt)
	if !slices.EqualFunc(a.Metrics, b.Metrics, func(x, y store.Metric) bool {
		return x.Method == y.Method && x.Target == y.Target && x.Metric == y.Metric &&
			compareSeeds(x.Seed, y.Seed) == 0 && (x.Value == y.Value || math.IsNaN(x.Value) && math.IsNaN(y.Value))
	}) {
		t.Fatal("the same seed gave different metrics")
	}
	if got := a.Methods[0].Seeds; !slices.Equal(got, []int64{7, 8, 9, 10}) {
		t.Errorf("seeds %v", got)
	}
	s7 := findEval(t, a, BaselineRandom, ptr(7), "t1")
	s8 := findEval(t, a, BaselineRandom, ptr(8), "t1")
	if s7.Pairs[0].Score == s8.Pairs[0].Score {
		t.Error("seeds 7 and 8 drew the same first score")
	}
	for _, p := range s7.Pairs {
		if p.Score < 0 || p.Score >= 1 {
			t.Errorf("score %v outside [0, 1)", p.Score)
		}
	}

	// The nil-seed rows are the means of the seeded rows; Summaries gives
	// their standard deviation.
	perSeed := map[Cell][]float64{}
	mean := map[Cell]float64{}
	for _, r := range a.Metrics {
		c := Cell{r.Method, r.Target, r.Metric}
		if r.Seed != nil {
			perSeed[c] = append(perSeed[c], r.Value)
		} else {
			mean[c] = r.Value
		}
	}
	sums := Summaries(a)
	for c, vs := range perSeed {
		if len(vs) != 4 {
			t.Fatalf("%v: %d seeded rows", c, len(vs))
		}
		if !closeTo(mean[c], (vs[0]+vs[1]+vs[2]+vs[3])/4, 1e-12) {
			t.Errorf("%v: mean row %v, seeds %v", c, mean[c], vs)
		}
		defined := 0
		for _, v := range vs {
			if !math.IsNaN(v) {
				defined++
			}
		}
		if s := sums[c]; s.N != defined || !closeTo(s.Mean, mean[c], 0) {
			t.Errorf("%v: summary %+v", c, s)
		}
	}
	c := Cell{BaselineRandom, "t1", MetricPearson}
	vs := perSeed[c]
	m := mean[c]
	var ss float64
	for _, v := range vs {
		ss += (v - m) * (v - m)
	}
	if sd := math.Sqrt(ss / 3); !closeTo(sums[c].SD, sd, 1e-12) {
		t.Errorf("sd %v, want %v", sums[c].SD, sd)
	}
}

func TestDownloadsBaseline(t *testing.T) {
	zoo := toyZoo()
	res := mustEvaluate(t, zoo, nil, Options{Baselines: []string{BaselineDownloads}})
	for _, e := range res.Evaluations {
		if e.Note == "" || !math.IsNaN(e.Values.Pearson) {
			t.Errorf("%s: defined without download counts", e.Target)
		}
	}
	for i := range zoo.Models {
		zoo.Models[i].Downloads = int64(1000 * (6 - i)) // m1 most downloaded
	}
	res = mustEvaluate(t, zoo, nil, Options{Baselines: []string{BaselineDownloads}})
	e := findEval(t, res, BaselineDownloads, nil, "t1")
	// On t1 accuracy falls with the model index, as do downloads.
	if e.Note != "" || !closeTo(e.Values.Spearman, 1, 1e-12) || e.Values.Top[0] != 0.9 {
		t.Errorf("downloads on t1: note %q spearman %v top@1 %v", e.Note, e.Values.Spearman, e.Values.Top[0])
	}
}

func TestAggregates(t *testing.T) {
	res := mustEvaluate(t, toyZoo(), nil, Options{Baselines: []string{BaselineLogME}})
	sums := Summaries(res)
	var sum, wsum, wtot float64
	for _, tg := range res.Targets {
		v := sums[Cell{BaselineLogME, tg.ID, MetricPearson}].Mean
		sum += v
		wsum += tg.Weight * v
		wtot += tg.Weight
		acc := tg.Accuracy
		if w := slices.Max(acc) - mean(acc); !closeTo(tg.Weight, w, 1e-15) {
			t.Errorf("%s weight %v, want %v", tg.ID, tg.Weight, w)
		}
	}
	if got := sums[Cell{BaselineLogME, TargetMean, MetricPearson}].Mean; !closeTo(got, sum/2, 1e-15) {
		t.Errorf("_mean %v, want %v", got, sum/2)
	}
	if got := sums[Cell{BaselineLogME, TargetWeightedMean, MetricPearson}].Mean; !closeTo(got, wsum/wtot, 1e-15) {
		t.Errorf("_weighted_mean %v, want %v", got, wsum/wtot)
	}
	// Every metric of every target and aggregate has a row.
	if got, want := len(res.Metrics), (2+2)*len(MetricNames()); got != want {
		t.Errorf("%d metrics rows, want %d", got, want)
	}
	for _, r := range res.Metrics {
		if r.Protocol != "paper" || r.Seed != nil {
			t.Errorf("row %+v", r)
		}
	}
}

func TestAggregateUndefinedWhenATargetIs(t *testing.T) {
	preds := []Prediction{
		{Method: "ours", Target: "t1", ModelID: "m1", Score: 1},
		{Method: "ours", Target: "t1", ModelID: "m2", Score: 2},
		{Method: "ours", Target: "t1", ModelID: "m3", Score: 3},
		{Method: "ours", Target: "t2", ModelID: "m1", Score: 1}, // one model: undefined
	}
	res := mustEvaluate(t, toyZoo(), preds, Options{})
	sums := Summaries(res)
	if v := sums[Cell{"ours", "t1", MetricPearson}].Mean; math.IsNaN(v) {
		t.Error("t1 undefined")
	}
	for _, target := range []string{"t2", TargetMean, TargetWeightedMean} {
		if v := sums[Cell{"ours", target, MetricPearson}].Mean; !math.IsNaN(v) {
			t.Errorf("%s = %v, want undefined", target, v)
		}
	}
	if e := findEval(t, res, "ours", nil, "t2"); e.Note == "" {
		t.Error("no note on the undefined evaluation")
	}
}

func TestSeededPredictions(t *testing.T) {
	var preds []Prediction
	for _, seed := range []int64{2, 1} {
		for i := range 5 {
			preds = append(preds, Prediction{Method: "ours", Seed: ptr(seed), Target: "t1",
				ModelID: fmt.Sprintf("m%d", i+1), Score: float64(-i) + float64(seed)*0.1*float64(i*i)})
		}
	}
	res := mustEvaluate(t, toyZoo(), preds, Options{Baselines: []string{BaselineLogME}})
	if got := res.Methods[0].Seeds; !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("seeds %v", got)
	}
	// The model set is what every seed predicts, and logme follows it.
	if got := pairModels(findEval(t, res, BaselineLogME, nil, "t1")); !slices.Equal(got, []string{"m1", "m1", "m2", "m3", "m4", "m5"}) {
		t.Errorf("logme rows %v", got)
	}
	s := Summaries(res)[Cell{"ours", "t1", MetricPearson}]
	if s.N != 2 || math.IsNaN(s.SD) {
		t.Errorf("summary %+v", s)
	}
}

func TestCleanCommonSet(t *testing.T) {
	zoo := toyZoo()
	// A repeated run of m1 on t1 and a LoRA run that clean ignores.
	zoo.Finetunes = append(zoo.Finetunes,
		store.Finetune{ModelID: "m1", DatasetID: "t1", Accuracy: 0.70, Method: "full", Run: 1},
		store.Finetune{ModelID: "m2", DatasetID: "t1", Accuracy: 0.99, Method: "lora"},
	)
	preds := []Prediction{
		{Method: "ours", Target: "t1", ModelID: "m1", Score: 1},
		{Method: "ours", Target: "t1", ModelID: "m1", Score: 3},
		{Method: "ours", Target: "t1", ModelID: "m2", Score: 1},
		{Method: "ours", Target: "t1", ModelID: "m3", Score: math.Inf(1)}, // dropped
		{Method: "ours", Target: "t1", ModelID: "m4", Score: 0},
		{Method: "ours", Target: "t1", ModelID: "m5", Score: -1},
	}
	res := mustEvaluate(t, zoo, preds, Options{Protocol: ProtocolClean, Baselines: []string{BaselineLogME, BaselineRandom}, RandomSeeds: 2})
	want := []string{"m1", "m2", "m4", "m5"}
	if got := res.Targets[0].Evaluated; !slices.Equal(got, want) {
		t.Fatalf("common set %v, want %v", got, want)
	}
	for _, e := range res.Evaluations {
		if got := pairModels(e); !slices.Equal(got, want) {
			t.Errorf("%s seed %v rows %v, want %v", e.Method, e.Seed, got, want)
		}
		for _, p := range e.Pairs {
			if p.ModelID == "m1" && p.Actual != 0.80 {
				t.Errorf("m1 accuracy %v, want the mean 0.80", p.Actual)
			}
			if p.ModelID == "m1" && e.Method == "ours" && p.Score != 2 {
				t.Errorf("m1 ours score %v, want the mean 2", p.Score)
			}
			if p.ModelID == "m1" && e.Method == BaselineLogME && p.Score != (0.9+0.1)/2 {
				t.Errorf("m1 logme score %v, want the mean 0.5", p.Score)
			}
		}
	}
	// The weight is over the evaluated models: 0.80, 0.80, 0.60, 0.50.
	if w := res.Targets[0].Weight; !closeTo(w, 0.80-2.7/4, 1e-12) {
		t.Errorf("weight %v", w)
	}
}

func TestEvaluateErrors(t *testing.T) {
	one := []Prediction{{Method: "ours", Target: "t1", ModelID: "m1", Score: 1}}
	tests := []struct {
		name  string
		preds []Prediction
		opt   Options
		want  error
	}{
		{"unknown protocol", nil, Options{Protocol: "fancy"}, ErrBadOptions},
		{"unknown baseline", nil, Options{Baselines: []string{"logmee"}}, ErrBadOptions},
		{"baseline twice", nil, Options{Baselines: []string{"logme", "logme"}}, ErrBadOptions},
		{"predicted and computed", []Prediction{{Method: "logme", Target: "t1", ModelID: "m1"}}, Options{Baselines: []string{"logme"}}, ErrBadOptions},
		{"mixed seeds", append(slices.Clone(one), Prediction{Method: "ours", Seed: ptr(1), Target: "t1", ModelID: "m2"}), Options{}, ErrBadOptions},
		{"no method", []Prediction{{Target: "t1", ModelID: "m1"}}, Options{}, ErrBadOptions},
		{"unknown target", nil, Options{Targets: []string{"nope"}, Baselines: []string{"logme"}}, ErrNoGroundTruth},
		{"predicted target without truth", []Prediction{{Method: "ours", Target: "nope", ModelID: "m1"}}, Options{}, ErrNoGroundTruth},
		{"only unknown models", []Prediction{{Method: "ours", Target: "t1", ModelID: "nobody/m1"}, {Method: "ours", Target: "t2", ModelID: "m1 "}},
			Options{Baselines: []string{"logme"}}, ErrNoMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Evaluate(context.Background(), toyZoo(), tt.preds, tt.opt)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := Evaluate(context.Background(), nil, nil, Options{}); !errors.Is(err, ErrBadOptions) {
		t.Errorf("nil zoo: %v", err)
	}
}

func TestEvaluateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Evaluate(ctx, toyZoo(), nil, Options{Baselines: []string{BaselineLogME}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestDefaultTargets(t *testing.T) {
	zoo := toyZoo()
	zoo.Finetunes = append(zoo.Finetunes, store.Finetune{ModelID: "m1", DatasetID: "t0", Accuracy: 0.5, Method: "full"})
	// With score baselines: the scored datasets (t0 has no scores).
	res := mustEvaluate(t, zoo, nil, Options{Baselines: []string{BaselineLogME}})
	if got := targetIDs(res); !slices.Equal(got, []string{"t1", "t2"}) {
		t.Errorf("targets %v", got)
	}
	// Explicit targets keep their order.
	res = mustEvaluate(t, zoo, nil, Options{Baselines: []string{BaselineRandom}, Targets: []string{"t2", "t0"}, RandomSeeds: 1})
	if got := targetIDs(res); !slices.Equal(got, []string{"t2", "t0"}) {
		t.Errorf("targets %v", got)
	}
	if e := findEval(t, res, BaselineRandom, ptr(0), "t0"); e.Note == "" {
		t.Error("t0 has one model but is defined")
	}
}

func targetIDs(res *Result) []string {
	var out []string
	for _, tg := range res.Targets {
		out = append(out, tg.ID)
	}
	return out
}

func TestParseProtocol(t *testing.T) {
	for _, s := range []string{"paper", "clean"} {
		if p, err := ParseProtocol(s); err != nil || string(p) != s {
			t.Errorf("ParseProtocol(%q) = %q, %v", s, p, err)
		}
	}
	if _, err := ParseProtocol("Paper"); err == nil {
		t.Error("ParseProtocol(Paper) succeeded")
	}
}

func TestResultFromMetrics(t *testing.T) {
	res := mustEvaluate(t, toyZoo(), nil, Options{Baselines: []string{BaselineLogME, BaselineRandom}, RandomSeeds: 3})
	back, err := ResultFromMetrics(res.Metrics)
	if err != nil {
		t.Fatal(err)
	}
	if back.Protocol != res.Protocol || !slices.Equal(targetIDs(back), targetIDs(res)) || len(back.Methods) != 2 {
		t.Fatalf("rebuilt %+v", back)
	}
	if !slices.Equal(back.Methods[1].Seeds, res.Methods[1].Seeds) || back.Methods[0].Seeds != nil {
		t.Errorf("seeds %v %v", back.Methods[0].Seeds, back.Methods[1].Seeds)
	}
	want, got := Summaries(res), Summaries(back)
	for c, s := range want {
		g := got[c]
		if !closeTo(g.Mean, s.Mean, 0) || !closeTo(g.SD, s.SD, 0) || g.N != s.N {
			t.Errorf("%v: %+v, want %+v", c, g, s)
		}
	}
	mixed := append(slices.Clone(res.Metrics), store.Metric{Protocol: "clean", Method: "x", Target: "t1", Metric: "pearson"})
	if _, err := ResultFromMetrics(mixed); err == nil {
		t.Error("mixed protocols accepted")
	}
	if _, err := ResultFromMetrics(nil); err == nil {
		t.Error("no rows accepted")
	}
}

// compareSeeds orders nil before any seed, then by value.
func compareSeeds(a, b *int64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Compare(*a, *b)
}

func TestAvailableBaselines(t *testing.T) {
	nan := math.NaN()
	zoo := &store.Tables{
		Models:    []store.Model{{ModelID: "m", Downloads: 0}},
		Finetunes: []store.Finetune{{ModelID: "m", DatasetID: "d", Accuracy: 0.5}},
		Scores: []store.Score{
			{ModelID: "m", DatasetID: "mnli", Method: "linear_probe", Score: 0.8},
			{ModelID: "m", DatasetID: "d", Method: BaselineLogME, Score: nan}, // no finite LogME score
		},
	}
	have, missing := AvailableBaselines(zoo, AllBaselines())
	if want := []string{BaselineRandom, BaselineHistoryMean, BaselineProbe}; !slices.Equal(have, want) {
		t.Errorf("have %v, want %v", have, want)
	}
	if want := []string{BaselineLogME, BaselineRegHScore, BaselineDownloads}; !slices.Equal(missing, want) {
		t.Errorf("missing %v, want %v", missing, want)
	}
}

// TestHistoryMeanDatasets checks the history_mean baseline on a written
// case: a model's score on t is its mean z over the other datasets, and
// only over those HistoryDatasets lists when it lists some.
func TestHistoryMeanDatasets(t *testing.T) {
	var ft []store.Finetune
	add := func(ds string, accs ...float64) {
		for i, a := range accs {
			ft = append(ft, store.Finetune{ModelID: fmt.Sprintf("m%d", i), DatasetID: ds, Accuracy: a, Method: "full"})
		}
	}
	add("a", 0.5, 0.6, 0.7)   // z −√1.5, 0, √1.5
	add("b", 0.9, 0.1, 0.1)   // z √2, −1/√2, −1/√2
	add("t", 0.2, 0.3, 0.4)   // the target: never read for itself
	add("bad", 0.1, 0.1, 0.9) // a failed dataset the run does not keep as history
	za, zb := math.Sqrt(1.5), math.Sqrt(2)
	for _, tc := range []struct {
		keep []string
		want float64 // m0's score on t
	}{
		{nil, (-za + zb + -1/math.Sqrt(2)) / 3},
		{[]string{"a", "b", "t"}, (-za + zb) / 2},
	} {
		got, ok := newHistoryMean(ft, tc.keep).score("t", "m0")
		if !ok || math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("keep %v: m0 scores %v (%v), want %v", tc.keep, got, ok, tc.want)
		}
	}
}
