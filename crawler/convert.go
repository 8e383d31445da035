package crawler

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/zoograph/zoograph/crawler/card"
	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/store"
)

// SourceHub is the Source of the models and datasets rows a crawl writes.
const SourceHub = "hub"

// Eval sources: the README fetched by the crawl, or the API's cardData.
const (
	EvalSourceCard     = "card"
	EvalSourceCardData = "card_data"
)

// ModelRow converts a model as the Hub API returns it (a listing item or a
// detail) into a models row. meta is the card metadata, from the README
// when it was fetched and from the API's cardData otherwise; nil means
// none. It fills:
//
//   - identity and counters from the API (author: the owner in the id when
//     the API leaves it out);
//   - architectures and model_type from config, num_parameters from
//     safetensors (the total, else the sum over dtypes);
//   - source_datasets, base_models (else the detail's baseModels), license
//     (several licenses joined with ","), languages from the card;
//   - reported_accuracy: see ReportedAccuracy.
//
// Source is SourceHub and crawled_at is crawledAt in UTC.
func ModelRow(m *hub.ModelInfo, meta *card.Metadata, crawledAt time.Time) store.Model {
	r := store.Model{
		ModelID:          m.ID,
		HubOID:           m.OID,
		Author:           authorOf(m.Author, m.ID),
		SHA:              m.SHA,
		CreatedAt:        utc(m.CreatedAt),
		LastModified:     utc(m.LastModified),
		PipelineTag:      m.PipelineTag,
		LibraryName:      m.LibraryName,
		Tags:             slices.Clone(m.Tags),
		Downloads:        m.Downloads,
		DownloadsAllTime: m.DownloadsAllTime,
		Likes:            m.Likes,
		Gated:            string(m.Gated),
		ReportedAccuracy: math.NaN(),
		Source:           SourceHub,
		CrawledAt:        utc(crawledAt),
	}
	if c := m.Config; c != nil {
		r.Architectures = slices.Clone(c.Architectures)
		r.ModelType = c.ModelType
	}
	if s := m.Safetensors; s != nil {
		r.NumParameters = s.Total
		if r.NumParameters <= 0 {
			r.NumParameters = 0
			for _, n := range s.Parameters {
				if n > 0 {
					r.NumParameters += n
				}
			}
		}
	}
	if meta != nil {
		if r.PipelineTag == "" {
			r.PipelineTag = meta.PipelineTag
		}
		if r.LibraryName == "" {
			r.LibraryName = meta.LibraryName
		}
		r.SourceDatasets = slices.Clone(meta.Datasets)
		r.BaseModels = slices.Clone(meta.BaseModels)
		r.License = strings.Join(meta.License, ",")
		r.Languages = slices.Clone(meta.Languages)
		r.ReportedAccuracy = ReportedAccuracy(meta.ModelIndex, meta.Datasets)
	}
	if len(r.BaseModels) == 0 && m.BaseModels != nil {
		for _, b := range m.BaseModels.Models {
			if b.ID != "" {
				r.BaseModels = append(r.BaseModels, b.ID)
			}
		}
	}
	return r
}

// ReportedAccuracy returns the accuracy a model's own model-index reports
// on one of its source (training) datasets, or NaN when it reports none:
// the first row, in card order, whose metric type or name is accuracy and
// whose dataset (type or name, whole or after the owner's slash, case
// folded) is one of sourceDatasets. A value in (1, 100] is taken as a
// percentage and divided by 100, so the result is a fraction.
func ReportedAccuracy(rows []card.EvalRow, sourceDatasets []string) float64 {
	if len(rows) == 0 || len(sourceDatasets) == 0 {
		return math.NaN()
	}
	for _, e := range rows {
		if !isAccuracy(e) || !sameDataset(e, sourceDatasets) {
			continue
		}
		if v := accuracyFraction(e.Value); !math.IsNaN(v) {
			return v
		}
	}
	return math.NaN()
}

// accuracyFraction returns an accuracy a card reports as a fraction: cards
// write percentages too, so a value in (1, 100] is divided by 100. It is
// NaN when the result cannot be an accuracy (store.CheckAccuracy).
func accuracyFraction(v float64) float64 {
	if v > 1 && v <= 100 {
		v /= 100
	}
	if store.CheckAccuracy(v) != nil {
		return math.NaN()
	}
	return v
}

func isAccuracy(e card.EvalRow) bool {
	for _, s := range []string{e.MetricType, e.MetricName} {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "accuracy", "acc", "top-1 accuracy", "top1 accuracy", "top1_accuracy", "top-1":
			return true
		}
	}
	return false
}

func sameDataset(e card.EvalRow, sources []string) bool {
	for _, d := range []string{e.DatasetType, e.DatasetName} {
		d = normDataset(d)
		if d == "" {
			continue
		}
		for _, s := range sources {
			s = normDataset(s)
			if s != "" && (d == s || lastSegment(d) == lastSegment(s)) {
				return true
			}
		}
	}
	return false
}

func normDataset(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func lastSegment(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// EvalRows converts a card's flattened model-index into evals rows of
// modelID with the given source (EvalSourceCard or EvalSourceCardData). The
// value of an accuracy metric is stored as a fraction (accuracyFraction),
// or as null when it cannot be an accuracy; value_raw keeps what the card
// wrote.
func EvalRows(modelID string, rows []card.EvalRow, source string) []store.Eval {
	if len(rows) == 0 {
		return nil
	}
	out := make([]store.Eval, len(rows))
	for i, e := range rows {
		if isAccuracy(e) {
			e.Value = accuracyFraction(e.Value)
		}
		out[i] = store.Eval{
			ModelID:       modelID,
			ModelName:     e.ModelName,
			TaskType:      e.TaskType,
			DatasetType:   e.DatasetType,
			DatasetName:   e.DatasetName,
			DatasetConfig: e.DatasetConfig,
			DatasetSplit:  e.DatasetSplit,
			MetricType:    e.MetricType,
			MetricName:    e.MetricName,
			Value:         e.Value,
			ValueRaw:      e.ValueRaw,
			Verified:      e.Verified,
			Source:        source,
		}
	}
	return out
}

// DatasetRow converts a dataset as the Hub API returns it into a datasets
// row. meta is the card metadata (README or cardData; nil means none).
// Task and size categories, languages and license come from the card, else
// from the tags the Hub derives from it (task_categories:..., language:...);
// num_examples and num_classes from the card's dataset_info when cardData
// is given.
func DatasetRow(d *hub.DatasetInfo, meta *card.Metadata, crawledAt time.Time) store.Dataset {
	r := store.Dataset{
		DatasetID:    d.ID,
		HubOID:       d.OID,
		Author:       authorOf(d.Author, d.ID),
		CreatedAt:    utc(d.CreatedAt),
		LastModified: utc(d.LastModified),
		Tags:         slices.Clone(d.Tags),
		Downloads:    d.Downloads,
		Likes:        d.Likes,
		Source:       SourceHub,
		CrawledAt:    utc(crawledAt),
	}
	if meta != nil {
		r.TaskCategories = slices.Clone(meta.TaskCategories)
		r.SizeCategories = slices.Clone(meta.SizeCategories)
		r.Languages = slices.Clone(meta.Languages)
		r.License = strings.Join(meta.License, ",")
	}
	if len(r.TaskCategories) == 0 {
		r.TaskCategories = tagValues(d.Tags, "task_categories:")
	}
	if len(r.SizeCategories) == 0 {
		r.SizeCategories = tagValues(d.Tags, "size_categories:")
	}
	if len(r.Languages) == 0 {
		r.Languages = tagValues(d.Tags, "language:")
	}
	if r.License == "" {
		r.License = strings.Join(tagValues(d.Tags, "license:"), ",")
	}
	r.NumExamples, r.NumClasses = datasetInfoCounts(d.CardData)
	return r
}

// tagValues returns the values of the tags with prefix, in order.
func tagValues(tags []string, prefix string) []string {
	var out []string
	for _, t := range tags {
		if v, ok := strings.CutPrefix(t, prefix); ok && v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// datasetInfoCounts reads a dataset card's dataset_info: the examples over
// all splits and the number of names of the first class_label feature, of
// the config named "default" or else the first config. Shapes it does not
// recognise give 0 (unknown).
func datasetInfoCounts(cardData map[string]any) (examples, classes int64) {
	// Shapes are asserted with ", _": a nil map reads as empty.
	cfg, _ := cardData["dataset_info"].(map[string]any)
	configs, _ := cardData["dataset_info"].([]any)
	for _, c := range configs {
		m, _ := c.(map[string]any)
		name, _ := m["config_name"].(string)
		if cfg == nil || name == "default" {
			cfg = m
		}
		if name == "default" {
			break
		}
	}
	splits, _ := cfg["splits"].([]any)
	for _, s := range splits {
		m, _ := s.(map[string]any)
		if n, ok := asInt(m["num_examples"]); ok && n > 0 {
			examples += n
		}
	}
	feats, _ := cfg["features"].([]any)
	for _, f := range feats {
		m, _ := f.(map[string]any)
		dt, _ := m["dtype"].(map[string]any)
		cl, _ := dt["class_label"].(map[string]any)
		n := 0
		switch names := cl["names"].(type) {
		case map[string]any:
			n = len(names)
		case []any:
			n = len(names)
		}
		if n > 0 {
			return examples, int64(n)
		}
	}
	return examples, 0
}

// asInt accepts the numbers encoding/json and YAML decoders produce.
func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<62 {
			return 0, false
		}
		return int64(n), true
	case int:
		return int64(n), true
	case int64:
		return n, true
	case interface{ Int64() (int64, error) }: // json.Number
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// CardRow converts a fetched README into a cards row. repoType is "model"
// or "dataset"; the revision is the commit the Hub resolved main to, else
// "main".
func CardRow(repoType string, c *hub.Card, fetchedAt time.Time) store.Card {
	return store.Card{
		RepoType:  repoType,
		RepoID:    c.RepoID,
		Revision:  cmp.Or(c.Commit, "main"),
		ETag:      c.ETag,
		Text:      string(c.Text),
		FetchedAt: utc(fetchedAt),
	}
}

func authorOf(author, id string) string {
	if author != "" {
		return author
	}
	if owner, _, ok := strings.Cut(id, "/"); ok {
		return owner
	}
	return ""
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}
