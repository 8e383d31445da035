package card

// EvalRow is one metric of a card's model-index: one result of one model on
// one dataset. Text fields are "" when the card leaves them out (or writes
// null); scalars that are not strings keep their text as written
// (dataset config 2012 is "2012").
type EvalRow struct {
	ModelName       string // model-index[].name
	TaskType        string // results[].task.type, e.g. image-classification
	TaskName        string // results[].task.name
	DatasetType     string // results[].dataset.type: the dataset id
	DatasetName     string // results[].dataset.name: a pretty name
	DatasetConfig   string
	DatasetSplit    string
	DatasetRevision string
	MetricType      string // metrics[].type, e.g. accuracy
	MetricName      string // metrics[].name
	MetricConfig    string
	// Value is the metric's value when it is a number, or a string that is
	// nothing but a number ("92.1"); otherwise (RL rewards like
	// "250.52 +/- 20.12", "72%", "0,857", "NA", null) it is NaN.
	Value float64
	// ValueRaw is the value as written in the card (for cardData, the JSON
	// number as encoding/json formats it, or the json.Number text).
	ValueRaw string
	// Verified is true when the Hub's evaluation service computed the
	// metric (metrics[].verified: true).
	Verified   bool
	SourceName string // results[].source.name
	SourceURL  string // results[].source.url
}

// Flatten flattens a decoded model-index value into one row per metric, in
// card order: model-index is a list of models, each with a name and results;
// each result has a task, a dataset and a list of metrics.
//
// Flatten follows huggingface_hub's model_index_to_eval_results but is
// lenient where that function drops the whole model-index with a KeyError:
// a missing dataset, metric type, metric value or model name gives empty
// fields instead, so the metric is kept (Trainer-generated cards often omit
// the dataset). Parts that cannot be read are skipped: a result whose task
// is not a mapping (a typo like "tasks:" gives no task), entries, results
// and metrics that are not mappings, and results or metrics that are not
// lists. Flatten returns nil when modelIndex is not a list (the client
// rejects a mapping), and a non-nil empty slice for a list with no metrics.
//
// modelIndex holds values as encoding/json or a YAML decoder produce them;
// Flatten never panics on any shape.
func Flatten(modelIndex any) []EvalRow {
	r := &reader{}
	return r.flatten(modelIndex)
}

func (r *reader) flatten(modelIndex any) []EvalRow {
	entries, ok := modelIndex.([]any)
	if !ok {
		if modelIndex != nil {
			r.warnf("model-index: expected a list, found a %s; no eval rows", kindName(modelIndex))
		}
		return nil
	}
	rows := []EvalRow{}
	for i, e := range entries {
		entry, ok := e.(map[string]any)
		if !ok {
			r.warnf("model-index[%d]: expected a mapping, found a %s; skipped", i, kindName(e))
			continue
		}
		name := r.field(entry, "name")
		results, _ := entry["results"].([]any)
		for j, res := range results {
			result, ok := res.(map[string]any)
			if !ok {
				r.warnf("model-index[%d].results[%d]: expected a mapping, found a %s; skipped", i, j, kindName(res))
				continue
			}
			task, ok := result["task"].(map[string]any)
			if !ok {
				r.warnf("model-index[%d].results[%d]: no task mapping; skipped", i, j)
				continue
			}
			dataset, _ := result["dataset"].(map[string]any)
			source, _ := result["source"].(map[string]any)
			metrics, _ := result["metrics"].([]any)
			for k, met := range metrics {
				metric, ok := met.(map[string]any)
				if !ok {
					r.warnf("model-index[%d].results[%d].metrics[%d]: expected a mapping, found a %s; skipped", i, j, k, kindName(met))
					continue
				}
				value, raw := r.number("model-index value", metric["value"])
				rows = append(rows, EvalRow{
					ModelName:       name,
					TaskType:        r.field(task, "type"),
					TaskName:        r.field(task, "name"),
					DatasetType:     r.field(dataset, "type"),
					DatasetName:     r.field(dataset, "name"),
					DatasetConfig:   r.field(dataset, "config"),
					DatasetSplit:    r.field(dataset, "split"),
					DatasetRevision: r.field(dataset, "revision"),
					MetricType:      r.field(metric, "type"),
					MetricName:      r.field(metric, "name"),
					MetricConfig:    r.field(metric, "config"),
					Value:           value,
					ValueRaw:        raw,
					Verified:        r.boolean(metric["verified"]),
					SourceName:      r.field(source, "name"),
					SourceURL:       r.field(source, "url"),
				})
			}
		}
	}
	return rows
}

// field returns m[key] as text, as written (not trimmed); "" for a missing
// key, null, a list or a mapping. m may be nil.
func (r *reader) field(m map[string]any, key string) string {
	s, _ := r.text(key, m[key])
	return s
}
