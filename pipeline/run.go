package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/mat"

	"github.com/zoograph/zoograph/graphlearn/regress"
	"github.com/zoograph/zoograph/pipeline/evaluate"
	"github.com/zoograph/zoograph/store"
)

// ErrLeak reports that something recorded on a held-out target would have
// reached its graph or its regressor's training rows. Run never returns
// results when it happens.
var ErrLeak = errors.New("leave-one-dataset-out violated")

// Options are the run-time settings that do not change results.
type Options struct {
	Logger *slog.Logger
	// Progress is called after each finished unit of work — an inner fold
	// of nested selection or a (target, seed) task — with the
	// number done and the total; nil = none. Calls come from the worker
	// goroutines but never overlap, and done increases by one each time.
	Progress func(done, total int)
}

// Result is everything a run produces.
type Result struct {
	Config      Config
	Method      string
	Targets     []string
	Predictions []store.Prediction
	// Metrics per protocol, in the evaluation data contract.
	Metrics []store.Metric
	// Eval is the evaluation of each protocol, for reports and charts.
	Eval map[string]*evaluate.Result
	// References are the methods of Config.ReferencePredictions evaluated
	// beside zoograph's.
	References []string
	// Timings are the summed seconds per stage over all tasks; Wall is the
	// run's elapsed time.
	Timings map[string]float64
	Wall    time.Duration
	Dropped []DroppedDataset
	// WorkingSet says how much of the zoo Clean left out past
	// clean.max_cells (nil when it kept everything).
	WorkingSet *WorkingSet
	// Graph sizes per target.
	GraphStats map[string]GraphStats
	Features   []string
	// Selection is what was chosen for each target, and how (nested
	// selection's inner scores).
	Selection map[string]*Selection
	// History counts the fine-tuning records derived from the zoo's
	// model-index results (see WithHistory).
	History *HistoryReport
}

// GraphStats summarises one target's graph.
type GraphStats struct {
	Nodes, Edges, FinetuneEdges, NegativePairs int
}

// Run runs the experiment of cfg on the zoo's tables: for every target and
// seed it predicts every model's accuracy on the target with nothing recorded
// on the target, then evaluates every protocol of cfg.
func Run(ctx context.Context, zoo *store.Tables, cfg Config, opt Options) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, log: opt.Logger, timings: newTimings()}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	zoo, hist, err := r.clean(zoo)
	if err != nil {
		return nil, err
	}
	if r.targets, err = resolveTargets(zoo, r.data, cfg); err != nil {
		return nil, err
	}
	// A dataset the reference results or transferability scores name is a
	// default target all the same.
	if out := droppedOutside(r.data.Dropped, r.targets); len(cfg.Targets) == 0 && len(out) > 0 {
		why := make([]string, len(out))
		for i, dd := range out {
			why[i] = dd.String()
		}
		what := "a dataset kept out of the history is not a default target"
		if len(out) > 1 {
			what = fmt.Sprintf("%d datasets kept out of the history are not default targets", len(out))
		}
		r.log.Info(what+"; --targets evaluates one all the same", "datasets", strings.Join(why, "; "))
	}
	if hidden, keep := probeHidesHistory(r.data, cfg.Probe); len(hidden) > 0 {
		r.log.Warn(fmt.Sprintf("probe = %d reveals every model of %d history dataset(s), which then give no training rows: %s; probe = %d or less keeps them",
			cfg.Probe, len(hidden), strings.Join(hidden, ", "), keep), "probe", cfg.Probe, "largest_probe_keeping_them", keep)
	}
	res := &Result{Config: cfg, Method: cfg.Method(), Targets: r.targets, Dropped: r.data.Dropped, WorkingSet: r.data.WorkingSet,
		GraphStats: map[string]GraphStats{}, History: &hist.Report}
	r.tis = make([]int, len(r.targets))
	for i, name := range r.targets {
		r.tis[i], _ = r.data.DatasetIndex(name)
		if why, ok := r.data.whyDropped(r.tis[i]); ok {
			// Its records are no history for the others; as a target they
			// are evaluated all the same, and its metrics say little.
			r.log.Warn(fmt.Sprintf("target %s: the screen that keeps datasets as history left it out (%s): its metrics say little", name, why),
				"target", name)
		}
	}
	r.prog = &progress{report: opt.Progress, total: selectionJobs(r.data, r.tis, cfg) + len(r.targets)*cfg.Seeds}
	if res.Selection, err = r.chooseSettings(ctx); err != nil {
		return nil, err
	}
	graphs, err := r.coldGraphs(ctx, res.GraphStats)
	if err != nil {
		return nil, err
	}
	r.cfg.Baselines = availableBaselines(zoo, r.data, cfg.Baselines, r.log)
	res.Config.Baselines = r.cfg.Baselines
	if res.Predictions, res.Features, err = r.runTasks(ctx, graphs); err != nil {
		return nil, err
	}
	if err := r.evaluate(ctx, zoo, res); err != nil {
		return nil, err
	}
	res.Timings = r.timings.snapshot()
	res.Wall = time.Since(start)
	return res, nil
}

// probeHidesHistory returns the history datasets a probe of k (Config.Probe)
// hides from the training rows, each with its number of models: a history
// dataset reveals k of its models as a warm target does (revealModels), and
// revealed models are not training rows, so one with k or fewer gives none.
// keep is the largest probe that hides none of them, their fewest models
// minus one.
func probeHidesHistory(d *Data, k int) (hidden []string, keep int) {
	if k <= 0 {
		return nil, k
	}
	keep = k
	for di, ds := range d.Datasets {
		if n := len(d.TargetModels(di)); d.hasHistory[di] && n <= k {
			hidden = append(hidden, fmt.Sprintf("%s (%d models)", ds.DatasetID, n))
			keep = min(keep, n-1)
		}
	}
	return hidden, keep
}

// runner holds what the stages of one Run share: the cleaned data, the
// targets (ids and indexes), the settings chosen for each target, and the
// run's logger, timings and progress.
type runner struct {
	cfg     Config
	log     *slog.Logger
	timings *timings
	prog    *progress
	data    *Data
	targets []string
	tis     []int // dataset index of each target
	// cfgs is cfg with each target's selected settings applied, taken
	// before availableBaselines drops from cfg the baselines the zoo cannot
	// score (the tasks decide on the metadata baseline from these).
	cfgs []Config
}

// clean adds the zoo's model-index history to its tables (WithHistory) and
// cleans them into r.data, logging what was derived and dropped; it returns
// the tables with the history, and the history.
func (r *runner) clean(zoo *store.Tables) (*store.Tables, *History, error) {
	t0 := time.Now()
	zoo, hist := WithHistory(zoo)
	if hist.Report.Evals > 0 {
		r.log.Info("history from model-index", "records", hist.Report.Records, "evals", hist.Report.Evals,
			"base_models", hist.Report.BaseModels, "datasets", hist.Report.Datasets)
	}
	data, err := Clean(zoo, r.cfg.Clean)
	if err != nil {
		return nil, nil, err
	}
	r.timings.add("clean", time.Since(t0))
	if ws := data.WorkingSet; ws != nil {
		r.log.Info("working set: models neither recorded nor a base model above a recorded one, and datasets none of them names, left out (clean.max_cells)",
			"models", ws.Models, "models_left_out", ws.ModelsLeftOut, "datasets", ws.Datasets, "datasets_left_out", ws.DatasetsLeftOut)
	}
	for _, dd := range data.Dropped {
		r.log.Info("history dataset dropped", "reason", dd.String())
	}
	r.data = data
	return zoo, hist, nil
}

// chooseSettings chooses each target's settings by nested selection, without
// anything recorded on it, sets r.cfgs, and returns the selections by
// target.
func (r *runner) chooseSettings(ctx context.Context) (map[string]*Selection, error) {
	t0 := time.Now()
	sel, err := selectSettings(ctx, r.data, r.tis, r.cfg, r.timings, r.prog.step)
	if err != nil {
		return nil, err
	}
	r.timings.add("selection (wall)", time.Since(t0))
	r.cfgs = make([]Config, len(r.targets))
	out := map[string]*Selection{}
	for i, name := range r.targets {
		r.cfgs[i] = sel[i].apply(r.cfg)
		out[name] = sel[i]
		r.log.Debug("selected", "target", name, "settings", sel[i].Chosen.String())
	}
	return out, nil
}

// coldGraphs builds each target's graph once, recording its size in stats.
// Cold graphs do not depend on the seed, so the returned graphs serve every
// seed; with a probe (warm graphs, their revealed models drawn per seed)
// every entry is nil and each task builds its own.
// The graphs are built on cfg.Workers goroutines.
func (r *runner) coldGraphs(ctx context.Context, stats map[string]GraphStats) ([]*TargetGraph, error) {
	graphs := make([]*TargetGraph, len(r.targets))
	sizes := make([]GraphStats, len(r.targets))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.cfg.Workers)
	for i, name := range r.targets {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			t0 := time.Now()
			tg, err := BuildWarmGraph(r.data, r.tis[i], r.cfgs[i].Graph, r.cfg.Probe, r.cfg.Seed)
			if err != nil {
				return fmt.Errorf("graph of %s: %w", name, err)
			}
			if r.cfg.Probe == 0 {
				graphs[i] = tg
			}
			sizes[i] = GraphStats{Nodes: tg.Graph.NumNodes(), Edges: tg.Graph.NumEdges(),
				FinetuneEdges: tg.FinetuneEdges, NegativePairs: tg.NegativePairs}
			r.timings.add("graph", time.Since(t0))
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, name := range r.targets {
		stats[name] = sizes[i]
	}
	return graphs, nil
}

// runTasks runs every (target, seed) task on cfg.Workers goroutines and
// returns their predictions, sorted by method, target, seed and model, and
// the feature names of the first target's first seed (tasks finish in any
// order, and targets may differ in columns when selection chose different
// learners: the report names one task's, the same in every run). The first
// failure (or ctx's
// cancellation) stops the launch of further tasks and is returned.
func (r *runner) runTasks(ctx context.Context, graphs []*TargetGraph) ([]store.Prediction, []string, error) {
	var (
		mu       sync.Mutex
		preds    []store.Prediction
		features []string
		first    = -1 // the task index features come from
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.cfg.Workers)
	for ti := range r.targets {
		for s := range r.cfg.Seeds {
			g.Go(func() error {
				// Stop launching work once a task failed or ctx was cancelled:
				// not every stage checks ctx (learner none skips the embedding).
				if err := gctx.Err(); err != nil {
					return err
				}
				out, names, err := r.task(gctx, ti, r.cfg.Seed+uint64(s), graphs[ti])
				if err != nil {
					return err
				}
				mu.Lock()
				preds = append(preds, out...)
				if k := ti*r.cfg.Seeds + s; first < 0 || k < first {
					features, first = names, k
				}
				mu.Unlock()
				r.prog.step()
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	slices.SortFunc(preds, func(a, b store.Prediction) int {
		return cmp.Or(strings.Compare(a.Method, b.Method), strings.Compare(a.Target, b.Target),
			cmp.Compare(a.Seed, b.Seed), strings.Compare(a.ModelID, b.ModelID))
	})
	return preds, features, nil
}

// task runs target ti with seed (runTask) on its cold graph tg, or, when tg
// is nil, on a warm graph it builds for the seed; errors name the target and
// seed.
func (r *runner) task(ctx context.Context, ti int, seed uint64, tg *TargetGraph) ([]store.Prediction, []string, error) {
	name := r.targets[ti]
	if tg == nil {
		t0 := time.Now()
		var err error
		if tg, err = graphFor(r.data, r.tis[ti], r.cfgs[ti].Graph, r.cfgs[ti].Learner, r.cfg.Probe, seed); err != nil {
			return nil, nil, fmt.Errorf("graph of %s, seed %d: %w", name, seed, err)
		}
		r.timings.add("graph", time.Since(t0))
	}
	out, names, err := runTask(ctx, r.data, r.tis[ti], tg, r.cfgs[ti], r.cfg.GBDT, seed, r.timings)
	if err != nil {
		return nil, nil, fmt.Errorf("target %s, seed %d: %w", name, seed, err)
	}
	r.log.Debug("task done", "target", name, "seed", seed)
	return out, names, nil
}

// evaluate scores res.Predictions, beside the reference predictions of the
// config on the run's targets, under every protocol of the config, and
// stores the evaluations and metrics in res.
func (r *runner) evaluate(ctx context.Context, zoo *store.Tables, res *Result) error {
	t0 := time.Now()
	refs, err := ReadReferencePredictions(zoo, r.cfg, nil) // warned about by the caller, once
	if err != nil {
		return err
	}
	refs = referencesOn(refs, r.targets)
	res.References = referenceMethods(refs)
	// The protocols are evaluated in parallel, each on its own copy of the
	// predictions; the zoo is only read.
	evs := make([]*evaluate.Result, len(r.cfg.Protocols))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.cfg.Workers)
	for i, protocol := range r.cfg.Protocols {
		g.Go(func() error {
			ev, err := evaluate.Evaluate(gctx, zoo, append(toEvalPredictions(res.Predictions), refs...), evaluate.Options{
				Protocol:  evaluate.Protocol(protocol),
				Targets:   r.targets,
				Baselines: baselinesOf(r.cfg),
				Seed:      int64(r.cfg.Seed),
				// history_mean reads the history zoograph's features read
				HistoryDatasets: r.data.historyIDs(),
			})
			if err != nil {
				return fmt.Errorf("evaluate (%s protocol): %w", protocol, err)
			}
			evs[i] = ev
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	res.Eval = map[string]*evaluate.Result{}
	for i, protocol := range r.cfg.Protocols {
		res.Eval[protocol] = evs[i]
		res.Metrics = append(res.Metrics, evs[i].Metrics...)
	}
	r.timings.add("evaluate", time.Since(t0))
	return nil
}

// runTask runs graph → embed → features → train → predict for one target and
// seed, for zoograph's method with its target's settings cfg and, when
// configured, the metadata baseline, whose trees take the run's configured
// options metaGBDT (depth, rounds) rather than those selection chose for
// zoograph, so that the baseline is the same whatever the method's learner
// and settings.
func runTask(ctx context.Context, d *Data, t int, tg *TargetGraph, cfg Config, metaGBDT regress.GBDTOptions, seed uint64, tm *timings) ([]store.Prediction, []string, error) {
	task := *tg // a cold graph serves every seed: the task's seed draws its training rows
	task.Seed = seed
	tg = &task
	target := d.Datasets[t].DatasetID

	rows := func(ft *FeatureTable, scores []float64, method string) []store.Prediction {
		out := make([]store.Prediction, len(ft.TestModels))
		for i, mi := range ft.TestModels {
			out[i] = store.Prediction{Target: target, ModelID: d.Models[mi].ModelID, Method: method,
				Seed: int64(seed), Predicted: scores[i], Actual: d.acc[t][mi]}
		}
		return out
	}
	in := scoreInput{d: d, t: t, tg: tg, seed: seed}
	var metaFT *FeatureTable
	if cfg.stacksMetadata() || slices.Contains(cfg.Baselines, "metadata") {
		var err error
		if metaFT, in.meta, err = metadataPredict(d, t, tg, cfg, metaGBDT, seed, nil, tm); err != nil {
			return nil, nil, fmt.Errorf("%s regressor: %w", BaselineMetadata, err)
		}
		in.metaModels = metaFT.TestModels
	}
	scores, ft, err := methodScores(ctx, in, cfg, tm)
	if err != nil {
		return nil, nil, err
	}
	preds := rows(ft, scores, cfg.Method())
	if slices.Contains(cfg.Baselines, "metadata") {
		preds = append(preds, rows(metaFT, in.meta, string(BaselineMetadata))...)
	}
	return preds, ft.Names, nil
}

// metadataPredict fits the metadata-only regressor — model and dataset
// metadata alone, a plain regressor (never failure-aware) with the GBDT
// options gbdt, whatever selection chose for the method — on t's training
// rows and predicts testModels (nil: t's test models as Features chooses
// them). It is the metadata baseline and the regressor that
// Config.MetadataWeight stacks onto the method's score.
func metadataPredict(d *Data, t int, tg *TargetGraph, cfg Config, gbdt regress.GBDTOptions, seed uint64, testModels []int,
	tm *timings) (*FeatureTable, []float64, error) {
	t0 := time.Now()
	ft, err := Features(d, t, tg, nil, FeaturesMetadata, LearnerNone, cfg.FeatureOptions, testModels)
	if err != nil {
		return nil, nil, err
	}
	tm.add("features", time.Since(t0))
	t0 = time.Now()
	c := cfg
	c.FailureAware, c.GBDT = false, gbdt
	scores, err := fitPredict(ft, c, seed)
	if err != nil {
		return nil, nil, err
	}
	tm.add("train+predict", time.Since(t0))
	return ft, scores, nil
}

// metadataScores is metadataPredict's predictions alone.
func metadataScores(d *Data, t int, tg *TargetGraph, cfg Config, gbdt regress.GBDTOptions, seed uint64, testModels []int) ([]float64, error) {
	_, scores, err := metadataPredict(d, t, tg, cfg, gbdt, seed, testModels, newTimings())
	return scores, err
}

// stackMetadata mixes scores with the metadata-only regressor's predictions
// meta of the same models: (1 − v)·z(scores) + v·z(meta). With v = 0 (or
// no meta) scores are left as they are; a model without a metadata
// prediction keeps its standardised score.
func stackMetadata(scores, meta []float64, v float64) {
	if v <= 0 || meta == nil {
		return
	}
	mixZ(scores, zscore(scores), zscore(meta), 1-v, v)
}

// fitPredict trains on the table's training rows and predicts its test
// rows (fitTable).
func fitPredict(ft *FeatureTable, cfg Config, seed uint64) ([]float64, error) {
	pred, err := fitTable(ft, []*mat.Dense{ft.Test}, cfg, seed)
	if err != nil {
		return nil, err
	}
	return pred[0], nil
}

// fitTable trains on ft's training rows and predicts the rows of every
// matrix of tests: the configured regressor, or with cfg.FailureAware the
// failure-aware expected accuracy (fitPredictFailureAware).
func fitTable(ft *FeatureTable, tests []*mat.Dense, cfg Config, seed uint64) ([][]float64, error) {
	if cfg.FailureAware {
		return fitPredictFailureAware(ft, tests, cfg, seed)
	}
	return fitPredictAll(ft.Train, ft.Label, tests, cfg, seed)
}

// fitPredictAll trains the configured regressor on train and label and
// predicts the rows of every matrix of tests with it (a row's prediction
// does not depend on the other rows). Linear and forest regressors get
// missing values imputed with the training column mean, in copies: the
// callers read the feature table again afterwards (the prior column, whose
// missing values mean "no prior"); GBDT learns where to send them.
func fitPredictAll(train *mat.Dense, label []float64, tests []*mat.Dense, cfg Config, seed uint64) ([][]float64, error) {
	out, err := fitPredictStages(train, label, tests, cfg, seed, nil)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// fitTableStaged is fitTable once per tree count of trees (0: the
// configured count), returning preds[count][test]. A plain GBDT fits once,
// with the most rounds, and reads every count's predictions off its first
// trees, which are those of a fit with that many rounds (bit for bit); the
// failure-aware model and the other regressors fit once per count.
func fitTableStaged(ft *FeatureTable, tests []*mat.Dense, cfg Config, seed uint64, trees []int) ([][][]float64, error) {
	if cfg.Regressor != RegressorGBDT || cfg.FailureAware || len(trees) < 2 || slices.Contains(trees, 0) {
		out := make([][][]float64, len(trees))
		for n, k := range trees {
			c := cfg
			if k > 0 {
				c.GBDT.Trees = k
			}
			var err error
			if out[n], err = fitTable(ft, tests, c, seed); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	stages := slices.Sorted(slices.Values(trees))
	stages = slices.Compact(stages)
	c := cfg
	c.GBDT.Trees = stages[len(stages)-1]
	staged, err := fitPredictStages(ft.Train, ft.Label, tests, c, seed, stages)
	if err != nil {
		return nil, err
	}
	out := make([][][]float64, len(trees))
	for n, k := range trees {
		out[n] = staged[slices.Index(stages, k)]
	}
	return out, nil
}

// fitPredictStages is fitPredictAll returning preds[stage][test]: with
// stages (ascending tree counts, GBDT only) the predictions of the fit's
// first stages[s] trees; without, one stage, the fit's predictions.
func fitPredictStages(train *mat.Dense, label []float64, tests []*mat.Dense, cfg Config, seed uint64, stages []int) ([][][]float64, error) {
	var r regress.Regressor
	switch cfg.Regressor {
	case RegressorLinear:
		r = regress.NewLinear(cfg.Linear)
		train, tests = imputeMeans(train, tests)
	case RegressorForest:
		o := cfg.Forest
		o.Seed, o.Workers = seed, 1
		r = regress.NewForest(o)
		train, tests = imputeMeans(train, tests)
	default:
		o := cfg.GBDT
		o.Seed, o.Workers = seed, 1
		r = regress.NewGBDT(o)
	}
	if cfg.Regressor != RegressorLinear {
		train, tests = dropConstant(train, tests)
	}
	gb, _ := r.(*regress.GBDT)
	if len(stages) > 0 && gb == nil {
		return nil, fmt.Errorf("staged predictions need the gbdt regressor, not %s", cfg.Regressor)
	}
	if err := r.Fit(train, label); err != nil {
		return nil, err
	}
	out := make([][][]float64, max(1, len(stages)))
	for s := range out {
		out[s] = make([][]float64, len(tests))
	}
	for k, test := range tests {
		if len(stages) == 0 {
			var err error
			if out[0][k], err = r.Predict(test); err != nil {
				return nil, err
			}
			continue
		}
		staged, err := gb.PredictStaged(test, stages)
		if err != nil {
			return nil, err
		}
		for s := range stages {
			out[s][k] = staged[s]
		}
	}
	return out, nil
}

// dropConstant returns train and tests without the columns that hold one
// value (or only NaN) in every training row: a tree can never split on
// them, and a zoo without distances, downloads or image sizes has a dozen,
// each costing the trees a histogram per node. Returns the matrices
// themselves when no column is constant.
func dropConstant(train *mat.Dense, tests []*mat.Dense) (*mat.Dense, []*mat.Dense) {
	rows, cols := train.Dims()
	if rows < 2 {
		return train, tests
	}
	var keep []int
	for j := range cols {
		first := train.At(0, j)
		for i := 1; i < rows; i++ {
			if v := train.At(i, j); v != first && !(math.IsNaN(v) && math.IsNaN(first)) {
				keep = append(keep, j)
				break
			}
		}
	}
	if len(keep) == cols || len(keep) == 0 {
		return train, tests
	}
	sub := func(m *mat.Dense) *mat.Dense {
		r, _ := m.Dims()
		out := mat.NewDense(r, len(keep), nil)
		for i := range r {
			src, dst := m.RawRowView(i), out.RawRowView(i)
			for k, j := range keep {
				dst[k] = src[j]
			}
		}
		return out
	}
	subs := make([]*mat.Dense, len(tests))
	for k, test := range tests {
		subs[k] = sub(test)
	}
	return sub(train), subs
}

// imputeMeans returns copies of train and of every test matrix with their
// NaN cells replaced by the training column mean (0 when the whole training
// column is missing); the arguments are left as they are.
func imputeMeans(train *mat.Dense, tests []*mat.Dense) (*mat.Dense, []*mat.Dense) {
	train = mat.DenseCopyOf(train)
	copies := make([]*mat.Dense, len(tests))
	for k, t := range tests {
		copies[k] = mat.DenseCopyOf(t)
	}
	tests = copies
	rows, cols := train.Dims()
	for j := range cols {
		var s, n float64
		for i := range rows {
			if v := train.At(i, j); !math.IsNaN(v) {
				s += v
				n++
			}
		}
		mean := 0.0
		if n > 0 {
			mean = s / n
		}
		for _, m := range append([]*mat.Dense{train}, tests...) {
			r, _ := m.Dims()
			for i := range r {
				if math.IsNaN(m.At(i, j)) {
					m.Set(i, j, mean)
				}
			}
		}
	}
	return train, tests
}

// CheckTargets returns the ErrUnknownTarget error of the first of targets
// that is no dataset of zoo (of its datasets table or fine-tuning records),
// with the dataset it likely stands for, or nil when zoo knows them all:
// for the commands that evaluate a zoo without running the pipeline
// (baseline, eval), so that their --targets are checked as run's are.
func CheckTargets(zoo *store.Tables, targets []string) error {
	ids := zoo.DatasetIDs()
	for _, name := range targets {
		if slices.Contains(ids, name) {
			continue
		}
		return &unknownTargetError{id: name, hint: cmp.Or(didYouMean(name, ids), "zoograph inspect ZOO datasets lists the zoo's datasets")}
	}
	return nil
}

// datasetIDs are the ids of d's datasets, in order.
func (d *Data) datasetIDs() []string {
	ids := make([]string, len(d.Datasets))
	for i, ds := range d.Datasets {
		ids[i] = ds.DatasetID
	}
	return ids
}

// didYouMean suggests the dataset of ids a target name not among them
// stands for. It returns "" when there is none.
func didYouMean(name string, ids []string) string {
	if id := store.NearestDatasetID(name, ids); id != "" {
		return fmt.Sprintf("did you mean %q?", id)
	}
	return ""
}

// DefaultTargets are the targets run takes when none are named: the zoo's
// reference results' targets, else the datasets with transferability
// scores, else those with cfg.MinTargetModels fine-tuned models that the
// history screen keeps (Clean with cfg.Clean), in id order. It is an error
// when there is none.
func DefaultTargets(zoo *store.Tables, cfg Config) ([]string, error) {
	zoo, _ = WithHistory(zoo)
	d, err := Clean(zoo, cfg.Clean)
	if err != nil {
		return nil, err
	}
	cfg.Targets = nil
	return resolveTargets(zoo, d, cfg)
}

// resolveTargets returns cfg.Targets, checked, or the default targets.
func resolveTargets(zoo *store.Tables, d *Data, cfg Config) ([]string, error) {
	var out []string
	if len(cfg.Targets) > 0 {
		for _, name := range cfg.Targets {
			if slices.Contains(out, name) {
				continue // a repeated target would be run and evaluated twice
			}
			di, ok := d.DatasetIndex(name)
			if !ok && !knownDataset(zoo, name) {
				return nil, &unknownTargetError{id: name, hint: cmp.Or(didYouMean(name, d.datasetIDs()), possibleTargets(d))}
			}
			if !ok || len(d.TargetModels(di)) < 3 { // !ok: left out of the working set, nothing recorded on it
				return nil, fmt.Errorf("target %q: fewer than 3 models with a recorded accuracy", name)
			}
			out = append(out, name)
		}
		return out, nil
	}
	seen := map[string]bool{}
	pick := func(name string) {
		if di, ok := d.DatasetIndex(name); ok && !seen[name] && len(d.TargetModels(di)) >= 3 {
			seen[name] = true
			out = append(out, name)
		}
	}
	for _, r := range zoo.ReferenceResults {
		if r.Target != "" && r.Target[0] != '_' {
			pick(r.Target)
		}
	}
	if len(out) == 0 {
		for _, s := range zoo.Scores {
			if slices.Contains(transferMethods, s.Method) { // a probe on one dataset makes no target
				pick(s.DatasetID)
			}
		}
	}
	if len(out) == 0 {
		for di, ds := range d.Datasets {
			if len(d.TargetModels(di)) >= cfg.MinTargetModels && d.hasHistory[di] {
				pick(ds.DatasetID)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no target dataset: no dataset has %d or more fine-tuned models with usable history "+
			"(a small zoo, e.g. one crawl: lower min_target_models and clean.min_dataset_models in a config file, "+
			`e.g. {"min_target_models": 5, "clean": {"min_dataset_models": 3}})`, cfg.MinTargetModels)
	}
	slices.Sort(out)
	return out, nil
}

// possibleTargets names the datasets of d that could be targets (3 or more
// models with a recorded accuracy), the first ten in id order, for an error
// about a target the zoo does not hold.
func possibleTargets(d *Data) string {
	var ids []string
	for di, ds := range d.Datasets {
		if len(d.TargetModels(di)) >= 3 {
			ids = append(ids, ds.DatasetID)
		}
	}
	if len(ids) == 0 {
		return "no dataset of the zoo has 3 or more models with a recorded accuracy"
	}
	slices.Sort(ids)
	n := len(ids)
	if n > 10 {
		ids = append(ids[:10], "…")
	}
	return fmt.Sprintf("the %d datasets with 3 or more fine-tuned models: %s", n, strings.Join(ids, ", "))
}

// availableBaselines returns the baselines of names the zoo has data for,
// logging the others: logme and reg_h_score need their scores, downloads
// download counts, probe probe scores, history_mean a history dataset.
func availableBaselines(zoo *store.Tables, d *Data, names []Baseline, log *slog.Logger) []Baseline {
	has := map[string]bool{"random": true, "metadata": true}
	for _, s := range zoo.Scores {
		has[s.Method] = true
	}
	for _, m := range zoo.Models {
		if m.Downloads > 0 {
			has["downloads"] = true
			break
		}
	}
	for _, p := range d.probe {
		if !math.IsNaN(p) {
			has["probe"] = true
			break
		}
	}
	has["history_mean"] = slices.Contains(d.hasHistory, true)
	var out []Baseline
	for _, b := range names {
		if has[string(b)] {
			out = append(out, b)
		} else {
			log.Info("baseline left out: the zoo has no data for it", "baseline", b)
		}
	}
	return out
}

func baselinesOf(cfg Config) []string {
	var out []string
	for _, b := range cfg.Baselines {
		if b != "metadata" { // metadata predictions are passed in with ours
			out = append(out, string(b))
		}
	}
	return out
}

func toEvalPredictions(preds []store.Prediction) []evaluate.Prediction {
	out := make([]evaluate.Prediction, len(preds))
	for i, p := range preds {
		seed := p.Seed
		out[i] = evaluate.Prediction{Method: p.Method, Seed: &seed, Target: p.Target, ModelID: p.ModelID, Score: p.Predicted}
	}
	return out
}

// progress counts finished units of work for Options.Progress.
type progress struct {
	mu          sync.Mutex
	done, total int
	report      func(done, total int)
}

func (p *progress) step() {
	if p.report == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.report(p.done, p.total)
}

// timings sums stage durations across concurrent tasks.
type timings struct {
	mu sync.Mutex
	s  map[string]float64
}

func newTimings() *timings { return &timings{s: map[string]float64{}} }

func (t *timings) add(stage string, d time.Duration) {
	t.mu.Lock()
	t.s[stage] += d.Seconds()
	t.mu.Unlock()
}

func (t *timings) snapshot() map[string]float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]float64, len(t.s))
	for k, v := range t.s {
		out[k] = v
	}
	return out
}

// blendPrior mixes the regressor's predictions with the history prior — the
// model's similarity-weighted history on the other datasets, the
// hubness-corrected kernel of width 0.5 — as
//
//	score = w·z(regressor) + (1 − w)·z(prior),
//
// z standardising over the target's models. The regressor learns from a
// dozen datasets and can overfit their idiosyncrasies; the prior is a
// robust, assumption-light estimate; their mixture beats both. Models
// without a prior get z(regressor), so every score is on the same scale.
// w = 1 turns blending off.
func blendPrior(scores []float64, ft *FeatureTable, w float64, priorName string) {
	col := priorColumn(ft, priorName)
	if w >= 1 || col < 0 {
		return
	}
	mixZ(scores, zscore(scores), zscore(testColumn(ft, col)), w, 1-w)
}

// testColumn returns column col of ft's test rows.
func testColumn(ft *FeatureTable, col int) []float64 {
	return mat.Col(nil, col, ft.Test)
}

// mixZ sets dst[i] to wa·za[i] + wb·zb[i], the mixture of two standardised
// scores; where zb[i] is NaN to za[i] (on the mixed scale, not dst's), and
// where za[i] is NaN it leaves dst[i].
func mixZ(dst, za, zb []float64, wa, wb float64) {
	for i := range dst {
		switch {
		case math.IsNaN(za[i]):
		case math.IsNaN(zb[i]):
			dst[i] = za[i]
		default:
			dst[i] = wa*za[i] + wb*zb[i]
		}
	}
}

// priorFeature is the history feature blended in as the prior; on a zoo
// without distances, where it is undefined, priorFallback.
const (
	priorFeature  = "hist_sim_0.5"
	priorFallback = "hist_agree"
)

// zscore standardises the finite values of v; NaN stays NaN, and a constant
// vector becomes zeros.
func zscore(v []float64) []float64 { return standardize(v, 0) }

// standardize returns the z-scores of the finite values of v; NaN stays
// NaN. When the finite values cannot be standardised (fewer than two, or
// all equal) each becomes degenerate.
func standardize(v []float64, degenerate float64) []float64 {
	var s, ss, n float64
	for _, x := range v {
		if !math.IsNaN(x) {
			s += x
			ss += x * x
			n++
		}
	}
	m := s / n
	sd := math.Sqrt(math.Max(ss/n-m*m, 0))
	out := make([]float64, len(v))
	for i, x := range v {
		switch {
		case math.IsNaN(x):
			out[i] = x
		case n < 2 || sd == 0:
			out[i] = degenerate
		default:
			out[i] = (x - m) / sd
		}
	}
	return out
}
