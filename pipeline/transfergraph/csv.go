package transfergraph

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"

	"github.com/zoograph/zoograph/pipeline/internal/csvscan"
	"github.com/zoograph/zoograph/store"
)

// Problem kinds: the class of a malformed row.
const (
	KindShortLine     = "short line"     // fewer fields than a needed column
	KindLongLine      = "long line"      // more fields than the header
	KindFragment      = "fragment"       // a piece of a row split across lines
	KindEmptyKey      = "empty key"      // no model or dataset id
	KindBadNumber     = "bad number"     // a numeric field that does not parse, or is NaN or infinite (but a score)
	KindMissingValue  = "missing value"  // an empty field that must have a value
	KindBadValue      = "bad value"      // a field outside its known values
	KindUnknownMetric = "unknown metric" // a transferability metric we do not know
	KindDuplicate     = "duplicate"      // a second row for a key that must be unique
	KindCSV           = "csv syntax"     // quoting the CSV reader rejects
)

// Problem is a malformed row: skipped by default, an error in strict mode.
type Problem struct {
	File string // relative to the experiment directory, e.g. "records.csv"
	Line int    // 1-based line of the file where the row starts; the header is line 1
	// Column is the 1-based column of the bad value; 0 when the problem is
	// the row (too short, too long, a fragment, a duplicate).
	Column int
	Kind   string // one of the Kind constants
	Reason string // what is wrong, naming the column and value
}

// Error makes a Problem the error of a strict import: file:line: reason,
// or file:line:column: reason for a bad value, as the model-recycling
// importer's problems read.
func (p Problem) Error() string {
	if p.Column > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Reason)
}

// problems collects malformed rows; in strict mode the first is an error.
type problems struct {
	strict bool
	list   []Problem
	log    *slog.Logger
}

func (ps *problems) add(p Problem) error {
	if ps.strict {
		return p
	}
	ps.list = append(ps.list, p)
	ps.log.Debug("skipped malformed row", "file", p.File, "line", p.Line, "column", p.Column, "kind", p.Kind, "reason", p.Reason)
	return nil
}

// table is the header of one CSV file.
type table struct {
	file   string
	header []string
	cols   map[string]int
}

// row is one record of a table.
type row struct {
	t    *table
	line int
	rec  []string
}

// has reports whether the record reaches column name.
func (r row) has(name string) bool {
	i, ok := r.t.cols[name]
	return ok && i < len(r.rec)
}

// get returns the trimmed field of column name, "" when the record is short.
func (r row) get(name string) string { return csvscan.Field(r.rec, r.t.cols, name) }

func (r row) problem(kind, format string, args ...any) *Problem {
	return &Problem{File: r.t.file, Line: r.line, Kind: kind, Reason: kind + ": " + fmt.Sprintf(format, args...)}
}

// cell is problem for the value of column name.
func (r row) cell(name, kind, format string, args ...any) *Problem {
	p := r.problem(kind, format, args...)
	p.Column = r.t.cols[name] + 1
	return p
}

// check classifies a structurally malformed record: too long, a fragment of
// a split row, too short for the needed columns, or without a key. keys are
// id columns; needed are the other columns the row must reach.
func (r row) check(keys, needed []string) *Problem {
	if len(r.rec) > len(r.t.header) {
		return r.problem(KindLongLine, "%d fields, header has %d", len(r.rec), len(r.t.header))
	}
	for _, k := range keys {
		if v := r.get(k); v != "" && fragmentValue(v) {
			return r.problem(KindFragment, "column %q is %q, not an id (a piece of a row split across lines)", k, v)
		}
	}
	if len(r.rec) < len(r.t.header) {
		// Name the first needed column, in header order, that the row lacks.
		first := ""
		for _, cols := range [][]string{keys, needed} {
			for _, c := range cols {
				if !r.has(c) && (first == "" || r.t.cols[c] < r.t.cols[first]) {
					first = c
				}
			}
		}
		if first != "" {
			return r.problem(KindShortLine, "%d fields, header has %d (no column %q)", len(r.rec), len(r.t.header), first)
		}
	}
	for _, k := range keys {
		if r.get(k) == "" {
			return r.problem(KindEmptyKey, "column %q is empty", k)
		}
	}
	return nil
}

// fragmentValue reports whether an id field holds something no model or
// dataset id looks like: a number or a bare keyword from the tail of a
// LoRA row (none, lora, ...). The published text records.csv has such
// fragments where a row was split across lines.
func fragmentValue(v string) bool {
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return true
	}
	switch strings.ToLower(v) {
	case "none", "nan", "null", "lora", "lor", "true", "false":
		return true
	}
	return false
}

// number parses column name as ParseFloat does, nan, inf and -inf
// included; "" is NaN, no value.
func (r row) number(name string) (float64, *Problem) {
	v := r.get(name)
	if v == "" {
		return math.NaN(), nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return math.NaN(), r.cell(name, KindBadNumber, "column %q is %q, want a number", name, v)
	}
	return f, nil
}

// float parses column name, a finite number; "" is NaN, no value. Python
// writes nan, inf and -inf, which ParseFloat accepts: they are bad numbers
// (an empty field is how the files say "unknown"), but in a
// transferability score (see score).
func (r row) float(name string) (float64, *Problem) {
	f, p := r.number(name)
	if v := r.get(name); p == nil && v != "" && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return math.NaN(), r.cell(name, KindBadNumber, "column %q is %q, want a finite number", name, v)
	}
	return f, p
}

// accuracy parses a column of accuracies as float does, but a number that
// cannot be an accuracy (store.CheckAccuracy: outside [0, 1], NaN or
// infinite) is not a malformed row to skip but a damaged file, since the
// published benchmark holds none: it is the error, naming file, line,
// column and value, in default mode too.
func (r row) accuracy(name string) (float64, *Problem, error) {
	f, p := r.number(name)
	v := r.get(name)
	if p != nil || v == "" {
		return f, p, nil
	}
	if err := store.CheckAccuracy(f); err != nil {
		return f, nil, fmt.Errorf("%w: %w", r.cell(name, KindBadValue, "column %q is %s", name, v), err)
	}
	return f, nil, nil
}

// score parses column name, a transferability score, which must have a
// value. Unlike float it keeps nan, inf and -inf: a score can be one
// (Reg-H-Score's -inf), and the TransferGraph evaluation, which
// evaluate.ReplaceNonFinite follows, gives them a meaning (+inf twice the
// largest other score, -inf and nan twice the smallest); the pipeline's
// features leave them out.
func (r row) score(name string) (float64, *Problem) {
	if r.get(name) == "" {
		return math.NaN(), r.cell(name, KindMissingValue, "column %q is empty, want a number", name)
	}
	return r.number(name)
}

// requiredFloat is float for a column that must have a value.
func (r row) requiredFloat(name string) (float64, *Problem) {
	if r.get(name) == "" {
		return math.NaN(), r.cell(name, KindMissingValue, "column %q is empty, want a number", name)
	}
	return r.float(name)
}

// int parses a count written as an integer or as a float with no fraction
// (pandas writes "16.0"); "" and nan are 0, unknown.
func (r row) int(name string) (int64, *Problem) {
	v := r.get(name)
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, r.cell(name, KindBadNumber, "column %q is %q, want an integer", name, v)
	}
	if math.IsNaN(f) {
		return 0, nil
	}
	if f != math.Trunc(f) || math.Abs(f) >= 1<<63 {
		return 0, r.cell(name, KindBadNumber, "column %q is %q, want an integer", name, v)
	}
	return int64(f), nil
}

// firstProblem returns the first non-nil problem.
func firstProblem(ps ...*Problem) *Problem {
	for _, p := range ps {
		if p != nil {
			return p
		}
	}
	return nil
}

// readCSV parses data as a CSV file with a header line, checks that the
// header has the columns in required, and calls fn for each record.
// Records the CSV reader rejects are reported as problems; an error from fn
// or from the reader's input ends the read.
func readCSV(ctx context.Context, data []byte, file string, required []string, ps *problems, fn func(row) error) (*table, error) {
	var t *table
	_, err := csvscan.Scan(ctx, data, file, func(header []string) error {
		var err error
		if t, err = newTable(file, header); err != nil {
			return err
		}
		return checkColumns(t, required)
	}, func(line int, rec []string) error {
		return fn(row{t: t, line: line, rec: rec})
	}, func(line int, msg string) error {
		return ps.add(Problem{File: file, Line: line, Kind: KindCSV, Reason: KindCSV + ": " + msg})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// newTable indexes a header by column name.
func newTable(file string, header []string) (*table, error) {
	t := &table{file: file, header: append([]string(nil), header...), cols: make(map[string]int, len(header))}
	for i, h := range t.header {
		h = strings.TrimSpace(h)
		t.header[i] = h
		if h == "" && i == 0 {
			continue // the pandas index column
		}
		if _, dup := t.cols[h]; dup {
			return nil, fmt.Errorf("%s:1: header repeats column %q", file, h)
		}
		t.cols[h] = i
	}
	return t, nil
}

// checkColumns reports the first of required that the header lacks.
func checkColumns(t *table, required []string) error {
	for _, c := range required {
		if _, ok := t.cols[c]; !ok {
			return fmt.Errorf("%s:1: header has no column %q (header: %s)", t.file, c, headerString(t.header))
		}
	}
	return nil
}

// headerString shortens a header for an error message.
func headerString(h []string) string {
	const max = 12
	s := strings.Join(h[:min(len(h), max)], ",")
	if len(h) > max {
		s += fmt.Sprintf(",... (%d columns)", len(h))
	}
	return s
}
