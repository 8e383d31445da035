package pipeline

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/zoograph/zoograph/pipeline/evaluate"
	"github.com/zoograph/zoograph/store"
)

// Data is a cleaned zoo, indexed for the per-target stages. It is built once
// per run and only read afterwards, so (target, seed) tasks share it.
type Data struct {
	// Models lists every model with metadata or fine-tuning history,
	// sorted by id; Datasets every dataset known to the zoo, sorted by id.
	Models   []store.Model
	Datasets []store.Dataset

	modelIdx   map[string]int
	datasetIdx map[string]int

	// acc[d][m] is the mean accuracy of the full fine-tunes of model m on
	// dataset d (NaN when there is none); norm[d][m] the same min-max
	// normalised within d over the models with a record.
	acc  [][]float64
	norm [][]float64
	// hasHistory[d] says whether d's records may serve as history (graph
	// edges, training rows, history features): it has enough models and
	// its runs are not degenerate.
	hasHistory []bool
	// dist[a][b] is the dataset distance (NaN when unknown); distScale is
	// the median known off-diagonal distance, the unit of the similarity
	// kernels.
	dist      [][]float64
	distScale float64
	// meanDist[a] is a's mean known distance to the other datasets (NaN
	// when none), for the hubness correction of similarity kernels.
	meanDist []float64
	// scores[method][d][m]: mean transferability score (NaN when none).
	scores map[string][][]float64

	// Categorical codes, fitted once over the whole zoo (the paper fitted
	// them separately on train and test rows — a bug, research §8.6).
	modelType, architecture, pretrain map[string]float64

	// Dropped lists the datasets removed from the history, with why.
	Dropped []DroppedDataset
	// WorkingSet counts what the working-set rule (CleanConfig.MaxCells)
	// kept of the zoo and left out; nil when Clean kept the whole zoo.
	WorkingSet *WorkingSet

	historyData
}

// WorkingSet counts what Clean kept of a zoo past CleanConfig.MaxCells
// (workingSet) and what it left out.
type WorkingSet struct {
	Models          int `json:"models"`
	ModelsLeftOut   int `json:"models_left_out"`
	Datasets        int `json:"datasets"`
	DatasetsLeftOut int `json:"datasets_left_out"`
}

// Clean builds Data from the zoo's tables: full fine-tunes only, one
// accuracy per (model, dataset) as the mean of repeated runs, degenerate
// datasets dropped from the history, categorical encodings fitted once;
// on a zoo past cfg.MaxCells, only its working set. Each step is a
// function of its own: cleanModels, cleanDatasets, workingSet,
// meanAccuracy, screenDatasets, readDistances, meanScores.
func Clean(t *store.Tables, cfg CleanConfig) (*Data, error) {
	return cleanKeeping(t, cfg, pinned{})
}

// cleanKeeping is Clean whose working set, on a zoo past cfg.MaxCells,
// keeps what pin names too.
func cleanKeeping(t *store.Tables, cfg CleanConfig, pin pinned) (*Data, error) {
	if len(t.Finetunes) == 0 {
		return nil, fmt.Errorf("clean: the zoo has no fine-tuning records (table finetunes is empty)")
	}
	d := &Data{modelIdx: map[string]int{}, datasetIdx: map[string]int{}}
	d.Models = cleanModels(t.Models, t.Finetunes)
	d.Datasets = cleanDatasets(t, d.Models)
	if cfg.MaxCells > 0 && len(d.Models)*len(d.Datasets) > cfg.MaxCells {
		nm, nd := len(d.Models), len(d.Datasets)
		d.Models, d.Datasets = workingSet(t, d.Models, d.Datasets, pin)
		if len(d.Models) < nm || len(d.Datasets) < nd {
			d.WorkingSet = &WorkingSet{Models: len(d.Models), ModelsLeftOut: nm - len(d.Models), Datasets: len(d.Datasets), DatasetsLeftOut: nd - len(d.Datasets)}
		}
	}
	for i, m := range d.Models {
		d.modelIdx[m.ModelID] = i
	}
	for i, ds := range d.Datasets {
		d.datasetIdx[ds.DatasetID] = i
	}
	d.acc = d.meanAccuracy(t.Finetunes)
	d.norm, d.hasHistory, d.Dropped = d.screenDatasets(cfg)
	d.readDistances(t.DatasetDistances)
	d.scores = d.meanScores(t.Scores)
	d.modelType = encoder(d.Models, func(m store.Model) string { return m.ModelType })
	d.architecture = encoder(d.Models, func(m store.Model) string { return strings.Join(m.Architectures, ",") })
	d.pretrain = encoder(d.Models, func(m store.Model) string { return m.PretrainDataset })
	deriveHistory(d)
	return d, nil
}

// cleanModels returns one row per model, sorted by id: rows of one model
// from several sources merged (mergeModel, the first row's values first),
// and a row with only the id (reported accuracy NaN) for a model that has
// fine-tunes but no metadata. Fine-tunes without a model or dataset id are
// ignored.
func cleanModels(rows []store.Model, finetunes []store.Finetune) []store.Model {
	models := map[string]store.Model{}
	for _, m := range rows {
		if prev, ok := models[m.ModelID]; ok {
			m = mergeModel(prev, m)
		}
		models[m.ModelID] = m
	}
	for _, f := range finetunes {
		if f.ModelID == "" || f.DatasetID == "" {
			continue
		}
		if _, ok := models[f.ModelID]; !ok {
			models[f.ModelID] = store.Model{ModelID: f.ModelID, ReportedAccuracy: math.NaN()}
		}
	}
	out := make([]store.Model, 0, len(models))
	for _, id := range sortedKeys(models) {
		out = append(out, models[id])
	}
	return out
}

// cleanDatasets returns one row per dataset the zoo knows, sorted by id: the
// datasets table (the last row of an id wins), and a row with only the id
// for every other dataset named by a fine-tune, a distance, or a model's
// source or pretraining datasets. Empty ids are ignored.
func cleanDatasets(t *store.Tables, models []store.Model) []store.Dataset {
	datasets := map[string]store.Dataset{}
	for _, ds := range t.Datasets {
		datasets[ds.DatasetID] = ds
	}
	add := func(id string) {
		if _, ok := datasets[id]; !ok && id != "" {
			datasets[id] = store.Dataset{DatasetID: id}
		}
	}
	for _, f := range t.Finetunes {
		add(f.DatasetID)
	}
	for _, x := range t.DatasetDistances {
		add(x.DatasetA)
		add(x.DatasetB)
	}
	for _, m := range models {
		for _, s := range m.SourceDatasets {
			add(s)
		}
		add(m.PretrainDataset)
	}
	out := make([]store.Dataset, 0, len(datasets))
	for _, id := range sortedKeys(datasets) {
		out = append(out, datasets[id])
	}
	return out
}

// meanAccuracy returns acc[dataset][model]: the mean accuracy of the full
// fine-tunes of the pair, NaN where there is none. Records of other methods,
// with an id d does not index, or with a NaN or infinite accuracy are
// ignored.
func (d *Data) meanAccuracy(finetunes []store.Finetune) [][]float64 {
	cells := meanCells{}
	for _, f := range finetunes {
		di, okd := d.datasetIdx[f.DatasetID]
		mi, okm := d.modelIdx[f.ModelID]
		// A record without a model or dataset id cannot be placed; the
		// zero index would silently credit it to the first dataset.
		if !okd || !okm || f.Method != "full" || math.IsNaN(f.Accuracy) || math.IsInf(f.Accuracy, 0) {
			continue
		}
		cells.add(di, mi, f.Accuracy)
	}
	return cells.matrix(len(d.Datasets), len(d.Models))
}

// meanCells sums the values of (dataset, model) cells, in the order they
// come, for their means; only the cells with a value take room.
type meanCells map[[2]int]*[2]float64

func (c meanCells) add(di, mi int, v float64) {
	s := c[[2]int{di, mi}]
	if s == nil {
		s = new([2]float64)
		c[[2]int{di, mi}] = s
	}
	s[0] += v
	s[1]++
}

// matrix returns the means as an nd × nm matrix, NaN where no value came.
func (c meanCells) matrix(nd, nm int) [][]float64 {
	m := newMatrix(nd, nm, math.NaN())
	for k, s := range c {
		m[k[0]][k[1]] = s[0] / s[1]
	}
	return m
}

// screenDatasets min-max normalises d.acc within each dataset (norm is NaN
// where acc is, and for a dataset whose accuracies are all equal) and
// decides which datasets serve as history: those with records that
// dropReason finds nothing against. dropped says why each other dataset
// with records does not, in dataset order.
func (d *Data) screenDatasets(cfg CleanConfig) (norm [][]float64, history []bool, dropped []DroppedDataset) {
	nd, nm := len(d.Datasets), len(d.Models)
	norm, history = newMatrix(nd, nm, math.NaN()), make([]bool, nd)
	for di := range nd {
		var vals []float64
		for _, a := range d.acc[di] {
			if !math.IsNaN(a) {
				vals = append(vals, a)
			}
		}
		if len(vals) == 0 {
			continue
		}
		lo, hi := slices.Min(vals), slices.Max(vals)
		for mi, a := range d.acc[di] {
			if !math.IsNaN(a) && hi > lo {
				norm[di][mi] = (a - lo) / (hi - lo)
			}
		}
		if why := dropReason(d.Datasets[di], vals, cfg); why != "" {
			dropped = append(dropped, DroppedDataset{Dataset: d.Datasets[di].DatasetID, Why: why})
		} else {
			history[di] = true
		}
	}
	return norm, history, dropped
}

// DroppedDataset is a dataset the history screen left out, and why.
type DroppedDataset struct {
	Dataset string `json:"dataset"`
	Why     string `json:"why"`
}

// String is "dataset: why", as logs and reports print it.
func (d DroppedDataset) String() string { return d.Dataset + ": " + d.Why }

// UnmarshalJSON reads the object, or the "dataset: why" string that
// report.json held before (so that `zoograph report` re-renders an older
// run).
func (d *DroppedDataset) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		id, why, _ := strings.Cut(s, ": ")
		*d = DroppedDataset{Dataset: id, Why: why}
		return nil
	}
	type plain DroppedDataset
	return json.Unmarshal(b, (*plain)(d))
}

// whyDropped returns why dataset di was left out of the history, and
// whether it was.
func (d *Data) whyDropped(di int) (string, bool) {
	for _, dd := range d.Dropped {
		if dd.Dataset == d.Datasets[di].DatasetID {
			return dd.Why, true
		}
	}
	return "", false
}

// droppedOutside returns the entries of dropped whose dataset is not one of
// targets.
func droppedOutside(dropped []DroppedDataset, targets []string) []DroppedDataset {
	var out []DroppedDataset
	for _, dd := range dropped {
		if !slices.Contains(targets, dd.Dataset) {
			out = append(out, dd)
		}
	}
	return out
}

// dropReason says why dataset ds, whose models reached vals, cannot serve as
// history, or returns "": fewer than cfg.MinDatasetModels models, every
// accuracy equal, a median no better than chance (degenerate), or more than
// cfg.CollapsedShare of the models sharing one value (when that is set).
func dropReason(ds store.Dataset, vals []float64, cfg CleanConfig) string {
	lo, hi := slices.Min(vals), slices.Max(vals)
	switch {
	case len(vals) < cfg.MinDatasetModels:
		return fmt.Sprintf("%d fine-tuned models, fewer than %d", len(vals), cfg.MinDatasetModels)
	case hi == lo:
		return "every model has the same accuracy"
	case degenerate(vals, ds.NumClasses, cfg.ChanceMargin):
		return fmt.Sprintf("median accuracy %.4f is no better than chance (%d classes): failed runs", median(vals), ds.NumClasses)
	case cfg.CollapsedShare > 0 && modeShare(vals) > cfg.CollapsedShare:
		return fmt.Sprintf("%.0f%% of the models share one accuracy value: collapsed runs", 100*modeShare(vals))
	}
	return ""
}

// readDistances sets d.dist, the symmetric dataset distances (0 on the
// diagonal, NaN when unknown; the last row of a pair wins, self-pairs, ids
// d does not index and NaN or infinite distances are ignored), d.meanDist,
// each dataset's mean known distance to the others (NaN when none), and
// d.distScale, the median known off-diagonal distance (1 when there is none
// or it is not positive).
func (d *Data) readDistances(rows []store.DatasetDistance) {
	nd := len(d.Datasets)
	d.dist = newMatrix(nd, nd, math.NaN())
	for _, x := range rows {
		a, oka := d.datasetIdx[x.DatasetA]
		b, okb := d.datasetIdx[x.DatasetB]
		if !oka || !okb || a == b || math.IsNaN(x.Distance) || math.IsInf(x.Distance, 0) {
			continue
		}
		d.dist[a][b], d.dist[b][a] = x.Distance, x.Distance
	}
	var off []float64
	d.meanDist = make([]float64, nd)
	for a := range nd {
		d.dist[a][a] = 0
		var s, c float64
		for b := range nd {
			if v := d.dist[a][b]; b != a && !math.IsNaN(v) {
				s += v
				c++
				if b > a {
					off = append(off, v)
				}
			}
		}
		d.meanDist[a] = math.NaN()
		if c > 0 {
			d.meanDist[a] = s / c
		}
	}
	d.distScale = 1
	if len(off) > 0 && median(off) > 0 {
		d.distScale = median(off)
	}
}

// meanScores returns the transferability scores by method as
// [dataset][model] matrices: the mean of a pair's duplicate rows, NaN where
// there is none. Rows with an id d does not index, or a NaN or infinite
// score, are ignored.
func (d *Data) meanScores(rows []store.Score) map[string][][]float64 {
	cells := map[string]meanCells{}
	for _, s := range rows {
		mi, ok := d.modelIdx[s.ModelID]
		di, ok2 := d.datasetIdx[s.DatasetID]
		if !ok || !ok2 || math.IsNaN(s.Score) || math.IsInf(s.Score, 0) {
			continue
		}
		if cells[s.Method] == nil {
			cells[s.Method] = meanCells{}
		}
		cells[s.Method].add(di, mi, s.Score)
	}
	scores := map[string][][]float64{}
	for method, c := range cells {
		scores[method] = c.matrix(len(d.Datasets), len(d.Models))
	}
	return scores
}

// mergeModel combines two rows of one model from different sources (a
// crawled Hub row and a benchmark row): each field keeps a's value and takes
// b's where a's is unknown, but for the declared training datasets, which
// are both rows' (a's first): a reported accuracy taken from b is a result
// on one of b's datasets, and hiding it from a row on that dataset, or from
// that target, needs them (Data.reportedOn).
func mergeModel(a, b store.Model) store.Model {
	str := func(x *string, y string) {
		if *x == "" {
			*x = y
		}
	}
	num := func(x *int64, y int64) {
		if *x == 0 {
			*x = y
		}
	}
	list := func(x *[]string, y []string) {
		if len(*x) == 0 {
			*x = y
		}
	}
	str(&a.ModelType, b.ModelType)
	str(&a.PretrainDataset, b.PretrainDataset)
	str(&a.PipelineTag, b.PipelineTag)
	str(&a.License, b.License)
	num(&a.NumParameters, b.NumParameters)
	num(&a.InputSize, b.InputSize)
	num(&a.OutputSize, b.OutputSize)
	num(&a.NumLabels, b.NumLabels)
	num(&a.Downloads, b.Downloads)
	num(&a.Likes, b.Likes)
	list(&a.Architectures, b.Architectures)
	for _, ds := range b.SourceDatasets {
		if !slices.Contains(a.SourceDatasets, ds) {
			a.SourceDatasets = append(slices.Clip(a.SourceDatasets), ds)
		}
	}
	list(&a.BaseModels, b.BaseModels)
	list(&a.Tags, b.Tags)
	if math.IsNaN(a.ReportedAccuracy) {
		a.ReportedAccuracy = b.ReportedAccuracy
	}
	return a
}

// degenerate reports whether a dataset's accuracies look like failed runs:
// the median is at most chance + margin·(1 − chance), chance = 1/classes
// (unknown classes never count as degenerate here).
func degenerate(vals []float64, classes int64, margin float64) bool {
	if margin <= 0 || classes < 2 {
		return false
	}
	chance := 1 / float64(classes)
	return median(vals) <= chance+margin*(1-chance)
}

// modeShare returns the fraction of values equal to the most frequent one.
func modeShare(vals []float64) float64 {
	count := map[float64]int{}
	best := 0
	for _, v := range vals {
		count[v]++
		best = max(best, count[v])
	}
	return float64(best) / float64(len(vals))
}

// encoder maps each distinct non-empty value to its index in sorted order;
// unknown values encode as NaN.
func encoder(models []store.Model, key func(store.Model) string) map[string]float64 {
	set := map[string]bool{}
	for _, m := range models {
		if k := key(m); k != "" {
			set[k] = true
		}
	}
	out := map[string]float64{}
	for i, k := range sortedKeys(set) {
		out[k] = float64(i)
	}
	return out
}

// ModelIndex returns the index of a model id.
func (d *Data) ModelIndex(id string) (int, bool) {
	i, ok := d.modelIdx[id]
	return i, ok
}

// DatasetIndex returns the index of a dataset id.
func (d *Data) DatasetIndex(id string) (int, bool) {
	i, ok := d.datasetIdx[id]
	return i, ok
}

// Accuracy returns the cleaned accuracy of model m on dataset ds (NaN when
// there is no full fine-tune record).
func (d *Data) Accuracy(ds, m int) float64 { return d.acc[ds][m] }

// TargetModels returns the models with a recorded accuracy on dataset ds:
// the models a prediction for ds must cover.
func (d *Data) TargetModels(ds int) []int {
	var out []int
	for mi, a := range d.acc[ds] {
		if !math.IsNaN(a) {
			out = append(out, mi)
		}
	}
	return out
}

func newMatrix(rows, cols int, fill float64) [][]float64 {
	flat := make([]float64, rows*cols)
	if fill != 0 {
		for i := range flat {
			flat[i] = fill
		}
	}
	m := make([][]float64, rows)
	for i := range m {
		m[i] = flat[i*cols : (i+1)*cols : (i+1)*cols]
	}
	return m
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	sort.Float64s(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Without returns a view of d in which everything recorded on dataset t is
// hidden: its accuracies are unknown and it serves as history to nothing. It
// is what nested selection for outer target t sees: an inner
// leave-one-dataset-out over the remaining datasets runs on it exactly as the
// outer one runs on d, and no choice made on it can depend on t's records.
// The view shares everything else with d (metadata, distances, scores —
// none of them recorded by fine-tuning on t) but one: the reported accuracy
// of a model trained on t (its card's result on t) is hidden too. What Clean
// derives from the accuracies (standardised accuracies, agreements) is
// hidden for t too.
func (d *Data) Without(t int) *Data {
	v := *d
	v.Models = slices.Clone(d.Models)
	for mi := range v.Models {
		if mi < len(d.reportedOn) && slices.Contains(d.reportedOn[mi], t) {
			v.Models[mi].ReportedAccuracy = math.NaN()
		}
	}
	v.acc, v.norm = slices.Clone(d.acc), slices.Clone(d.norm)
	v.acc[t] = newMatrix(1, len(d.Models), math.NaN())[0]
	v.norm[t] = v.acc[t]
	v.hasHistory = slices.Clone(d.hasHistory)
	v.hasHistory[t] = false
	if t < len(d.fail) { // derived by Clean
		v.fail = slices.Clone(d.fail)
		v.fail[t] = evaluate.NewFailure(v.acc[t], d.Datasets[t].NumClasses)
	}
	if t < len(d.z) { // derived by Clean
		v.z = slices.Clone(d.z)
		v.z[t] = v.acc[t]
		v.agree = make([][]float64, len(d.agree))
		for a, row := range d.agree {
			v.agree[a] = slices.Clone(row)
			v.agree[a][t] = math.NaN()
		}
		v.agree[t] = newMatrix(1, len(d.agree), math.NaN())[0]
	}
	return &v
}

// historyIDs returns the ids of the datasets whose records serve as history.
func (d *Data) historyIDs() []string {
	ids := []string{}
	for _, di := range d.HistoryDatasets() {
		ids = append(ids, d.Datasets[di].DatasetID)
	}
	return ids
}

// HistoryDatasets returns the datasets whose records serve as history.
func (d *Data) HistoryDatasets() []int {
	var out []int
	for di, ok := range d.hasHistory {
		if ok {
			out = append(out, di)
		}
	}
	return out
}
