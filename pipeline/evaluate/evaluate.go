package evaluate

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/zoograph/zoograph/store"
)

// Protocol selects which (accuracy, score) pairs enter a target's metrics.
type Protocol string

const (
	// ProtocolPaper is the TransferGraph evaluation script, exactly.
	ProtocolPaper Protocol = "paper"
	// ProtocolClean is de-duplicated and evaluates every method on the same
	// models.
	ProtocolClean Protocol = "clean"
)

// ParseProtocol returns the protocol named s ("paper" or "clean").
func ParseProtocol(s string) (Protocol, error) {
	switch p := Protocol(s); p {
	case ProtocolPaper, ProtocolClean:
		return p, nil
	}
	return "", fmt.Errorf("unknown protocol %q (want %s or %s)", s, ProtocolPaper, ProtocolClean)
}

// Baseline method names.
const (
	BaselineLogME     = "logme"       // LogME scores of the zoo's scores table
	BaselineRegHScore = "reg_h_score" // Reg-H-Score scores of the zoo's scores table
	BaselineDownloads = "downloads"   // most downloaded: a model's downloads as its score
	BaselineRandom    = "random"      // seeded uniform scores
	BaselineMetadata  = "metadata"    // a metadata-only regressor; predictions passed in
	// BaselineHistoryMean scores a model by its mean standardised accuracy
	// on the datasets other than the target: (1/|D|) Σ_{d≠T} z_d(m), z_d
	// the accuracy standardised over d's models (mean of full fine-tunes).
	BaselineHistoryMean = "history_mean"
	// BaselineProbe scores a model by its probe score: the mean of its
	// scores of every method other than logme and reg_h_score, on any
	// dataset (model recycling's mnli_lp, a linear probe on MNLI).
	BaselineProbe = "probe"
)

// Aggregate targets of metrics rows.
const (
	TargetMean         = "_mean"          // simple mean over targets
	TargetWeightedMean = "_weighted_mean" // Σ w_T v_T / Σ w_T, w_T = max(a_T) − mean(a_T)
)

// DefaultRandomSeeds is how many seeds the random baseline averages over
// when Options.RandomSeeds is 0.
const DefaultRandomSeeds = 10

// ComputedBaselines returns the transferability baselines Evaluate
// computes from the zoo itself, the commands' default: logme, reg_h_score,
// downloads and random.
func ComputedBaselines() []string {
	return []string{BaselineLogME, BaselineRegHScore, BaselineDownloads, BaselineRandom}
}

// AllBaselines returns every baseline Evaluate computes from the zoo:
// ComputedBaselines, history_mean and probe.
func AllBaselines() []string {
	return append(ComputedBaselines(), BaselineHistoryMean, BaselineProbe)
}

// AvailableBaselines splits names into the baselines the zoo has data for
// and the others, each in names' order: logme and reg_h_score need scores
// of their method, downloads a model with downloads, probe a score of
// another method, history_mean fine-tuning records; random and metadata
// need nothing of the zoo.
func AvailableBaselines(zoo *store.Tables, names []string) (have, missing []string) {
	has := map[string]bool{BaselineRandom: true, BaselineMetadata: true, BaselineHistoryMean: len(zoo.Finetunes) > 0}
	for _, s := range zoo.Scores {
		if !finite(s.Score) {
			continue
		}
		if s.Method == BaselineLogME || s.Method == BaselineRegHScore {
			has[s.Method] = true
		} else {
			has[BaselineProbe] = true
		}
	}
	for _, m := range zoo.Models {
		if m.Downloads > 0 {
			has[BaselineDownloads] = true
			break
		}
	}
	for _, b := range names {
		if has[b] {
			have = append(have, b)
		} else {
			missing = append(missing, b)
		}
	}
	return have, missing
}

// isBaselineName reports whether a method name is one of the baselines, so
// its predictions never define the model set of the paper protocol.
func isBaselineName(m string) bool {
	switch m {
	case BaselineLogME, BaselineRegHScore, BaselineDownloads, BaselineRandom, BaselineMetadata,
		BaselineHistoryMean, BaselineProbe:
		return true
	}
	return false
}

// Sentinel errors.
var (
	// ErrNoGroundTruth: a target has no recorded fine-tuning accuracy.
	ErrNoGroundTruth = errors.New("no recorded fine-tuning accuracy")
	// ErrBadOptions: the options or predictions cannot be evaluated.
	ErrBadOptions = errors.New("invalid evaluation request")
	// ErrNoMatch: no prediction names a model with a recorded fine-tuning
	// accuracy on its target, so every value would be undefined.
	ErrNoMatch = errors.New("no prediction matches a recorded fine-tuning accuracy")
)

// Prediction is one predicted score of a model on a target by a method.
// Seed is nil for an unseeded method.
type Prediction struct {
	Method  string
	Seed    *int64
	Target  string
	ModelID string
	Score   float64 // ±Inf and NaN are handled per protocol
}

// Options configures Evaluate. The zero value evaluates the paper protocol
// on every target of the predictions with no baselines.
type Options struct {
	Protocol Protocol // "" = ProtocolPaper

	// Targets to evaluate, in report order. Nil means every target of the
	// predictions; without predictions, every dataset with scores of the
	// requested score baselines (logme, reg_h_score; either when none is
	// requested — a probe score is a model's and names no target); without
	// such scores, every dataset with fine-tuning records;
	// sorted.
	Targets []string

	// Baselines to compute: any of AllBaselines, plus "metadata" to
	// report metadata predictions (Prediction.Method "metadata") as a
	// baseline, undefined when there are none. Metadata predictions are
	// reported whether listed or not.
	Baselines []string

	// Seed is the first seed of the random baseline; it draws RandomSeeds
	// (0 = DefaultRandomSeeds) score vectors from seeds Seed, Seed+1, ….
	Seed        int64
	RandomSeeds int

	// HistoryDatasets are the datasets whose records the history_mean
	// baseline averages (nil = every dataset of the zoo). A run gives the
	// datasets its cleaning keeps as history, the ones zoograph's own
	// history features read, so that a dataset whose fine-tunes failed
	// (most models at one value) does not lend a few models z-scores of
	// 7–10.
	HistoryDatasets []string

	Logger *slog.Logger // nil = discard
}

// Result is what Evaluate found.
type Result struct {
	Protocol Protocol
	// Targets holds each target's ground truth, in report order.
	Targets []Target
	// Methods in report order: evaluated methods first (in order of first
	// prediction), then baselines.
	Methods []Method
	// Evaluations holds one entry per (method, seed, target).
	Evaluations []Evaluation
	// Metrics holds the metrics.parquet rows: per (method, seed, target,
	// metric), then the aggregates "_mean" and "_weighted_mean"; for a
	// seeded method also rows with a nil Seed holding the mean over seeds.
	Metrics []store.Metric
}

// Target is the ground truth of one target dataset.
type Target struct {
	ID string
	// Models and Accuracy: the ground truth, one accuracy per model, sorted
	// by model id. Paper: each model's best run (full or LoRA) with
	// LoRA-best models dropped. Clean: the mean of the model's full
	// fine-tunes.
	Models   []string
	Accuracy []float64
	// Evaluated lists the models baselines are evaluated on (sorted). Paper:
	// the models the evaluated methods predict (without any, the models the
	// pipeline predicts: full fine-tune with an accuracy and a known
	// model_type). Clean: the models every method scores.
	Evaluated []string
	// Weight is max(a) − mean(a) over Models (paper) or over Evaluated
	// (clean); NaN when undefined.
	Weight float64
	// Failure is the target's rule for a failed fine-tune, from the
	// accuracies of Models and the dataset's number of classes; Failed
	// lists the models of Models whose fine-tune failed by it (sorted).
	// pearson_working leaves them out.
	Failure Failure
	Failed  []string
}

// Method is one evaluated method or baseline.
type Method struct {
	Name     string
	Baseline bool
	Seeds    []int64 // nil for an unseeded method
}

// Evaluation is one method's metrics on one target.
type Evaluation struct {
	Method string
	Seed   *int64
	Target string
	// Pairs are the (accuracy, score) pairs the metrics were computed on, in
	// evaluation order (paper: duplicates included, scores as predicted).
	Pairs  []Pair
	Values Values
	// Note says why the values are undefined, when they are.
	Note string
}

// Pair is one evaluated point.
type Pair struct {
	ModelID string
	Actual  float64
	Score   float64
}

// Evaluate scores predictions and the requested baselines against the zoo's
// recorded accuracies under one protocol.
func Evaluate(ctx context.Context, zoo *store.Tables, preds []Prediction, opt Options) (*Result, error) {
	if zoo == nil {
		return nil, fmt.Errorf("%w: no zoo", ErrBadOptions)
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	protocol := opt.Protocol
	if protocol == "" {
		protocol = ProtocolPaper
	}
	if _, err := ParseProtocol(string(protocol)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadOptions, err)
	}
	ev, err := newEvaluator(zoo, preds, opt)
	if err != nil {
		return nil, err
	}
	ev.protocol = protocol
	targets, err := ev.targets(opt.Targets)
	if err != nil {
		return nil, err
	}

	if err := ev.checkMatches(targets, log); err != nil {
		return nil, err
	}

	res := &Result{Protocol: protocol, Methods: ev.methods}
	for _, t := range targets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var (
			target Target
			evals  []Evaluation
		)
		if protocol == ProtocolPaper {
			target, evals = ev.paper(t)
		} else {
			target, evals = ev.clean(t)
		}
		for _, e := range evals {
			if e.Note != "" {
				log.Debug("undefined", "method", e.Method, "target", e.Target, "reason", e.Note)
			}
		}
		log.Debug("target evaluated", "protocol", protocol, "target", t,
			"ground_truth", len(target.Models), "evaluated", len(target.Evaluated), "weight", target.Weight)
		res.Targets = append(res.Targets, target)
		res.Evaluations = append(res.Evaluations, evals...)
	}
	res.Metrics = buildMetrics(res)
	log.Info("evaluated", "protocol", protocol, "targets", len(res.Targets),
		"methods", len(res.Methods), "metric_rows", len(res.Metrics))
	return res, nil
}

// checkMatches counts the predictions on the targets whose model has no
// recorded fine-tuning accuracy there (any run, any method): a warning for
// some, ErrNoMatch for all, which would leave every value undefined.
func (ev *evaluator) checkMatches(targets []string, log *slog.Logger) error {
	if len(ev.preds) == 0 {
		return nil
	}
	recorded := map[[2]string]bool{}
	for _, f := range ev.zoo.Finetunes {
		if finite(f.Accuracy) {
			recorded[[2]string{f.DatasetID, f.ModelID}] = true
		}
	}
	var n, unmatched int
	var example Prediction
	for _, p := range ev.preds {
		if !slices.Contains(targets, p.Target) {
			continue
		}
		n++
		if !recorded[[2]string{p.Target, p.ModelID}] {
			if unmatched == 0 {
				example = p
			}
			unmatched++
		}
	}
	switch {
	case n > 0 && unmatched == n:
		return fmt.Errorf("%w: none of the %d predictions on the evaluated targets names a model with a recorded accuracy on its target (e.g. model %q on %s); check the model ids",
			ErrNoMatch, n, example.ModelID, example.Target)
	case unmatched > 0:
		log.Warn("predictions of models without a recorded accuracy on their target are not evaluated",
			"unmatched", unmatched, "of", n, "example_model", example.ModelID, "example_target", example.Target)
	}
	return nil
}

// seedKey identifies one (method, seed) series; has is false when unseeded.
type seedKey struct {
	method string
	has    bool
	seed   int64
}

func (k seedKey) seedPtr() *int64 {
	if !k.has {
		return nil
	}
	s := k.seed
	return &s
}

type evaluator struct {
	zoo      *store.Tables
	protocol Protocol
	methods  []Method
	// series lists every (method, seed) in report order.
	series []seedKey
	// byTarget indexes predictions: series → target → indices into preds.
	preds    []Prediction
	byTarget map[seedKey]map[string][]int
	computed map[string]bool // baselines computed from the zoo
	models   map[string]*store.Model
	// classes is each dataset's number of classes, when known.
	classes map[string]int64
	// hasDownloads: the zoo knows some model's downloads.
	hasDownloads bool
	// history holds the standardised accuracies of the history_mean
	// baseline, built on first use; probe the probe scores.
	history *historyMean
	probe   map[string]float64
	// historyDatasets is Options.HistoryDatasets.
	historyDatasets []string
}

func newEvaluator(zoo *store.Tables, preds []Prediction, opt Options) (*evaluator, error) {
	ev := &evaluator{
		zoo:             zoo,
		historyDatasets: opt.HistoryDatasets,
		preds:           preds,
		byTarget:        map[seedKey]map[string][]int{},
		computed:        map[string]bool{},
		models:          map[string]*store.Model{},
		classes:         map[string]int64{},
	}
	for _, d := range zoo.Datasets {
		if d.NumClasses > 0 && ev.classes[d.DatasetID] == 0 {
			ev.classes[d.DatasetID] = d.NumClasses
		}
	}
	for i := range zoo.Models {
		m := &zoo.Models[i]
		if _, dup := ev.models[m.ModelID]; !dup {
			ev.models[m.ModelID] = m
		}
		if m.Downloads > 0 {
			ev.hasDownloads = true
		}
	}
	baselines, err := ev.baselines(opt.Baselines)
	if err != nil {
		return nil, err
	}
	order, seeds, err := ev.indexPredictions()
	if err != nil {
		return nil, err
	}
	ev.addMethods(order, seeds, baselines, opt)
	return ev, nil
}

// baselines checks the listed baselines, marks those computed here and
// returns them in order, each once.
func (ev *evaluator) baselines(list []string) ([]string, error) {
	var order []string
	for _, b := range list {
		switch b {
		case BaselineLogME, BaselineRegHScore, BaselineDownloads, BaselineRandom, BaselineHistoryMean, BaselineProbe:
			if ev.computed[b] {
				return nil, fmt.Errorf("%w: baseline %q listed twice", ErrBadOptions, b)
			}
			ev.computed[b] = true
		case BaselineMetadata:
		default:
			return nil, fmt.Errorf("%w: unknown baseline %q (want %s or %s)", ErrBadOptions, b,
				strings.Join(AllBaselines(), ", "), BaselineMetadata)
		}
		if !slices.Contains(order, b) {
			order = append(order, b)
		}
	}
	return order, nil
}

// indexPredictions indexes the predictions by series and target, and
// returns the predicted methods in order of first appearance with their
// seeds.
func (ev *evaluator) indexPredictions() (order []string, seeds map[string][]int64, err error) {
	seeds = map[string][]int64{}
	seeded := map[string]bool{}
	for i, p := range ev.preds {
		if p.Method == "" {
			return nil, nil, fmt.Errorf("%w: prediction %d (%s on %s) has no method", ErrBadOptions, i, p.ModelID, p.Target)
		}
		if ev.computed[p.Method] {
			return nil, nil, fmt.Errorf("%w: %q is both predicted and computed as a baseline", ErrBadOptions, p.Method)
		}
		has := p.Seed != nil
		if prev, seen := seeded[p.Method]; seen && prev != has {
			return nil, nil, fmt.Errorf("%w: method %q mixes seeded and unseeded predictions", ErrBadOptions, p.Method)
		}
		if _, seen := seeded[p.Method]; !seen {
			order = append(order, p.Method)
			seeded[p.Method] = has
		}
		k := seedKey{method: p.Method, has: has}
		if has {
			k.seed = *p.Seed
			if !slices.Contains(seeds[p.Method], k.seed) {
				seeds[p.Method] = append(seeds[p.Method], k.seed)
			}
		}
		if ev.byTarget[k] == nil {
			ev.byTarget[k] = map[string][]int{}
		}
		ev.byTarget[k][p.Target] = append(ev.byTarget[k][p.Target], i)
	}
	return order, seeds, nil
}

// addMethods lists the methods and their series in report order: the
// predicted methods, the baselines as listed, then predicted baselines not
// listed.
func (ev *evaluator) addMethods(order []string, seeds map[string][]int64, baselines []string, opt Options) {
	addSeries := func(name string, baseline bool, s []int64) {
		ev.methods = append(ev.methods, Method{Name: name, Baseline: baseline, Seeds: s})
		if s == nil {
			ev.series = append(ev.series, seedKey{method: name})
		}
		for _, v := range s {
			ev.series = append(ev.series, seedKey{method: name, has: true, seed: v})
		}
	}
	predicted := func(name string) {
		s := seeds[name]
		slices.Sort(s)
		addSeries(name, isBaselineName(name), s)
	}
	for _, m := range order {
		if !isBaselineName(m) {
			predicted(m)
		}
	}
	for _, b := range baselines {
		switch {
		case b == BaselineRandom:
			n := opt.RandomSeeds
			if n <= 0 {
				n = DefaultRandomSeeds
			}
			s := make([]int64, n)
			for i := range s {
				s[i] = opt.Seed + int64(i)
			}
			addSeries(b, true, s)
		case ev.computed[b]:
			addSeries(b, true, nil)
		case slices.Contains(order, b):
			predicted(b)
		default: // metadata listed without predictions: reported undefined
			addSeries(b, true, nil)
		}
	}
	for _, m := range order {
		if isBaselineName(m) && !slices.Contains(baselines, m) {
			predicted(m)
		}
	}
}

// targets resolves Options.Targets.
func (ev *evaluator) targets(requested []string) ([]string, error) {
	hasTruth := map[string]bool{}
	for _, f := range ev.zoo.Finetunes {
		if !math.IsNaN(f.Accuracy) && !math.IsInf(f.Accuracy, 0) {
			hasTruth[f.DatasetID] = true
		}
	}
	check := func(ts []string) ([]string, error) {
		for _, t := range ts {
			if !hasTruth[t] {
				return nil, fmt.Errorf("target %q: %w in the zoo", t, ErrNoGroundTruth)
			}
		}
		return ts, nil
	}
	if requested != nil {
		var out []string
		for _, t := range requested {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
		return check(out)
	}
	set := map[string]bool{}
	for _, p := range ev.preds {
		set[p.Target] = true
	}
	if len(set) > 0 {
		return check(sortedKeys(set))
	}
	// The datasets with transferability scores; a probe score is the
	// model's, measured on one dataset, and names no target.
	wantScores := ev.computed[BaselineLogME] || ev.computed[BaselineRegHScore]
	for _, s := range ev.zoo.Scores {
		transfer := s.Method == BaselineLogME || s.Method == BaselineRegHScore
		if hasTruth[s.DatasetID] && transfer && (!wantScores || ev.computed[s.Method]) {
			set[s.DatasetID] = true
		}
	}
	if len(set) == 0 {
		set = hasTruth
	}
	return sortedKeys(set), nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// isFull reports whether a fine-tune method is a full fine-tune ("" counts
// as full: sources that record no method record full fine-tunes).
func isFull(method string) bool { return method == "full" || method == "" }

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// paperTruth is the evaluation script's ground truth: over every run on t,
// each model's run of highest accuracy (NaN skipped, the first in table order
// on ties), dropping models whose best run is not a full fine-tune; sorted
// by model id (pandas groupby order).
func paperTruth(finetunes []store.Finetune, t string) ([]string, []float64) {
	best := map[string]int{}
	for i, f := range finetunes {
		if f.DatasetID != t || math.IsNaN(f.Accuracy) {
			continue
		}
		if j, ok := best[f.ModelID]; !ok || f.Accuracy > finetunes[j].Accuracy {
			best[f.ModelID] = i
		}
	}
	var models []string
	for m, i := range best {
		if isFull(finetunes[i].Method) {
			models = append(models, m)
		}
	}
	slices.Sort(models)
	acc := make([]float64, len(models))
	for i, m := range models {
		acc[i] = finetunes[best[m]].Accuracy
	}
	return models, acc
}

// cleanTruth is each model's mean accuracy over its full fine-tunes on t
// with a finite accuracy, sorted by model id.
func cleanTruth(finetunes []store.Finetune, t string) ([]string, []float64) {
	sum := map[string]float64{}
	count := map[string]int{}
	for _, f := range finetunes {
		if f.DatasetID != t || !isFull(f.Method) || !finite(f.Accuracy) {
			continue
		}
		sum[f.ModelID] += f.Accuracy
		count[f.ModelID]++
	}
	models := sortedKeys(sum)
	acc := make([]float64, len(models))
	for i, m := range models {
		acc[i] = sum[m] / float64(count[m])
	}
	return models, acc
}

// weight is max(a) − mean(a), NaN for no accuracies.
func weight(acc []float64) float64 {
	if len(acc) == 0 {
		return math.NaN()
	}
	hi, sum := acc[0], 0.0
	for _, a := range acc {
		hi = max(hi, a)
		sum += a
	}
	return hi - sum/float64(len(acc))
}

// pipelineRows is what TransferGraph's pipeline predicts for t: one row per
// full fine-tune on t with an accuracy of a model with metadata and a known
// model_type (research §4.1 steps 1–4), counted per model.
func (ev *evaluator) pipelineRows(t string) map[string]int {
	rows := ev.fullRuns(t)
	for id := range rows {
		if m := ev.models[id]; m == nil || m.ModelType == "" {
			delete(rows, id)
		}
	}
	return rows
}

// fullRuns counts each model's full fine-tunes on t with an accuracy.
func (ev *evaluator) fullRuns(t string) map[string]int {
	rows := map[string]int{}
	for _, f := range ev.zoo.Finetunes {
		if f.DatasetID == t && isFull(f.Method) && !math.IsNaN(f.Accuracy) {
			rows[f.ModelID]++
		}
	}
	return rows
}

// predictionsOf returns the predictions of one series on t, in input order.
func (ev *evaluator) predictionsOf(k seedKey, t string) []Prediction {
	idx := ev.byTarget[k][t]
	out := make([]Prediction, len(idx))
	for i, j := range idx {
		out[i] = ev.preds[j]
	}
	return out
}

// scoresOf returns the zoo's scores of method on t, in table order. With
// oneSource, a model scored by more than one source (a zoo merging imports)
// keeps the rows of the first source that scores it: the paper's script
// reads one scores file, whose rows ProtocolPaper joins as they are
// (repeated rows included), and two sources' rows would count the model
// twice. ProtocolClean averages a model's scores, whatever their source.
func (ev *evaluator) scoresOf(method, t string, oneSource bool) []Prediction {
	var out []Prediction
	source := map[string]string{} // model → the source whose rows it keeps
	for _, s := range ev.zoo.Scores {
		if s.DatasetID != t || s.Method != method {
			continue
		}
		if first, ok := source[s.ModelID]; ok && oneSource && first != s.Source {
			continue
		}
		source[s.ModelID] = s.Source
		out = append(out, Prediction{Method: method, Target: t, ModelID: s.ModelID, Score: s.Score})
	}
	return out
}

// randomScores draws one uniform score per model (in the given order) from a
// generator seeded by (seed, target), so adding a target changes no other
// target's draws.
func randomScores(seed int64, t string, models []string) []Prediction {
	h := fnv.New64a()
	h.Write([]byte(t))
	r := rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
	out := make([]Prediction, len(models))
	for i, m := range models {
		out[i] = Prediction{Method: BaselineRandom, Target: t, ModelID: m, Score: r.Float64()}
	}
	return out
}

// join pairs the ground truth with predictions the way pandas' inner merge
// does: ground-truth order, every matching prediction in its order. Models
// outside keep (when keep is not nil) are left out.
func join(models []string, acc []float64, preds []Prediction, keep map[string]bool) []Pair {
	var rows map[string]int
	if keep != nil {
		rows = map[string]int{}
		for m, ok := range keep {
			if ok {
				rows[m] = 1
			}
		}
	}
	return joinRows(models, acc, preds, rows)
}

// joinRows is join followed by a second inner merge on model with a frame
// holding rows[m] rows of each model m, as the evaluation script joins the
// baseline scores to the evaluated method's rows: each matching prediction
// is repeated rows[m] times in place, and models without rows are left out.
// A nil rows keeps every model once.
func joinRows(models []string, acc []float64, preds []Prediction, rows map[string]int) []Pair {
	byModel := map[string][]float64{}
	for _, p := range preds {
		byModel[p.ModelID] = append(byModel[p.ModelID], p.Score)
	}
	var pairs []Pair
	for i, m := range models {
		k := 1
		if rows != nil {
			k = rows[m]
		}
		for _, s := range byModel[m] {
			for range k {
				pairs = append(pairs, Pair{ModelID: m, Actual: acc[i], Score: s})
			}
		}
	}
	return pairs
}

// setFailure applies the failure rule of t to its ground truth and returns
// the failed models as a set.
func (ev *evaluator) setFailure(target *Target) map[string]bool {
	target.Failure = NewFailure(target.Accuracy, ev.classes[target.ID])
	failed := map[string]bool{}
	for i, m := range target.Models {
		if target.Failure.Failed(target.Accuracy[i]) {
			failed[m] = true
			target.Failed = append(target.Failed, m)
		}
	}
	return failed
}

func (ev *evaluator) evaluation(k seedKey, t string, pairs []Pair, failed map[string]bool, note string) Evaluation {
	e := Evaluation{Method: k.method, Seed: k.seedPtr(), Target: t, Pairs: pairs, Note: note}
	if note != "" {
		e.Values = Undefined(len(pairs))
		return e
	}
	a := make([]float64, len(pairs))
	s := make([]float64, len(pairs))
	ids := make([]string, len(pairs))
	fail := make([]bool, len(pairs))
	for i, p := range pairs {
		a[i], s[i], ids[i], fail[i] = p.Actual, p.Score, p.ModelID, failed[p.ModelID]
	}
	e.Values, _ = ComputeFlagged(a, s, ids, fail) // lengths agree by construction
	if e.Values.N >= MinModels {
		e.Values.PearsonLineage = ev.withinLineage(a, s, ids)
	}
	if e.Values.N < MinModels {
		e.Note = fmt.Sprintf("%d models evaluated; at least %d needed", e.Values.N, MinModels)
	}
	return e
}

// paper evaluates every series on t under ProtocolPaper.
func (ev *evaluator) paper(t string) (Target, []Evaluation) {
	models, acc := paperTruth(ev.zoo.Finetunes, t)
	target := Target{ID: t, Models: models, Accuracy: acc, Weight: weight(acc)}
	failed := ev.setFailure(&target)

	rows := ev.paperRows(t)
	set := map[string]bool{}
	for _, m := range models {
		if rows[m] > 0 {
			set[m] = true
			target.Evaluated = append(target.Evaluated, m)
		}
	}

	var evals []Evaluation
	for _, k := range ev.series {
		pairs, note := ev.paperPairs(k, t, &target, rows, set)
		evals = append(evals, ev.evaluation(k, t, pairs, failed, note))
	}
	return target, evals
}

// paperRows is the model frame the baseline scores are joined to under
// ProtocolPaper: the script used the rows of the last method's rank file
// merged with the ground truth, one row per prediction (per repeated full
// fine-tune on t), so a model with k_pred rows and k_score score rows gives
// k_pred·k_score pairs. Here the models are those every evaluated series
// that predicts t predicts, and k_pred is each model's fewest rows among the
// series that predict runs (name some model more than once on t; all of the
// paper's methods predict the same rows). A series that predicts each model
// once (zoograph's own) predicts models, not runs: it sets no k_pred, and
// when no series predicts runs a model's k_pred is its full fine-tunes on t
// with an accuracy, the rows the paper's pipeline predicts — so a run's
// baselines are the published ones whether or not the authors' rank files
// are evaluated beside it. Without a series, the rows the pipeline predicts.
func (ev *evaluator) paperRows(t string) map[string]int {
	var set, rows map[string]int
	for _, k := range ev.series {
		if isBaselineName(k.method) || len(ev.byTarget[k][t]) == 0 {
			continue
		}
		mine, perRun := map[string]int{}, false
		for _, p := range ev.predictionsOf(k, t) {
			if mine[p.ModelID]++; mine[p.ModelID] > 1 {
				perRun = true
			}
		}
		set = intersectRows(set, mine)
		if perRun {
			rows = intersectRows(rows, mine)
		}
	}
	if set == nil {
		return ev.pipelineRows(t)
	}
	if rows == nil {
		rows = ev.fullRuns(t)
	}
	for m := range set {
		if set[m] = rows[m]; set[m] == 0 {
			delete(set, m)
		}
	}
	return set
}

// intersectRows is the multiset intersection of a and b (each model's
// fewer rows, the models of both); a nil a is b.
func intersectRows(a, b map[string]int) map[string]int {
	if a == nil {
		return maps.Clone(b)
	}
	for m, n := range a {
		if n = min(n, b[m]); n > 0 {
			a[m] = n
		} else {
			delete(a, m)
		}
	}
	return a
}

// paperPairs joins one series' scores on t with the ground truth under
// ProtocolPaper, or says why it cannot.
func (ev *evaluator) paperPairs(k seedKey, t string, target *Target, rows map[string]int, set map[string]bool) (pairs []Pair, note string) {
	models, acc := target.Models, target.Accuracy
	switch {
	case k.method == BaselineLogME && ev.computed[k.method], k.method == BaselineRegHScore && ev.computed[k.method]:
		scores := ev.scoresOf(k.method, t, true)
		if len(scores) == 0 {
			note = fmt.Sprintf("no %s scores for %s in the zoo", k.method, t)
		}
		pairs = joinRows(models, acc, scores, rows)
	case k.method == BaselineDownloads && ev.computed[k.method]:
		if !ev.hasDownloads {
			return nil, "the zoo has no download counts"
		}
		pairs = join(models, acc, ev.downloadScores(t, target.Evaluated), nil)
	case k.method == BaselineRandom && ev.computed[k.method]:
		pairs = join(models, acc, randomScores(k.seed, t, target.Evaluated), nil)
	case (k.method == BaselineHistoryMean || k.method == BaselineProbe) && ev.computed[k.method]:
		var scores []Prediction
		scores, note = ev.modelScores(k.method, t, target.Evaluated)
		pairs = join(models, acc, scores, nil)
	default:
		preds := ev.predictionsOf(k, t)
		if len(preds) == 0 {
			note = fmt.Sprintf("no %s predictions for %s", k.method, t)
		}
		var keep map[string]bool
		if isBaselineName(k.method) {
			keep = set
		}
		pairs = join(models, acc, preds, keep)
	}
	return pairs, note
}

// downloadScores gives each listed model with a models row its downloads.
func (ev *evaluator) downloadScores(t string, models []string) []Prediction {
	var out []Prediction
	for _, m := range models {
		if row := ev.models[m]; row != nil {
			out = append(out, Prediction{Method: BaselineDownloads, Target: t, ModelID: m, Score: float64(row.Downloads)})
		}
	}
	return out
}

// clean evaluates every series on t under ProtocolClean.
func (ev *evaluator) clean(t string) (Target, []Evaluation) {
	models, acc := cleanTruth(ev.zoo.Finetunes, t)
	target := Target{ID: t, Models: models, Accuracy: acc}
	failed := ev.setFailure(&target)
	truth := make(map[string]float64, len(models))
	for i, m := range models {
		truth[m] = acc[i]
	}

	scores, notes := ev.cleanScores(t, models)

	// The common model set: ground-truth models every defined series scores.
	common := map[string]bool{}
	for _, m := range models {
		common[m] = true
	}
	for i, s := range scores {
		if s == nil || notes[i] != "" {
			continue
		}
		for m := range common {
			if _, ok := s[m]; !ok {
				delete(common, m)
			}
		}
	}
	target.Evaluated = sortedKeys(common)
	evalAcc := make([]float64, len(target.Evaluated))
	for i, m := range target.Evaluated {
		evalAcc[i] = truth[m]
	}
	target.Weight = weight(evalAcc)

	var evals []Evaluation
	for i, k := range ev.series {
		if notes[i] != "" {
			evals = append(evals, ev.evaluation(k, t, nil, failed, notes[i]))
			continue
		}
		var pairs []Pair
		if k.method == BaselineRandom && ev.computed[k.method] {
			pairs = join(target.Evaluated, evalAcc, randomScores(k.seed, t, target.Evaluated), nil)
		} else {
			pairs = make([]Pair, len(target.Evaluated))
			for j, m := range target.Evaluated {
				pairs[j] = Pair{ModelID: m, Actual: evalAcc[j], Score: scores[i][m]}
			}
		}
		evals = append(evals, ev.evaluation(k, t, pairs, failed, ""))
	}
	return target, evals
}

// cleanScores gives one finite score per model and series under
// ProtocolClean, the mean of its finite scores, or a note saying why a
// series has none; the random baseline's are drawn later, on the common
// model set.
func (ev *evaluator) cleanScores(t string, models []string) ([]map[string]float64, []string) {
	scores := make([]map[string]float64, len(ev.series))
	notes := make([]string, len(ev.series))
	for i, k := range ev.series {
		var raw []Prediction
		switch {
		case k.method == BaselineRandom && ev.computed[k.method]:
			continue // scores every model of the common set
		case (k.method == BaselineLogME || k.method == BaselineRegHScore) && ev.computed[k.method]:
			raw = ev.scoresOf(k.method, t, false)
			if len(raw) == 0 {
				notes[i] = fmt.Sprintf("no %s scores for %s in the zoo", k.method, t)
			}
		case k.method == BaselineDownloads && ev.computed[k.method]:
			if !ev.hasDownloads {
				notes[i] = "the zoo has no download counts"
				continue
			}
			raw = ev.downloadScores(t, models)
		case (k.method == BaselineHistoryMean || k.method == BaselineProbe) && ev.computed[k.method]:
			raw, notes[i] = ev.modelScores(k.method, t, models)
		default:
			raw = ev.predictionsOf(k, t)
			if len(raw) == 0 {
				notes[i] = fmt.Sprintf("no %s predictions for %s", k.method, t)
			}
		}
		scores[i] = meanFinite(raw)
		if len(scores[i]) == 0 && notes[i] == "" {
			notes[i] = fmt.Sprintf("no finite %s scores for %s", k.method, t)
		}
	}
	return scores, notes
}

// meanFinite averages each model's finite scores; models with none are left
// out.
func meanFinite(preds []Prediction) map[string]float64 {
	sum := map[string]float64{}
	count := map[string]int{}
	for _, p := range preds {
		if finite(p.Score) {
			sum[p.ModelID] += p.Score
			count[p.ModelID]++
		}
	}
	for m := range sum {
		sum[m] /= float64(count[m])
	}
	return sum
}
