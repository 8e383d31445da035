// Package csvscan reads the CSV files of the benchmark importers and of
// evaluate's predictions: whole and bounded (ReadFile), then header first and record by record with line
// numbers, malformed records reported and skipped, cancellation checked as
// it goes.
package csvscan

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// ReadFile reads the file at path whole, refusing one larger than limit
// bytes (a wrong directory, a device behind the name) with an error that
// names it, the limit and what it cannot be ("not a file of the
// benchmark", kind "a file of the benchmark"); an error of opening or
// reading is the *fs.PathError, which names it too.
func ReadFile(path string, limit int64, kind string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %s: not %s", path, size(limit), kind)
	}
	return data, nil
}

// size words a byte count: in MiB when it is whole MiB.
func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Scan reads data, the contents of file, as CSV. A leading byte-order mark
// is dropped. The first record is passed to header (a copy the callee may
// keep); every following record to record with the line it starts on — the
// slice is reused by the next call — or, when the parser rejects it, its
// line and the parser's message to malformed, and it is skipped. Records
// may have any number of fields. Scan returns the number of records after
// the header, and stops at the first error of a callback, of ctx (checked
// every 1024 records), or of reading; an empty file is an error naming it.
func Scan(ctx context.Context, data []byte, file string, header func([]string) error,
	record func(line int, rec []string) error, malformed func(line int, msg string) error) (int, error) {
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	names, err := cr.Read()
	if err == io.EOF {
		return 0, fmt.Errorf("%s: empty file, want a header line", file)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: header: %w", file, err)
	}
	if err := header(slices.Clone(names)); err != nil {
		return 0, err
	}
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		rec, err := cr.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return n, fmt.Errorf("%s: %w", file, err)
			}
			line := pe.StartLine
			if line == 0 {
				line = pe.Line
			}
			if err := malformed(line, pe.Err.Error()); err != nil {
				return n, err
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if err := record(line, rec); err != nil {
			return n, err
		}
	}
}

// Field returns the trimmed field of column name in rec, cols mapping header
// names to indices; "" when the header has no such column or rec is short.
func Field(rec []string, cols map[string]int, name string) string {
	i, ok := cols[name]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}
