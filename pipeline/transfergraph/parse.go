package transfergraph

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/zoograph/zoograph/store"
)

// Finetune methods.
const (
	MethodFull = "full"
	MethodLoRA = "lora"
)

// runKey identifies the runs that Finetune.Run numbers.
type runKey struct{ model, dataset, method string }

// parseRecords reads records.csv: one finetune per real run, in file order,
// repeated runs numbered by Run.
func parseRecords(ctx context.Context, data []byte, lay *layout, ps *problems) ([]store.Finetune, error) {
	c := lay.records
	keys := []string{c.model, c.dataset}
	needed := c.columns()
	var out []store.Finetune
	runs := make(map[runKey]int64)
	_, err := readCSV(ctx, data, fileRecords, append(keys, needed...), ps, func(r row) error {
		if p := r.check(keys, needed); p != nil {
			return ps.add(*p)
		}
		method := MethodFull
		if c.peft != "" {
			switch v := strings.ToLower(r.get(c.peft)); v {
			case "":
			case "lora", "lor": // "lor" is a typo in the published file
				method = MethodLoRA
			default:
				return ps.add(*r.cell(c.peft, KindBadValue, "column %q is %q, want empty (full fine-tune), lora or lor", c.peft, r.get(c.peft)))
			}
		}
		acc, p1, err := r.accuracy(c.accuracy)
		if err != nil {
			return err
		}
		epochs, p2 := r.float(c.epochs)
		batch, p3 := r.int(c.batchSize)
		lr, p4 := r.float(c.lr)
		secs, p5 := r.float(c.runtime)
		var seed int64
		var p6 *Problem
		if c.seed != "" {
			seed, p6 = r.int(c.seed)
		}
		if p := firstProblem(p1, p2, p3, p4, p5, p6); p != nil {
			return ps.add(*p)
		}
		f := store.Finetune{
			ModelID:      r.get(c.model),
			DatasetID:    r.get(c.dataset),
			Accuracy:     acc,
			Method:       method,
			Epochs:       epochs,
			BatchSize:    batch,
			LearningRate: lr,
			TrainSeconds: secs,
			Seed:         seed,
			Source:       lay.source,
		}
		k := runKey{f.ModelID, f.DatasetID, f.Method}
		f.Run = runs[k]
		runs[k]++
		out = append(out, f)
		return nil
	})
	return out, err
}

// parseConfig reads model_config_dataset.csv: one model per row.
func parseConfig(ctx context.Context, data []byte, lay *layout, ps *problems) ([]store.Model, error) {
	c := lay.config
	keys := []string{c.model}
	needed := c.columns()
	var out []store.Model
	seen := make(map[string]int)
	_, err := readCSV(ctx, data, fileConfig, append(append(keys, needed...), c.accuracy), ps, func(r row) error {
		if p := r.check(keys, needed); p != nil {
			return ps.add(*p)
		}
		id := r.get(c.model)
		if first, dup := seen[id]; dup {
			return ps.add(*r.problem(KindDuplicate, "model %q already on line %d", id, first))
		}
		arch, err := parsePyList(r.get(c.architectures))
		if err != nil {
			return ps.add(*r.cell(c.architectures, KindBadValue, "column %q: %v", c.architectures, err))
		}
		params, p1 := r.int(c.numParams)
		labels, p2 := r.int(c.numLabels)
		acc, p3, err := r.accuracy(c.accuracy)
		if err != nil {
			return err
		}
		var in, outSize int64
		var p4, p5 *Problem
		if c.inputSize != "" {
			in, p4 = r.int(c.inputSize)
		}
		if c.outputSize != "" {
			outSize, p5 = r.int(c.outputSize)
		}
		if p := firstProblem(p1, p2, p3, p4, p5); p != nil {
			return ps.add(*p)
		}
		m := store.Model{
			ModelID:          id,
			Architectures:    arch,
			ModelType:        r.get(c.modelType),
			NumParameters:    params,
			InputSize:        in,
			OutputSize:       outSize,
			NumLabels:        labels,
			ReportedAccuracy: acc,
			Source:           lay.source,
		}
		if i := strings.IndexByte(id, '/'); i > 0 {
			m.Author = id[:i]
		}
		if v := r.get(c.trainedOn); v != "" {
			m.SourceDatasets = []string{v}
		}
		if c.pretrain != "" {
			m.PretrainDataset = r.get(c.pretrain)
		}
		if !r.has(c.accuracy) {
			ps.log.Debug("row without its last fields; read as empty", "file", fileConfig, "line", r.line, "model", id)
		}
		seen[id] = r.line
		out = append(out, m)
		return nil
	})
	return out, err
}

// parseScores reads transferability_score_records.csv: one score per row,
// duplicates kept.
func parseScores(ctx context.Context, data []byte, lay *layout, ps *problems) ([]store.Score, error) {
	const model, dataset, metric, runtime, score = "model", "target_dataset", "metric", "runtime", "score"
	keys := []string{model, dataset}
	needed := []string{metric, runtime, score}
	var out []store.Score
	_, err := readCSV(ctx, data, fileScores, append(keys, needed...), ps, func(r row) error {
		if p := r.check(keys, needed); p != nil {
			return ps.add(*p)
		}
		method, ok := scoreMethod(r.get(metric))
		if !ok {
			return ps.add(*r.cell(metric, KindUnknownMetric, "column %q is %q, want TransferabilityMethod.LOG_ME or TransferabilityMethod.REG_H_SCORE", metric, r.get(metric)))
		}
		v, p1 := r.score(score)
		secs, p2 := r.float(runtime)
		if p := firstProblem(p1, p2); p != nil {
			return ps.add(*p)
		}
		out = append(out, store.Score{
			ModelID:        r.get(model),
			DatasetID:      r.get(dataset),
			Method:         method,
			Score:          v,
			RuntimeSeconds: secs,
			Source:         lay.source,
		})
		return nil
	})
	return out, err
}

// parseFeatures reads target_dataset_features.csv: one dataset per row,
// values as published (some are wrong; see the package documentation).
func parseFeatures(ctx context.Context, data []byte, lay *layout, ps *problems) ([]store.Dataset, error) {
	const name, size, classes = "finetune_dataset", "size", "number_of_classes"
	keys := []string{name}
	needed := []string{size, classes}
	var out []store.Dataset
	seen := make(map[string]int)
	_, err := readCSV(ctx, data, fileFeatures, append(keys, needed...), ps, func(r row) error {
		if p := r.check(keys, needed); p != nil {
			return ps.add(*p)
		}
		id := r.get(name)
		if first, dup := seen[id]; dup {
			return ps.add(*r.problem(KindDuplicate, "dataset %q already on line %d", id, first))
		}
		n, p1 := r.int(size)
		k, p2 := r.int(classes)
		if p := firstProblem(p1, p2); p != nil {
			return ps.add(*p)
		}
		seen[id] = r.line
		out = append(out, store.Dataset{DatasetID: id, NumExamples: n, NumClasses: k, Source: lay.source})
		return nil
	})
	return out, err
}

// parseDistances reads the square distance matrix whose header and first
// column name the datasets. It returns the names in header order and every
// off-diagonal cell as a pair, in header order; a pair whose cell was
// skipped takes the value of its mirror, so the result is symmetric when
// the file is.
func parseDistances(ctx context.Context, data []byte, file string, lay *layout, ps *problems) ([]string, []store.DatasetDistance, error) {
	var names []string
	var d [][]float64
	seen := make(map[string]int)
	t, err := readCSV(ctx, data, file, nil, ps, func(r row) error {
		if d == nil {
			var err error
			if names, err = matrixNames(r.t); err != nil {
				return err
			}
			d = make([][]float64, len(names))
			for i := range d {
				d[i] = make([]float64, len(names))
				for j := range d[i] {
					d[i][j] = math.NaN()
				}
			}
		}
		if len(r.rec) > len(r.t.header) {
			return ps.add(*r.problem(KindLongLine, "%d fields, header has %d", len(r.rec), len(r.t.header)))
		}
		id := strings.TrimSpace(r.rec[0])
		if id == "" {
			return ps.add(*r.problem(KindEmptyKey, "first column is empty, want a dataset name"))
		}
		i, ok := r.t.cols[id]
		if !ok {
			if fragmentValue(id) {
				return ps.add(*r.problem(KindFragment, "first column is %q, not a dataset name", id))
			}
			return ps.add(*r.problem(KindBadValue, "dataset %q is not in the header", id))
		}
		if first, dup := seen[id]; dup {
			return ps.add(*r.problem(KindDuplicate, "dataset %q already on line %d", id, first))
		}
		if len(r.rec) < len(r.t.header) {
			return ps.add(*r.problem(KindShortLine, "%d fields, header has %d", len(r.rec), len(r.t.header)))
		}
		vals := make([]float64, len(names))
		for j, name := range names {
			if j+1 == i {
				continue
			}
			v, p := r.requiredFloat(name)
			if p != nil {
				return ps.add(*p)
			}
			vals[j] = v
		}
		seen[id] = r.line
		copy(d[i-1], vals)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if d == nil { // header only
		if names, err = matrixNames(t); err != nil {
			return nil, nil, err
		}
	}
	if len(seen) < len(names) {
		ps.log.Warn("distance matrix lacks rows", "file", file, "rows", len(seen), "columns", len(names))
	}
	return names, matrixDistances(names, d, "domain_similarity:"+lay.probe, lay.source), nil
}

// matrixDistances returns the distance rows of matrix d (rows and columns
// named by names, NaN where unknown) with the given method and source: one per ordered
// pair of distinct datasets, d[i][j] or, when that is unknown, d[j][i];
// pairs unknown both ways are left out.
func matrixDistances(names []string, d [][]float64, method, source string) []store.DatasetDistance {
	var out []store.DatasetDistance
	for i := range d {
		for j := range d[i] {
			if i == j {
				continue
			}
			v := d[i][j]
			if math.IsNaN(v) {
				v = d[j][i]
			}
			if math.IsNaN(v) {
				continue
			}
			out = append(out, store.DatasetDistance{DatasetA: names[i], DatasetB: names[j], Distance: v, Method: method, Source: source})
		}
	}
	return out
}

// matrixNames returns the dataset names of a distance matrix header: an
// empty first cell, then unique non-empty names.
func matrixNames(t *table) ([]string, error) {
	if len(t.header) < 2 || t.header[0] != "" {
		return nil, fmt.Errorf("%s:1: want a header of an empty cell then dataset names (header: %s)", t.file, headerString(t.header))
	}
	names := t.header[1:]
	for _, n := range names {
		if n == "" {
			return nil, fmt.Errorf("%s:1: header has an empty dataset name", t.file)
		}
	}
	return names, nil
}

// parseResults reads one published result table: methods in the first
// column, one column per target dataset, and the weighted mean "average".
// Empty cells are skipped.
func parseResults(ctx context.Context, data []byte, file, metric string, lay *layout, ps *problems) ([]store.ReferenceResult, error) {
	var out []store.ReferenceResult
	seen := make(map[string]int)
	_, err := readCSV(ctx, data, file, nil, ps, func(r row) error {
		if len(r.t.header) < 2 || r.t.header[0] != "" {
			return fmt.Errorf("%s:1: want a header of an empty cell then dataset names (header: %s)", file, headerString(r.t.header))
		}
		if len(r.rec) > len(r.t.header) {
			return ps.add(*r.problem(KindLongLine, "%d fields, header has %d", len(r.rec), len(r.t.header)))
		}
		method := strings.TrimSpace(r.rec[0])
		if method == "" {
			return ps.add(*r.problem(KindEmptyKey, "first column is empty, want a method name"))
		}
		if first, dup := seen[method]; dup {
			return ps.add(*r.problem(KindDuplicate, "method %q already on line %d", method, first))
		}
		if len(r.rec) < len(r.t.header) {
			return ps.add(*r.problem(KindShortLine, "%d fields, header has %d", len(r.rec), len(r.t.header)))
		}
		var cells []store.ReferenceResult
		for _, target := range r.t.header[1:] {
			if r.get(target) == "" {
				continue
			}
			v, p := r.float(target)
			if p != nil {
				return ps.add(*p)
			}
			if target == "average" {
				target = "_weighted_mean"
			}
			cells = append(cells, store.ReferenceResult{Source: lay.source, Method: method, Metric: metric, Target: target, Value: v})
		}
		seen[method] = r.line
		out = append(out, cells...)
		return nil
	})
	return out, err
}

// parsePyList parses the string form of a Python list of strings, e.g.
// "['ViTForImageClassification']". A value without brackets is a
// one-element list (the text layout writes bare names); "" is empty.
func parsePyList(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "[]" {
		return []string{}, nil
	}
	if s[0] != '[' {
		if strings.ContainsAny(s, "[]'\"") {
			return nil, fmt.Errorf("%q is neither a name nor a Python list of strings", s)
		}
		return []string{s}, nil
	}
	if s[len(s)-1] != ']' {
		return nil, fmt.Errorf("%q: unterminated list", s)
	}
	var out []string
	rest := strings.TrimSpace(s[1 : len(s)-1])
	for rest != "" {
		q := rest[0]
		if q != '\'' && q != '"' {
			return nil, fmt.Errorf("%q: want a quoted string at %q", s, rest)
		}
		var b strings.Builder
		i := 1
		for ; i < len(rest) && rest[i] != q; i++ {
			if rest[i] == '\\' && i+1 < len(rest) {
				i++
			}
			b.WriteByte(rest[i])
		}
		if i >= len(rest) {
			return nil, fmt.Errorf("%q: unterminated string", s)
		}
		out = append(out, b.String())
		rest = strings.TrimSpace(rest[i+1:])
		if rest == "" {
			break
		}
		if rest[0] != ',' {
			return nil, fmt.Errorf("%q: want a comma at %q", s, rest)
		}
		rest = strings.TrimSpace(rest[1:])
	}
	return out, nil
}
