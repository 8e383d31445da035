package pipeline

import (
	"math"
	"slices"
	"strings"

	"github.com/zoograph/zoograph/pipeline/evaluate"
	"github.com/zoograph/zoograph/store"
)

// This file derives, once per run, what zoos without dataset distances or
// per-dataset transferability scores (the model-recycling benchmark) are
// compared by: accuracies standardised within each dataset, the agreement
// of two datasets' accuracies, the datasets a model was trained on, its
// base model and its probe score.

// minAgreementModels is the smallest number of models two datasets must
// share for the agreement of their accuracies to be defined.
const minAgreementModels = 10

// historyData is the part of Data derived by deriveHistory.
type historyData struct {
	// z[d][m] is model m's accuracy on dataset d standardised over d's
	// models (NaN when none): z = (a − mean_d) / sd_d.
	z [][]float64
	// agree[a][b] is the Pearson correlation of the accuracies of history
	// datasets a and b over the models with both (NaN when undefined or
	// when either is not a history dataset). It uses nothing but a's and
	// b's records, so it is honest for every target other than a and b.
	agree [][]float64
	// hasDistances reports whether the zoo has any dataset distance; without
	// one, dataset similarity comes from agreement and metadata.
	hasDistances bool
	// sources[m] are the dataset indices model m was trained on: declared
	// (source_datasets) or named in its repo id (see sourcesFromID).
	sources [][]int
	// reportedOn[m] are the datasets model m's reported accuracy may be a
	// result on (see deriveReportedOn): its sources, and the datasets one
	// of its declared datasets names loosely. A row on one of them, or of a
	// target among them, does not see the reported accuracy.
	reportedOn [][]int
	// base[m] encodes model m's first base model (NaN when none); baseOf[m]
	// is its id.
	base   []float64
	baseOf []string
	// probe[m] is model m's probe score: the mean of its scores of every
	// method other than the per-dataset transferability scores (the
	// model-recycling benchmark's linear probe on MNLI); NaN when none.
	probe []float64
	// meta[d] is dataset d's metadata, parsed for similarity.
	meta []datasetMeta
	// fail[d] is the failure rule of dataset d's records (evaluate.Failure
	// of its accuracies and classes), which every feature table's
	// failedRows reads.
	fail []evaluate.Failure
}

// datasetMeta is what dataset similarity compares.
type datasetMeta struct {
	task, domain, category, hub, size string
	logClasses                        float64 // NaN when unknown
}

// deriveHistory fills d.historyData, one step per part.
func deriveHistory(d *Data) {
	d.fail = make([]evaluate.Failure, len(d.Datasets))
	for di := range d.fail {
		d.fail[di] = evaluate.NewFailure(d.acc[di], d.Datasets[di].NumClasses)
	}
	d.deriveAgreement()
	d.deriveSources()
	d.deriveReportedOn()
	d.deriveBase()
	d.deriveProbe()
	d.meta = make([]datasetMeta, len(d.Datasets))
	for di, ds := range d.Datasets {
		d.meta[di] = parseDatasetMeta(ds)
	}
}

// deriveAgreement sets d.z, the accuracies standardised within each dataset
// (NaN where unknown); d.agree, the Pearson correlation of two history
// datasets' standardised accuracies over the models both have (NaN with
// fewer than minAgreementModels, on the diagonal, and for other datasets);
// and d.hasDistances, whether any two datasets have a known distance.
func (d *Data) deriveAgreement() {
	nd, nm := len(d.Datasets), len(d.Models)
	h := &d.historyData
	h.z = newMatrix(nd, nm, math.NaN())
	for di := range nd {
		copy(h.z[di], standardize(d.acc[di], math.NaN()))
	}
	h.agree = newMatrix(nd, nd, math.NaN())
	for a := range nd {
		for b := a + 1; b < nd; b++ {
			if d.hasHistory[a] && d.hasHistory[b] {
				r := pearsonFinite(h.z[a], h.z[b], minAgreementModels)
				h.agree[a][b], h.agree[b][a] = r, r
			}
		}
	}
	for a := range nd {
		for b := range nd {
			if a != b && !math.IsNaN(d.dist[a][b]) {
				h.hasDistances = true
			}
		}
	}
}

// deriveSources sets d.sources: each model's training datasets, its declared
// source datasets the zoo knows first, then those its id names
// (sourcesFromID), each once.
func (d *Data) deriveSources() {
	names := newDatasetNames(d.Datasets)
	d.sources = make([][]int, len(d.Models))
	for mi, m := range d.Models {
		var src []int
		add := func(di int) {
			if !slices.Contains(src, di) {
				src = append(src, di)
			}
		}
		for _, s := range m.SourceDatasets {
			if di, ok := d.datasetIdx[s]; ok {
				add(di)
			}
		}
		for _, di := range names.sourcesFromID(m.ModelID) {
			add(di)
		}
		d.sources[mi] = src
	}
}

// deriveReportedOn sets d.reportedOn: each model's sources, then every
// dataset that one of its declared source datasets names as the crawler
// matches a card's result to them when it reads the reported accuracy
// (crawler.ReportedAccuracy: case-folded, whole or by the last segment)
// with the config left out: a dataset of the zoo is named by s when it, or
// it without its last segment (glue/mrpc without its config mrpc), is s or
// ends in the same segment. A card that declares "glue" reports its
// accuracy on one of glue's configs, which the zoo knows as glue/mrpc: the
// base model's record there, one lineage edge away.
func (d *Data) deriveReportedOn() {
	last := func(s string) string { return s[strings.LastIndexByte(s, '/')+1:] }
	// The datasets by each key a declared dataset s is compared on: the
	// id, its last segment, and the same of the id without its last
	// segment, the keys' kinds kept apart by a prefix.
	named := map[string][]int{}
	for di, ds := range d.Datasets {
		id := strings.ToLower(ds.DatasetID)
		keys := []string{"id " + id, "last " + last(id)}
		if i := strings.LastIndexByte(id, '/'); i > 0 {
			keys = append(keys, "id "+id[:i], "last "+last(id[:i]))
		}
		for _, k := range keys {
			if !slices.Contains(named[k], di) {
				named[k] = append(named[k], di)
			}
		}
	}
	d.reportedOn = make([][]int, len(d.Models))
	for mi, m := range d.Models {
		on := slices.Clone(d.sources[mi])
		for _, s := range m.SourceDatasets {
			if s = strings.ToLower(strings.TrimSpace(s)); s == "" {
				continue
			}
			for _, di := range slices.Concat(named["id "+s], named["last "+last(s)]) {
				if !slices.Contains(on, di) {
					on = append(on, di)
				}
			}
		}
		d.reportedOn[mi] = on
	}
}

// deriveBase sets d.baseOf, each model's first base model ("" when none),
// and d.base, its code among the zoo's base models in sorted order (NaN when
// none).
func (d *Data) deriveBase() {
	nm := len(d.Models)
	enc := encoder(d.Models, func(m store.Model) string { return firstOf(m.BaseModels) })
	d.base, d.baseOf = make([]float64, nm), make([]string, nm)
	for mi, m := range d.Models {
		d.baseOf[mi] = firstOf(m.BaseModels)
		d.base[mi] = math.NaN()
		if v, ok := enc[d.baseOf[mi]]; ok {
			d.base[mi] = v
		}
	}
}

// deriveProbe sets d.probe: each model's mean score over every dataset of
// the score methods that are not transferMethods (the model-recycling
// benchmark's linear probe), NaN when it has none.
func (d *Data) deriveProbe() {
	d.probe = make([]float64, len(d.Models))
	for mi := range d.probe {
		var s, n float64
		for method, sc := range d.scores {
			if slices.Contains(transferMethods, method) {
				continue
			}
			for di := range sc {
				if v := sc[di][mi]; !math.IsNaN(v) {
					s += v
					n++
				}
			}
		}
		d.probe[mi] = math.NaN()
		if n > 0 {
			d.probe[mi] = s / n
		}
	}
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// parseDatasetMeta reads the Hub-style metadata of a dataset: task
// categories, size categories, class count, the "task:", "domain:" and
// "hub_id:" tags of imported benchmarks, and the Hub's "task_ids:" (the
// first task tag given is the dataset's finer task).
func parseDatasetMeta(ds store.Dataset) datasetMeta {
	m := datasetMeta{category: firstOf(ds.TaskCategories), size: firstOf(ds.SizeCategories), logClasses: math.NaN()}
	for _, tag := range ds.Tags {
		k, v, ok := strings.Cut(tag, ":")
		if !ok {
			continue
		}
		switch k {
		case "task", "task_ids": // an imported benchmark's finer task; the Hub's task ids
			if m.task == "" {
				m.task = subtaskKey(v)
			}
		case "domain":
			m.domain = v
		case "hub_id":
			m.hub = v
		}
	}
	if ds.NumClasses > 0 {
		m.logClasses = math.Log(float64(ds.NumClasses))
	}
	return m
}

// sizeBuckets are the Hub's size categories with the log10 of their
// geometric middle.
var sizeBuckets = map[string]float64{
	"n<1K": 2.5, "1K<n<10K": 3.5, "10K<n<100K": 4.5, "100K<n<1M": 5.5,
	"1M<n<10M": 6.5, "10M<n<100M": 7.5, "100M<n<1B": 8.5, "1B<n<10B": 9.5,
}

// datasetLogSize is the natural log of a dataset's training examples: the
// recorded count, else the geometric middle of its Hub size category; NaN
// when neither is known.
func datasetLogSize(ds *store.Dataset) float64 {
	if ds.NumExamples > 0 {
		return math.Log(float64(ds.NumExamples))
	}
	if v, ok := sizeBuckets[firstOf(ds.SizeCategories)]; ok {
		return v * math.Ln10
	}
	return math.NaN()
}

// nameTokens is a name split for matching: its tokens and its letters and
// digits without separators.
type nameTokens struct {
	tokens []string
	joined string
}

func tokenize(s string) nameTokens {
	tokens := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == '-' || r == '_' || r == '.' || r == '/' })
	return nameTokens{tokens: tokens, joined: strings.Join(tokens, "")}
}

// datasetNames is the datasets' ids split for sourcesFromID, indexed by
// their joined id and by the first of their tokens, so that a repo id is
// compared with the datasets one of its tokens can match rather than with
// all (a crawl names thousands).
type datasetNames struct {
	names             []nameTokens
	byJoined, byFirst map[string][]int
}

func newDatasetNames(datasets []store.Dataset) *datasetNames {
	n := &datasetNames{names: make([]nameTokens, len(datasets)), byJoined: map[string][]int{}, byFirst: map[string][]int{}}
	for di, ds := range datasets {
		t := tokenize(ds.DatasetID)
		n.names[di] = t
		if len(t.tokens) == 0 || len(t.joined) < 2 {
			continue
		}
		n.byJoined[t.joined] = append(n.byJoined[t.joined], di)
		if len(t.tokens) > 1 {
			n.byFirst[t.tokens[0]] = append(n.byFirst[t.tokens[0]], di)
		}
	}
	return n
}

// sourcesFromID returns the datasets a repo id names, in dataset order,
// the rule being: the name after the owner, lower-cased and split at '-',
// '_' and '.', names dataset D when D's id, split the same way, appears in
// it as consecutive tokens ("textattack/roberta-base-rotten-tomatoes" names
// rotten_tomatoes), or when D's id without separators is one of its tokens
// ("bert-agnews" names ag_news, "roberta-base-mnli" names mnli). The owner
// is left out: "mnli-lab/roberta-base" names nothing. A one-character id
// never matches.
func (n *datasetNames) sourcesFromID(id string) []int {
	nt := tokenize(id[strings.LastIndexByte(id, '/')+1:])
	var out []int
	for _, tok := range nt.tokens {
		for _, di := range n.byJoined[tok] {
			if !slices.Contains(out, di) {
				out = append(out, di)
			}
		}
		for _, di := range n.byFirst[tok] {
			if !slices.Contains(out, di) && containsRun(nt.tokens, n.names[di].tokens) {
				out = append(out, di)
			}
		}
	}
	slices.Sort(out)
	return out
}

// containsRun reports whether run appears in tokens as consecutive tokens
// (two or more: single tokens are matched by their joined form).
func containsRun(tokens, run []string) bool {
	if len(run) < 2 {
		return false
	}
	for i := 0; i+len(run) <= len(tokens); i++ {
		if slices.Equal(tokens[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// pearsonFinite is the Pearson correlation of x and y over the indices where
// both are finite (pearsonN), clamped to [−1, 1]; NaN with fewer than minN
// such indices or a constant side.
func pearsonFinite(x, y []float64, minN int) float64 {
	r, n := pearsonN(x, y)
	if n < minN {
		return math.NaN()
	}
	return max(-1, min(1, r))
}
