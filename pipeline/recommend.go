package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/zoograph/zoograph/graphlearn/regress"
	"github.com/zoograph/zoograph/store"
)

// ErrUnknownTarget reports a target that is neither a dataset of the zoo
// nor described; the error's message says how to describe it.
var ErrUnknownTarget = errors.New("unknown target dataset")

// unknownTargetError is the ErrUnknownTarget of one dataset id, with a hint
// of what to do (HowToDescribe when empty).
type unknownTargetError struct{ id, hint string }

func (e *unknownTargetError) Error() string {
	return fmt.Sprintf("no dataset %q in the zoo; %s", e.id, cmp.Or(e.hint, HowToDescribe))
}

func (e *unknownTargetError) Is(target error) bool { return target == ErrUnknownTarget }

// Target is the dataset to recommend models for: a dataset of the zoo (a
// benchmark dataset, a crawled Hub dataset, a dataset of the history), or
// one described by its metadata alone.
type Target struct {
	ID       string       // a dataset id of the zoo; ignored when Describe is set
	Describe *Description // a dataset described without a forward pass
}

// RecommendOptions tune what Recommend computes beyond the ranking.
type RecommendOptions struct {
	// Calibration is the number of training datasets, nearest to the target
	// first, held out in turn to calibrate the predicted accuracy and its
	// interval (0: DefaultCalibration; negative: none, the interval then
	// comes from the spread of the training datasets' accuracies).
	Calibration int
	// Coverage is the share of recorded accuracies the interval should
	// hold (0: 0.8).
	Coverage float64
}

// DefaultCalibration is the number of held-out datasets Recommend
// calibrates on.
const DefaultCalibration = 8

// Recommendations is Recommend's answer for one target.
type Recommendations struct {
	Target string `json:"target"`
	// Description is what the target is, as used for similarity and the
	// candidate filter; Described says it came from a description file.
	Description Description `json:"description"`
	Described   bool        `json:"described"`
	// Nearest are the history datasets nearest to the target, with the
	// source of each distance.
	Nearest []Neighbour `json:"nearest"`
	// DistancesFromMetadata counts the dataset pairs whose distance was
	// derived from metadata (MetadataDistance) for lack of a recorded one.
	DistancesFromMetadata int            `json:"distances_from_metadata"`
	Filter                FilterReport   `json:"filter"`
	History               *HistoryReport `json:"history,omitempty"`
	Calibration           Calibration    `json:"calibration"`
	Method                string         `json:"method"`
	// Settings are the ones nested selection chose for the target.
	Settings Candidate `json:"settings"`
	// Members are, under selection.combine level or level_all, the
	// candidates whose standardised scores are averaged (Selection.Members).
	Members []Candidate `json:"members,omitempty"`
	Seeds   int         `json:"seeds"`
	// Revealed counts the models of the description's finetuned field: a
	// warm target, their accuracies revealed as a warm run's (Config.Probe)
	// to the graph, the features and selection; they are not ranked.
	Revealed int              `json:"revealed,omitempty"`
	Models   []Recommendation `json:"models"`
}

// Neighbour is a dataset near the target.
type Neighbour struct {
	Dataset  string  `json:"dataset"`
	Distance float64 `json:"distance"`
	Source   string  `json:"source"` // recorded, given (in the description) or metadata
	Models   int     `json:"models"` // models with fine-tuning history on it
}

// Recommendation is one ranked model for a target dataset.
type Recommendation struct {
	Rank    int    `json:"rank"`
	ModelID string `json:"model_id"`
	// Score is what Run evaluates — the regressor's prediction blended with
	// the history prior (Config.Blend), mean over seeds: its order is the
	// ranking.
	Score float64 `json:"score"`
	// Predicted is the fine-tuning accuracy the score stands for, on the
	// accuracy scale, and [Low, High] its interval (see Calibration).
	Predicted float64 `json:"predicted_accuracy"`
	Low       float64 `json:"low"`
	High      float64 `json:"high"`
	// Basis says where the model's history came from: "own history", or
	// "base model's history" with Via the base model whose records stand
	// in for the model's.
	Basis string `json:"basis"`
	Via   string `json:"via,omitempty"`
	// History is the number of datasets (other than the target) with
	// fine-tuning records of the model (of Via when inherited); Evidence
	// its recorded accuracy on the ones nearest to the target.
	History  int               `json:"history"`
	Evidence []DatasetAccuracy `json:"evidence,omitempty"`
	// Lineage is the chain of base models, nearest first.
	Lineage []string  `json:"lineage,omitempty"`
	Kind    ModelKind `json:"kind"`
	// Recorded is the model's recorded accuracy on the target (NaN when
	// none); it is never used for the prediction.
	Recorded float64 `json:"-"`
}

// DatasetAccuracy is a recorded accuracy on a dataset.
type DatasetAccuracy struct {
	Dataset  string  `json:"dataset"`
	Accuracy float64 `json:"accuracy"`
}

// Calibration turns scores into accuracies. With z the scores standardised
// over the candidates,
//
//	a = μ̂ + σ̂·β·z,  predicted = a + r_50,  interval = [a + r_lo, a + r_hi]
//
// μ̂ and σ̂ are the means, over the training datasets of the target's
// modality, of their recorded accuracies' mean and standard deviation. β is the least-squares slope of the standardised recorded
// accuracies on the standardised scores of the calibration datasets —
// training datasets held out in turn and predicted exactly as the target
// is, with the target held out too; r_lo, r_50 and r_hi are the quantiles
// of their residuals (recorded − a, μ̂ and σ̂ of each estimated without it)
// at (1 − Coverage)/2, 1/2 and (1 + Coverage)/2: the prediction is the
// median of the calibrated distribution, so it corrects the level's bias
// on the calibration datasets and lies in its interval. Nothing recorded
// on the target is used — except for a warm target given at least
// minGivenLevel fine-tuned accuracies (GivenLevel): μ̂ and σ̂ are then their
// mean and standard deviation, and the residual quantiles are centred
// (r_50 = 0), since the level they corrected is now the target's own.
type Calibration struct {
	Datasets  []string `json:"datasets"`
	Slope     float64  `json:"slope"`
	Mean      float64  `json:"mean"`
	SD        float64  `json:"sd"`
	Low       float64  `json:"residual_low"`
	Median    float64  `json:"residual_median"`
	High      float64  `json:"residual_high"`
	Coverage  float64  `json:"coverage"`
	Residuals int      `json:"residuals"`
	// GivenLevel says that Mean and SD are those of the accuracies the
	// description gives (Description.Finetuned).
	GivenLevel bool `json:"given_level,omitempty"`
}

// Recommend ranks the models of the zoo that fit the target's modality and
// task by their predicted fine-tuning accuracy on it, with nothing
// recorded on the target — or, for a description with finetuned
// accuracies, a warm target (Config.Probe = their number) whose revealed
// models are those, left out of the ranking: it adds the history of the zoo's model cards
// (WithHistory), derives missing dataset distances from metadata,
// filters the candidates (FitsTask; models without history of their own
// are ranked through their base model's), trains the regressor on the
// other datasets and calibrates its scores to accuracies.
func Recommend(ctx context.Context, zoo *store.Tables, cfg Config, target Target, opt RecommendOptions) (*Recommendations, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opt.Calibration == 0 {
		opt.Calibration = DefaultCalibration
	}
	if opt.Coverage <= 0 || opt.Coverage >= 1 {
		opt.Coverage = 0.8
	}
	zoo, hist := WithHistory(zoo)
	out := &Recommendations{Method: cfg.Method(), Seeds: cfg.Seeds}
	if hist.Report.Evals > 0 {
		out.History = &hist.Report
	}
	work, err := targetTables(zoo, target, out)
	if err != nil {
		return nil, err
	}
	d, t, descs, source, err := targetData(work, cfg.Clean, hist.DatasetTask, recordedModels(zoo.Finetunes, out.Target), out)
	if err != nil {
		return nil, err
	}
	if k := len(out.Description.Finetuned); k > 0 {
		cfg.Probe = k // every one of them: they are all the target's records
		if err := checkWarmFits(d, t, cfg, &out.Description); err != nil {
			return nil, err
		}
	}
	kinds := modelKinds(d, descs)
	cands, via, history, err := recommendCandidates(d, t, kinds, out)
	if err != nil {
		return nil, err
	}
	dist := distanceRow(d, t, descs)
	out.Nearest = nearestDatasets(d, t, dist, source, 5)
	metaGBDT := cfg.GBDT // the metadata regressor keeps the configured options, as Run's
	cfg, scores, err := scoreCandidates(ctx, d, t, cfg, cands, via, out)
	if err != nil {
		return nil, err
	}
	modality := make([]string, len(descs))
	for i := range descs {
		modality[i] = descs[i].Modality
	}
	if out.Calibration, err = calibrate(ctx, d, t, dist, modality, cfg, metaGBDT, opt); err != nil {
		return nil, fmt.Errorf("%s: calibrate: %w", out.Target, err)
	}
	out.Calibration.takeGivenLevel(out.Description.Finetuned)
	recorded := recordedAccuracy(zoo.Finetunes, out.Target)
	z := zscore(scores)
	for i, mi := range cands {
		out.Models = append(out.Models, recommendation(d, t, dist, mi, via, history, kinds[mi], scores[i], z[i], out.Calibration))
		if a, ok := recorded[out.Models[i].ModelID]; ok {
			out.Models[i].Recorded = a
		}
	}
	slices.SortFunc(out.Models, func(a, b Recommendation) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.ModelID, b.ModelID))
	})
	for i := range out.Models {
		out.Models[i].Rank = i + 1
	}
	return out, nil
}

// targetTables returns the zoo's tables as Recommend sees them: with the
// described target's datasets row and transferability scores added (a
// description must be valid and name no dataset of the zoo; a dataset id
// must be one of the zoo's), a datasets row for the target in any case, and
// none of the fine-tunes recorded on it. It sets out's target and, for a
// described target, its description. zoo is not modified.
func targetTables(zoo *store.Tables, target Target, out *Recommendations) (*store.Tables, error) {
	work := *zoo
	var name string
	if target.Describe != nil {
		desc := *target.Describe
		if err := desc.Validate(); err != nil {
			return nil, err
		}
		name = desc.Name
		if knownDataset(zoo, name) {
			return nil, desc.fieldError("name", "%q is a dataset of the zoo: rank it with --target %s, or give the description another name", name, name)
		}
		if err := checkGiven(zoo, &desc); err != nil {
			return nil, err
		}
		out.Description, out.Described = desc, true
		work.Datasets = append(slices.Clip(zoo.Datasets), describedRow(&desc))
		for method, byModel := range desc.Scores {
			for _, m := range sortedKeys(byModel) {
				work.Scores = append(slices.Clip(work.Scores), store.Score{ModelID: m, DatasetID: name, Method: method,
					Score: byModel[m], RuntimeSeconds: math.NaN()})
			}
		}
	} else {
		name = target.ID
		if name == "" || !knownDataset(zoo, name) {
			var hint string
			if id := store.NearestDatasetID(name, zoo.DatasetIDs()); id != "" {
				hint = fmt.Sprintf("did you mean %q? If not, %s", id, HowToDescribe)
			}
			return nil, &unknownTargetError{id: name, hint: hint}
		}
	}
	out.Target = name
	work.Finetunes = slices.DeleteFunc(slices.Clone(zoo.Finetunes), func(f store.Finetune) bool { return f.DatasetID == name })
	for _, m := range sortedKeys(out.Description.Finetuned) { // none unless described
		work.Finetunes = append(work.Finetunes, store.Finetune{ModelID: m, DatasetID: name, Accuracy: out.Description.Finetuned[m],
			Method: "full", Epochs: math.NaN(), LearningRate: math.NaN(), TrainSeconds: math.NaN(), Source: SourceDescribed})
	}
	if !slices.ContainsFunc(work.Datasets, func(ds store.Dataset) bool { return ds.DatasetID == name }) {
		work.Datasets = append(slices.Clip(work.Datasets), store.Dataset{DatasetID: name})
	}
	return &work, nil
}

// targetData cleans work into the Data Recommend ranks on, t the target's
// index: the datasets' descriptions (the target's from its description, or
// the zoo's metadata and, lacking a modality, its nearest datasets), and
// the target's distances (targetDistances) — work is cleaned again when
// distances were added. source says where each of the target's known
// distances came from. A zoo target that neither its metadata nor its
// distances describe takes the kind that most of the models recorded on it
// (recorded: which models, never their accuracies) have of their own. It
// fails when nothing says what the target is.
func targetData(work *store.Tables, clean CleanConfig, tasks map[string]string, recorded []string, out *Recommendations) (d *Data, t int, descs []Description, source map[int]string, err error) {
	name := out.Target
	pin := pinned{datasets: append([]string{name}, sortedKeys(out.Description.Distances)...), models: recorded, inheritors: true}
	d, err = cleanKeeping(work, clean, pin)
	if err != nil {
		return nil, 0, nil, nil, err
	}
	t, ok := d.DatasetIndex(name)
	if !ok { // targetTables put it in the zoo, and cleanKeeping keeps it
		return nil, 0, nil, nil, fmt.Errorf("%s: internal error: the dataset is not in the cleaned zoo", name)
	}
	descs = datasetDescriptions(d, tasks)
	if out.Described {
		descs[t] = out.Description
	} else {
		if descs[t].Modality == "" {
			inferFromDistances(d, descs, t)
		}
		if descs[t].Modality == "" {
			inferFromModels(d, descs, t, recorded)
		}
		out.Description = descs[t]
	}
	if out.Description.Modality == "" {
		return nil, 0, nil, nil, fmt.Errorf("%s: the zoo does not say what the dataset is (no modality or task, and no model with history on it); %s", name, HowToDescribe)
	}
	if source, err = targetDistances(work, d, t, descs, out); err != nil {
		return nil, 0, nil, nil, err
	}
	if out.DistancesFromMetadata > 0 || out.Described && len(out.Description.Distances) > 0 {
		if d, err = cleanKeeping(work, clean, pin); err != nil {
			return nil, 0, nil, nil, err
		}
		t, _ = d.DatasetIndex(name)
		descs = datasetDescriptions(d, tasks)
		descs[t] = out.Description
	}
	return d, t, descs, source, nil
}

// targetDistances completes the distances of target t: the recorded ones,
// then those the description gives (each must name another dataset of the
// zoo; on a zoo that records none, at least two, which set the scale), then metadata distances for the pairs of history datasets and t
// nobody recorded (completeDistances, counted in out) — except on a zoo
// that has no distance at all, where t is scored as Run scores it, by the
// agreement of recorded accuracies, and none is added. The given and
// metadata distances are added to both work and d. It returns where each of
// t's known distances came from, by dataset index.
func targetDistances(work *store.Tables, d *Data, t int, descs []Description, out *Recommendations) (map[int]string, error) {
	name := out.Target
	source := map[int]string{}
	for b := range d.Datasets {
		if b != t && !math.IsNaN(d.dist[t][b]) {
			source[b] = "recorded"
		}
	}
	if out.Described && len(out.Description.Distances) == 1 && len(work.DatasetDistances) == 0 {
		// With no recorded distance, the given ones set the scale of the
		// metadata distances; one alone sets only that and changes no order.
		other := sortedKeys(out.Description.Distances)[0]
		return nil, out.Description.fieldError("distances."+other,
			"the zoo records no dataset distances, and one given distance only rescales those from metadata: give two or more, or none")
	}
	if out.Described {
		for _, other := range sortedKeys(out.Description.Distances) {
			b, ok := d.DatasetIndex(other)
			if !ok || b == t {
				return nil, out.Description.fieldError("distances."+other, "no such dataset in the zoo")
			}
			v := out.Description.Distances[other]
			work.DatasetDistances = append(slices.Clip(work.DatasetDistances),
				store.DatasetDistance{DatasetA: name, DatasetB: other, Distance: v, Method: "given"},
				store.DatasetDistance{DatasetA: other, DatasetB: name, Distance: v, Method: "given"})
			d.dist[t][b], d.dist[b][t] = v, v
			source[b] = "given"
		}
	}
	if len(work.DatasetDistances) == 0 {
		// A zoo without distances (model recycling, a crawl): as in Run,
		// dataset similarity comes from the agreement of the recorded
		// accuracies, predicted from metadata for t (fitAgreement), not
		// from distances. The metadata distances only order t's
		// neighbours (shown, and the calibration datasets).
		for _, b := range historyDatasets(d, t) {
			if b != t {
				source[b] = DistanceMethodMetadata
			}
		}
		return source, nil
	}
	comp := completeDistances(d, descs, historyDatasets(d, t))
	out.DistancesFromMetadata = comp.added
	if comp.added > 0 {
		work.DatasetDistances = append(slices.Clip(work.DatasetDistances), comp.rows...)
		for _, r := range comp.rows {
			if r.DatasetA == name {
				b, _ := d.DatasetIndex(r.DatasetB)
				source[b] = DistanceMethodMetadata
			}
		}
	}
	return source, nil
}

// recommendCandidates returns the models that fit target t's modality and
// task (FitsTask) and have fine-tuning history on another dataset, of their
// own or, through via (candidate -> base model), of their base model's;
// history[m] is the number of history datasets but t on which model m has
// a record. It fills out.Filter and fails when no model is left.
func recommendCandidates(d *Data, t int, kinds []ModelKind, out *Recommendations) (cands []int, via map[int]int, history []int, err error) {
	history = make([]int, len(d.Models))
	for mi := range d.Models {
		for di := range d.Datasets {
			if di != t && d.hasHistory[di] && !math.IsNaN(d.norm[di][mi]) {
				history[mi]++
			}
		}
	}
	const noHistory = "no fine-tuning history, of its own or through its base model"
	out.Filter = FilterReport{Models: len(d.Models), Excluded: map[string]int{}}
	if ws := d.WorkingSet; ws != nil && ws.ModelsLeftOut > 0 { // left out of the working set for that very reason
		out.Filter.Models += ws.ModelsLeftOut
		out.Filter.Excluded[noHistory] = ws.ModelsLeftOut
	}
	via = map[int]int{}
	for mi := range d.Models {
		if ok, why := FitsTask(kinds[mi], out.Description.Modality, out.Description.Task); !ok {
			out.Filter.Excluded[why]++
			continue
		}
		if !math.IsNaN(d.acc[t][mi]) { // only the description's finetuned are on t
			out.Filter.Excluded["fine-tuned on it already (finetuned)"]++
			continue
		}
		if history[mi] > 0 {
			cands = append(cands, mi)
			continue
		}
		if b := baseWithHistory(d, mi, history); b >= 0 {
			cands = append(cands, mi)
			via[mi] = b
			continue
		}
		out.Filter.Excluded[noHistory]++
	}
	out.Filter.Kept, out.Filter.Inherited = len(cands), len(via)
	if len(cands) == 0 {
		return nil, nil, nil, fmt.Errorf("%s: no candidate model: %s", out.Target, strings.Join(out.Filter.Lines(), "; "))
	}
	return cands, via, history, nil
}

// scoreCandidates chooses target t's settings by nested selection, as Run
// chooses them (nothing recorded on t is in d), and returns cfg with them
// applied and the candidates' scores, the mean over cfg.Seeds seeds of
// scoreModels on t's graph. It records the settings and method in out.
func scoreCandidates(ctx context.Context, d *Data, t int, cfg Config, cands []int, via map[int]int, out *Recommendations) (Config, []float64, error) {
	name := out.Target
	sel, err := selectSettings(ctx, d, []int{t}, cfg, newTimings(), func() {})
	if err != nil {
		return cfg, nil, fmt.Errorf("%s: %w", name, err)
	}
	metaGBDT := cfg.GBDT
	cfg = sel[0].apply(cfg)
	out.Settings, out.Members, out.Method = sel[0].Chosen, sel[0].Members, cfg.Method()
	tg, err := BuildWarmGraph(d, t, cfg.Graph, cfg.Probe, cfg.Seed)
	if err != nil {
		return cfg, nil, fmt.Errorf("graph of %s: %w", name, err)
	}
	out.Revealed = len(tg.Revealed)
	scores := make([]float64, len(cands))
	for s := range cfg.Seeds {
		if err := ctx.Err(); err != nil {
			return cfg, nil, err
		}
		pred, err := scoreModels(ctx, d, t, tg, cfg, metaGBDT, cfg.Seed+uint64(s), cands, via)
		if err != nil {
			return cfg, nil, fmt.Errorf("%s: %w", name, err)
		}
		for i, p := range pred {
			scores[i] += p / float64(cfg.Seeds)
		}
	}
	return cfg, scores, nil
}

// recommendation is candidate mi as recommended for target t: its score,
// its predicted accuracy and interval (z, the score standardised over the
// candidates, 0 when undefined, through cal, clamped to [0, 1]), and its
// history count and evidence — those of the base model it inherits from
// (via) where it inherits. Recorded and Rank are left for the caller.
func recommendation(d *Data, t int, dist []float64, mi int, via map[int]int, history []int, kind ModelKind, score, z float64, cal Calibration) Recommendation {
	src := mi
	r := Recommendation{ModelID: d.Models[mi].ModelID, Score: score, Basis: "own history", Kind: kind,
		Recorded: math.NaN(), Lineage: lineage(d, mi)}
	if b, ok := via[mi]; ok {
		src = b
		r.Basis, r.Via = "base model's history", d.Models[b].ModelID
	}
	r.History = history[src]
	r.Evidence = evidence(d, t, dist, src, 3)
	if math.IsNaN(z) {
		z = 0
	}
	p := cal.Mean + cal.SD*cal.Slope*z
	r.Predicted = clamp01(p + cal.Median)
	r.Low, r.High = clamp01(p+cal.Low), clamp01(p+cal.High)
	return r
}

// scoreModels predicts the candidates' scores on t for one seed: the
// embeddings, the feature table (inherited candidates take the history
// columns of the base model whose history they use), the regressor and
// the blend with the history prior and, with cfg.MetadataWeight, the
// metadata-only regressor (GBDT options metaGBDT) stacked on, exactly as Run
// scores a target.
func scoreModels(ctx context.Context, d *Data, t int, tg *TargetGraph, cfg Config, metaGBDT regress.GBDTOptions, seed uint64,
	cands []int, via map[int]int) ([]float64, error) {
	task := *tg // as Run's tasks: the seed draws the training rows too
	task.Seed = seed
	tg = &task
	test := slices.Clone(cands)
	row := map[int]int{}
	for i, mi := range cands {
		row[mi] = i
	}
	for _, b := range sortedVia(via) {
		if _, ok := row[b]; !ok {
			row[b] = len(test)
			test = append(test, b)
		}
	}
	in := scoreInput{d: d, t: t, tg: tg, seed: seed, test: test, adjust: func(ft *FeatureTable) {
		for i, mi := range cands {
			b, ok := via[mi]
			if !ok {
				continue
			}
			for j, n := range ft.Names {
				if strings.HasPrefix(n, "hist_") {
					ft.Test.Set(i, j, ft.Test.At(row[b], j))
				}
			}
		}
	}}
	if cfg.stacksMetadata() {
		// over the same rows (the inheriting candidates' base models
		// included), so that both are standardised over one set
		var err error
		if in.meta, err = metadataScores(d, t, tg, cfg, metaGBDT, seed, test); err != nil {
			return nil, fmt.Errorf("%s regressor: %w", BaselineMetadata, err)
		}
		in.metaModels = test
	}
	pred, _, err := methodScores(ctx, in, cfg, newTimings()) // the same embeddings as Run's
	if err != nil {
		return nil, err
	}
	return pred[:len(cands)], nil
}

func sortedVia(via map[int]int) []int {
	var out []int
	for _, b := range via {
		if !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	slices.Sort(out)
	return out
}

// calibrate holds out, in turn, up to opt.Calibration training datasets
// nearest to t, predicts their recorded models as t is predicted (one seed,
// t held out as well), and fits Calibration.
func calibrate(ctx context.Context, d *Data, t int, dist []float64, modality []string, cfg Config, metaGBDT regress.GBDTOptions, opt RecommendOptions) (Calibration, error) {
	cal := Calibration{Coverage: opt.Coverage}
	cal.Mean, cal.SD = accuracyLevel(d, modality, t, t)
	type heldOut struct {
		zs, acc  []float64
		mean, sd float64
	}
	var held []heldOut
	var sxy, sxx float64
	// d records no accuracy on t, but the cards of models trained on t
	// report one (their reported accuracy): hide it from every fold.
	dt := d.Without(t)
	for _, di := range calibrationDatasets(d, t, dist, opt.Calibration, 3+cfg.Probe) {
		if err := ctx.Err(); err != nil {
			return cal, err
		}
		// A history without di and without t.
		dd := dt.Without(di)
		tg, err := BuildWarmGraph(dd, di, cfg.Graph, cfg.Probe, cfg.Seed) // warm as t is
		if err != nil {
			return cal, err
		}
		models := tg.unrevealed(d.TargetModels(di))
		pred, err := scoreModels(ctx, dd, di, tg, cfg, metaGBDT, cfg.Seed, models, nil)
		if err != nil {
			return cal, fmt.Errorf("%s: %w", d.Datasets[di].DatasetID, err)
		}
		acc := make([]float64, len(models))
		for i, mi := range models {
			acc[i] = d.acc[di][mi]
		}
		zs, za := zscore(pred), zscore(acc)
		for i := range zs {
			sxy += zs[i] * za[i]
			sxx += zs[i] * zs[i]
		}
		mean, sd := accuracyLevel(d, modality, t, di)
		held = append(held, heldOut{zs: zs, acc: acc, mean: mean, sd: sd})
		cal.Datasets = append(cal.Datasets, d.Datasets[di].DatasetID)
	}
	if sxx > 0 {
		cal.Slope = math.Max(sxy/sxx, 0)
	}
	var resid []float64
	for _, h := range held {
		for i := range h.zs {
			resid = append(resid, h.acc[i]-(h.mean+h.sd*cal.Slope*h.zs[i]))
		}
	}
	cal.fitResiduals(resid)
	return cal, nil
}

// calibrationDatasets returns up to n history datasets but t with at least
// minModels recorded models, nearest to t first (unknown distances last, ties in
// index order); none when n is negative.
func calibrationDatasets(d *Data, t int, dist []float64, n, minModels int) []int {
	var inner []int
	for di := range d.Datasets {
		if di != t && d.hasHistory[di] && len(d.TargetModels(di)) >= minModels {
			inner = append(inner, di)
		}
	}
	sort.SliceStable(inner, func(i, j int) bool {
		a, b := dist[inner[i]], dist[inner[j]]
		switch {
		case math.IsNaN(a):
			return false
		case math.IsNaN(b):
			return true
		}
		return a < b
	})
	if n < 0 {
		return nil
	}
	return inner[:min(len(inner), n)]
}

// fitResiduals sets the residual quantiles of cal from the calibration
// datasets' residuals (sorted in place): at (1 − Coverage)/2, 1/2 and
// (1 + Coverage)/2 with at least 5 of them; otherwise, as if the scores
// said nothing, ± the normal quantile of the coverage times cal.SD, median
// 0.
func (cal *Calibration) fitResiduals(resid []float64) {
	cal.Residuals = len(resid)
	lo, hi := (1-cal.Coverage)/2, (1+cal.Coverage)/2
	if len(resid) >= 5 {
		sort.Float64s(resid)
		cal.Low, cal.High = stat.Quantile(lo, stat.LinInterp, resid, nil), stat.Quantile(hi, stat.LinInterp, resid, nil)
		cal.Median = stat.Quantile(0.5, stat.LinInterp, resid, nil)
		return
	}
	zq := normalQuantile(hi)
	cal.Low, cal.High = -zq*cal.SD, zq*cal.SD
}

// accuracyLevel is the mean, over the history datasets other than t and
// skip whose modality is t's (all of them when t's is unknown or none
// shares it), of the mean and of the standard deviation of their recorded
// accuracies. Equal weights: how hard a dataset is (its level) is not what
// dataset distances measure (which models transfer to it).
func accuracyLevel(d *Data, modality []string, t, skip int) (mean, sd float64) {
	for _, sameOnly := range []bool{true, false} {
		var sm, ss, n float64
		for b := range d.Datasets {
			if b == t || b == skip || !d.hasHistory[b] {
				continue
			}
			if sameOnly && (modality[t] == "" || modality[b] != modality[t]) {
				continue
			}
			var vals []float64
			for _, v := range d.acc[b] {
				if !math.IsNaN(v) {
					vals = append(vals, v)
				}
			}
			if len(vals) < 2 {
				continue
			}
			m, s := stat.MeanStdDev(vals, nil)
			sm += m
			ss += s
			n++
		}
		if n > 0 {
			return sm / n, ss / n
		}
	}
	return math.NaN(), 0
}

// baseWithHistory follows a model's base models (up to 3 generations) to
// the first with fine-tuning history; -1 when none has.
func baseWithHistory(d *Data, mi int, history []int) int {
	cur := mi
	for range 3 {
		m := &d.Models[cur]
		if len(m.BaseModels) != 1 {
			return -1
		}
		b, ok := d.modelIdx[m.BaseModels[0]]
		if !ok || b == cur {
			return -1
		}
		if history[b] > 0 {
			return b
		}
		cur = b
	}
	return -1
}

// lineage is the chain of base models of mi, nearest first (up to 3).
func lineage(d *Data, mi int) []string {
	var out []string
	cur := &d.Models[mi]
	for range 3 {
		if len(cur.BaseModels) == 0 {
			break
		}
		b := cur.BaseModels[0]
		if slices.Contains(out, b) || b == d.Models[mi].ModelID {
			break
		}
		out = append(out, b)
		bi, ok := d.modelIdx[b]
		if !ok {
			break
		}
		cur = &d.Models[bi]
	}
	return out
}

// evidence lists model mi's recorded accuracies on the history datasets
// nearest to t (by dist, t's distanceRow; by number of models when
// distances are unknown), at most k.
func evidence(d *Data, t int, dist []float64, mi, k int) []DatasetAccuracy {
	var ds []int
	for di := range d.Datasets {
		if di != t && d.hasHistory[di] && !math.IsNaN(d.acc[di][mi]) {
			ds = append(ds, di)
		}
	}
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := dist[ds[i]], dist[ds[j]]
		switch {
		case math.IsNaN(a) && math.IsNaN(b):
			return len(d.TargetModels(ds[i])) > len(d.TargetModels(ds[j]))
		case math.IsNaN(a):
			return false
		case math.IsNaN(b):
			return true
		}
		return a < b
	})
	var out []DatasetAccuracy
	for _, di := range ds[:min(k, len(ds))] {
		out = append(out, DatasetAccuracy{Dataset: d.Datasets[di].DatasetID, Accuracy: d.acc[di][mi]})
	}
	return out
}

// nearestDatasets lists the k history datasets nearest to t.
func nearestDatasets(d *Data, t int, dist []float64, source map[int]string, k int) []Neighbour {
	var out []Neighbour
	for di := range d.Datasets {
		if di == t || !d.hasHistory[di] || math.IsNaN(dist[di]) {
			continue
		}
		src := source[di]
		if src == "" {
			src = "recorded"
		}
		out = append(out, Neighbour{Dataset: d.Datasets[di].DatasetID, Distance: dist[di], Source: src,
			Models: len(d.TargetModels(di))})
	}
	slices.SortStableFunc(out, func(a, b Neighbour) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), strings.Compare(a.Dataset, b.Dataset))
	})
	return out[:min(k, len(out))]
}

// distanceRow returns the distances of target t to every dataset: d's,
// or on a zoo without distances the metadata distances of the datasets'
// descriptions (unscaled), which then only order t's neighbours.
func distanceRow(d *Data, t int, descs []Description) []float64 {
	row := slices.Clone(d.dist[t])
	if d.hasDistances {
		return row
	}
	for b := range row {
		if b != t {
			row[b] = MetadataDistance(&descs[t], &descs[b])
		}
	}
	return row
}

// knownDataset reports whether the zoo knows a dataset id: a datasets row,
// fine-tuning records or distances.
func knownDataset(t *store.Tables, id string) bool {
	return slices.ContainsFunc(t.Datasets, func(d store.Dataset) bool { return d.DatasetID == id }) ||
		slices.ContainsFunc(t.Finetunes, func(f store.Finetune) bool { return f.DatasetID == id }) ||
		slices.ContainsFunc(t.DatasetDistances, func(x store.DatasetDistance) bool { return x.DatasetA == id || x.DatasetB == id })
}

// checkGiven refuses a description's scores that would be ignored without
// a word — of a method the zoo has no scores of (the features compare a
// model's score on the target with its scores elsewhere) — and scores and
// fine-tunes of a model the zoo does not hold.
func checkGiven(zoo *store.Tables, desc *Description) error {
	inZoo := func(m string) bool {
		return slices.ContainsFunc(zoo.Models, func(r store.Model) bool { return r.ModelID == m })
	}
	for _, method := range sortedKeys(desc.Scores) {
		if !slices.ContainsFunc(zoo.Scores, func(s store.Score) bool { return s.Method == method }) {
			return desc.fieldError("scores."+method, "the zoo has no %s scores to compare these with: leave them out", method)
		}
		for _, m := range sortedKeys(desc.Scores[method]) {
			if !inZoo(m) {
				return desc.fieldError("scores."+method+"."+m, "no such model in the zoo")
			}
		}
	}
	for _, m := range sortedKeys(desc.Finetuned) {
		if !inZoo(m) {
			return desc.fieldError("finetuned."+m, "no such model in the zoo")
		}
	}
	return nil
}

// checkWarmFits fails, under nested selection, when an inner fold of t
// (innerFolds) has no more models than the description gives fine-tuned accuracies:
// a warm target's K revealed models are revealed on every history dataset
// too (Config.Probe), which leaves such a dataset nothing to predict as an
// inner fold. It names them and the largest number that fits.
func checkWarmFits(d *Data, t int, cfg Config, desc *Description) error {
	if cfg.Selection.Mode != SelectNested {
		return nil
	}
	var small []string
	keep := cfg.Probe
	for _, di := range innerFolds(d, t, cfg.Selection.MaxInnerFolds, cfg.Seed) {
		if n := len(d.TargetModels(di)); n <= cfg.Probe {
			small = append(small, fmt.Sprintf("%s (%d models)", d.Datasets[di].DatasetID, n))
			keep = min(keep, n-1)
		}
	}
	if len(small) == 0 {
		return nil
	}
	return desc.fieldError("finetuned", "%d accuracies, and a warm target's number of models is revealed on every training dataset as well, which leaves %s nothing to predict in nested selection: give at most %d, or use --selection fixed",
		cfg.Probe, strings.Join(small, ", "), keep)
}

// takeGivenLevel gives cal the level and spread of the accuracies given for
// the target (Description.Finetuned), rather than the other datasets', when
// there are at least minGivenLevel, and centres the residual quantiles.
func (cal *Calibration) takeGivenLevel(finetuned map[string]float64) {
	if len(finetuned) < minGivenLevel {
		return
	}
	var given []float64 // in model order: the same sums, the same numbers
	for _, m := range sortedKeys(finetuned) {
		given = append(given, finetuned[m])
	}
	cal.Mean, cal.SD = stat.MeanStdDev(given, nil)
	cal.Low, cal.High, cal.Median = cal.Low-cal.Median, cal.High-cal.Median, 0
	cal.GivenLevel = true
}

// minGivenLevel is how many fine-tuned accuracies a description must give
// for the predicted accuracies to take their level and spread.
const minGivenLevel = 5

// SourceDescribed is the source of the fine-tunes a description gives
// (its finetuned field): the user's own, on the described dataset.
const SourceDescribed = "described"

// recordedAccuracy is the mean accuracy of the full fine-tunes of each
// model on a dataset, as Clean computes it.
func recordedAccuracy(fts []store.Finetune, dataset string) map[string]float64 {
	sum, n := map[string]float64{}, map[string]float64{}
	for _, f := range fts {
		if f.DatasetID != dataset || f.Method != "full" || math.IsNaN(f.Accuracy) || math.IsInf(f.Accuracy, 0) {
			continue
		}
		sum[f.ModelID] += f.Accuracy
		n[f.ModelID]++
	}
	out := make(map[string]float64, len(sum))
	for m, s := range sum {
		out[m] = s / n[m]
	}
	return out
}

// inferFromDistances gives a dataset without modality the modality (and
// task) most of the datasets it has recorded distances to have: a distance
// between probe embeddings exists only between datasets of one modality.
func inferFromDistances(d *Data, descs []Description, t int) {
	var votes kindVotes
	for b := range d.Datasets {
		if b != t && !math.IsNaN(d.dist[t][b]) {
			votes.add(descs[b].Modality, descs[b].Task)
		}
	}
	votes.fill(&descs[t])
}

// inferFromModels sets the modality and task of dataset t to those most of
// models (ids; those d does not hold are skipped) have of their own
// (ownKind), as datasetDescriptions does for a dataset with records.
func inferFromModels(d *Data, descs []Description, t int, models []string) {
	var votes kindVotes
	for _, id := range models {
		if mi, ok := d.modelIdx[id]; ok {
			k := ownKind(&d.Models[mi])
			votes.add(k.Modality, k.Task)
		}
	}
	votes.fill(&descs[t])
}

// recordedModels are the models with a fine-tune recorded on dataset, in
// record order, each once.
func recordedModels(finetunes []store.Finetune, dataset string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range finetunes {
		if f.DatasetID == dataset && !seen[f.ModelID] {
			seen[f.ModelID] = true
			out = append(out, f.ModelID)
		}
	}
	return out
}

// describedRow is the datasets row of a described dataset.
func describedRow(d *Description) store.Dataset {
	tags := []string{"modality:" + d.Modality}
	if d.Domain != "" {
		tags = append(tags, "domain:"+d.Domain)
	}
	tags = append(tags, d.Tags...)
	return store.Dataset{DatasetID: d.Name, TaskCategories: []string{d.Task}, NumClasses: d.NumClasses,
		NumExamples: d.NumExamples, Languages: slices.Clone(d.Languages), Tags: tags, Source: "description"}
}

func clamp01(x float64) float64 { return math.Min(math.Max(x, 0), 1) }

// normalQuantile is the standard normal quantile function.
func normalQuantile(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }
