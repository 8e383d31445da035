package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
)

// ErrNoTable reports that a table file, or the zoo directory holding it, does
// not exist. ReadFile, Scan, ReadManifest and ReadZoo wrap it; test with
// errors.Is.
var ErrNoTable = errors.New("no such table")

// SchemaError reports a file that does not hold the table it is read as: a
// missing column, a column of the wrong type, or another table altogether.
type SchemaError struct {
	File   string // the file read
	Table  string // the table it was read as
	Column string // the column at fault; "" when the whole file is
	Want   string // what the table expects
	Got    string // what the file holds; "" when the column is missing
}

func (e *SchemaError) Error() string {
	switch {
	case e.Column == "":
		return fmt.Sprintf("store: read %s table: file %s holds %s", e.Table, e.File, e.Got)
	case e.Got == "":
		return fmt.Sprintf("store: read %s table: missing column %q (%s) in file %s", e.Table, e.Column, e.Want, e.File)
	default:
		return fmt.Sprintf("store: read %s table: column %q in file %s has type %s, want %s", e.Table, e.Column, e.File, e.Got, e.Want)
	}
}

// ioConfig tunes the Parquet encoding and the memory of one read or write.
// The exported functions use defaultIO; tests pass a checked allocator.
type ioConfig struct {
	mem memory.Allocator
	// rowGroupRows caps the rows of a row group. Arrow v15 encodes nullable
	// and list columns in time that grows quadratically with the row-group
	// size (GH-41541), so keep it at 64K or below.
	rowGroupRows int
	// rowGroupBytes ends a row group early when its string data reaches
	// it, so that a table of long texts (READMEs) holds a bounded amount
	// in memory while it is written.
	rowGroupBytes int
	// batchRows is the size of the Arrow records built on write and read.
	batchRows int
	write     WriteOptions
	// hook, when set, is called at each step of a zoo commit, so a test
	// can kill the process between any two of them.
	hook func(step string)
}

var defaultIO = ioConfig{mem: memory.DefaultAllocator, rowGroupRows: 64 << 10, rowGroupBytes: 64 << 20, batchRows: 64 << 10}

// Writer streams rows of one table into a Parquet file, for tables too large
// to hold at once. Rows of successive Write calls accumulate into row groups
// of 64K rows, or fewer once their strings reach 64 MiB; at most one row
// group is held in memory. Close writes the
// footer. A Writer is not safe for concurrent use.
type Writer[T Row] struct {
	c       *codec[T]
	cfg     ioConfig
	fw      *pqarrow.FileWriter
	sink    *sink
	b       *array.RecordBuilder
	pending int // rows in b, not yet written
	rows    int64
	err     error // sticky: the first error of Write or Close
}

// sink is the destination as pqarrow sees it. It hides w's Close method
// (pqarrow closes its sink; the Writer's caller owns w) and w's errors: it
// keeps the first one and swallows the rest of the output, because v15 leaks
// buffers, or panics, when its sink fails. The Writer reports the error.
type sink struct {
	w   io.Writer
	err error
}

func (s *sink) Write(p []byte) (int, error) {
	if s.err == nil {
		n, err := s.w.Write(p)
		if err == nil && n < len(p) {
			err = io.ErrShortWrite
		}
		s.err = err
	}
	return len(p), nil
}

// Compression is the codec of a file's pages. Every codec here is read by
// ReadFile, Scan and the common Parquet readers.
type Compression int

const (
	// Zstd, the default, makes the smallest files; it suits tables that
	// are kept.
	Zstd Compression = iota
	// Snappy writes several times faster than Zstd and reads faster, for
	// files about a third larger.
	Snappy
	// Uncompressed writes fastest and makes the largest files; it suits
	// temporary files that are read once and removed.
	Uncompressed
)

func (c Compression) codec() (compress.Compression, error) {
	switch c {
	case Zstd:
		return compress.Codecs.Zstd, nil
	case Snappy:
		return compress.Codecs.Snappy, nil
	case Uncompressed:
		return compress.Codecs.Uncompressed, nil
	}
	return 0, fmt.Errorf("unknown compression %d", int(c))
}

// WriteOptions tune how a table file is encoded; the zero value is the
// default of NewWriter and WriteFile. Whatever the options, the file holds
// the same rows, schema and metadata.
type WriteOptions struct {
	Compression Compression
	// NoDictionary writes every column in plain encoding. Dictionaries
	// make files of repetitive strings smaller, at some cost in time.
	NoDictionary bool
	// Format is Parquet (the default) or ArrowIPC, for scratch files.
	Format Format
	// RowGroupRows caps the rows of a row group (default 65536). Rows
	// are encoded a row group at a time, so smaller groups spread the
	// encoding of a streamed table over its writes.
	RowGroupRows int
	// RowGroupBytes ends a row group early once its string data reaches
	// this many bytes (default 64 MiB): the memory a Writer holds.
	RowGroupBytes int
}

func (o WriteOptions) config() ioConfig {
	cfg := defaultIO
	cfg.write = o
	if o.RowGroupRows > 0 {
		cfg.rowGroupRows = o.RowGroupRows
	}
	if o.RowGroupBytes > 0 {
		cfg.rowGroupBytes = o.RowGroupBytes
	}
	return cfg
}

// NewWriter returns a Writer of T's table to w. Close does not close w.
func NewWriter[T Row](w io.Writer) (*Writer[T], error) {
	return newWriter[T](w, defaultIO)
}

// NewWriterWith is NewWriter with options.
func NewWriterWith[T Row](w io.Writer, opt WriteOptions) (*Writer[T], error) {
	return newWriter[T](w, opt.config())
}

func newWriter[T Row](w io.Writer, cfg ioConfig) (*Writer[T], error) {
	c := codecFor[T]()
	codec, err := cfg.write.Compression.codec()
	if err != nil {
		return nil, fmt.Errorf("store: new %s writer: %w", c.table, err)
	}
	opts := []parquet.WriterProperty{
		// By default zstd at its default level, with encoders reused
		// across pages (zstd.go).
		parquet.WithCompression(codec),
		parquet.WithMaxRowGroupLength(int64(cfg.rowGroupRows)),
		parquet.WithAllocator(cfg.mem),
		parquet.WithCreatedBy("zoograph (arrow/go/v15)"),
		// Data page V2: under V1, v15 reallocates the definition-level
		// buffer on every reserve (GH-41541), which made writing models,
		// with their nullable and list columns, about 5x slower.
		parquet.WithDataPageVersion(parquet.DataPageV2),
	}
	// Dictionaries pay for strings (ids, tags, methods repeat) but not for
	// numbers and times, mostly distinct: plain encoding under zstd made
	// files 15% smaller and writes faster on the sample tables.
	if cfg.write.NoDictionary {
		opts = append(opts, parquet.WithDictionaryDefault(false))
	}
	for _, col := range c.cols {
		switch col.field.Type.ID() {
		case arrow.FLOAT64, arrow.TIMESTAMP, arrow.INT64:
			opts = append(opts, parquet.WithDictionaryFor(col.field.Name, false))
		default:
			if col.unique {
				opts = append(opts, parquet.WithDictionaryFor(col.field.Name, false))
			}
		}
	}
	props := parquet.NewWriterProperties(opts...)
	arrowProps := pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(cfg.mem))
	s := &sink{w: w}
	fw, err := pqarrow.NewFileWriter(c.schema, s, props, arrowProps)
	if err != nil {
		return nil, fmt.Errorf("store: new %s writer: %w", c.table, err)
	}
	if s.err != nil {
		fw.Close()
		return nil, fmt.Errorf("store: new %s writer: %w", c.table, s.err)
	}
	return &Writer[T]{c: c, cfg: cfg, fw: fw, sink: s, b: array.NewRecordBuilder(cfg.mem, c.schema)}, nil
}

// Write appends rows to the file.
func (w *Writer[T]) Write(rows []T) error {
	if w.err != nil {
		return w.err
	}
	for len(rows) > 0 {
		n := min(len(rows), w.cfg.rowGroupRows-w.pending, w.nextAppend())
		for i, col := range w.c.cols {
			col.append(w.b.Field(i), rows[:n])
		}
		w.pending += n
		w.rows += int64(n)
		rows = rows[n:]
		if w.pending == w.cfg.rowGroupRows || w.cfg.rowGroupBytes > 0 && w.pendingBytes() >= w.cfg.rowGroupBytes {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendRows is how many rows Write appends at most between checks of
// the row group's size.
const appendRows = 512

// nextAppend is how many rows to append before the next check of the row
// group's string bytes: a few to start a row group, then as many as the
// bytes per row so far leave room for, so a row group of long texts ends
// near its bound.
func (w *Writer[T]) nextAppend() int {
	if w.cfg.rowGroupBytes <= 0 {
		return appendRows
	}
	if w.pending == 0 {
		return 16
	}
	have := w.pendingBytes()
	per := have/w.pending + 1
	return max(1, min(appendRows, (w.cfg.rowGroupBytes-have)/per+1))
}

// pendingBytes is the string data of the pending rows, the bulk of a row
// group of READMEs or other long texts.
func (w *Writer[T]) pendingBytes() int {
	n := 0
	for _, f := range w.b.Fields() {
		switch b := f.(type) {
		case *array.StringBuilder:
			n += b.DataLen()
		case *array.ListBuilder:
			if vb, ok := b.ValueBuilder().(*array.StringBuilder); ok {
				n += vb.DataLen()
			}
		}
	}
	return n
}

// flush writes the pending rows as one row group. Whole row groups go
// through FileWriter.Write: v15's buffered row groups (WriteBuffered) leak
// a buffer per column chunk.
func (w *Writer[T]) flush() error {
	rec := w.b.NewRecord()
	err := w.fw.Write(rec)
	rec.Release()
	w.pending = 0
	if err == nil {
		err = w.sink.err
	}
	if err != nil {
		w.fail(fmt.Errorf("store: write %s: %w", w.c.table, err))
		return w.err
	}
	return nil
}

func (w *Writer[T]) fail(err error) {
	w.err = err
	w.b.Release()
	w.fw.Close() // frees the writer's buffers; the output is abandoned
}

// Rows returns the number of rows written so far.
func (w *Writer[T]) Rows() int64 { return w.rows }

// Close flushes the last row group and writes the Parquet footer. It does
// not close the underlying writer. Close after Close returns nil.
func (w *Writer[T]) Close() error {
	if w.err != nil {
		if w.err == errClosed {
			return nil
		}
		return w.err
	}
	if w.pending > 0 {
		if err := w.flush(); err != nil {
			return err
		}
	}
	w.b.Release()
	err := w.fw.Close()
	if err == nil {
		err = w.sink.err
	}
	if err != nil {
		w.err = fmt.Errorf("store: close %s writer: %w", w.c.table, err)
		return w.err
	}
	w.err = errClosed
	return nil
}

var errClosed = errors.New("store: write after Close")

// WriteFile writes rows as T's table to the Parquet file path, atomically:
// the data goes to a temporary file in the same directory, which is synced
// and renamed over path, so path holds either its previous content or all
// of rows, whatever happens.
func WriteFile[T Row](path string, rows []T) error {
	_, err := writeFile(path, rows, defaultIO)
	return err
}

// WriteFileWith is WriteFile with options.
func WriteFileWith[T Row](path string, rows []T, opt WriteOptions) error {
	_, err := writeFile(path, rows, opt.config())
	return err
}

func writeFile[T Row](path string, rows []T, cfg ioConfig) (TableInfo, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	st, err := stage(dir, base, rows, cfg)
	if err != nil {
		return TableInfo{}, err
	}
	if err := os.Rename(st.tmp, path); err != nil {
		os.Remove(st.tmp)
		return TableInfo{}, fmt.Errorf("store: write %s: %w", path, err)
	}
	if err := syncDir(dir); err != nil {
		return TableInfo{}, fmt.Errorf("store: write %s: %w", path, err)
	}
	st.info.File = base
	return st.info, nil
}

// staged is a complete, synced table file under a temporary name.
type staged struct {
	table string
	tmp   string
	info  TableInfo // File is left for the committer to set
}

// stage writes rows into a new temporary file in dir named after base, syncs
// and closes it. On error nothing is left behind.
func stage[T Row](dir, base string, rows []T, cfg ioConfig) (staged, error) {
	path := filepath.Join(dir, base)
	af, err := createTemp(dir, base)
	if err != nil {
		return staged{}, fmt.Errorf("store: write %s: %w", path, err)
	}
	if cfg.write.Format == ArrowIPC {
		err = writeIPC(af, rows, cfg)
	} else {
		var w *Writer[T]
		w, err = newWriter[T](af, cfg)
		if err == nil {
			if err = w.Write(rows); err == nil {
				err = w.Close()
			}
		}
	}
	if err != nil {
		af.abort()
		return staged{}, fmt.Errorf("%w (file %s)", err, path)
	}
	sum, size, err := af.commit()
	if err != nil {
		return staged{}, fmt.Errorf("store: write %s: %w", path, err)
	}
	return staged{
		table: TableName[T](),
		tmp:   af.name,
		info:  TableInfo{Rows: int64(len(rows)), Bytes: size, SHA256: sum},
	}, nil
}

// ReadFile reads every row of T's table from the Parquet file path. With
// columns, only those columns are read and filled; the other fields keep
// their Go zero values. A missing file yields an error wrapping ErrNoTable; a
// file of another table, or lacking a column, a *SchemaError.
//
// The strings of one column of one 64K-row batch share one allocation, so
// keeping one string keeps its batch's characters alive.
func ReadFile[T Row](path string, columns ...string) ([]T, error) {
	return readFile[T](path, defaultIO, columns)
}

func readFile[T Row](path string, cfg ioConfig, columns []string) ([]T, error) {
	r, err := openReader[T](path, cfg, columns)
	if err != nil {
		return nil, err
	}
	defer r.close()
	rows := make([]T, r.numRows)
	off := 0
	err = r.each(func(rec arrow.Record) error {
		n := int(rec.NumRows())
		if off+n > len(rows) {
			return fmt.Errorf("store: read %s: more rows than its footer declares (%d)", path, len(rows))
		}
		r.decode(rec, rows[off:off+n])
		off += n
		return nil
	})
	if err != nil {
		return nil, err
	}
	if off != len(rows) {
		return nil, fmt.Errorf("store: read %s: got %d rows, its footer declares %d", path, off, len(rows))
	}
	return rows, nil
}

// Scan reads T's table from the Parquet file path in batches of up to 64K
// rows and calls fn with each, in file order; fn may keep its batch. With
// columns, only those columns are read and filled. Scan stops at the first
// error of fn and returns it unwrapped. A missing file yields an error
// wrapping ErrNoTable. Scan also reads the Arrow IPC files that
// WriteFileWith writes with Format ArrowIPC.
func Scan[T Row](path string, fn func(batch []T) error, columns ...string) error {
	return scan(path, defaultIO, fn, columns)
}

func scan[T Row](path string, cfg ioConfig, fn func(batch []T) error, columns []string) error {
	if f, err := os.Open(path); err == nil {
		if isIPC(f) {
			return scanIPC(path, f, cfg, fn, columns)
		}
		f.Close()
	}
	r, err := openReader[T](path, cfg, columns)
	if err != nil {
		return err
	}
	defer r.close()
	return r.each(func(rec arrow.Record) error {
		batch := make([]T, rec.NumRows())
		r.decode(rec, batch)
		return fn(batch)
	})
}

// reader reads the selected columns of one table file.
type reader[T Row] struct {
	path    string
	table   string
	pr      *file.Reader
	fr      *pqarrow.FileReader
	cols    []column[T] // selected columns, in table order
	leaves  []int       // Parquet leaf indices of the selected columns
	numRows int64
	recIdx  []int // position of cols[i] in the records read; set on the first record
}

// openReader opens path and checks that it holds T's table with every
// selected column, of a type the column can decode.
func openReader[T Row](path string, cfg ioConfig, columns []string) (*reader[T], error) {
	c := codecFor[T]()
	cols, err := c.selectColumns(columns)
	if err != nil {
		return nil, fmt.Errorf("store: read %s: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("store: read %s table: %w: %s does not exist", c.table, ErrNoTable, path)
		}
		return nil, fmt.Errorf("store: read %s table: %w", c.table, err)
	}
	pr, err := openParquet(f, cfg.mem)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("store: read %s table: %s is not a readable Parquet file: %w", c.table, path, err)
	}
	r := &reader[T]{path: path, table: c.table, pr: pr, cols: cols, numRows: pr.NumRows()}
	if err := r.checkSchema(); err != nil {
		pr.Close()
		return nil, err
	}
	r.fr, err = pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: int64(cfg.batchRows)}, cfg.mem)
	if err != nil {
		pr.Close()
		return nil, fmt.Errorf("store: read %s table from %s: %w", c.table, path, err)
	}
	return r, nil
}

// openParquet reads the footer of f, turning a decoder panic on a corrupt
// footer into an error.
//
// It hides the stored Arrow schema (ARROW:schema) from the Arrow reader:
// v15 decodes that flatbuffer unchecked, and a damaged one can make it
// allocate without bound and kill the process. The Parquet schema alone
// gives every type this package reads (timestamps carry their unit and UTC
// flag, lists their element type).
func openParquet(f *os.File, mem memory.Allocator) (pr *file.Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("corrupt footer: %v", p)
		}
	}()
	pr, err = file.NewParquetReader(f, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return nil, err
	}
	for _, kv := range pr.MetaData().KeyValueMetadata() {
		if kv.Key == arrowSchemaKey {
			kv.Key = arrowSchemaKey + ".unread"
		}
	}
	if err := checkFooter(pr, f); err != nil {
		pr.Close()
		return nil, err
	}
	return pr, nil
}

// checkFooter checks the row groups and column chunks the footer declares
// against the file: v15 trusts them, and a damaged offset or length makes it
// panic in a goroutine of its own, which no recover reaches.
func checkFooter(pr *file.Reader, f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	md := pr.MetaData()
	var rows int64
	for g := 0; g < pr.NumRowGroups(); g++ {
		rg := md.RowGroup(g)
		if rg.NumRows() < 0 || rg.NumColumns() != md.Schema.NumColumns() {
			return fmt.Errorf("corrupt footer: row group %d declares %d rows and %d columns", g, rg.NumRows(), rg.NumColumns())
		}
		rows += rg.NumRows()
		for c := 0; c < rg.NumColumns(); c++ {
			col, err := rg.ColumnChunk(c)
			if err != nil {
				return fmt.Errorf("corrupt footer: row group %d column %d: %w", g, c, err)
			}
			start, length := col.DataPageOffset(), col.TotalCompressedSize()
			if col.HasDictionaryPage() && col.DictionaryPageOffset() > 0 && start > col.DictionaryPageOffset() {
				start = col.DictionaryPageOffset()
			}
			if start < 0 || length < 0 || start > size || length > size-start || col.NumValues() < 0 {
				return fmt.Errorf("corrupt footer: row group %d column %d spans bytes %d+%d of a %d-byte file", g, c, start, length, size)
			}
		}
	}
	if rows != pr.NumRows() {
		return fmt.Errorf("corrupt footer: row groups hold %d rows, the file declares %d", rows, pr.NumRows())
	}
	return nil
}

const arrowSchemaKey = "ARROW:schema"

// selectColumns returns the columns named, in table order, or all of them.
func (c *codec[T]) selectColumns(names []string) ([]column[T], error) {
	if len(names) == 0 {
		return c.cols, nil
	}
	want := make([]bool, len(c.cols))
	for _, n := range names {
		i, ok := c.byName[n]
		if !ok {
			return nil, fmt.Errorf("table %s has no column %q (columns: %v)", c.table, n, c.columnNames())
		}
		want[i] = true
	}
	var cols []column[T]
	for i, col := range c.cols {
		if want[i] {
			cols = append(cols, col)
		}
	}
	return cols, nil
}

// checkSchema matches the selected columns against the file's schema and
// records their Parquet leaf indices; a list column has one leaf,
// NAME.list.element.
func (r *reader[T]) checkSchema() error {
	md := r.pr.MetaData()
	if v := md.KeyValueMetadata().FindValue(metaTable); v != nil && *v != r.table {
		return &SchemaError{File: r.path, Table: r.table, Want: "table " + r.table, Got: "table " + *v}
	}
	fileSchema, err := pqarrow.FromParquet(md.Schema, &pqarrow.ArrowReadProperties{}, md.KeyValueMetadata())
	if err != nil {
		return fmt.Errorf("store: read %s table: schema of %s: %w", r.table, r.path, err)
	}
	version := md.KeyValueMetadata().FindValue(metaSchemaVersion)
	for _, col := range r.cols {
		name := col.field.Name
		idx := fileSchema.FieldIndices(name)
		if len(idx) == 0 && predates(version, col) {
			continue
		}
		if len(idx) == 0 {
			return &SchemaError{File: r.path, Table: r.table, Column: name, Want: col.field.Type.String()}
		}
		if got := fileSchema.Field(idx[0]).Type; !col.check(got) {
			return &SchemaError{File: r.path, Table: r.table, Column: name, Want: col.field.Type.String(), Got: got.String()}
		}
		for leaf := 0; leaf < md.Schema.NumColumns(); leaf++ {
			if path := md.Schema.Column(leaf).ColumnPath(); len(path) > 0 && path[0] == name {
				r.leaves = append(r.leaves, leaf)
			}
		}
	}
	if len(r.leaves) == 0 && len(r.cols) > 0 && md.Schema.NumColumns() > 0 {
		// Only columns the file predates are selected: read one leaf for
		// the row count (no leaves would read them all).
		r.leaves = []int{0}
	}
	return nil
}

// predates reports whether a file of schema version version (nil when the
// file does not say, as files written elsewhere) may lack col: col was added
// after the file's version.
func predates[T any](version *string, col column[T]) bool {
	if col.since == 0 {
		return false
	}
	if version == nil {
		return true
	}
	v, err := strconv.Atoi(*version)
	return err == nil && v < col.since
}

// each calls fn with every record of the file. It turns a panic of the
// Parquet decoder on a corrupt file into an error.
func (r *reader[T]) each(fn func(rec arrow.Record) error) (err error) {
	if r.numRows == 0 {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: read %s: corrupt file: %v", r.path, p)
		}
	}()
	rr, err := r.fr.GetRecordReader(context.Background(), r.leaves, nil)
	if err != nil {
		return fmt.Errorf("store: read %s: %w", r.path, err)
	}
	defer rr.Release()
	for rr.Next() {
		rec := rr.Record()
		if r.recIdx == nil {
			if err := r.index(rec.Schema()); err != nil {
				return err
			}
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	// Arrow v15 reports io.EOF at the normal end of the file.
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("store: read %s: %w", r.path, err)
	}
	return nil
}

// index finds each selected column in the records read and checks its type
// once more, on the Arrow type the reader produces.
func (r *reader[T]) index(s *arrow.Schema) error {
	r.recIdx = make([]int, len(r.cols))
	var version *string
	if i := s.Metadata().FindKey(metaSchemaVersion); i >= 0 {
		version = &s.Metadata().Values()[i]
	}
	for i, col := range r.cols {
		idx := s.FieldIndices(col.field.Name)
		if len(idx) == 0 && predates(version, col) {
			r.recIdx[i] = -1 // the file predates the column: rows keep the zero value
			continue
		}
		if len(idx) == 0 {
			return &SchemaError{File: r.path, Table: r.table, Column: col.field.Name, Want: col.field.Type.String()}
		}
		if got := s.Field(idx[0]).Type; !col.check(got) {
			return &SchemaError{File: r.path, Table: r.table, Column: col.field.Name, Want: col.field.Type.String(), Got: got.String()}
		}
		r.recIdx[i] = idx[0]
	}
	return nil
}

// decode fills rows, of rec's length, from rec.
func (r *reader[T]) decode(rec arrow.Record, rows []T) {
	for i, col := range r.cols {
		if r.recIdx[i] >= 0 {
			col.decode(rec.Column(r.recIdx[i]), rows)
		}
	}
}

func (r *reader[T]) close() { r.pr.Close() }
