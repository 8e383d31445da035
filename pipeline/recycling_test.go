package pipeline_test

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/pipeline/recycling"
	"github.com/zoograph/zoograph/store"
	"github.com/zoograph/zoograph/store/storetest"
)

// recyclingBenchmark imports the shared model-recycling benchmark.
func recyclingBenchmark(t testing.TB) *store.Tables {
	t.Helper()
	tables, _, err := recycling.Import(context.Background(), storetest.Shared(t, "model-recycling"), recycling.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

// BenchmarkRecyclingRun measures the whole run of the model-recycling
// benchmark with the shipped defaults: nested selection, 24 targets, every
// baseline, the clean protocol; cold targets and warm ones (--probe 10), with
// 5 seeds as a run has them and with 1, which leaves mostly the per-target
// selection. Run it with -benchtime 1x; it reports the process CPU seconds
// beside the wall time.
func BenchmarkRecyclingRun(b *testing.B) {
	tables := recyclingBenchmark(b)
	for _, bc := range []struct {
		name         string
		probe, seeds int
	}{
		{"cold", 0, 5},
		{"warm", 10, 5},
		{"warm-1seed", 10, 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := pipeline.DefaultConfig()
			cfg.Protocols = []string{"clean"}
			cfg.Probe, cfg.Seeds = bc.probe, bc.seeds
			b.ReportAllocs()
			for b.Loop() {
				cpu := storetest.CPUTime()
				res, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric((storetest.CPUTime() - cpu).Seconds(), "cpu-s/op")
				b.Logf("wall %v; stage timings (summed over parallel tasks) %v", res.Wall, res.Timings)
			}
		})
	}
}

// syntheticRecycling is a zoo shaped like the model-recycling benchmark: no
// dataset distances, Hub-style dataset metadata, base-model lineage, a probe
// score per model, dense fine-tuning history with a planted structure (a
// general skill, a task-specific one, base-model offsets), and models whose
// repo ids name the dataset they were trained on.
func syntheticRecycling(seed uint64) *store.Tables {
	r := rand.New(rand.NewPCG(seed, 1))
	type ds struct{ id, task, domain string }
	datasets := []ds{
		{"sent_a", "sentiment", "reviews"}, {"sent_b", "sentiment", "reviews"}, {"sent_c", "sentiment", "tweets"},
		{"nli_a", "nli", "mixed"}, {"nli_b", "nli", "news"}, {"nli_c", "nli", "mixed"},
		{"topic_a", "topic", "news"}, {"topic_b", "topic", "encyclopedia"},
	}
	bases := []string{"base-a", "base-b", "base-c"}
	t := &store.Tables{}
	for _, d := range datasets {
		t.Datasets = append(t.Datasets, store.Dataset{DatasetID: d.id, TaskCategories: []string{"text-classification"},
			NumClasses: 2, Tags: []string{"task:" + d.task, "domain:" + d.domain}, Source: "test"})
	}
	for i := range 90 {
		base := bases[i%3]
		id := fmt.Sprintf("org%d/%s-m%d", i%7, base, i)
		trained := ""
		if i%9 == 0 {
			trained = datasets[i%len(datasets)].id
			id += "-" + trained
		}
		general, offset := r.NormFloat64(), float64(i%3)*0.5
		skill := map[string]float64{"sentiment": r.NormFloat64(), "nli": r.NormFloat64(), "topic": r.NormFloat64()}
		t.Models = append(t.Models, store.Model{ModelID: id, ModelType: "bert", NumParameters: int64(1e8 + i%3*1e7),
			BaseModels: []string{base}, ReportedAccuracy: math.NaN(), Source: "test"})
		t.Scores = append(t.Scores, store.Score{ModelID: id, DatasetID: "nli_a", Method: "linear_probe",
			Score: 0.5 + 0.05*(general+skill["nli"]) + 0.02*r.NormFloat64(), RuntimeSeconds: math.NaN()})
		for _, d := range datasets {
			s := general + offset + skill[d.task] + 0.5*r.NormFloat64()
			if d.id == trained {
				s += 1
			}
			t.Finetunes = append(t.Finetunes, store.Finetune{ModelID: id, DatasetID: d.id,
				Accuracy: 1 / (1 + math.Exp(-0.4*s-1)), Method: "full", Source: "test"})
		}
	}
	return t
}

// recyclingConfig is the default config made small enough for a unit test.
func recyclingConfig(targets []string) pipeline.Config {
	cfg := pipeline.DefaultConfig()
	cfg.Targets = targets
	cfg.Seeds = 2
	cfg.Protocols = []string{"clean"}
	cfg.GBDT.Trees = 40
	cfg.Selection.GBDTTrees = []int{40}
	cfg.Learner, cfg.Selection.Learners = pipeline.LearnerNone, nil
	cfg.Selection.GBDTMaxDepths = []int{3}
	cfg.Selection.MaxInnerFolds = 3
	cfg.FeatureOptions.MaxRowsPerDataset = 60
	return cfg
}

// predictionsOf runs cfg and returns ours by (seed, model).
func predictionsOf(t *testing.T, tables *store.Tables, cfg pipeline.Config) map[[2]string]float64 {
	t.Helper()
	res, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[[2]string]float64{}
	for _, p := range res.Predictions {
		if p.Method == cfg.Method() {
			out[[2]string{fmt.Sprint(p.Seed), p.ModelID}] = p.Predicted
		}
	}
	return out
}

// allPredictionsOf runs cfg and returns every method's predictions by
// method, then (seed, model).
func allPredictionsOf(t *testing.T, tables *store.Tables, cfg pipeline.Config) map[string]map[[2]string]float64 {
	t.Helper()
	res, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[[2]string]float64{}
	for _, p := range res.Predictions {
		if out[p.Method] == nil {
			out[p.Method] = map[[2]string]float64{}
		}
		out[p.Method][[2]string{fmt.Sprint(p.Seed), p.ModelID}] = p.Predicted
	}
	return out
}

// withReportedAccuracy gives every model of syntheticRecycling whose repo id
// names the dataset it was trained on its card's result there: its recorded
// accuracy on that dataset.
func withReportedAccuracy(tables *store.Tables) *store.Tables {
	s := *tables
	s.Models = slices.Clone(tables.Models)
	for i := range s.Models {
		m := &s.Models[i]
		for _, f := range tables.Finetunes {
			if f.ModelID == m.ModelID && strings.HasSuffix(m.ModelID, "-"+f.DatasetID) {
				m.ReportedAccuracy = f.Accuracy
			}
		}
	}
	return &s
}

// scramble returns tables whose records on target are reversed, except
// the fine-tuning records of the models keep holds: fine-tuning accuracies
// and training times, the cards' evals on target, and the reported accuracy
// of every model trained on target (declared in its source datasets or named
// at the end of its repo id), a card's fine-tuning result on target. It
// returns how many reported accuracies it changed beside.
func scramble(tables *store.Tables, target string, keep map[string]bool) *store.Tables {
	s, _ := scrambleCount(tables, target, keep)
	return s
}

func scrambleCount(tables *store.Tables, target string, keep map[string]bool) (*store.Tables, int) {
	s := *tables
	s.Finetunes = slices.Clone(tables.Finetunes)
	for i := range s.Finetunes {
		if f := &s.Finetunes[i]; f.DatasetID == target && !keep[f.ModelID] {
			f.Accuracy = 1 - f.Accuracy
			f.TrainSeconds = 1e6 - f.TrainSeconds
		}
	}
	s.Evals = slices.Clone(tables.Evals)
	for i := range s.Evals {
		if e := &s.Evals[i]; e.DatasetName == target {
			e.Value = 1 - e.Value
		}
	}
	s.Models = slices.Clone(tables.Models)
	reported := 0
	for i := range s.Models {
		m := &s.Models[i]
		if (slices.Contains(m.SourceDatasets, target) || strings.HasSuffix(m.ModelID, "-"+target)) && !math.IsNaN(m.ReportedAccuracy) {
			m.ReportedAccuracy = 1 - m.ReportedAccuracy
			reported++
		}
	}
	return &s, reported
}

// TestRecyclingNoTargetRecord is the scramble test on a zoo without
// distances: nested selection, agreement similarity, z-scored history and
// the probe feature — every target prediction is bit-for-bit the same
// when everything recorded on the target is scrambled.
func TestRecyclingNoTargetRecord(t *testing.T) {
	tables := withReportedAccuracy(syntheticRecycling(5))
	cfg := recyclingConfig([]string{"nli_b"})
	if !slices.Contains(cfg.Baselines, "metadata") {
		t.Fatalf("baselines %v: the test needs the metadata baseline", cfg.Baselines)
	}
	scrambled, reported := scrambleCount(tables, "nli_b", nil)
	if reported == 0 {
		t.Fatal("no model trained on the target reports an accuracy: the test needs one")
	}
	before := allPredictionsOf(t, tables, cfg)
	after := allPredictionsOf(t, scrambled, cfg)
	if n := len(before[cfg.Method()]); n != 2*90 || len(before["metadata"]) != n {
		t.Fatalf("%d predictions of ours, %d of the metadata baseline; want 180", n, len(before["metadata"]))
	}
	for method, preds := range before {
		if len(after[method]) != len(preds) {
			t.Fatalf("%s: %d predictions before, %d after", method, len(preds), len(after[method]))
		}
		for k, v := range preds {
			if after[method][k] != v {
				t.Fatalf("%s %v: prediction changed from %v to %v when the target's records changed", method, k, v, after[method][k])
			}
		}
	}
}

// TestRecyclingWarmLeak checks warm targets: the revealed models are not
// predicted (they leave the evaluation), the predictions do not change by a
// bit when the target's other records are scrambled, and they do change when
// the revealed records are: exactly those K records are used.
func TestRecyclingWarmLeak(t *testing.T) {
	const k = 5
	tables := syntheticRecycling(6)
	target := "sent_b"
	cfg := recyclingConfig([]string{target})
	cfg.Probe = k
	before := predictionsOf(t, tables, cfg)

	revealed := map[string]map[string]bool{} // seed → model
	models := map[string]bool{}
	for _, m := range tables.Models {
		models[m.ModelID] = true
	}
	for _, seed := range []string{"1", "2"} {
		revealed[seed] = map[string]bool{}
		for m := range models {
			if _, ok := before[[2]string{seed, m}]; !ok {
				revealed[seed][m] = true
			}
		}
		if len(revealed[seed]) != k {
			t.Fatalf("seed %s: %d models not predicted, want the %d revealed", seed, len(revealed[seed]), k)
		}
	}
	if maps.Equal(revealed["1"], revealed["2"]) {
		t.Error("both seeds reveal the same models")
	}

	// Scramble everything but what either seed reveals.
	keep := map[string]bool{}
	for _, r := range revealed {
		maps.Copy(keep, r)
	}
	after := predictionsOf(t, scramble(tables, target, keep), cfg)
	for key, v := range before {
		if after[key] != v {
			t.Fatalf("%v: prediction changed from %v to %v when unrevealed records changed", key, v, after[key])
		}
	}
	// The revealed records are used.
	var changed bool
	for key, v := range predictionsOf(t, scramble(tables, target, nil), cfg) {
		changed = changed || before[key] != v
	}
	if !changed {
		t.Error("scrambling the revealed records changed no prediction: they are not used")
	}
}

// TestRecyclingSynthetic checks that on the planted structure the pipeline
// beats the probe and random, cold and warm.
func TestRecyclingSynthetic(t *testing.T) {
	tables := syntheticRecycling(7)
	for _, k := range []int{0, 10} {
		cfg := recyclingConfig([]string{"sent_a", "nli_c", "topic_b"})
		cfg.Probe = k
		res, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s := pipeline.Summarize(res.Metrics)["clean"]
		ours := s[cfg.Method()]["pearson"]["_mean"].Mean
		lineage := s[cfg.Method()]["pearson_within_lineage"]["_mean"].Mean
		t.Logf("probe %d: ours %.3f (within lineage %.3f), history_mean %.3f, probe %.3f", k, ours, lineage,
			s["history_mean"]["pearson"]["_mean"].Mean, s["probe"]["pearson"]["_mean"].Mean)
		for _, b := range []string{"probe", "random"} {
			if v := s[b]["pearson"]["_mean"].Mean; !(ours > v) {
				t.Errorf("probe %d: ours %.3f does not beat %s %.3f", k, ours, b, v)
			}
		}
		if math.IsNaN(lineage) {
			t.Errorf("probe %d: within-lineage Pearson undefined", k)
		}
	}
}

// TestRecyclingBenchmarkCold runs the shipped defaults on the 24 targets of
// the model-recycling benchmark, cold, 5 seeds, and checks where zoograph
// stands: far above the mnli_lp probe and random, above history_mean (each
// model's mean standardised accuracy elsewhere, the benchmark's strong
// baseline) on the mean Pearson, and within 0.02 of it within lineage — the
// issue's goal of history_mean + 0.05 is not reached (see README).
func TestRecyclingBenchmarkCold(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole model-recycling benchmark: skipped under -short")
	}
	tables := recyclingBenchmark(t)
	cfg := pipeline.DefaultConfig()
	cfg.Protocols = []string{"clean"}
	res, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Targets) != 24 {
		t.Fatalf("%d targets, want the 24 datasets", len(res.Targets))
	}
	s := pipeline.Summarize(res.Metrics)["clean"]
	ours := s[res.Method]
	hist, probe := s["history_mean"], s["probe"]
	for _, m := range []string{"pearson", "pearson_within_lineage"} {
		t.Logf("%s: ours %.3f ± %.3f, history_mean %.3f, probe %.3f, random %.3f", m, ours[m]["_mean"].Mean, ours[m]["_mean"].SD,
			hist[m]["_mean"].Mean, probe[m]["_mean"].Mean, s["random"][m]["_mean"].Mean)
		if v := ours[m]["_mean"].Mean; !(v > probe[m]["_mean"].Mean+0.05) || !(v > hist[m]["_mean"].Mean-0.02) {
			t.Errorf("%s: ours %.3f, want above the probe's %.3f and within 0.02 of history_mean's %.3f", m, v,
				probe[m]["_mean"].Mean, hist[m]["_mean"].Mean)
		}
		if v := ours[m]["_mean"].Mean; m == "pearson" && !(v > hist[m]["_mean"].Mean) {
			t.Errorf("%s: ours %.3f, want above history_mean's %.3f", m, v, hist[m]["_mean"].Mean)
		}
	}
	t.Logf("wall %v, timings %v", res.Wall, res.Timings)
}

// TestRecyclingDescribedWarm takes a dataset out of the model-recycling
// benchmark, describes it by its metadata, and ranks the zoo's models for
// it cold and warm (10 of its models given as fine-tuned, drawn with a
// fixed seed). On a zoo without dataset distances Recommend must score the
// target as Run does, with the agreement of recorded accuracies (not with
// distances made from metadata, which switch that off), so the 10 given
// accuracies lift the Pearson over the target's other models clearly, as
// `run --probe 10` measures. The three datasets were named before any
// measurement.
func TestRecyclingDescribedWarm(t *testing.T) {
	full := recyclingBenchmark(t)
	cfg := pipeline.DefaultConfig()
	cfg.Seeds = 1
	var cold, warm float64
	names := []string{"rotten_tomatoes", "anli", "tweet_ev_hate"}
	for _, name := range names {
		c, w := describedWarm(t, full, cfg, name)
		cold, warm = cold+c/3, warm+w/3
	}
	t.Logf("mean Pearson over %v: cold %.3f, warm %.3f", names, cold, warm)
	if !(warm > cold+0.05) {
		t.Errorf("warm mean Pearson %.3f is not clearly above cold %.3f", warm, cold)
	}
}

// describedWarm returns the Pearson of the cold and the warm ranking of
// TestRecyclingDescribedWarm for dataset name.
func describedWarm(t *testing.T, full *store.Tables, cfg pipeline.Config, name string) (cold, warm float64) {
	t.Helper()
	zoo := *full
	var row store.Dataset
	zoo.Datasets = slices.DeleteFunc(slices.Clone(full.Datasets), func(ds store.Dataset) bool {
		if ds.DatasetID == name {
			row = ds
		}
		return ds.DatasetID == name
	})
	truth := map[string]float64{}
	zoo.Finetunes = slices.DeleteFunc(slices.Clone(full.Finetunes), func(f store.Finetune) bool {
		if f.DatasetID == name {
			truth[f.ModelID] = f.Accuracy
		}
		return f.DatasetID == name
	})
	if row.DatasetID == "" || len(truth) < 100 || len(row.TaskCategories) == 0 {
		t.Fatalf("%s: dataset row %+v, %d records", name, row, len(truth))
	}
	ids := slices.Sorted(maps.Keys(truth))
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	given := map[string]float64{}
	for _, m := range ids[:10] {
		given[m] = truth[m]
	}
	desc := pipeline.Description{Name: "my-" + name, Modality: "text", Task: row.TaskCategories[0],
		NumClasses: row.NumClasses, Languages: row.Languages}
	rank := func(d pipeline.Description) (float64, *pipeline.Recommendations) {
		r, err := pipeline.Recommend(context.Background(), &zoo, cfg, pipeline.Target{Describe: &d}, pipeline.RecommendOptions{Calibration: -1})
		if err != nil {
			t.Fatal(err)
		}
		var a, s []float64
		for _, m := range r.Models {
			if _, g := given[m.ModelID]; g { // the same models, cold and warm
				if d.Finetuned != nil {
					t.Errorf("%s: %s, given as fine-tuned, is ranked", name, m.ModelID)
				}
				continue
			}
			if v, ok := truth[m.ModelID]; ok {
				a, s = append(a, v), append(s, m.Score)
			}
		}
		if len(a) < len(truth)-len(given)-5 {
			t.Errorf("%s: %d of the %d other recorded models ranked", name, len(a), len(truth)-len(given))
		}
		return stat.Correlation(a, s, nil), r
	}
	cold, r := rank(desc)
	if r.DistancesFromMetadata != 0 {
		t.Errorf("%s, cold: %d distances made from metadata on a zoo without distances", name, r.DistancesFromMetadata)
	}
	desc.Finetuned = given
	warm, r = rank(desc)
	if r.Revealed != 10 {
		t.Errorf("%s, warm: %d revealed, want 10", name, r.Revealed)
	}
	t.Logf("%s: cold %.3f, warm (10 given) %.3f", name, cold, warm)
	return cold, warm
}
