package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/ipc"
)

// Format is the file format WriteFileWith writes.
type Format int

const (
	// Parquet, the default, is the format of zoo tables.
	Parquet Format = iota
	// ArrowIPC writes an Arrow IPC file (Feather v2): the columns as they
	// lie in memory, uncompressed, so writing and reading cost little
	// more than a copy, for files several times larger than Parquet. It
	// suits scratch files that Scan reads back once; zoo tables stay
	// Parquet. Compression and NoDictionary do not apply.
	ArrowIPC
)

// ipcMagic opens (and closes) every Arrow IPC file.
var ipcMagic = []byte("ARROW1")

// writeIPC writes rows to w as an Arrow IPC file of records of up to
// cfg.rowGroupRows rows.
func writeIPC[T Row](w io.Writer, rows []T, cfg ioConfig) (err error) {
	c := codecFor[T]()
	fw, err := ipc.NewFileWriter(&positioned{w: w}, ipc.WithSchema(c.schema), ipc.WithAllocator(cfg.mem))
	if err != nil {
		return fmt.Errorf("store: new %s IPC writer: %w", c.table, err)
	}
	b := array.NewRecordBuilder(cfg.mem, c.schema)
	defer b.Release()
	for len(rows) > 0 {
		n := min(len(rows), cfg.rowGroupRows)
		for i, col := range c.cols {
			col.append(b.Field(i), rows[:n])
		}
		rec := b.NewRecord()
		err = fw.Write(rec)
		rec.Release()
		if err != nil {
			fw.Close()
			return fmt.Errorf("store: write %s: %w", c.table, err)
		}
		rows = rows[n:]
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("store: write %s: %w", c.table, err)
	}
	return nil
}

// positioned gives a writer the one Seek the IPC file writer makes: to
// learn the current position.
type positioned struct {
	w   io.Writer
	pos int64
}

func (p *positioned) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.pos += int64(n)
	return n, err
}

func (p *positioned) Seek(offset int64, whence int) (int64, error) {
	if offset != 0 || whence != io.SeekCurrent {
		return 0, errors.New("store: IPC writer: seek not supported")
	}
	return p.pos, nil
}

// isIPC reports whether the file f starts as an Arrow IPC file.
func isIPC(f *os.File) bool {
	head := make([]byte, len(ipcMagic))
	_, err := f.ReadAt(head, 0)
	return err == nil && bytes.Equal(head, ipcMagic)
}

// scanIPC is Scan for an Arrow IPC file f, already open; it closes f.
func scanIPC[T Row](path string, f *os.File, cfg ioConfig, fn func(batch []T) error, columns []string) (err error) {
	defer f.Close()
	c := codecFor[T]()
	cols, err := c.selectColumns(columns)
	if err != nil {
		return fmt.Errorf("store: read %s: %w", path, err)
	}
	r := &reader[T]{path: path, table: c.table, cols: cols}
	// The IPC reader decodes flatbuffers it trusts; a damaged file may
	// make it panic.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: read %s: corrupt Arrow IPC file: %v", path, p)
		}
	}()
	fr, err := ipc.NewFileReader(f, ipc.WithAllocator(cfg.mem))
	if err != nil {
		return fmt.Errorf("store: read %s table: %s is not a readable Arrow IPC file: %w", c.table, path, err)
	}
	defer fr.Close()
	md := fr.Schema().Metadata()
	if i := md.FindKey(metaTable); i >= 0 && md.Values()[i] != c.table {
		return &SchemaError{File: path, Table: c.table, Want: "table " + c.table, Got: "table " + md.Values()[i]}
	}
	if err := r.index(fr.Schema()); err != nil {
		return err
	}
	for i := 0; i < fr.NumRecords(); i++ {
		rec, err := fr.Record(i) // owned by fr, valid until the next call
		if err != nil {
			return fmt.Errorf("store: read %s: record %d: %w", path, i, err)
		}
		if err := checkRecord(rec, r.recIdx); err != nil {
			return fmt.Errorf("store: read %s: record %d: %w", path, i, err)
		}
		batch := make([]T, rec.NumRows())
		r.decode(rec, batch)
		if err := fn(batch); err != nil {
			return err
		}
	}
	return nil
}

// checkRecord checks that the columns to decode have the record's length.
func checkRecord(rec arrow.Record, idx []int) error {
	for _, i := range idx {
		if n := rec.Column(i).Len(); int64(n) != rec.NumRows() {
			return fmt.Errorf("column %s has %d values for %d rows", rec.Schema().Field(i).Name, n, rec.NumRows())
		}
	}
	return nil
}
