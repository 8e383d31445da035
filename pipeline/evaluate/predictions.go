package evaluate

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/zoograph/zoograph/pipeline/internal/csvscan"
	"github.com/zoograph/zoograph/store"
)

// CSVError is a malformed predictions file: the file, the 1-based line (0
// when the file as a whole is at fault), the 1-based column in bytes (0
// when the line as a whole is) and what is wrong.
type CSVError struct {
	File   string
	Line   int
	Column int
	Err    error
}

func (e *CSVError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *CSVError) Unwrap() error { return e.Err }

// maxFileBytes bounds a predictions file read whole: the authors' rank
// files are some KiB, a predictions CSV of a large zoo some MiB; a path to
// a dump or a device is refused instead of read into memory.
var maxFileBytes int64 = 256 << 20

// PaperResultsFile is the rank file the TransferGraph evaluation reads in a
// method directory (finetune ratio 1.0, 128 dimensions).
const PaperResultsFile = "results_1.0_128_0.csv"

// ReadOptions configures ReadPredictions.
type ReadOptions struct {
	// Datasets are the zoo's dataset ids. Target names are resolved against
	// them: an exact id, or an id with "/" written as "_" (the TransferGraph
	// directory names, e.g. glue_sst2 for glue/sst2). An unknown target is
	// an error. Nil accepts every target name as written.
	Datasets []string
	// Method names predictions of a CSV file without a method column.
	Method string
	// Logger gets the warning about records without a score; nil = discard.
	Logger *slog.Logger
}

// ReadPredictions reads predictions from path, which is either
//
//   - a CSV file whose header names the columns target, model (or
//     model_id) and score, and optionally method and seed, in any order; an
//     empty score is no prediction (NaN: the metrics leave the model out,
//     and a warning to opt.Logger counts them and names the first), an
//     empty seed unseeded; a score written NaN or ±Inf is an error; or
//   - a directory in the TransferGraph rank layout
//     <target>/<method>/results_*.csv, each file with the columns
//     (index), model, score. In a method directory the paper's
//     results_1.0_128_0.csv is read if present, else the only results*.csv.
//     Method directories with "model_ratio" in their name are skipped, as
//     the TransferGraph evaluation skips them (research §5.2): they are
//     re-runs on a subset of the target's models, chosen by its accuracies,
//     and one of them would shrink the clean protocol's common model set
//     to that subset.
//
// A malformed file is a *CSVError naming the file and line (and column,
// for a bad score). A file larger than 256 MiB is refused, naming it.
func ReadPredictions(path string, opt ReadOptions) ([]Prediction, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	resolve := targetResolver(opt.Datasets)
	var preds []Prediction
	var un unscored
	var skipped []string
	if fi.IsDir() {
		preds, skipped, err = readRankDir(path, resolve, &un)
	} else {
		var data []byte
		if data, err = csvscan.ReadFile(path, maxFileBytes, "a predictions file"); err != nil {
			return nil, err
		}
		preds, err = readCSV(path, data, csvDefaults{method: opt.Method}, resolve, &un)
	}
	if err != nil {
		return nil, err
	}
	if len(skipped) > 0 && opt.Logger != nil {
		opt.Logger.Info("model_ratio rank directories skipped, as the TransferGraph evaluation skips them: re-runs on a subset of the target's models",
			"predictions", path, "directories", len(skipped), "first", skipped[0])
	}
	if len(preds) == 0 {
		return nil, &CSVError{File: path, Err: errors.New("no predictions")}
	}
	if un.n > 0 && opt.Logger != nil {
		opt.Logger.Warn("predictions with an empty score are no prediction: the metrics leave those models out",
			"predictions", path, "count", un.n, "first", fmt.Sprintf("%s:%d", un.file, un.line))
	}
	if n, first := conflicting(preds); n > 0 && opt.Logger != nil {
		const how = "the clean protocol averages them, the paper protocol counts each"
		if fi.IsDir() {
			// The TransferGraph rank files have one row per repeated
			// fine-tune run of a model (the text benchmark's): expected.
			opt.Logger.Info("models with a rank row per repeated fine-tune run, scored differently: "+how,
				"predictions", path, "models", n, "first", first)
		} else {
			opt.Logger.Warn("a model predicted more than once with different scores (same method, target and seed): "+how,
				"predictions", path, "models", n, "first", first)
		}
	}
	return preds, nil
}

// conflicting counts the (method, target, model, seed) predicted more than
// once with different scores, and names the first of them in file order.
func conflicting(preds []Prediction) (int, string) {
	type key struct {
		method, target, model string
		seed                  int64
		seeded                bool
	}
	score := map[key]float64{}
	seen := map[key]bool{}
	n, first := 0, ""
	for _, p := range preds {
		k := key{method: p.Method, target: p.Target, model: p.ModelID}
		if p.Seed != nil {
			k.seed, k.seeded = *p.Seed, true
		}
		if math.IsNaN(p.Score) {
			continue // no prediction: nothing to conflict with
		}
		s, ok := score[k]
		switch {
		case !ok:
			score[k] = p.Score
		case !seen[k] && s != p.Score:
			seen[k] = true
			if n++; first == "" {
				first = fmt.Sprintf("%s on %s by %s", p.ModelID, p.Target, p.Method)
			}
		}
	}
	return n, first
}

// unscored counts the records whose score is empty, and where the first
// one is.
type unscored struct {
	n    int
	file string
	line int
}

func (u *unscored) add(file string, line int) {
	if u.n == 0 {
		u.file, u.line = file, line
	}
	u.n++
}

// targetResolver maps a written target name to a dataset id
// (store.DatasetNames); every name is an id when datasets is nil.
func targetResolver(datasets []string) func(string) (string, error) {
	if datasets == nil {
		return func(name string) (string, error) { return name, nil }
	}
	lookup := store.DatasetNames(datasets)
	return func(name string) (string, error) {
		if id, ok := lookup(name); ok {
			return id, nil
		}
		if id := store.NearestDatasetID(name, datasets); id != "" {
			return "", fmt.Errorf("unknown target %q: not a dataset of the zoo; did you mean %q?", name, id)
		}
		return "", fmt.Errorf("unknown target %q: not a dataset of the zoo", name)
	}
}

// csvDefaults fills columns a file does not have.
type csvDefaults struct {
	method string
	target string
}

// readCSV parses data, the contents of one predictions file. Columns
// target and method may be absent when defaults supply them.
func readCSV(name string, data []byte, def csvDefaults, resolve func(string) (string, error), un *unscored) ([]Prediction, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.ReuseRecord = true
	pr := &predictionReader{name: name, def: def, resolve: resolve, targets: map[string]string{}, cr: cr, un: un}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, pr.fail(0, "empty file: want a header with columns target, model, score")
	}
	if err != nil {
		return nil, pr.wrap(err)
	}
	if err := pr.readHeader(header); err != nil {
		return nil, err
	}
	var preds []Prediction
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, pr.wrap(err)
		}
		line, _ := cr.FieldPos(0)
		p, err := pr.record(rec, line)
		if err != nil {
			return nil, err
		}
		preds = append(preds, p)
	}
	return preds, nil
}

// predictionReader turns the records of one predictions CSV into
// predictions.
type predictionReader struct {
	name    string
	def     csvDefaults
	resolve func(string) (string, error)
	col     map[string]int    // column → index
	targets map[string]string // written name → id, resolved once
	cr      *csv.Reader       // for the position of a field
	un      *unscored
}

func (pr *predictionReader) fail(line int, format string, args ...any) error {
	return &CSVError{File: pr.name, Line: line, Err: fmt.Errorf(format, args...)}
}

// failField is fail at the column of field c of the current record.
func (pr *predictionReader) failField(c string, format string, args ...any) error {
	line, col := pr.cr.FieldPos(pr.col[c])
	return &CSVError{File: pr.name, Line: line, Column: col, Err: fmt.Errorf(format, args...)}
}

func (pr *predictionReader) wrap(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &CSVError{File: pr.name, Line: pe.Line, Err: pe.Err}
	}
	return &CSVError{File: pr.name, Err: err}
}

// readHeader indexes the columns and checks the required ones are there.
func (pr *predictionReader) readHeader(header []string) error {
	pr.col = map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "model_id" {
			h = "model"
		}
		if h == "" {
			continue // pandas' index column
		}
		if _, dup := pr.col[h]; dup {
			return pr.fail(1, "column %q appears twice", h)
		}
		pr.col[h] = i
	}
	var missing []string
	for _, c := range []string{"target", "model", "score"} {
		if _, ok := pr.col[c]; !ok && !(c == "target" && pr.def.target != "") {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return pr.fail(1, "header %q lacks column(s) %s", strings.Join(header, ","), strings.Join(missing, ", "))
	}
	return nil
}

func (pr *predictionReader) field(rec []string, c string) (string, bool) {
	i, ok := pr.col[c]
	if !ok {
		return "", false
	}
	return strings.TrimSpace(rec[i]), true
}

// record parses the record on line.
func (pr *predictionReader) record(rec []string, line int) (Prediction, error) {
	p := Prediction{Method: pr.def.method}
	target := pr.def.target
	if v, ok := pr.field(rec, "target"); ok {
		target = v
	}
	if target == "" {
		return p, pr.fail(line, "empty target")
	}
	id, ok := pr.targets[target]
	if !ok {
		var err error
		if id, err = pr.resolve(target); err != nil {
			return p, pr.fail(line, "%v", err)
		}
		pr.targets[target] = id
	}
	p.Target = id
	if p.ModelID, _ = pr.field(rec, "model"); p.ModelID == "" {
		return p, pr.fail(line, "empty model")
	}
	score, _ := pr.field(rec, "score")
	if score == "" {
		p.Score = math.NaN()
		pr.un.add(pr.name, line)
	} else {
		var err error
		p.Score, err = strconv.ParseFloat(score, 64)
		switch {
		case err != nil:
			return p, pr.failField("score", "score %q is not a number", score)
		case math.IsNaN(p.Score) || math.IsInf(p.Score, 0):
			return p, pr.failField("score", "score %q is not a finite number (leave it empty for no prediction)", score)
		}
	}
	if v, ok := pr.field(rec, "method"); ok && v != "" {
		p.Method = v
	}
	if p.Method == "" {
		return p, pr.fail(line, "no method: add a method column or name one")
	}
	if v, ok := pr.field(rec, "seed"); ok && v != "" {
		seed, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return p, pr.fail(line, "seed %q is not an integer", v)
		}
		p.Seed = &seed
	}
	return p, nil
}

// experimentRanks is the rank directory of a TransferGraph experiment
// directory.
const experimentRanks = "rank_final"

// readRankDir reads the TransferGraph layout <target>/<method>/results_*.csv.
// It returns the predictions and the method directories it skipped
// (<target>/<method>, those of model_ratio re-runs).
func readRankDir(dir string, resolve func(string) (string, error), un *unscored) (preds []Prediction, skipped []string, err error) {
	targets, err := subdirs(dir)
	if err != nil {
		return nil, nil, err
	}
	if len(targets) == 0 {
		return nil, nil, fmt.Errorf("%s: no <target>/<method>/results_*.csv directories", dir)
	}
	// Before any other directory of the experiment's is taken for a target.
	if _, err := resolve(experimentRanks); err != nil && slices.Contains(targets, experimentRanks) {
		return nil, nil, fmt.Errorf("%s is a TransferGraph experiment directory: give its rank directory, %s", dir, filepath.Join(dir, experimentRanks))
	}
	for _, t := range targets {
		id, err := resolve(t)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", filepath.Join(dir, t), err)
		}
		methods, err := subdirs(filepath.Join(dir, t))
		if err != nil {
			return nil, nil, err
		}
		for _, m := range methods {
			if strings.Contains(m, "model_ratio") {
				skipped = append(skipped, t+"/"+m)
				continue
			}
			file, err := resultsFile(filepath.Join(dir, t, m))
			if err != nil {
				return nil, nil, err
			}
			data, err := csvscan.ReadFile(file, maxFileBytes, "a TransferGraph rank file")
			if err != nil {
				return nil, nil, err
			}
			p, err := readCSV(file, data, csvDefaults{method: m, target: id}, resolve, un)
			if err != nil {
				return nil, nil, err
			}
			preds = append(preds, p...)
		}
	}
	return preds, skipped, nil
}

// subdirs lists the non-hidden directories of dir, sorted.
func subdirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

// resultsFile picks a method directory's rank file.
func resultsFile(dir string) (string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "results*.csv"))
	if err != nil {
		return "", err
	}
	for _, m := range matches {
		if filepath.Base(m) == PaperResultsFile {
			return m, nil
		}
	}
	switch len(matches) {
	case 0:
		return "", fmt.Errorf("%s: no results*.csv file", dir)
	case 1:
		return matches[0], nil
	}
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = filepath.Base(m)
	}
	return "", fmt.Errorf("%s: several rank files (%s) and no %s; keep one", dir, strings.Join(names, ", "), PaperResultsFile)
}
