package pipeline_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

// The tests of this file scramble everything recorded on one target in ways
// that change what the reversal of scrambleCount keeps — the spread, the
// median, the absolute correlations and the eigenvalues of a correlation
// matrix are all invariant under a ↦ 1 − a — and check, bit for bit, every
// score any method gives the target: zoograph's, the metadata regressor's
// and the baselines the evaluation computes (history_mean, probe,
// downloads, random, LogME), in both protocols, and the target's nested
// selection. They run several targets at once, so that nested selection
// pairs the target's inner folds with the other targets' (shared graphs,
// embeddings and regressor fits).

// redraw returns tables whose records on target are redrawn, except the
// fine-tuning records of the models keep holds: each accuracy (and
// training time) replaced by an independent draw from a distribution
// unlike the original one, or, with collapse, every accuracy but three set
// to one value, so that the history screen drops the target. Cards' evals
// on target and the reported accuracy of models trained on it are redrawn
// too. It returns the number of reported accuracies changed beside.
func redraw(tables *store.Tables, target string, keep map[string]bool, collapse bool) (*store.Tables, int) {
	r := rand.New(rand.NewPCG(99, 7))
	s, reported := scrambleCount(tables, target, keep) // the evals, the reported accuracies
	s.Finetunes = slices.Clone(tables.Finetunes)
	n := 0
	for i := range s.Finetunes {
		f := &s.Finetunes[i]
		if f.DatasetID != target || keep[f.ModelID] {
			continue
		}
		switch {
		case collapse && n > 2:
			f.Accuracy = 0.37
		default:
			f.Accuracy = 0.2 + 0.7*math.Pow(r.Float64(), 3)
		}
		f.TrainSeconds = 1 + 1e4*r.Float64()
		n++
	}
	for i := range s.Models {
		if m := &s.Models[i]; !math.IsNaN(m.ReportedAccuracy) && m.ReportedAccuracy != tables.Models[i].ReportedAccuracy {
			m.ReportedAccuracy = r.Float64()
		}
	}
	return s, reported
}

// targetScores returns every score the run gives target: by protocol,
// method, seed and model, from the evaluations (every method's, the
// baselines' included) and from the run's predictions.
func targetScores(res *pipeline.Result, target string) map[string]float64 {
	out := map[string]float64{}
	for _, p := range res.Predictions {
		if p.Target == target {
			out[fmt.Sprintf("prediction/%s/%d/%s", p.Method, p.Seed, p.ModelID)] = p.Predicted
		}
	}
	for protocol, ev := range res.Eval {
		for _, e := range ev.Evaluations {
			if e.Target != target {
				continue
			}
			seed := "-"
			if e.Seed != nil {
				seed = fmt.Sprint(*e.Seed)
			}
			for k, p := range e.Pairs {
				// the paper protocol keeps duplicates: the position tells them apart
				out[fmt.Sprintf("%s/%s/%s/%s/%d", protocol, e.Method, seed, p.ModelID, k)] = p.Score
			}
		}
	}
	return out
}

// sameScores fails t where after differs from before by a bit, and when
// before lacks a method of want.
func sameScores(t *testing.T, before, after map[string]float64, want []string) {
	t.Helper()
	if len(before) != len(after) {
		t.Errorf("%d scores of the target before, %d after", len(before), len(after))
	}
	methods := map[string]bool{}
	changed := 0
	for k, v := range before {
		parts := strings.Split(k, "/")
		methods[parts[1]] = true
		if w, ok := after[k]; !ok || math.Float64bits(w) != math.Float64bits(v) {
			if changed++; changed <= 5 {
				t.Errorf("%s: %v before, %v after the target's records changed", k, v, after[k])
			}
		}
	}
	if changed > 5 {
		t.Errorf("… %d scores changed in all", changed)
	}
	for _, m := range want {
		if !methods[m] {
			t.Errorf("methods %v: the test needs %s", methods, m)
		}
	}
}

// revealedByAnySeed returns the models of target that some seed of res
// reveals (cfg.Probe > 0): those with a record on it and no prediction for
// that seed. It fails t unless each seed revealed at most cfg.Probe and
// the seeds more than one seed's worth together.
func revealedByAnySeed(t *testing.T, res *pipeline.Result, tables *store.Tables, target string, cfg pipeline.Config) map[string]bool {
	t.Helper()
	predicted := map[[2]string]bool{}
	for _, p := range res.Predictions {
		if p.Target == target && p.Method == cfg.Method() {
			predicted[[2]string{fmt.Sprint(p.Seed), p.ModelID}] = true
		}
	}
	keep := map[string]bool{}
	for seed := range cfg.Seeds {
		n := 0
		for _, f := range tables.Finetunes {
			if f.DatasetID == target && !predicted[[2]string{fmt.Sprint(cfg.Seed + uint64(seed)), f.ModelID}] {
				keep[f.ModelID] = true
				n++
			}
		}
		if n > cfg.Probe {
			t.Fatalf("seed %d: %d models not predicted, want at most the %d revealed", seed, n, cfg.Probe)
		}
	}
	if cfg.Probe > 0 && cfg.Seeds > 1 && len(keep) <= cfg.Probe {
		t.Fatalf("%d models revealed over %d seeds: the seeds reveal the same", len(keep), cfg.Seeds)
	}
	return keep
}

// runFor runs cfg on tables.
func runFor(t *testing.T, tables *store.Tables, cfg pipeline.Config) *pipeline.Result {
	t.Helper()
	res, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestNoTargetRecordReachesAnyScore redraws one of three targets' records
// on the generated zoo with distances — nested selection over node2vec and
// none, cold and warm; the target collapsed, so that the history screen
// drops it; the paper's feature set; the candidates level with the best
// averaged, over several fits — and checks every score of the target
// in both protocols, every baseline's included.
func TestNoTargetRecordReachesAnyScore(t *testing.T) {
	noTargetRecordReachesAnyScore(t, []leakCase{
		{"nested", false, func(*pipeline.Config) {}},
		{"warm", false, func(c *pipeline.Config) { c.Probe, c.Seeds = 4, 2 }},
		{"warm, level candidates averaged", false, func(c *pipeline.Config) {
			c.Probe, c.Seeds, c.Selection.Combine = 4, 2, pipeline.CombineLevelAll
		}},
		{"collapsed target", true, func(*pipeline.Config) {}},
		{"paper features", false, func(c *pipeline.Config) {
			c.Features, c.Selection.Mode, c.Learner = pipeline.FeaturesPaper, pipeline.SelectFixed, pipeline.LearnerNode2Vec
		}},
	})
}

// TestCrossFitNoTargetRecordReachesAnyScore is
// TestNoTargetRecordReachesAnyScore with cross-fitted embeddings and the
// failure model in the space (its second stage of selection).
func TestCrossFitNoTargetRecordReachesAnyScore(t *testing.T) {
	noTargetRecordReachesAnyScore(t, []leakCase{
		{"cross-fitted, failure model", false, func(c *pipeline.Config) {
			c.FeatureOptions.CrossFitFolds = 2
			c.Selection.FailureAware = []bool{false, true}
		}},
	})
}

// leakCase is a configuration of noTargetRecordReachesAnyScore: edit
// changes fastConfig, and collapse redraws the target's records collapsed.
type leakCase struct {
	name     string
	collapse bool
	edit     func(*pipeline.Config)
}

func noTargetRecordReachesAnyScore(t *testing.T, cases []leakCase) {
	tables, targets := smallZoo(t)
	target := targets[0]
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fastConfig(targets)
			cfg.Seeds = 1
			cfg.Protocols = []string{"clean", "paper"}
			cfg.Baselines = pipeline.Baselines()
			tc.edit(&cfg)
			before := runFor(t, tables, cfg)
			scrambled, reported := redraw(tables, target, revealedByAnySeed(t, before, tables, target, cfg), tc.collapse)
			if reported == 0 {
				t.Fatal("no model trained on the target reports an accuracy: the test needs one")
			}
			after := runFor(t, scrambled, cfg)
			if tc.collapse && !slices.ContainsFunc(after.Dropped, func(d pipeline.DroppedDataset) bool { return d.Dataset == target }) {
				t.Fatalf("dropped %v: the collapsed target is not screened out", after.Dropped)
			}
			sameScores(t, targetScores(before, target), targetScores(after, target),
				[]string{cfg.Method(), "metadata", "history_mean", "logme", "random", "downloads"})
			if !reflect.DeepEqual(before.Selection[target], after.Selection[target]) {
				t.Errorf("selection of %s changed when its records changed:\n%+v\n%+v", target, before.Selection[target], after.Selection[target])
			}
		})
	}
}

// TestRecyclingNoTargetRecordReachesAnyScore redraws one of three targets'
// records on the generated zoo without distances (agreement similarity,
// the low-rank model and, warm, the collaborative filter), with node2vec in
// the space (agreement edges in the graph), cold and warm: on a warm run
// the models either seed reveals keep their records.
func TestRecyclingNoTargetRecordReachesAnyScore(t *testing.T) {
	tables := withReportedAccuracy(syntheticRecycling(5))
	targets := []string{"nli_b", "sent_a", "topic_b"}
	target := targets[0]
	for _, probe := range []int{0, 5} {
		t.Run(fmt.Sprintf("probe %d", probe), func(t *testing.T) {
			cfg := recyclingConfig(targets)
			cfg.Probe = probe
			cfg.Protocols = []string{"clean", "paper"}
			cfg.Baselines = pipeline.Baselines()
			cfg.Selection.Learners = []pipeline.Learner{pipeline.LearnerNode2Vec, pipeline.LearnerNone}
			cfg.Node2Vec.Dim, cfg.Node2Vec.Epochs = 8, 2
			before := runFor(t, tables, cfg)
			keep := revealedByAnySeed(t, before, tables, target, cfg)
			scrambled, reported := redraw(tables, target, keep, false)
			if reported == 0 {
				t.Fatal("no model trained on the target reports an accuracy: the test needs one")
			}
			after := runFor(t, scrambled, cfg)
			sameScores(t, targetScores(before, target), targetScores(after, target),
				[]string{cfg.Method(), "metadata", "history_mean", "probe", "random"})
			if !reflect.DeepEqual(before.Selection[target], after.Selection[target]) {
				t.Errorf("selection of %s changed when its records changed:\n%+v\n%+v", target, before.Selection[target], after.Selection[target])
			}
			if !slices.ContainsFunc(before.Selection[target].Scores, func(c pipeline.CandidateScore) bool {
				return c.Candidate.Learner == pipeline.LearnerNode2Vec && !math.IsNaN(c.Score)
			}) {
				t.Error("no node2vec candidate was scored: the graph is not tested")
			}
		})
	}
}

// TestRecommendNoTargetRecordReachesAnyScore is the scramble test of rank
// --target on the generated zoo without distances, with nested selection
// and calibration: the settings, every score, predicted accuracy and
// interval and the calibration stay the same to the bit when the target's
// records are redrawn.
func TestRecommendNoTargetRecordReachesAnyScore(t *testing.T) {
	tables := withReportedAccuracy(syntheticRecycling(5))
	const target = "nli_b"
	for _, combine := range []string{pipeline.CombineBest, pipeline.CombineLevelAll} {
		t.Run(combine, func(t *testing.T) {
			cfg := recyclingConfig(nil)
			cfg.Seeds = 1
			cfg.Selection.Combine = combine
			run := func(zoo *store.Tables) *pipeline.Recommendations {
				r, err := pipeline.Recommend(context.Background(), zoo, cfg, pipeline.Target{ID: target}, pipeline.RecommendOptions{Calibration: 2})
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			a := run(tables)
			scrambled, reported := redraw(tables, target, nil, false)
			if reported == 0 {
				t.Fatal("no model trained on the target reports an accuracy: the test needs one")
			}
			b := run(scrambled)
			if len(a.Models) == 0 || len(a.Models) != len(b.Models) || len(a.Calibration.Datasets) != 2 {
				t.Fatalf("%d and %d models ranked, calibrated on %v", len(a.Models), len(b.Models), a.Calibration.Datasets)
			}
			if !reflect.DeepEqual(a.Settings, b.Settings) || !reflect.DeepEqual(a.Calibration, b.Calibration) {
				t.Errorf("settings or calibration changed:\n%+v %+v\n%+v %+v", a.Settings, a.Calibration, b.Settings, b.Calibration)
			}
			for i := range a.Models {
				x, y := a.Models[i], b.Models[i]
				if x.ModelID != y.ModelID || x.Score != y.Score || x.Predicted != y.Predicted || x.Low != y.Low || x.High != y.High {
					t.Fatalf("rank %d: %+v vs %+v", i+1, x, y)
				}
			}
		})
	}
}

// TestCardResultOnTargetConfig is the scramble test on the zoo of the real
// cards for a dataset the cards report with a config (glue/mrpc). Their
// models declare the dataset without it (datasets: [glue]), and the
// accuracy each card reports, its reported_accuracy, is its base model's
// record on glue/mrpc. A reported accuracy reaches a GNN's node features (a
// model one lineage edge from its base model, whose test row reads the
// embedding) and the metadata columns; changing those of the cards that
// report a result on the target must not change its predictions by a bit.
func TestCardResultOnTargetConfig(t *testing.T) {
	_, tables := realCardsZoo(t)
	const target = "glue/mrpc"
	onTarget := map[string]float64{} // model → its card's result on the target
	for _, r := range pipeline.HistoryFromEvals(tables).Records {
		if r.Dataset == target {
			onTarget[r.Model] = r.Value
		}
	}
	scrambled := *tables
	scrambled.Models = slices.Clone(tables.Models)
	reported := 0
	for i := range scrambled.Models {
		if m := &scrambled.Models[i]; m.ReportedAccuracy == onTarget[m.ModelID] {
			m.ReportedAccuracy = 1 - m.ReportedAccuracy
			reported++
		}
	}
	if len(onTarget) < 3 || reported != len(onTarget) {
		t.Fatalf("%d records on %s, %d of them the card's reported accuracy: the test needs 3 or more, all of them", len(onTarget), target, reported)
	}
	// The same models with a second row first, as a benchmark import beside
	// the crawl gives them: another declared dataset, no reported accuracy.
	// The merged model takes the accuracy from the card's row, and the
	// dataset it is on must come with it.
	merged := func(tb *store.Tables) *store.Tables {
		out := *tb
		out.Models = nil
		for _, m := range tb.Models {
			if _, ok := onTarget[m.ModelID]; ok {
				out.Models = append(out.Models, store.Model{ModelID: m.ModelID, SourceDatasets: []string{"imdb"},
					ReportedAccuracy: math.NaN(), Source: "benchmark"})
			}
			out.Models = append(out.Models, m)
		}
		return &out
	}
	for _, learner := range []pipeline.Learner{pipeline.LearnerGraphSAGE, pipeline.LearnerNone} {
		for _, rows := range []string{"one row", "merged rows"} {
			t.Run(learner.String()+"/"+rows, func(t *testing.T) {
				cfg := fastConfig([]string{target})
				cfg.Clean.MinDatasetModels = 3
				cfg.Seeds, cfg.Protocols, cfg.Baselines = 1, []string{"clean"}, []pipeline.Baseline{pipeline.BaselineMetadata}
				cfg.Learner, cfg.Selection.Mode = learner, pipeline.SelectFixed
				cfg.GNN.Epochs = 40
				a, b := tables, &scrambled
				if rows == "merged rows" {
					a, b = merged(a), merged(b)
				}
				before, after := runFor(t, a, cfg), runFor(t, b, cfg)
				sameScores(t, targetScores(before, target), targetScores(after, target), []string{cfg.Method(), "metadata"})
			})
		}
	}
}
