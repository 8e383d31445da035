package recycling

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/zoograph/zoograph/pipeline/internal/csvscan"
)

// Problem kinds: the class of a bad value or row.
const (
	KindDuplicate  = "duplicate"    // a second row for a model or dataset
	KindEmptyKey   = "empty key"    // no model or dataset id
	KindBadNumber  = "bad number"   // a numeric field that does not parse, or is NaN or infinite
	KindOutOfRange = "out of range" // an accuracy or probe score outside [0, 1], a negative count
	KindBadValue   = "bad value"    // a field outside its known values (booleans, times)
	KindLongLine   = "long line"    // more fields than the header
	KindShortLine  = "short line"   // fewer fields than the header
	KindCSV        = "csv syntax"   // quoting the CSV reader rejects
	// KindNotMeasured counts the rows whose mnli_lp is 0, the source's
	// placeholder for a probe never run: one Problem for all of them, read
	// as no score, not an error even when strict.
	KindNotMeasured = "not measured"
	// KindCorrelation counts the negative values of a dataset that
	// datasets.csv does not type (no row, or no num_classes column): no
	// accuracy is negative, so it is read as a correlation in [−1, 1]. One
	// Problem per dataset, not an error even when strict.
	KindCorrelation = "correlation"
)

// Problem is a bad value or row: skipped by default, the error of a strict
// import.
type Problem struct {
	File string // base name, e.g. "models_tested.csv"
	Line int    // 1-based line where the row starts; the header is line 1
	// Column is the 1-based column of the bad field and ColumnName its
	// header name; 0 and "" when the problem is the whole row.
	Column     int
	ColumnName string
	Kind       string // one of the Kind constants
	Reason     string // what is wrong, starting with the kind
}

// Error makes a Problem the error of a strict import:
// "models_tested.csv:12:15: column "sst2": bad number: ...".
func (p Problem) Error() string {
	if p.Column > 0 {
		return fmt.Sprintf("%s:%d:%d: column %q: %s", p.File, p.Line, p.Column, p.ColumnName, p.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Reason)
}

// problems collects problems; in strict mode the first is an error.
type problems struct {
	strict bool
	list   []Problem
	log    *slog.Logger
}

// note lists p without failing a strict import: a known convention of
// the source, not a malformed value.
func (ps *problems) note(p *Problem) {
	ps.list = append(ps.list, *p)
	ps.log.Debug("read as missing", "file", p.File, "line", p.Line, "column", p.ColumnName, "kind", p.Kind, "reason", p.Reason)
}

func (ps *problems) add(p *Problem) error {
	if ps.strict {
		return *p
	}
	ps.list = append(ps.list, *p)
	ps.log.Debug("skipped", "file", p.File, "line", p.Line, "column", p.ColumnName, "kind", p.Kind, "reason", p.Reason)
	return nil
}

// header indexes the columns of one CSV file.
type header struct {
	file  string
	names []string
	cols  map[string]int
}

// newHeader indexes a header line; a repeated or empty column name is an
// error naming its column.
func newHeader(file string, names []string) (*header, error) {
	h := &header{file: file, names: make([]string, len(names)), cols: make(map[string]int, len(names))}
	for i, n := range names {
		n = strings.TrimSpace(n)
		h.names[i] = n
		if n == "" {
			return nil, fmt.Errorf("%s:1:%d: empty column name", file, i+1)
		}
		if j, dup := h.cols[n]; dup {
			return nil, fmt.Errorf("%s:1:%d: column %q repeats column %d", file, i+1, n, j+1)
		}
		h.cols[n] = i
	}
	return h, nil
}

// require reports the first of names that the header lacks.
func (h *header) require(names ...string) error {
	for _, n := range names {
		if _, ok := h.cols[n]; !ok {
			return fmt.Errorf("%s:1: header has no column %q (header: %s)", h.file, n, shorten(h.names))
		}
	}
	return nil
}

// row is one record of a file.
type row struct {
	h    *header
	line int
	rec  []string
}

// get returns the trimmed field of column name ("" when the header has no
// such column).
func (r row) get(name string) string { return csvscan.Field(r.rec, r.h.cols, name) }

// key reads the row's key column col and records it in seen (key → line):
// the problem when it is empty ("no NAME") or already seen (a KIND "…"
// already on an earlier line).
func (r row) key(col, kind, name string, seen map[string]int) (string, *Problem) {
	id := r.get(col)
	if id == "" {
		return "", r.cell(col, KindEmptyKey, "no %s", name)
	}
	if first, dup := seen[id]; dup {
		return "", r.cell(col, KindDuplicate, "%s %q already on line %d", kind, id, first)
	}
	seen[id] = r.line
	return id, nil
}

// problem is a problem of the whole row.
func (r row) problem(kind, format string, args ...any) *Problem {
	return &Problem{File: r.h.file, Line: r.line, Kind: kind, Reason: kind + ": " + fmt.Sprintf(format, args...)}
}

// cell is a problem of one field, named by its column.
func (r row) cell(name, kind, format string, args ...any) *Problem {
	p := r.problem(kind, format, args...)
	p.Column, p.ColumnName = r.h.cols[name]+1, name
	return p
}

// readCSV parses data as a CSV file with a header line, lets check refuse
// the header, and calls fn for each record of the header's width. A row of
// another width or one the CSV reader rejects is a problem; an error from
// check or fn ends the read. It returns the number of rows read, bad ones
// included.
func readCSV(ctx context.Context, data []byte, file string, ps *problems, check func(*header) error, fn func(row) error) (int, error) {
	var h *header
	return csvscan.Scan(ctx, data, file, func(names []string) error {
		var err error
		if h, err = newHeader(file, names); err != nil {
			return err
		}
		return check(h)
	}, func(line int, rec []string) error {
		r := row{h: h, line: line, rec: rec}
		switch n := len(h.names); {
		case len(rec) > n:
			return ps.add(r.problem(KindLongLine, "%d fields, header has %d", len(rec), n))
		case len(rec) < n:
			return ps.add(r.problem(KindShortLine, "%d fields, header has %d (no column %q)", len(rec), n, h.names[len(rec)]))
		}
		return fn(r)
	}, func(line int, msg string) error {
		return ps.add(&Problem{File: file, Line: line, Kind: KindCSV, Reason: KindCSV + ": " + msg})
	})
}

// shorten abbreviates a header for an error message.
func shorten(h []string) string {
	const max = 12
	s := strings.Join(h[:min(len(h), max)], ",")
	if len(h) > max {
		s += fmt.Sprintf(",... (%d columns)", len(h))
	}
	return s
}
