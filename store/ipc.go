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
	"github.com/apache/arrow/go/v15/arrow/memory"
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
//
// The IPC reader trusts the sizes a file declares, so a damaged or hostile
// file could make it panic or allocate without bound. Reading is therefore
// fenced: no allocation may exceed the file's size (sizedAllocator), no
// record may declare more rows than the file has bytes, and a panic while
// reading becomes an error naming the file. fn runs outside the fence.
func scanIPC[T Row](path string, f *os.File, cfg ioConfig, fn func(batch []T) error, columns []string) error {
	defer f.Close()
	c := codecFor[T]()
	cols, err := c.selectColumns(columns)
	if err != nil {
		return fmt.Errorf("store: read %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("store: read %s: %w", path, err)
	}
	size := st.Size()
	r := &reader[T]{path: path, table: c.table, cols: cols}
	var fr *ipc.FileReader
	err = fenced(path, func() error {
		var err error
		fr, err = ipc.NewFileReader(f, ipc.WithAllocator(&sizedAllocator{Allocator: cfg.mem, max: int(size)}))
		if err != nil {
			return fmt.Errorf("store: read %s table: %s is not a readable Arrow IPC file: %w", c.table, path, err)
		}
		md := fr.Schema().Metadata()
		if i := md.FindKey(metaTable); i >= 0 && md.Values()[i] != c.table {
			return &SchemaError{File: path, Table: c.table, Want: "table " + c.table, Got: "table " + md.Values()[i]}
		}
		return r.index(fr.Schema())
	})
	if fr != nil {
		defer fr.Close()
	}
	if err != nil {
		return err
	}
	for i := 0; i < fr.NumRecords(); i++ {
		var batch []T
		err := fenced(path, func() error {
			rec, err := fr.Record(i) // owned by fr, valid until the next call
			if err == nil {
				err = checkRecord(rec, r.recIdx, size)
			}
			if err != nil {
				return fmt.Errorf("store: read %s: record %d: %w", path, i, err)
			}
			batch = make([]T, rec.NumRows())
			r.decode(rec, batch)
			return nil
		})
		if err != nil {
			return err
		}
		if err := fn(batch); err != nil {
			return err
		}
	}
	return nil
}

// fenced runs read, turning a panic into an error about the file at path.
func fenced(path string, read func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: read %s: corrupt Arrow IPC file: %v", path, p)
		}
	}()
	return read()
}

// sizedAllocator refuses, by panicking, any allocation larger than max:
// reading an uncompressed IPC file never needs a buffer larger than the
// file, whatever its footer declares.
type sizedAllocator struct {
	memory.Allocator
	max int
}

func (a *sizedAllocator) Allocate(size int) []byte {
	if size > a.max {
		panic(fmt.Sprintf("a buffer of %d bytes in a file of %d", size, a.max))
	}
	return a.Allocator.Allocate(size)
}

func (a *sizedAllocator) Reallocate(size int, b []byte) []byte {
	if size > a.max {
		panic(fmt.Sprintf("a buffer of %d bytes in a file of %d", size, a.max))
	}
	return a.Allocator.Reallocate(size, b)
}

// checkRecord checks that a record declares no more rows than its file
// has bytes, and that the columns to decode have the record's length.
func checkRecord(rec arrow.Record, idx []int, fileSize int64) error {
	if rec.NumRows() < 0 || rec.NumRows() > fileSize {
		return fmt.Errorf("%d rows in a file of %d bytes", rec.NumRows(), fileSize)
	}
	for _, i := range idx {
		if i < 0 {
			continue // a column the file predates
		}
		if n := rec.Column(i).Len(); int64(n) != rec.NumRows() {
			return fmt.Errorf("column %s has %d values for %d rows", rec.Schema().Field(i).Name, n, rec.NumRows())
		}
	}
	return nil
}
