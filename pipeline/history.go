package pipeline

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/zoograph/zoograph/crawler/card"
	"github.com/zoograph/zoograph/store"
)

// HistorySource is the Source prefix of the fine-tuning records History
// derives from model-index results: "model-index/accuracy",
// "model-index/f1", ... (the metric follows the slash).
const HistorySource = "model-index"

// Why an eval row did not become a history record. Each rejected row is
// counted under the first reason that applies, in this order.
const (
	RejectNoBaseModel    = "no base model: the card names none (base_model or the Trainer sentence)"
	RejectSeveralBases   = "several base models (a merge)"
	RejectNotFineTune    = "not a fine-tune (base_model_relation quantized or merge)"
	RejectNotNumeric     = "value not a number"
	RejectMetric         = "metric not an accuracy-like score in [0, 1] (loss, wer, bleu, ndcg, ...)"
	RejectSplit          = "split not test or validation (train, or none, without the Trainer's evaluation-set result)"
	RejectRange          = "value out of range (negative, or above 100)"
	RejectNoDataset      = "no dataset id"
	RejectLoader         = "a generic loader (imagefolder, csv, ...) without the dataset's Hub id"
	RejectNoConfig       = "no config for a dataset reported with several configs"
	RejectNotTrainedOn   = "evaluated on a dataset the model was not trained on"
	RejectSelfBase       = "the base model is the model itself"
	RejectDuplicateSplit = "duplicate: the same result on another split (test kept before validation)"
	RejectCopy           = "duplicate: same base model, dataset, metric and value (a copied card)"
	RejectOtherMetric    = "another metric was chosen for the dataset"
)

// rejectOrder lists the reasons in the order they are checked, for reports.
var rejectOrder = []string{RejectNoBaseModel, RejectSeveralBases, RejectNotFineTune, RejectSelfBase, RejectNotNumeric,
	RejectMetric, RejectRange, RejectSplit, RejectNoDataset, RejectLoader, RejectNoConfig, RejectNotTrainedOn,
	RejectDuplicateSplit, RejectCopy, RejectOtherMetric}

// Where a model's base model was read.
const (
	LineageMetadata = "base_model"       // the card's base_model front matter (or the API's baseModels)
	LineageTrainer  = "trainer_sentence" // "This model is a fine-tuned version of [B](https://huggingface.co/B) ..."
)

// HistoryRecord is one fine-tuning result harvested from a model card: the
// card of Model reports Value on Dataset, and Model is a fine-tuned version
// of BaseModel, so fine-tuning BaseModel on Dataset reached Value.
type HistoryRecord struct {
	BaseModel string  `json:"base_model"` // the model that was fine-tuned: the record's model
	Model     string  `json:"model"`      // the fine-tuned model whose card reports the result
	Dataset   string  `json:"dataset"`    // dataset id: the Hub id, "/config" appended when the config matters
	Task      string  `json:"task"`       // the result's task type, Hub vocabulary (image-classification)
	Metric    string  `json:"metric"`     // normalised: accuracy, f1, matthews_correlation, precision, recall
	Split     string  `json:"split"`      // test, validation or evaluation-set (the Trainer's)
	Value     float64 `json:"value"`      // in [0, 1]
	Raw       string  `json:"raw"`        // the value as written in the card
	Lineage   string  `json:"lineage"`    // LineageMetadata or LineageTrainer
	Method    string  `json:"method"`     // full, or lora for adapters
}

// HistoryReport counts what History did with the zoo's evals.
type HistoryReport struct {
	// Evals is the number of eval rows read; Records the history records
	// made of them; Rejected the others, by reason.
	Evals    int            `json:"evals"`
	Records  int            `json:"records"`
	Rejected map[string]int `json:"rejected"`
	// TrainerSplit counts the records whose split is the Trainer's
	// evaluation set (the card names "train" or no split, and its body says
	// the value was measured on the evaluation set).
	TrainerSplit int `json:"trainer_split"`
	// Lineage counts the models with a base model, by where it was read;
	// LineageAdded those whose base model came only from the Trainer
	// sentence (History adds it to their base_models).
	Lineage      map[string]int `json:"lineage"`
	LineageAdded int            `json:"lineage_added"`
	// BaseModels and Datasets count the distinct ones among the records;
	// Metric is the metric chosen per dataset.
	BaseModels int               `json:"base_models"`
	Datasets   int               `json:"datasets"`
	Metric     map[string]string `json:"metric"`
}

// History is the fine-tuning history a zoo's model cards hold.
type History struct {
	Records []HistoryRecord
	Report  HistoryReport
	// BaseModel maps a model to its base model where the card names exactly
	// one, and Lineage says where it was read.
	BaseModel map[string]string
	Lineage   map[string]string
	// DatasetTask is the task type most records of a dataset carry.
	DatasetTask map[string]string
}

// HistoryFromEvals turns the zoo's evals (the flattened model-index of the
// crawled cards) into fine-tuning history. A result of model M on dataset D,
// where M's card names one base model B, is evidence that fine-tuning B on
// D reached that value. The rules, in the order they are applied:
//
//  1. Lineage. B is the card's base_model (front matter, or the API's
//     baseModels), else the base model of the Trainer sentence "This model
//     is a fine-tuned version of [B](https://huggingface.co/B) on the D
//     dataset." (the link's path, not its text). A legacy id without owner
//     ("bert-base-uncased") becomes the zoo's model "owner/bert-base-uncased"
//     when exactly one has that name. Several base models (a merge), or a
//     base_model_relation of quantized or merge, give no record; an
//     adapter gives method lora.
//  2. Metric. The metric type, else its name, case-folded with spaces and
//     hyphens as underscores, must name an accuracy-like score on [0, 1]:
//     accuracy (acc, top-1 accuracy, ...), f1 (any averaging),
//     matthews_correlation (mcc), precision or recall.
//  3. Value. A number, or "72%"; values in (1, 100] are percentages and
//     are divided by 100; negative values and values above 100 are
//     rejected.
//  4. Split. The split must be a test or validation split (test,
//     validation, valid, val, dev, eval, test[:10%], validation_matched,
//     ...). A split named train, or none, is kept only when the card's body
//     lists the same value, to the Trainer's 4 decimals, under "It achieves
//     the following results on the evaluation set": the Trainer names the
//     split its evaluation set was cut from (often train).
//  5. Dataset id. The dataset type (the Hub id), else a name without
//     spaces, else the Trainer sentence's dataset when it is one word. A
//     generic loader (imagefolder, csv, json, ...) is replaced by the Hub
//     id in its config when the config is the loader's "owner--name", else
//     rejected; so is a type that is not shaped like a Hub id. Configs
//     other than "default", "plain_text", the dataset's own name and its
//     "owner--name" are collected per dataset: a dataset reported with two
//     or more gets ids "dataset/config" (glue/rte), and its rows without a
//     config are ambiguous and rejected; any other dataset is its Hub id
//     alone. The id is then matched to the zoo's datasets table, exactly
//     or case-insensitively.
//  6. Trained on. When M declares its training datasets (card datasets,
//     the Trainer sentence), D must be one of them: results on other
//     datasets are zero-shot or transfer evaluations, not fine-tuning.
//  7. Duplicates. One record per (M, dataset, metric): test before
//     validation before the evaluation set. Records of the same base model,
//     dataset, metric and value (to 6 decimals) are copies of one card.
//  8. One metric per dataset: the metric that most base models have a
//     record of on that dataset; ties go to the first of accuracy, f1,
//     matthews_correlation, precision, recall.
func HistoryFromEvals(t *store.Tables) *History {
	h := &History{BaseModel: map[string]string{}, Lineage: map[string]string{}, DatasetTask: map[string]string{}}
	rep := &h.Report
	rep.Rejected = map[string]int{}
	rep.Lineage = map[string]int{}
	rep.Metric = map[string]string{}
	rep.Evals = len(t.Evals)
	if len(t.Evals) == 0 {
		return h
	}
	z := newCardIndex(t)
	h.readLineage(z)
	cands := z.candidates(t.Evals, rep)
	cands = resolveConfigs(cands, z.datasetIDs, rep)
	recs := dropCopies(dropDuplicateSplits(cands, rep), rep)
	h.keepOneMetric(recs)
	return h
}

// cardIndex holds what the zoo says about each model for HistoryFromEvals:
// its models row, its card's Trainer sentences and text, and the card
// information read from them (rule 1), read once per model.
type cardIndex struct {
	models     map[string]*store.Model
	byName     map[string][]string // model name without owner -> ids
	datasetIDs map[string]string   // case-folded id -> the zoo's id
	trainers   map[string]card.Trainer
	texts      map[string]string
	infos      map[string]*cardInfo
}

// cardInfo is what a model's card says: lineage, training datasets, Trainer
// results.
type cardInfo struct {
	bases    []string
	lineage  string
	relation string
	trainer  card.Trainer
	trained  []string
	lora     bool
}

// newCardIndex indexes the zoo's models, datasets and model cards; the
// Trainer sentences of every model card are parsed here, once.
func newCardIndex(t *store.Tables) *cardIndex {
	z := &cardIndex{models: map[string]*store.Model{}, byName: map[string][]string{}, datasetIDs: map[string]string{},
		trainers: map[string]card.Trainer{}, texts: map[string]string{}, infos: map[string]*cardInfo{}}
	for i := range t.Models {
		z.models[t.Models[i].ModelID] = &t.Models[i]
	}
	for id := range z.models {
		if _, name, ok := strings.Cut(id, "/"); ok {
			z.byName[name] = append(z.byName[name], id)
		}
	}
	for _, d := range t.Datasets {
		if _, ok := z.datasetIDs[strings.ToLower(d.DatasetID)]; !ok {
			z.datasetIDs[strings.ToLower(d.DatasetID)] = d.DatasetID
		}
	}
	for _, c := range t.Cards {
		if c.RepoType == "model" {
			z.trainers[c.RepoID] = card.ParseTrainer([]byte(c.Text))
			z.texts[c.RepoID] = c.Text
		}
	}
	return z
}

// canonical returns the zoo's id of base model b: a legacy id without owner
// becomes the zoo's "owner/name" when exactly one model has that name; any
// other id is returned as it is.
func (z *cardIndex) canonical(b string) string {
	if _, ok := z.models[b]; ok || strings.Contains(b, "/") {
		return b
	}
	if ids := z.byName[b]; len(ids) == 1 {
		return ids[0]
	}
	return b
}

// info returns what model id's models row and card say (rule 1): its base
// models (canonical ids) and where they were read, its base_model_relation,
// the datasets it declares it was trained on, and whether it is an adapter.
// The result is computed once per model and shared.
func (z *cardIndex) info(id string) *cardInfo {
	if ci, ok := z.infos[id]; ok {
		return ci
	}
	ci := &cardInfo{trainer: z.trainers[id]}
	z.infos[id] = ci
	m := z.models[id]
	if m != nil {
		ci.bases = slices.Clone(m.BaseModels)
		ci.trained = slices.Clone(m.SourceDatasets)
		ci.lora = m.LibraryName == "peft" || slices.Contains(m.Tags, "peft") || slices.Contains(m.Tags, "lora")
	}
	// The crawl read base_model and datasets into the models row; the
	// front matter is parsed again only for what the row lacks.
	if text := z.texts[id]; text != "" && (m == nil || strings.Contains(text, "base_model_relation")) {
		if md, err := card.Parse([]byte(text), card.DefaultOptions()); err == nil {
			if len(ci.bases) == 0 {
				ci.bases = md.BaseModels
			}
			ci.relation = strings.ToLower(md.BaseModelRelation)
			if len(ci.trained) == 0 {
				ci.trained = md.Datasets
			}
		}
	}
	switch {
	case len(ci.bases) > 0:
		ci.lineage = LineageMetadata
	case ci.trainer.BaseModel != "":
		ci.bases, ci.lineage = []string{ci.trainer.BaseModel}, LineageTrainer
	}
	for i, b := range ci.bases {
		ci.bases[i] = z.canonical(b)
	}
	if d := ci.trainer.Dataset; d != "" && !strings.ContainsAny(d, " \t") {
		ci.trained = append(ci.trained, d)
	}
	if ci.relation == "adapter" {
		ci.lora = true
	}
	return ci
}

// readLineage fills h.BaseModel and h.Lineage for every model with exactly
// one base model (from its models row, else its Trainer sentence; a model
// with several is a merge and has none), for the graph and for inherited
// history, and counts them in h.Report.
func (h *History) readLineage(z *cardIndex) {
	for id, m := range z.models {
		if len(m.BaseModels) == 1 {
			h.BaseModel[id], h.Lineage[id] = z.canonical(m.BaseModels[0]), LineageMetadata
		}
	}
	for _, id := range sortedKeys(z.trainers) {
		if h.BaseModel[id] != "" {
			continue
		}
		if m := z.models[id]; m != nil && len(m.BaseModels) > 0 {
			continue // several base models: a merge
		}
		if b := z.trainers[id].BaseModel; b != "" && z.canonical(b) != id {
			h.BaseModel[id], h.Lineage[id] = z.canonical(b), LineageTrainer
		}
	}
	for _, src := range h.Lineage {
		h.Report.Lineage[src]++
		if src == LineageTrainer {
			h.Report.LineageAdded++
		}
	}
}

// historyCand is a candidate record: an eval row that passed rules 1 to 6.
type historyCand struct {
	rec       HistoryRecord
	splitRank int    // 0 test, 1 validation, 2 evaluation set
	config    string // the dataset config the row names, if one that matters
}

// candidates applies rules 1 to 6 to every eval row, counting the rejected
// ones in rep, and returns the others in the order of evals; a candidate's
// dataset is its Hub id without config (resolveConfigs adds it).
func (z *cardIndex) candidates(evals []store.Eval, rep *HistoryReport) []historyCand {
	var cands []historyCand
	for _, e := range evals {
		c, why := z.candidate(e)
		if why != "" {
			rep.Rejected[why]++
			continue
		}
		cands = append(cands, c)
	}
	return cands
}

// candidate applies rules 1 to 6 to one eval row: it returns the candidate
// record, or the first reason (a Reject constant) the row gives none.
func (z *cardIndex) candidate(e store.Eval) (historyCand, string) {
	ci := z.info(e.ModelID)
	switch {
	case len(ci.bases) == 0:
		return historyCand{}, RejectNoBaseModel
	case len(ci.bases) > 1:
		return historyCand{}, RejectSeveralBases
	case ci.relation == "quantized" || ci.relation == "merge":
		return historyCand{}, RejectNotFineTune
	case ci.bases[0] == e.ModelID:
		return historyCand{}, RejectSelfBase
	}
	value, metric, why := evalScore(e)
	if why != "" {
		return historyCand{}, why
	}
	split, rank := normaliseSplit(e.DatasetSplit)
	if split == "" {
		if !trainerConfirms(ci.trainer, e) {
			return historyCand{}, RejectSplit
		}
		split, rank = "evaluation-set", 2
	}
	typ, cfg, why := datasetOf(e, ci.trainer)
	if why != "" {
		return historyCand{}, why
	}
	if len(ci.trained) > 0 && !trainedOn(ci.trained, e.DatasetType, typ) {
		return historyCand{}, RejectNotTrainedOn
	}
	method := "full"
	if ci.lora {
		method = "lora"
	}
	return historyCand{rec: HistoryRecord{BaseModel: ci.bases[0], Model: e.ModelID, Dataset: typ,
		Task: normaliseTask(e.TaskType), Metric: metric, Split: split, Value: value, Raw: e.ValueRaw,
		Lineage: ci.lineage, Method: method}, splitRank: rank, config: cfg}, ""
}

// evalScore applies rules 2 and 3 to an eval row: it returns the value on
// [0, 1] and the normalised metric, or the reason the row has none.
func evalScore(e store.Eval) (value float64, metric, why string) {
	value, percent, ok := evalValue(e)
	if !ok {
		return 0, "", RejectNotNumeric
	}
	metric = normaliseMetric(e.MetricType)
	if metric == "" && strings.TrimSpace(e.MetricType) == "" {
		metric = normaliseMetric(e.MetricName)
	}
	if metric == "" {
		return 0, "", RejectMetric
	}
	if value < 0 || value > 100 {
		return 0, "", RejectRange
	}
	if value > 1 || percent {
		value /= 100
	}
	return value, metric, ""
}

// resolveConfigs gives the candidates their final dataset ids (the end of
// rule 5): "dataset/config" for a dataset reported with two or more configs
// (its rows without a config are ambiguous and rejected, counted in rep),
// the Hub id alone otherwise, then the zoo's id where the datasets table has
// the same id up to case (datasetIDs maps case-folded ids to the zoo's).
// It reuses cands' storage.
func resolveConfigs(cands []historyCand, datasetIDs map[string]string, rep *HistoryReport) []historyCand {
	configs := map[string]map[string]bool{} // dataset -> the configs reported
	for _, c := range cands {
		if c.config != "" {
			if configs[c.rec.Dataset] == nil {
				configs[c.rec.Dataset] = map[string]bool{}
			}
			configs[c.rec.Dataset][c.config] = true
		}
	}
	kept := cands[:0]
	for _, c := range cands {
		if len(configs[c.rec.Dataset]) >= 2 {
			if c.config == "" {
				rep.Rejected[RejectNoConfig]++
				continue
			}
			c.rec.Dataset += "/" + c.config
		}
		if zooID, ok := datasetIDs[strings.ToLower(c.rec.Dataset)]; ok {
			c.rec.Dataset = zooID
		}
		kept = append(kept, c)
	}
	return kept
}

// dropDuplicateSplits applies the first half of rule 7: one record per
// (model, dataset, metric), test before validation before the evaluation
// set; the others are counted in rep. The records come out sorted by
// model, dataset and metric. It sorts cands in place.
func dropDuplicateSplits(cands []historyCand, rep *HistoryReport) []HistoryRecord {
	slices.SortStableFunc(cands, func(a, b historyCand) int {
		return cmp.Or(strings.Compare(a.rec.Model, b.rec.Model), strings.Compare(a.rec.Dataset, b.rec.Dataset),
			strings.Compare(a.rec.Metric, b.rec.Metric), cmp.Compare(a.splitRank, b.splitRank))
	})
	var recs []HistoryRecord
	for i, c := range cands {
		if i > 0 {
			p := cands[i-1].rec
			if p.Model == c.rec.Model && p.Dataset == c.rec.Dataset && p.Metric == c.rec.Metric {
				rep.Rejected[RejectDuplicateSplit]++
				continue
			}
		}
		recs = append(recs, c.rec)
	}
	return recs
}

// dropCopies applies the second half of rule 7: of the records with the same
// base model, dataset, metric and value (to 6 decimals), copies of one
// card, the first is kept and the others are counted in rep. It reuses
// recs' storage and keeps the order.
func dropCopies(recs []HistoryRecord, rep *HistoryReport) []HistoryRecord {
	type copyKey struct {
		base, dataset, metric string
		value                 float64
	}
	seen := map[copyKey]bool{}
	unique := recs[:0]
	for _, r := range recs {
		k := copyKey{r.BaseModel, r.Dataset, r.Metric, math.Round(r.Value * 1e6)}
		if seen[k] {
			rep.Rejected[RejectCopy]++
			continue
		}
		seen[k] = true
		unique = append(unique, r)
	}
	return unique
}

// keepOneMetric applies rule 8 and completes h: it chooses each dataset's
// metric (h.Report.Metric), keeps the records of that metric (the others
// counted), sorted by base model, dataset and model, as h.Records, sets each
// dataset's most frequent task (ties to the first in order) and the
// report's counts.
func (h *History) keepOneMetric(recs []HistoryRecord) {
	rep := &h.Report
	for ds, best := range chooseMetrics(recs) {
		rep.Metric[ds] = best
	}
	final := recs[:0]
	tasks := map[string]map[string]int{}
	baseSet := map[string]bool{}
	for _, r := range recs {
		if rep.Metric[r.Dataset] != r.Metric {
			rep.Rejected[RejectOtherMetric]++
			continue
		}
		final = append(final, r)
		if r.Split == "evaluation-set" {
			rep.TrainerSplit++
		}
		baseSet[r.BaseModel] = true
		if r.Task != "" {
			if tasks[r.Dataset] == nil {
				tasks[r.Dataset] = map[string]int{}
			}
			tasks[r.Dataset][r.Task]++
		}
	}
	for ds, byTask := range tasks {
		best := ""
		for _, task := range sortedKeys(byTask) {
			if best == "" || byTask[task] > byTask[best] {
				best = task
			}
		}
		h.DatasetTask[ds] = best
	}
	slices.SortFunc(final, func(a, b HistoryRecord) int {
		return cmp.Or(strings.Compare(a.BaseModel, b.BaseModel), strings.Compare(a.Dataset, b.Dataset),
			strings.Compare(a.Model, b.Model))
	})
	h.Records = final
	rep.Records = len(final)
	rep.BaseModels = len(baseSet)
	rep.Datasets = len(rep.Metric)
}

// chooseMetrics returns each dataset's metric (rule 8): the one most base
// models have a record of, ties to the first of metricPreference.
func chooseMetrics(recs []HistoryRecord) map[string]string {
	bases := map[string]map[string]map[string]bool{} // dataset -> metric -> base models
	for _, r := range recs {
		if bases[r.Dataset] == nil {
			bases[r.Dataset] = map[string]map[string]bool{}
		}
		if bases[r.Dataset][r.Metric] == nil {
			bases[r.Dataset][r.Metric] = map[string]bool{}
		}
		bases[r.Dataset][r.Metric][r.BaseModel] = true
	}
	metric := map[string]string{}
	for ds, byMetric := range bases {
		best := ""
		for _, m := range metricPreference {
			if n := len(byMetric[m]); n > 0 && (best == "" || n > len(byMetric[best])) {
				best = m
			}
		}
		metric[ds] = best
	}
	return metric
}

// Finetunes returns the records as rows of the finetunes table: model =
// the base model, source "model-index/<metric>", repeated runs numbered
// after the runs the zoo already holds for the same pair and method.
func (h *History) Finetunes(existing []store.Finetune) []store.Finetune {
	type key struct{ m, d, method string }
	next := map[key]int64{}
	for _, f := range existing {
		k := key{f.ModelID, f.DatasetID, f.Method}
		next[k] = max(next[k], f.Run+1)
	}
	out := make([]store.Finetune, len(h.Records))
	for i, r := range h.Records {
		k := key{r.BaseModel, r.Dataset, r.Method}
		out[i] = store.Finetune{ModelID: r.BaseModel, DatasetID: r.Dataset, Run: next[k], Accuracy: r.Value,
			Method: r.Method, Epochs: math.NaN(), LearningRate: math.NaN(), TrainSeconds: math.NaN(),
			Source: HistorySource + "/" + r.Metric}
		next[k]++
	}
	return out
}

// WithHistory returns the zoo's tables with the history of its model cards
// added, and that history: the records appended to finetunes, base models
// read from the Trainer sentence added to the models that had none, and a
// datasets row (with its task) for every history dataset the zoo does not
// describe. t itself is not modified. A zoo without evals is returned as it
// is.
func WithHistory(t *store.Tables) (*store.Tables, *History) {
	h := HistoryFromEvals(t)
	if len(h.Records) == 0 && h.Report.LineageAdded == 0 {
		return t, h
	}
	out := *t
	out.Finetunes = append(slices.Clip(t.Finetunes), h.Finetunes(t.Finetunes)...)
	out.Models = slices.Clone(t.Models)
	for i := range out.Models {
		m := &out.Models[i]
		if len(m.BaseModels) == 0 && h.Lineage[m.ModelID] == LineageTrainer {
			m.BaseModels = []string{h.BaseModel[m.ModelID]}
		}
	}
	known := map[string]bool{}
	for _, d := range t.Datasets {
		known[d.DatasetID] = true
	}
	out.Datasets = slices.Clip(t.Datasets)
	for _, ds := range sortedKeys(h.Report.Metric) {
		if known[ds] {
			continue
		}
		row := store.Dataset{DatasetID: ds, Source: HistorySource}
		if task := h.DatasetTask[ds]; task != "" {
			row.TaskCategories = []string{task}
		}
		out.Datasets = append(out.Datasets, row)
	}
	return &out, h
}

// metricPreference is the order of the accepted metrics, for ties.
var metricPreference = []string{"accuracy", "f1", "matthews_correlation", "precision", "recall"}

// normaliseMetric maps a metric type or name to one of metricPreference,
// or "" when it is not an accuracy-like score.
func normaliseMetric(s string) string {
	k := strings.ToLower(strings.TrimSpace(s))
	k = strings.NewReplacer(" ", "_", "-", "_").Replace(k)
	k = strings.TrimPrefix(k, "eval_")
	switch k {
	case "accuracy", "acc", "top_1_accuracy", "top1_accuracy", "top_1", "top1", "top1_acc", "accuracy_top_1", "acc@1", "top_1_acc":
		return "accuracy"
	case "f1", "f1_score", "fscore", "f_score", "f1_macro", "macro_f1", "f1_micro", "micro_f1", "f1_weighted",
		"weighted_f1", "macro_f1_score", "f1_score_macro", "f1_score_weighted", "f1_score_micro":
		return "f1"
	case "matthews_correlation", "mcc", "matthews_corrcoef", "matthews_correlation_coefficient":
		return "matthews_correlation"
	case "precision", "precision_macro", "macro_precision", "precision_weighted", "weighted_precision", "precision_micro":
		return "precision"
	case "recall", "recall_macro", "macro_recall", "recall_weighted", "weighted_recall", "recall_micro":
		return "recall"
	}
	return ""
}

// evalValue is the row's numeric value and whether it was written as a
// percentage ("72%").
func evalValue(e store.Eval) (v float64, percent, ok bool) {
	v = e.Value
	if math.IsNaN(v) {
		pct, isPct := strings.CutSuffix(strings.TrimSpace(e.ValueRaw), "%")
		if !isPct {
			return 0, false, false
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
		if err != nil {
			return 0, false, false
		}
		v, percent = f, true
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, false
	}
	return v, percent, true
}

// normaliseSplit returns "test" or "validation" and its rank (test first),
// or "" for other splits: the split's words, a slice like [:10%] removed,
// must include test, or validation, valid, val, dev or eval.
func normaliseSplit(s string) (string, int) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexByte(s, '['); i >= 0 {
		s = s[:i]
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') })
	for _, w := range words {
		if strings.HasPrefix(w, "test") {
			return "test", 0
		}
	}
	for _, w := range words {
		switch w {
		case "validation", "valid", "val", "dev", "eval", "evaluation", "validation1", "dev1":
			return "validation", 1
		}
	}
	return "", 0
}

// trainerConfirms reports whether the card's body lists the row's value
// under the Trainer's evaluation-set results (to its 4 decimals).
func trainerConfirms(tr card.Trainer, e store.Eval) bool {
	if tr.EvalResults == nil || math.IsNaN(e.Value) {
		return false
	}
	for _, key := range []string{e.MetricName, e.MetricType} {
		k := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(key)), " ", "_")
		if v, ok := tr.EvalResults[k]; ok && math.Abs(math.Round(e.Value*1e4)/1e4-v) < 1e-9 {
			return true
		}
	}
	return false
}

// datasetIDRe is the shape of a Hub dataset id: a name, or owner/name.
var datasetIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$`)

// configRe is the shape of a dataset config a result's id may carry
// (glue/mrpc, wikiann/en, a date or version): no space, slash or control
// character.
var configRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)

// genericLoaders are the datasets library's builders for local files: a
// result on "imagefolder" says nothing about which data it was.
var genericLoaders = map[string]bool{
	"imagefolder": true, "image_folder": true, "audiofolder": true, "audio_folder": true, "videofolder": true,
	"csv": true, "json": true, "text": true, "parquet": true, "pandas": true, "arrow": true, "webdataset": true,
	"generator": true, "custom": true, "local": true,
}

// datasetOf returns the dataset id and config of an eval row (rule 5), or
// the reason there is none.
func datasetOf(e store.Eval, tr card.Trainer) (typ, cfg, why string) {
	typ = strings.TrimSpace(e.DatasetType)
	if typ == "" {
		if n := strings.TrimSpace(e.DatasetName); n != "" && !strings.ContainsAny(n, " \t") {
			typ = n
		} else if d := tr.Dataset; d != "" && !strings.ContainsAny(d, " \t") {
			typ = d
		}
	}
	if typ == "" || !datasetIDRe.MatchString(typ) {
		return "", "", RejectNoDataset
	}
	cfg = strings.TrimSpace(e.DatasetConfig)
	if genericLoaders[strings.ToLower(typ)] {
		owner, name, ok := strings.Cut(cfg, "--")
		if !ok || owner == "" || name == "" || strings.Contains(name, "--") || !datasetIDRe.MatchString(owner+"/"+name) {
			return "", "", RejectLoader
		}
		return owner + "/" + name, "", ""
	}
	if cfg != "" && !configRe.MatchString(cfg) {
		// not a config name (a card's free text, a line break): the id it
		// would make would be no dataset's
		return "", "", RejectNoDataset
	}
	short := typ
	if i := strings.LastIndexByte(typ, '/'); i >= 0 {
		short = typ[i+1:]
	}
	switch strings.ToLower(cfg) {
	case "", "default", "plain_text", strings.ToLower(short), strings.ToLower(strings.ReplaceAll(typ, "/", "--")):
		cfg = ""
	}
	return typ, cfg, ""
}

// trainedOn reports whether a dataset (its type as written, or the id it
// was mapped to) is among a model's training datasets, comparing
// case-folded ids whole or by their last segment.
func trainedOn(trained []string, rawType, id string) bool {
	last := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		if i := strings.LastIndexByte(s, '/'); i >= 0 {
			return s[i+1:]
		}
		return s
	}
	for _, t := range trained {
		for _, d := range []string{rawType, id} {
			if d == "" {
				continue
			}
			if strings.EqualFold(t, d) || last(t) == last(d) {
				return true
			}
		}
	}
	return false
}

// normaliseTask writes a task type in the Hub's vocabulary: "Image
// Classification" becomes image-classification.
func normaliseTask(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "-")
}

// RejectReasons lists the reasons of a report with their counts, in the
// order History checks them, for printing.
func (r *HistoryReport) RejectReasons() []string {
	var out []string
	for _, why := range rejectOrder {
		if n := r.Rejected[why]; n > 0 {
			out = append(out, fmt.Sprintf("%d %s", n, why))
		}
	}
	return out
}

// ReadHistory reads from the zoo directory dir only what HistoryFromEvals
// needs (evals, model cards, the lineage and training-dataset columns of
// models, dataset ids) and returns its history. A zoo without evals gives
// an empty history.
func ReadHistory(dir string) (*History, error) {
	t := &store.Tables{}
	var err error
	if t.Evals, err = readOptional[store.Eval](dir); err != nil || len(t.Evals) == 0 {
		return HistoryFromEvals(t), err
	}
	if t.Models, err = readOptional[store.Model](dir, "model_id", "base_models", "source_datasets", "library_name", "tags"); err != nil {
		return nil, err
	}
	if t.Datasets, err = readOptional[store.Dataset](dir, "dataset_id"); err != nil {
		return nil, err
	}
	if t.Cards, err = readOptional[store.Card](dir, "repo_type", "repo_id", "text"); err != nil {
		return nil, err
	}
	return HistoryFromEvals(t), nil
}

// readOptional reads a table of the zoo, or nothing when the zoo lacks it.
func readOptional[T store.Row](dir string, columns ...string) ([]T, error) {
	rows, err := store.ReadTable[T](dir, columns...)
	if errors.Is(err, store.ErrNoTable) {
		return nil, nil
	}
	return rows, err
}
