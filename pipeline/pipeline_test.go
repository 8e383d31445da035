package pipeline_test

import (
	"context"
	"errors"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/pipeline/demo"
	"github.com/zoograph/zoograph/store"
)

// smallZoo is a generated zoo with a planted structure: about 75 models,
// 30 datasets, fine-tuning history and LogME-like scores.
func smallZoo(t testing.TB) (*store.Tables, []string) {
	t.Helper()
	s := demo.GenerateSample(demo.SampleOptions{BaseModels: 30, Seed: 3})
	return sampleTables(s, "test"), s.Targets[:3]
}

// sampleTables returns a generated sample as a zoo's tables, its models'
// rows from source.
func sampleTables(s *demo.Sample, source string) *store.Tables {
	tables := &store.Tables{Datasets: s.Datasets, Finetunes: s.Finetunes, Scores: s.Scores, DatasetDistances: s.Distances}
	for _, m := range s.Models {
		var base []string
		if m.BaseModel != "" {
			base = []string{m.BaseModel}
		}
		tables.Models = append(tables.Models, store.Model{
			ModelID: m.ID, Author: m.Author, PipelineTag: m.PipelineTag, Tags: m.Tags,
			Downloads: m.Downloads, Likes: m.Likes, Architectures: m.Architectures, ModelType: m.ModelType,
			NumParameters: m.NumParameters, InputSize: m.InputSize, SourceDatasets: []string{m.SourceDataset},
			BaseModels: base, ReportedAccuracy: m.SourceAccuracy, Source: source,
		})
	}
	return tables
}

// fastConfig is the default config made small enough for a unit test.
func fastConfig(targets []string) pipeline.Config {
	cfg := pipeline.DefaultConfig()
	cfg.Targets = targets
	cfg.Seeds = 2
	cfg.Node2Vec.Dim = 16
	cfg.Node2Vec.Epochs = 3
	cfg.GBDT.Trees = 60
	cfg.Selection.GBDTMaxDepths = []int{3}
	cfg.Selection.GBDTTrees = []int{60, 30}
	cfg.Selection.Blends = []float64{1, 0.5, 0}
	cfg.Selection.MaxInnerFolds = 4
	return cfg
}

func TestRunEndToEnd(t *testing.T) {
	tables, targets := smallZoo(t)
	cfg := fastConfig(targets)
	var (
		mu                  sync.Mutex
		done, total, beyond int
	)
	res, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{Progress: func(d, n int) {
		mu.Lock()
		defer mu.Unlock()
		done, total = d, n
		if d > n {
			beyond++
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	// The progress counts every unit of work once: nested selection's inner
	// folds (the metadata regressor's too) and the tasks. Without the
	// metadata stacking in the space, the total is short of the metadata
	// regressor's inner folds, one per (target, fold), and ends there too.
	if done != total || beyond > 0 {
		t.Errorf("progress ended at %d of %d (%d reports past the total)", done, total, beyond)
	}
	plain := cfg
	plain.Selection.MetadataWeights = []float64{0}
	withMeta := total
	if _, err := pipeline.Run(context.Background(), tables, plain, pipeline.Options{Progress: func(d, n int) {
		mu.Lock()
		defer mu.Unlock()
		done, total = d, n
	}}); err != nil {
		t.Fatal(err)
	}
	if folds := len(targets) * cfg.Selection.MaxInnerFolds; done != total || withMeta-total != folds {
		t.Errorf("without the stacking: progress %d of %d; the stacking added %d units, want one per inner fold (%d)", done, total, withMeta-total, folds)
	}
	s := pipeline.Summarize(res.Metrics)["clean"]
	ours := s[cfg.Method()]["pearson"]
	for _, target := range targets {
		t.Logf("%-22s ours %.3f logme %.3f downloads %.3f metadata %.3f", target, ours[target].Mean,
			s["logme"]["pearson"][target].Mean, s["downloads"]["pearson"][target].Mean, s["metadata"]["pearson"][target].Mean)
		if ours[target].N != cfg.Seeds {
			t.Errorf("%s: %d seeds evaluated, want %d", target, ours[target].N, cfg.Seeds)
		}
	}
	mean := ours["_mean"].Mean
	if mean < 0.6 {
		t.Errorf("mean Pearson %.3f on the planted structure, want ≥ 0.6", mean)
	}
	for _, b := range []string{"logme", "downloads", "random"} {
		if v := s[b]["pearson"]["_mean"].Mean; !(mean > v) {
			t.Errorf("ours %.3f does not beat %s %.3f", mean, b, v)
		}
	}
	// Every model with a record on a target has one prediction per seed.
	for _, target := range targets {
		var n int
		for _, p := range res.Predictions {
			if p.Target == target && p.Method == cfg.Method() {
				n++
				if math.IsNaN(p.Predicted) {
					t.Fatalf("%s %s: NaN prediction", target, p.ModelID)
				}
			}
		}
		models := map[string]bool{}
		for _, f := range tables.Finetunes {
			if f.DatasetID == target {
				models[f.ModelID] = true
			}
		}
		if n != len(models)*cfg.Seeds {
			t.Errorf("%s: %d predictions, want %d models × %d seeds", target, n, len(models), cfg.Seeds)
		}
	}

	dir := filepath.Join(t.TempDir(), "run")
	if err := pipeline.WriteRun(dir, res, tables, "zoo", "abc"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{pipeline.FileConfig, pipeline.FileReportJSON, pipeline.FileReportMD,
		pipeline.FilePredictions, pipeline.FileMetrics, "pearson_per_target.svg", "pearson_per_target.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("run directory lacks %s (%v)", f, err)
		}
	}
	preds, err := store.ReadFile[store.Prediction](filepath.Join(dir, pipeline.FilePredictions))
	if err != nil || len(preds) != len(res.Predictions) {
		t.Errorf("predictions read back: %d rows, err %v; want %d", len(preds), err, len(res.Predictions))
	}
	if err := pipeline.Render(dir); err != nil {
		t.Errorf("re-render: %v", err)
	}
	if err := pipeline.WriteRun(dir, res, tables, "zoo", "abc"); err == nil {
		t.Error("WriteRun overwrote a non-empty run directory")
	}
}

// TestNoTargetRecordReachesTraining scrambles everything recorded on a
// target — its accuracies and runtimes, the cards' evals on it and the
// reported accuracy of every model trained on it — and checks that the
// predictions for the target, ours and every baseline's (the metadata
// regressor among them), do not change by a single bit: nothing recorded on
// the target reaches its graph, its regressors or its selection.
func TestNoTargetRecordReachesTraining(t *testing.T) {
	tables, targets := smallZoo(t)
	target := targets[0]
	cfg := fastConfig([]string{target})
	cfg.Seeds = 1
	cfg.Protocols = []string{"clean"}
	if !slices.Contains(cfg.Baselines, "metadata") {
		t.Fatalf("baselines %v: the test needs the metadata baseline", cfg.Baselines)
	}
	var selections []*pipeline.Selection
	run := func(tb *store.Tables) map[[2]string]float64 {
		res, err := pipeline.Run(context.Background(), tb, cfg, pipeline.Options{})
		if err != nil {
			t.Fatal(err)
		}
		selections = append(selections, res.Selection[target])
		out := map[[2]string]float64{}
		for _, p := range res.Predictions {
			out[[2]string{p.Method, p.ModelID}] = p.Predicted
		}
		return out
	}
	before := run(tables)
	scrambled, reported := scrambleCount(tables, target, nil)
	if reported == 0 {
		t.Fatal("no model trained on the target reports an accuracy: the test needs one")
	}
	after := run(scrambled)
	methods := map[string]bool{}
	for k := range before {
		methods[k[0]] = true
	}
	if !methods["metadata"] || !methods[cfg.Method()] {
		t.Fatalf("methods %v: want ours and the metadata baseline", methods)
	}
	if len(before) != len(after) {
		t.Fatalf("predictions: %d before, %d after", len(before), len(after))
	}
	for k, v := range before {
		if after[k] != v {
			t.Fatalf("%s %s: prediction changed from %v to %v when the target's records changed", k[0], k[1], v, after[k])
		}
	}
	// Nested selection for the target ran on every candidate of the space
	// and chose the same, with the same inner scores to the bit.
	if cfg.Selection.Mode != pipeline.SelectNested || len(selections[0].Scores) < 8 {
		t.Fatalf("selection %+v: the test needs nested selection over a real space", selections[0])
	}
	if !reflect.DeepEqual(selections[0], selections[1]) {
		t.Errorf("selection changed when the target's records changed:\n%+v\n%+v", selections[0], selections[1])
	}
	if slices.Contains(selections[0].InnerFolds, target) {
		t.Errorf("the target %s is one of its own inner folds %v", target, selections[0].InnerFolds)
	}
}

func TestBuildGraphRefusesNothingFromTarget(t *testing.T) {
	tables, targets := smallZoo(t)
	d, err := pipeline.Clean(tables, pipeline.DefaultConfig().Clean)
	if err != nil {
		t.Fatal(err)
	}
	ti, _ := d.DatasetIndex(targets[0])
	g, err := pipeline.BuildGraph(d, ti, pipeline.DefaultConfig().Graph)
	if err != nil {
		t.Fatal(err)
	}
	if g.FinetuneEdges == 0 || g.NegativePairs == 0 {
		t.Errorf("graph has %d fine-tune edges and %d negative pairs", g.FinetuneEdges, g.NegativePairs)
	}
	ft, err := pipeline.Features(d, ti, g, nil, pipeline.FeaturesZoograph, pipeline.LearnerNone, pipeline.DefaultConfig().FeatureOptions, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, di := range ft.TrainDataset {
		if di == ti {
			t.Fatalf("training row %d is on the target", i)
		}
	}
	if len(ft.TestModels) == 0 {
		t.Fatal("no test rows")
	}
}

func TestConfigValidate(t *testing.T) {
	for name, mutate := range map[string]func(*pipeline.Config){
		"protocol":  func(c *pipeline.Config) { c.Protocols = []string{"exact"} },
		"learner":   func(c *pipeline.Config) { c.Learner = "deepwalk" },
		"regressor": func(c *pipeline.Config) { c.Regressor = "svm" },
		"features":  func(c *pipeline.Config) { c.Features = "all" },
		"baseline":  func(c *pipeline.Config) { c.Baselines = []pipeline.Baseline{"oracle"} },
		"seeds":     func(c *pipeline.Config) { c.Seeds = 0 },
		"threshold": func(c *pipeline.Config) { c.Graph.PositiveThreshold = 1 },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := pipeline.DefaultConfig()
			mutate(&cfg)
			if err := cfg.Validate(); err == nil {
				t.Errorf("Validate accepted a bad %s", name)
			}
		})
	}
	cfg := pipeline.DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Errorf("default config: %v", err)
	}
}

// TestCleanMergesModelRows checks that a model present twice — a crawled
// Hub row and a benchmark row — becomes one model with both rows' metadata.
func TestCleanMergesModelRows(t *testing.T) {
	tables := &store.Tables{
		Models: []store.Model{
			{ModelID: "org/m", Downloads: 1234, Tags: []string{"vision"}, ReportedAccuracy: math.NaN(), Source: "hub"},
			{ModelID: "org/m", ModelType: "vit", NumParameters: 86e6, ReportedAccuracy: 0.9, Source: "transfergraph/image_classification"},
		},
		Finetunes: []store.Finetune{{ModelID: "org/m", DatasetID: "d", Accuracy: 0.5, Method: "full"}},
	}
	d, err := pipeline.Clean(tables, pipeline.DefaultConfig().Clean)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Models) != 1 {
		t.Fatalf("%d models, want 1", len(d.Models))
	}
	m := d.Models[0]
	if m.Downloads != 1234 || m.ModelType != "vit" || m.NumParameters != 86e6 || m.ReportedAccuracy != 0.9 {
		t.Errorf("merged model = %+v", m)
	}
}

// TestCleanIgnoresRecordsWithoutIDs checks that a fine-tuning record without
// a dataset or model id is dropped rather than credited to the first
// dataset or model.
func TestCleanIgnoresRecordsWithoutIDs(t *testing.T) {
	tables := &store.Tables{
		Finetunes: []store.Finetune{
			{ModelID: "org/m", DatasetID: "a", Accuracy: 0.5, Method: "full"},
			{ModelID: "org/m", DatasetID: "", Accuracy: 0.9, Method: "full"},
			{ModelID: "", DatasetID: "a", Accuracy: 0.1, Method: "full"},
		},
		DatasetDistances: []store.DatasetDistance{{DatasetA: "", DatasetB: "a", Distance: 3}},
	}
	d, err := pipeline.Clean(tables, pipeline.DefaultConfig().Clean)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Models) != 1 || len(d.Datasets) != 1 {
		t.Fatalf("%d models and %d datasets, want 1 and 1", len(d.Models), len(d.Datasets))
	}
	mi, _ := d.ModelIndex("org/m")
	di, _ := d.DatasetIndex("a")
	if got, want := d.Accuracy(di, mi), 0.5; got != want {
		t.Errorf("accuracy of org/m on a = %v, want %v", got, want)
	}
}

// TestRunCancelled checks that a cancelled run starts no task and says why,
// even with no learner (the embedding is the only stage that checks ctx).
func TestRunCancelled(t *testing.T) {
	tables, targets := smallZoo(t)
	cfg := fastConfig(targets)
	cfg.Learner = pipeline.LearnerNone
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var done int
	_, err := pipeline.Run(ctx, tables, cfg, pipeline.Options{Progress: func(n, _ int) { done = n }})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run on a cancelled context: err = %v, want context.Canceled", err)
	}
	if done != 0 {
		t.Errorf("%d tasks ran after cancellation, want 0", done)
	}
}

// TestAblate checks the ablation table: one row per variant plus the full
// method and metadata only, every variant paired with the full method on
// the same (target, seed) cells, and the full row at Δ = 0.
func TestAblate(t *testing.T) {
	tables, targets := smallZoo(t)
	cfg := fastConfig(targets[:2])
	cfg.FeatureOptions.CrossFitFolds = 2 // the full method cross-fits: the ablation has a row without
	a, err := pipeline.Ablate(context.Background(), tables, cfg, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range a.Rows {
		names = append(names, r.Variant)
		if r.Pairs != 2*cfg.Seeds {
			t.Errorf("%s: %d pairs, want %d targets × %d seeds", r.Variant, r.Pairs, 2, cfg.Seeds)
		}
		if math.IsNaN(r.Pearson) || !(r.DeltaLo <= r.Delta && r.Delta <= r.DeltaHi) {
			t.Errorf("%s: Pearson %v, Δ %v not inside [%v, %v]", r.Variant, r.Pearson, r.Delta, r.DeltaLo, r.DeltaHi)
		}
	}
	want := []string{"full", "no graph learner", "no cross-fitting", "no history features", "no prior", "prior only", "no metadata stacking", "metadata only"}
	if !slices.Equal(names, want) {
		t.Fatalf("rows %v, want %v", names, want)
	}
	if full := a.Rows[0]; full.Delta != 0 || full.DeltaLo != 0 || full.DeltaHi != 0 {
		t.Errorf("full method paired with itself: Δ %v [%v, %v], want 0", full.Delta, full.DeltaLo, full.DeltaHi)
	}
	var md strings.Builder
	a.WriteMarkdown(&md)
	for _, w := range want {
		if !strings.Contains(md.String(), "| "+w+":") {
			t.Errorf("ablation table lacks %q:\n%s", w, md.String())
		}
	}
	dir := filepath.Join(t.TempDir(), "ablation")
	if err := pipeline.WriteAblation(dir, a, tables, "zoo", "abc"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ablation.md", "ablation.json", filepath.Join("full", pipeline.FileReportMD)} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

// TestGNNLearners runs GraphSAGE (link prediction) and GAT (edge
// regression on the history's normalised accuracies) as learners, checks
// their decoder's score is a feature, and that scrambling the target's
// records changes none of the target's predictions.
func TestGNNLearners(t *testing.T) {
	tables, targets := smallZoo(t)
	for _, tc := range []struct {
		learner    pipeline.Learner
		regression bool
	}{{pipeline.LearnerGraphSAGE, false}, {pipeline.LearnerGAT, true}} {
		t.Run(tc.learner.String(), func(t *testing.T) {
			cfg := fastConfig(targets[:1])
			cfg.Seeds, cfg.Baselines, cfg.Protocols = 1, nil, []string{"clean"}
			cfg.Learner, cfg.Selection.Mode = tc.learner, pipeline.SelectFixed
			cfg.GNN.Epochs = 40
			if tc.regression {
				if err := cfg.GNN.Objective.UnmarshalText([]byte("regression")); err != nil {
					t.Fatal(err)
				}
			}
			run := func(tb *store.Tables) *pipeline.Result {
				res, err := pipeline.Run(context.Background(), tb, cfg, pipeline.Options{})
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			before := run(tables)
			if !slices.Contains(before.Features, "emb_score") {
				t.Errorf("features %v lack the GNN's pair score", before.Features)
			}
			scrambled := *tables
			scrambled.Finetunes = slices.Clone(tables.Finetunes)
			for i := range scrambled.Finetunes {
				if f := &scrambled.Finetunes[i]; f.DatasetID == targets[0] {
					f.Accuracy = 1 - f.Accuracy
				}
			}
			after := run(&scrambled)
			if len(before.Predictions) == 0 || len(before.Predictions) != len(after.Predictions) {
				t.Fatalf("predictions: %d before, %d after", len(before.Predictions), len(after.Predictions))
			}
			for i, p := range before.Predictions {
				if q := after.Predictions[i]; q.ModelID != p.ModelID || q.Predicted != p.Predicted {
					t.Fatalf("%s: prediction changed from %v to %v when the target's records changed", p.ModelID, p.Predicted, q.Predicted)
				}
			}
		})
	}
}

// TestMetadataBaselineIndependentOfSelection runs the same zoo twice, with
// nested selection choosing zoograph's tree depth and rounds from {3}, {60}
// and from {5}, {30}: zoograph's predictions differ, the metadata baseline's
// do not by a bit, since its trees take the run's configured depth and
// rounds.
func TestMetadataBaselineIndependentOfSelection(t *testing.T) {
	tables, targets := smallZoo(t)
	cfg := fastConfig(targets[:1])
	cfg.Seeds = 1
	cfg.Protocols = []string{"clean"}
	cfg.Baselines = []pipeline.Baseline{pipeline.BaselineMetadata}
	cfg.Learner, cfg.Selection.Learners = pipeline.LearnerNone, []pipeline.Learner{pipeline.LearnerNone}
	run := func(depth, trees int) map[string]map[[2]string]float64 {
		c := cfg
		c.Selection.GBDTMaxDepths, c.Selection.GBDTTrees = []int{depth}, []int{trees}
		c.Selection.MetadataWeights = []float64{0} // a stacked score would mix the baseline in
		return allPredictionsOf(t, tables, c)
	}
	a, b := run(3, 60), run(5, 30)
	method := cfg.Method()
	if len(a[method]) == 0 || maps.Equal(a[method], b[method]) {
		t.Errorf("%s: %d predictions, the same at depths 3 and 5; the test would not see a difference", method, len(a[method]))
	}
	if len(a["metadata"]) == 0 || !maps.Equal(a["metadata"], b["metadata"]) {
		t.Errorf("metadata baseline: %d predictions, and they changed with zoograph's selected depth and rounds", len(a["metadata"]))
	}
}

// TestSelectionTooFewInnerDatasets checks that nested selection on a zoo
// with one history dataset besides the target says how to run without it,
// in the config's words and the command line's.
func TestSelectionTooFewInnerDatasets(t *testing.T) {
	tables, targets := smallZoo(t)
	keep := targets[:2]
	tables.Finetunes = slices.DeleteFunc(slices.Clone(tables.Finetunes), func(f store.Finetune) bool { return !slices.Contains(keep, f.DatasetID) })
	_, err := pipeline.Run(context.Background(), tables, fastConfig(targets[:1]), pipeline.Options{})
	want := "selection for " + targets[0] + ": 1 inner datasets with history, want at least 2 (or fixed settings: selection.mode fixed, --selection fixed)"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}
