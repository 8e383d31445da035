package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
)

// Preview is the first rows of a Parquet file as plain values, for display.
// It shows the file as stored: a null is a nil cell even where the typed
// rows would hold a zero value.
type Preview struct {
	Table     string   // the table the file holds, from its metadata; "" for a file written elsewhere
	Columns   []string // column names, in file order
	Types     []string // Arrow type of each column, e.g. "utf8", "timestamp[us, tz=UTC]"
	Rows      [][]any  // cells: nil (null), string, int64, float64, bool, time.Time (UTC) or []string; other types as strings
	TotalRows int64    // rows in the file
}

// Peek reads the first limit rows (at least 1) of the Parquet file path, of
// any table or none. A missing file yields an error wrapping ErrNoTable.
func Peek(path string, limit int) (*Preview, error) {
	limit = max(limit, 1)
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("store: peek: %w: %s does not exist", ErrNoTable, path)
		}
		return nil, fmt.Errorf("store: peek: %w", err)
	}
	pr, err := openParquet(f, memory.DefaultAllocator)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("store: peek: %s is not a readable Parquet file: %w", path, err)
	}
	defer pr.Close()
	p := &Preview{TotalRows: pr.NumRows()}
	if v := pr.MetaData().KeyValueMetadata().FindValue(metaTable); v != nil {
		p.Table = *v
	}
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: int64(min(limit, 64<<10))}, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("store: peek %s: %w", path, err)
	}
	schema, err := fr.Schema()
	if err != nil {
		return nil, fmt.Errorf("store: peek %s: %w", path, err)
	}
	for _, fld := range schema.Fields() {
		p.Columns = append(p.Columns, fld.Name)
		p.Types = append(p.Types, fld.Type.String())
	}
	if p.TotalRows == 0 || len(p.Columns) == 0 {
		return p, nil
	}
	if err := p.read(fr, limit); err != nil {
		return nil, fmt.Errorf("store: peek %s: %w", path, err)
	}
	return p, nil
}

func (p *Preview) read(fr *pqarrow.FileReader, limit int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("corrupt file: %v", r)
		}
	}()
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		return err
	}
	defer rr.Release()
	for len(p.Rows) < limit && rr.Next() {
		rec := rr.Record()
		for i := 0; i < int(rec.NumRows()) && len(p.Rows) < limit; i++ {
			row := make([]any, rec.NumCols())
			for c := range row {
				row[c] = cell(rec.Column(c), i)
			}
			p.Rows = append(p.Rows, row)
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// cell returns element i of a as a plain Go value.
func cell(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.String:
		return strings.Clone(a.Value(i)) // Value aliases the Arrow buffer
	case *array.Int64:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.Timestamp:
		return timeOfUnit(a.DataType().(*arrow.TimestampType).Unit)(int64(a.Value(i))).UTC()
	case *array.List:
		s, e := a.ValueOffsets(i)
		vals := a.ListValues()
		out := make([]string, 0, e-s)
		for j := int(s); j < int(e); j++ {
			if v := cell(vals, j); v != nil {
				out = append(out, fmt.Sprint(v))
			} else {
				out = append(out, "null")
			}
		}
		return out
	default:
		return a.ValueStr(i)
	}
}
