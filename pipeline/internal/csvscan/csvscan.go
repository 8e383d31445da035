// Package csvscan reads the CSV files of the benchmark importers: header
// first, then record by record with line numbers, malformed records
// reported and skipped, cancellation checked as it goes.
package csvscan

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

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
