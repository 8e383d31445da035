package recycling

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zoograph/zoograph/pipeline/internal/csvscan"
	"github.com/zoograph/zoograph/store"
)

// Source is the provenance of every row Import produces.
const Source = "model-recycling"

// File names of a benchmark directory.
const (
	FileModels   = "models_tested.csv"
	FileDatasets = "datasets.csv"
)

// The fixed columns of models_tested.csv.
const (
	colModel          = "model_name"
	colBase           = "base_model"
	colSize           = "size"
	colTokenizer      = "tokenizer"
	colModelType      = "model_type"
	colClassification = "classification"
	colLayers         = "layers"
	colFromFlax       = "from_flax"
	colFromTF         = "from_tf"
	colLastModified   = "last_modified"
	colProbe          = "mnli_lp"
)

// FixedColumns are the columns every models_tested.csv has; every other
// column is a dataset.
var FixedColumns = []string{colModel, colBase, colSize, colTokenizer, colModelType, colClassification,
	colLayers, colFromFlax, colFromTF, colLastModified, colProbe}

// The probe score: mnli_lp is a linear probe's accuracy on MNLI.
const (
	ProbeMethod  = "linear_probe"
	ProbeDataset = "mnli"
)

// MethodFull is the method of every fine-tune of the benchmark.
const MethodFull = "full"

// Options configures Import. The zero value skips and lists bad values.
type Options struct {
	Strict bool         // the first Problem is an error
	Logger *slog.Logger // nil = discard
}

// Report says what Import read.
type Report struct {
	Source string
	// DatasetColumns are the dataset columns of models_tested.csv, in
	// header order.
	DatasetColumns []string
	// Problems are the bad values and rows skipped, and the values read as
	// missing, by file, line and column.
	Problems []Problem
	// Counts: rows per table (models, datasets, finetunes, scores) and
	// details: rows (model rows read, duplicates included), fine_tuned
	// (models with at least one fine-tune), probe_only (models with a probe
	// score and no fine-tune), datasets_with_metadata,
	// metadata_without_results (datasets.csv rows that are no column).
	Counts map[string]int
	// HasMetadata reports whether datasets.csv was found.
	HasMetadata bool
	// UnreadColumns are the columns of datasets.csv that Import does not
	// read, in header order.
	UnreadColumns []string
	// MetadataOnly are the datasets of datasets.csv rows that name no
	// column of models_tested.csv: datasets without a single record.
	MetadataOnly []string
}

// maxFileBytes bounds a file read; the published models_tested.csv is
// under 1 MiB.
var maxFileBytes int64 = 256 << 20

// Import reads a model-recycling benchmark directory (models_tested.csv and
// an optional datasets.csv) into zoo tables. It writes nothing.
//
// A missing models_tested.csv, a header without a fixed column or with a
// repeated column is an error naming the file, line and column, and so is a
// file without a single fine-tuning accuracy. Bad values
// and rows are Problems (see the package documentation).
func Import(ctx context.Context, dir string, opt Options) (*store.Tables, *Report, error) {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// A path that is no directory is said so, not as a file missing
	// inside it (models_tested.csv/datasets.csv: not a directory).
	switch info, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, fmt.Errorf("source directory %s (of %s): not found", dir, FileModels)
	case err != nil:
		return nil, nil, fmt.Errorf("source directory: %w", err)
	case !info.IsDir():
		return nil, nil, fmt.Errorf("source %s is not a directory: give the directory that holds %s", dir, FileModels)
	}
	ps := &problems{strict: opt.Strict, log: log}
	rep := &Report{Source: Source, Counts: map[string]int{}}

	// The metadata first: it says which datasets are regressions (true)
	// and which classifications (false); of the others it says nothing.
	var meta []store.Dataset
	regression := map[string]bool{}
	data, err := csvscan.ReadFile(filepath.Join(dir, FileDatasets), maxFileBytes, "a file of the benchmark")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		log.Debug("no dataset metadata", "file", FileDatasets)
	case err != nil:
		return nil, nil, fmt.Errorf("read %s: %w", FileDatasets, err)
	default:
		rep.HasMetadata = true
		if meta, rep.UnreadColumns, err = parseDatasets(ctx, data, regression, ps); err != nil {
			return nil, nil, err
		}
	}

	data, err = csvscan.ReadFile(filepath.Join(dir, FileModels), maxFileBytes, "a file of the benchmark")
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", FileModels, err)
	}
	t := &store.Tables{Models: []store.Model{}, Finetunes: []store.Finetune{}, Scores: []store.Score{}}
	if err := parseModels(ctx, data, regression, t, rep, ps); err != nil {
		return nil, nil, err
	}
	rep.Problems = ps.list
	slices.SortStableFunc(rep.Problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	// Tables without fine-tunes would replace an earlier import's with
	// nothing (a truncated file, a file of malformed rows).
	if len(t.Finetunes) == 0 {
		err := fmt.Errorf("%s: no fine-tuning accuracy (%d rows read): nothing to import", FileModels, rep.Counts["rows"])
		if len(rep.Problems) > 0 {
			err = fmt.Errorf("%w; %d problems, the first: %v", err, len(rep.Problems), rep.Problems[0])
		}
		return nil, nil, err
	}
	t.Datasets = datasets(rep.DatasetColumns, meta, len(t.Scores) > 0, rep)

	rep.Counts["models"] = len(t.Models)
	rep.Counts["datasets"] = len(t.Datasets)
	rep.Counts["finetunes"] = len(t.Finetunes)
	rep.Counts["scores"] = len(t.Scores)
	log.Info("imported", "source", Source, "models", len(t.Models), "datasets", len(t.Datasets),
		"finetunes", len(t.Finetunes), "scores", len(t.Scores), "problems", len(ps.list))
	return t, rep, nil
}

// parseModels reads models_tested.csv into t's models, finetunes and scores.
// A dataset of regression records a correlation in [−1, 1], a
// classification an accuracy in [0, 1]; a dataset the metadata does not
// type takes values in [−1, 1], and its negative ones, which no accuracy
// has, are counted in one Problem (kind "correlation") that says it is
// read as a correlation. A probe score of 0 is the source's placeholder for
// "not measured" (a linear probe on 3-class MNLI cannot score 0): it is no
// score, and one Problem counts every row that has it. A duplicated model
// is a Problem and its row is skipped, except that when its accuracies
// equal the first row's and only it has a probe score, the score is kept.
func parseModels(ctx context.Context, data []byte, regression map[string]bool, t *store.Tables, rep *Report, ps *problems) error {
	var dsCols []string
	seen := map[string]int{}
	type kept struct {
		finetunes []store.Finetune // the row's fine-tunes, as appended to t
		probe     bool             // whether the row has a probe score
	}
	rows := map[string]*kept{}
	var placeholders []int // lines with a probe score of 0
	percents := map[string]*percentColumn{}
	negatives := map[string]*percentColumn{} // untyped columns' negative values
	n, err := readCSV(ctx, data, FileModels, ps, func(h *header) error {
		if err := h.require(FixedColumns...); err != nil {
			return err
		}
		for _, n := range h.names {
			if !isFixed(n) {
				dsCols = append(dsCols, n)
			}
		}
		rep.DatasetColumns = dsCols
		return nil
	}, func(r row) error {
		id, p := r.key(colModel, "model", "model id", seen)
		if p != nil {
			if first := rows[r.get(colModel)]; p.Kind == KindDuplicate && first != nil && !first.probe {
				var dup store.Tables
				probe, _, _, _ := modelValues(r, r.get(colModel), dsCols, regression, &dup, map[string]*percentColumn{})
				if !math.IsNaN(probe) && sameFinetunes(first.finetunes, dup.Finetunes) {
					t.Scores = append(t.Scores, dup.Scores...)
					first.probe = true
					if len(first.finetunes) == 0 {
						rep.Counts["probe_only"]++
					}
					p.Reason += "; the same accuracies, its probe score kept"
				}
			}
			return ps.add(p)
		}
		m, bad := modelRow(r, id)
		nf := len(t.Finetunes)
		probe, tuned, placeholder, badValues := modelValues(r, id, dsCols, regression, t, negatives)
		rows[id] = &kept{finetunes: t.Finetunes[nf:len(t.Finetunes):len(t.Finetunes)], probe: !math.IsNaN(probe)}
		if placeholder {
			placeholders = append(placeholders, r.line)
		}
		for _, p := range badValues {
			if v, err := strconv.ParseFloat(r.get(p.ColumnName), 64); err == nil && p.Kind == KindOutOfRange && p.ColumnName != colProbe && v > 1 && v <= 100 {
				countIn(percents, p)
			}
		}
		bad = append(bad, badValues...)
		slices.SortStableFunc(bad, func(a, b *Problem) int { return a.Column - b.Column })
		for _, p := range bad {
			if err := ps.add(p); err != nil {
				return err
			}
		}
		switch {
		case tuned > 0:
			rep.Counts["fine_tuned"]++
		case !math.IsNaN(probe):
			rep.Counts["probe_only"]++
		}
		t.Models = append(t.Models, m)
		return nil
	})
	rep.Counts["rows"] = n
	if err == nil {
		err = percentError(dsCols, percents, t.Finetunes)
	}
	if err == nil {
		noteNegatives(dsCols, negatives, ps)
	}
	if err == nil && len(placeholders) > 0 {
		rep.Counts["probe_not_measured"] = len(placeholders)
		ps.note(placeholderProblem(placeholders, FixedColumns, dsCols))
	}
	return err
}

// percentColumn counts a dataset column's values of one kind (in (1, 100],
// or negative) and keeps the first one's problem.
type percentColumn struct {
	n     int
	first *Problem
}

// countIn counts p's value in counts, by its column.
func countIn(counts map[string]*percentColumn, p *Problem) {
	if counts[p.ColumnName] == nil {
		counts[p.ColumnName] = &percentColumn{first: p}
	}
	counts[p.ColumnName].n++
}

// noteNegatives lists, for each untyped dataset column with negative values,
// one Problem of kind "correlation" at its first, counting them.
func noteNegatives(dsCols []string, negatives map[string]*percentColumn, ps *problems) {
	for _, col := range dsCols {
		if neg := negatives[col]; neg != nil {
			p := *neg.first
			p.Kind = KindCorrelation
			p.Reason = fmt.Sprintf("%s: %d negative values, which no accuracy has, and no datasets.csv num_classes to say what it is: "+
				"read as a regression's correlation in [-1, 1] (as stsb's; an empty num_classes says so)", KindCorrelation, neg.n)
			ps.note(&p)
		}
	}
}

// percentError is the error of the first dataset column that holds its
// values as percentages: at least as many in (1, 100] as in range. Each
// such cell would be skipped alone, leaving the dataset with few or no
// records and the import looking successful; a few such cells among
// fractions stay problems of their own.
func percentError(dsCols []string, percents map[string]*percentColumn, finetunes []store.Finetune) error {
	if len(percents) == 0 {
		return nil
	}
	valid := map[string]int{}
	for _, f := range finetunes {
		valid[f.DatasetID]++
	}
	for _, col := range dsCols {
		pc := percents[col]
		if pc == nil || pc.n < valid[col] {
			continue
		}
		p := pc.first
		return fmt.Errorf("%s:%d:%d: column %q: %d of its %d values are in (1, 100], percentages: write its accuracies as fractions in [0, 1]",
			p.File, p.Line, p.Column, col, pc.n, pc.n+valid[col])
	}
	return nil
}

// placeholderProblem is the one Problem that counts the rows whose probe
// score is the placeholder 0, at the first of them.
func placeholderProblem(lines []int, fixed, dsCols []string) *Problem {
	const show = 5
	list := make([]string, 0, show)
	for _, l := range lines[:min(show, len(lines))] {
		list = append(list, strconv.Itoa(l))
	}
	if len(lines) > show {
		list = append(list, "…")
	}
	return &Problem{File: FileModels, Line: lines[0], Column: slices.Index(fixed, colProbe) + 1, ColumnName: colProbe,
		Kind: KindNotMeasured, Reason: fmt.Sprintf("%s: probe score 0 on %d rows (lines %s) read as no score",
			KindNotMeasured, len(lines), strings.Join(list, ", "))}
}

// sameFinetunes reports whether two rows of one model hold the same
// accuracies on the same datasets.
func sameFinetunes(a, b []store.Finetune) bool {
	return slices.EqualFunc(a, b, func(x, y store.Finetune) bool {
		return x.DatasetID == y.DatasetID && x.Accuracy == y.Accuracy
	})
}

// modelRow reads the metadata of model id from its row: type, author, base
// model (not itself), size, and tags for its layers, tokenizer, head and
// origin flags, and its last modification. A bad field is left unknown and
// returned as a problem, in column order within each kind of field.
func modelRow(r row, id string) (store.Model, []*Problem) {
	var bad []*Problem
	m := store.Model{ModelID: id, ModelType: r.get(colModelType), ReportedAccuracy: math.NaN(), Source: Source}
	if i := strings.IndexByte(id, '/'); i > 0 {
		m.Author = id[:i]
	}
	if b := r.get(colBase); b != "" && b != id {
		m.BaseModels = []string{b}
	}
	var p *Problem
	if m.NumParameters, p = r.count(colSize); p != nil {
		bad = append(bad, p)
	}
	layers, p := r.count(colLayers)
	if p != nil {
		bad = append(bad, p)
	}
	if layers > 0 {
		m.Tags = append(m.Tags, "num_layers:"+strconv.FormatInt(layers, 10))
	}
	if tok := r.get(colTokenizer); tok != "" {
		m.Tags = append(m.Tags, "tokenizer:"+tok)
	}
	for _, f := range []struct{ col, tag string }{
		{colClassification, "classification_head"}, {colFromFlax, "from_flax"}, {colFromTF, "from_tf"},
	} {
		v, p := r.bool(f.col)
		if p != nil {
			bad = append(bad, p)
		}
		if v {
			m.Tags = append(m.Tags, f.tag)
		}
	}
	if m.LastModified, p = r.time(colLastModified); p != nil {
		bad = append(bad, p)
	}
	return m, bad
}

// modelValues reads the values of model id's row into t: its probe score (a
// scores row) and one fine-tune per dataset column with a value (accuracy
// on [0, 1], or a correlation on [-1, 1] for the regression datasets and,
// counted in negatives, a negative value of a dataset regression does not
// type). A bad cell is left out alone and returned as a problem. It
// returns the probe score (NaN when none, and when it is the placeholder
// 0, which sets placeholder) and the number of fine-tunes.
func modelValues(r row, id string, dsCols []string, regression map[string]bool, t *store.Tables, negatives map[string]*percentColumn) (probe float64, tuned int, placeholder bool, bad []*Problem) {
	probe, p := r.unit(colProbe, "probe score", 0)
	if p != nil {
		bad = append(bad, p)
	}
	if probe == 0 {
		probe, placeholder = math.NaN(), true
	}
	if !math.IsNaN(probe) {
		t.Scores = append(t.Scores, store.Score{ModelID: id, DatasetID: ProbeDataset, Method: ProbeMethod,
			Score: probe, RuntimeSeconds: math.NaN(), Source: Source})
	}
	for _, col := range dsCols {
		isRegression, typed := regression[col]
		lo, what := 0.0, "accuracy"
		if isRegression {
			lo, what = -1, "correlation"
		}
		acc, p := r.unit(col, what, lo)
		if v, err := strconv.ParseFloat(r.get(col), 64); p != nil && !typed && p.Kind == KindOutOfRange && err == nil && v >= -1 && v < 0 {
			countIn(negatives, p)
			acc, p = v, nil
		}
		if p != nil {
			bad = append(bad, p)
		}
		if math.IsNaN(acc) {
			continue
		}
		t.Finetunes = append(t.Finetunes, store.Finetune{ModelID: id, DatasetID: col, Accuracy: acc,
			Method: MethodFull, Epochs: math.NaN(), LearningRate: math.NaN(), TrainSeconds: math.NaN(), Source: Source})
		tuned++
	}
	return probe, tuned, placeholder, bad
}

func isFixed(col string) bool {
	for _, c := range FixedColumns {
		if c == col {
			return true
		}
	}
	return false
}

// unit parses a value in [lo, 1], an accuracy (lo 0) or a correlation (lo
// −1); "" is NaN (no value).
func (r row) unit(col, what string, lo float64) (float64, *Problem) {
	v := r.get(col)
	if v == "" {
		return math.NaN(), nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return math.NaN(), r.cell(col, KindBadNumber, "%s %q is not a number", what, v)
	}
	if f < lo || f > 1 {
		return math.NaN(), r.cell(col, KindOutOfRange, "%s %s is outside [%g, 1]", what, v, lo)
	}
	return f, nil
}

// count parses a non-negative count written as an integer or as a float
// with no fraction (pandas writes "12.0"); "" is 0, unknown.
func (r row) count(col string) (int64, *Problem) {
	v := r.get(col)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) >= 1<<62 {
			return 0, r.cell(col, KindBadNumber, "%q is not an integer", v)
		}
		n = int64(f)
	}
	if n < 0 {
		return 0, r.cell(col, KindOutOfRange, "%q is negative", v)
	}
	return n, nil
}

// bool parses Python's True/False (any case, or 1/0); "" is false.
func (r row) bool(col string) (bool, *Problem) {
	switch strings.ToLower(r.get(col)) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, r.cell(col, KindBadValue, "%q is not True or False", r.get(col))
}

// time parses an RFC 3339 timestamp (the Hub's lastModified,
// 2022-08-04T10:36:41.000Z) or a date; "" is the zero time (unknown).
func (r row) time(col string) (time.Time, *Problem) {
	v := r.get(col)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", time.DateOnly} {
		if at, err := time.Parse(layout, v); err == nil {
			return at.UTC(), nil
		}
	}
	return time.Time{}, r.cell(col, KindBadValue, "%q is not an RFC 3339 time", v)
}

// The columns of datasets.csv; only dataset is required.
const (
	colDataset      = "dataset"
	colHubID        = "hub_id"
	colHubConfig    = "hub_config"
	colTaskCategory = "task_category"
	colTask         = "task"
	colNumClasses   = "num_classes"
	colSizeCategory = "size_category"
	colDomain       = "domain"
	colLanguage     = "language"
)

// datasetColumns are the columns of datasets.csv that Import reads.
var datasetColumns = []string{colDataset, colHubID, colHubConfig, colTaskCategory, colTask, colNumClasses,
	colSizeCategory, colDomain, colLanguage}

// tagColumns are the datasets.csv columns kept as "column:value" tags.
var tagColumns = []struct{ col, tag string }{
	{colTask, "task"}, {colDomain, "domain"}, {colHubID, "hub_id"}, {colHubConfig, "hub_config"},
}

// parseDatasets reads datasets.csv: one dataset per row, and the columns it
// does not read. It marks in regression the datasets whose num_classes
// column is present and empty (the benchmark's regressions, scored by a
// correlation).
func parseDatasets(ctx context.Context, data []byte, regression map[string]bool, ps *problems) ([]store.Dataset, []string, error) {
	var out []store.Dataset
	var unread []string
	seen := map[string]int{}
	_, err := readCSV(ctx, data, FileDatasets, ps, func(h *header) error {
		for _, n := range h.names {
			if !slices.Contains(datasetColumns, n) {
				unread = append(unread, n)
			}
		}
		return h.require(colDataset)
	}, func(r row) error {
		id, p := r.key(colDataset, "dataset", "dataset name", seen)
		if p != nil {
			return ps.add(p)
		}
		d := store.Dataset{DatasetID: id, Source: Source}
		if v := r.get(colTaskCategory); v != "" {
			d.TaskCategories = []string{v}
		}
		if v := r.get(colSizeCategory); v != "" {
			d.SizeCategories = []string{v}
		}
		if v := r.get(colLanguage); v != "" {
			d.Languages = []string{v}
		}
		for _, c := range tagColumns {
			if v := r.get(c.col); v != "" {
				d.Tags = append(d.Tags, c.tag+":"+v)
			}
		}
		n, p := r.count(colNumClasses)
		if p != nil {
			if err := ps.add(p); err != nil {
				return err
			}
		}
		if _, hasClasses := r.h.cols[colNumClasses]; hasClasses {
			regression[id] = r.get(colNumClasses) == ""
		}
		d.NumClasses = n
		out = append(out, d)
		return nil
	})
	return out, unread, err
}

// datasets is one dataset per column of models_tested.csv, in header order,
// with its metadata row where there is one; then the metadata rows of
// datasets no column names; then the probe's dataset if there are probe
// scores and it is still missing.
func datasets(cols []string, meta []store.Dataset, probes bool, rep *Report) []store.Dataset {
	byID := make(map[string]store.Dataset, len(meta))
	for _, d := range meta {
		byID[d.DatasetID] = d
	}
	out := make([]store.Dataset, 0, len(cols)+len(meta)+1)
	seen := map[string]bool{}
	for _, c := range cols {
		d, ok := byID[c]
		if ok {
			rep.Counts["datasets_with_metadata"]++
		} else {
			d = store.Dataset{DatasetID: c, Source: Source}
		}
		out = append(out, d)
		seen[c] = true
	}
	for _, d := range meta {
		if !seen[d.DatasetID] {
			out = append(out, d)
			seen[d.DatasetID] = true
			rep.Counts["metadata_without_results"]++
			rep.MetadataOnly = append(rep.MetadataOnly, d.DatasetID)
		}
	}
	if probes && !seen[ProbeDataset] {
		out = append(out, store.Dataset{DatasetID: ProbeDataset, Source: Source})
	}
	return out
}
