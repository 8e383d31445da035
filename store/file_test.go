package store

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/metadata"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// rowOpts compares rows as the null conventions define them: NaN equals NaN
// and a nil list equals an empty one. Times compare with time.Time.Equal.
var rowOpts = []cmp.Option{cmpopts.EquateNaNs(), cmpopts.EquateEmpty()}

// mustWrite writes rows to the table file at path, failing t if it cannot.
func mustWrite[T Row](t testing.TB, path string, rows []T) {
	t.Helper()
	if err := WriteFile(path, rows); err != nil {
		t.Fatal(err)
	}
}

// mustRead reads the table file at path, failing t if it cannot.
func mustRead[T Row](t testing.TB, path string, columns ...string) []T {
	t.Helper()
	rows, err := ReadFile[T](path, columns...)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// checkReadBack reads the table file at path and reports how its rows
// differ from want, what naming the read in the message.
func checkReadBack[T Row](t testing.TB, path string, want []T, what string) {
	t.Helper()
	if diff := cmp.Diff(want, mustRead[T](t, path), rowOpts...); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

// tinyIO forces many row groups and batches that do not line up with them.
var tinyIO = ioConfig{mem: memory.DefaultAllocator, rowGroupRows: 10, batchRows: 7}

func roundTrip[T Row](t *testing.T, rows []T, cfg ioConfig) {
	t.Helper()
	path := filepath.Join(t.TempDir(), TableName[T]()+".parquet")
	info, err := writeFile(path, rows, cfg)
	if err != nil {
		t.Fatalf("writeFile: %v", err)
	}
	if info.Rows != int64(len(rows)) {
		t.Errorf("TableInfo.Rows = %d, want %d", info.Rows, len(rows))
	}
	sum, size, err := hashFile(path)
	if err != nil || sum != info.SHA256 || size != info.Bytes {
		t.Errorf("file hash %s, %d bytes (err %v); TableInfo says %s, %d", sum, size, err, info.SHA256, info.Bytes)
	}
	batch := cfg.batchRows
	if cfg.write.Format == ArrowIPC {
		// Scratch files: Scan only, a batch per record written.
		batch = cfg.rowGroupRows
		if head, err := os.ReadFile(path); err != nil || !bytes.HasPrefix(head, ipcMagic) {
			t.Fatalf("IPC file does not start with the Arrow magic (err %v)", err)
		}
	} else {
		got, err := readFile[T](path, cfg, nil)
		if err != nil {
			t.Fatalf("readFile: %v", err)
		}
		if diff := cmp.Diff(rows, got, rowOpts...); diff != "" {
			t.Errorf("ReadFile after WriteFile (-want +got):\n%s", diff)
		}
	}
	var scanned []T
	if err := scan(path, cfg, func(b []T) error {
		if len(b) == 0 || len(b) > batch {
			t.Errorf("Scan batch of %d rows, want 1..%d", len(b), batch)
		}
		scanned = append(scanned, b...)
		return nil
	}, nil); err != nil {
		t.Fatalf("scan: %v", err)
	}
	if diff := cmp.Diff(rows, scanned, rowOpts...); diff != "" {
		t.Errorf("Scan after WriteFile (-want +got):\n%s", diff)
	}
}

// ipcIO is cfg writing Arrow IPC scratch files.
func ipcIO(cfg ioConfig) ioConfig {
	cfg.write.Format = ArrowIPC
	return cfg
}

func TestRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 25, 3000} {
		for _, cfg := range []struct {
			name string
			io   ioConfig
		}{{"default", defaultIO}, {"tiny", tinyIO}, {"ipc", ipcIO(defaultIO)}, {"ipc-tiny", ipcIO(tinyIO)}} {
			tests := []struct {
				name string
				run  func(t *testing.T)
			}{
				{"models", func(t *testing.T) { roundTrip(t, sampleModels(n, 1), cfg.io) }},
				{"datasets", func(t *testing.T) { roundTrip(t, sampleDatasets(n, 2), cfg.io) }},
				{"cards", func(t *testing.T) { roundTrip(t, sampleCards(n, 3), cfg.io) }},
				{"evals", func(t *testing.T) { roundTrip(t, sampleEvals(n, 4), cfg.io) }},
				{"finetunes", func(t *testing.T) { roundTrip(t, sampleFinetunes(n, 5), cfg.io) }},
				{"scores", func(t *testing.T) { roundTrip(t, sampleScores(n, 6), cfg.io) }},
				{"dataset_distances", func(t *testing.T) { roundTrip(t, sampleDistances(n, 7), cfg.io) }},
				{"reference_results", func(t *testing.T) { roundTrip(t, sampleReferences(n, 8), cfg.io) }},
				{"predictions", func(t *testing.T) { roundTrip(t, samplePredictions(n, 9), cfg.io) }},
				{"metrics", func(t *testing.T) { roundTrip(t, sampleMetrics(n, 10), cfg.io) }},
			}
			for _, tt := range tests {
				if n > 25 && strings.HasSuffix(cfg.name, "tiny") {
					continue // 25 rows already span 3 row groups and 4 batches
				}
				t.Run(tt.name+"/"+cfg.name+"/"+strconv.Itoa(n), tt.run)
			}
		}
	}
}

// TestRoundTripEdgeCases pins the null conventions on hand-written rows.
func TestRoundTripEdgeCases(t *testing.T) {
	seed0, seed7 := int64(0), int64(-7)
	cet := time.FixedZone("CET", 3600)
	when := time.Date(2024, 3, 1, 12, 30, 15, 123456000, cet)
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"zero model", func(t *testing.T) { roundTrip(t, []Model{{}}, defaultIO) }},
		{"full model", func(t *testing.T) {
			roundTrip(t, []Model{{
				ModelID: "google/vit-base-patch16-224", HubOID: "621ffdc136468d709f17a1ff", Author: "google",
				SHA: "3f49326", CreatedAt: when, LastModified: when.Add(time.Hour), PipelineTag: "image-classification",
				LibraryName: "transformers", Tags: []string{"pytorch", "vit", "🦒", "中文"}, Downloads: 0,
				DownloadsAllTime: math.MaxInt64, Likes: -1, Gated: "auto", Architectures: []string{"ViTForImageClassification"},
				ModelType: "vit", NumParameters: 86_000_000, InputSize: 224, OutputSize: 768, NumLabels: 1000,
				SourceDatasets: []string{"imagenet-1k", "imagenet-21k"}, PretrainDataset: "imagenet-21k",
				ReportedAccuracy: 0.8123, BaseModels: []string{}, License: "apache-2.0", Languages: nil,
				Source: "hub", CrawledAt: time.Unix(0, 0),
			}}, defaultIO)
		}},
		{"metric seeds", func(t *testing.T) {
			roundTrip(t, []Metric{
				{Protocol: "paper", Method: "m", Target: "_mean", Metric: "pearson", Seed: &seed0, Value: 0},
				{Protocol: "clean", Method: "m", Target: "t", Metric: "top@1", Seed: nil, Value: math.NaN()},
				{Protocol: "clean", Method: "m", Target: "t", Metric: "p@5", Seed: &seed7, Value: -0.5},
			}, defaultIO)
		}},
		{"score infinities", func(t *testing.T) {
			roundTrip(t, []Score{
				{ModelID: "a", DatasetID: "b", Method: "logme", Score: math.Inf(-1), RuntimeSeconds: math.NaN()},
				{ModelID: "a", DatasetID: "b", Method: "logme", Score: math.NaN(), RuntimeSeconds: 0},
			}, defaultIO)
		}},
		{"card at zero time", func(t *testing.T) {
			roundTrip(t, []Card{{RepoType: "model", RepoID: "x", Text: strings.Repeat("長い", 50_000)}}, defaultIO)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func TestTimesReadBackInUTC(t *testing.T) {
	path := filepath.Join(t.TempDir(), "models.parquet")
	in := time.Date(2023, 7, 1, 2, 3, 4, 567891234, time.FixedZone("X", -5*3600))
	mustWrite(t, path, []Model{{ModelID: "m", CreatedAt: in}})
	got := mustRead[Model](t, path)
	c := got[0].CreatedAt
	if c.Location() != time.UTC {
		t.Errorf("CreatedAt location = %v, want UTC", c.Location())
	}
	if want := in.Truncate(time.Microsecond); !c.Equal(want) {
		t.Errorf("CreatedAt = %v, want %v (truncated to microseconds)", c, want)
	}
	if !got[0].LastModified.IsZero() {
		t.Errorf("LastModified = %v, want the zero time (null)", got[0].LastModified)
	}
}

func TestReadListsDoNotAlias(t *testing.T) {
	path := filepath.Join(t.TempDir(), "models.parquet")
	rows := []Model{{ModelID: "a", Tags: []string{"x", "y"}}, {ModelID: "b", Tags: []string{"z"}}}
	mustWrite(t, path, rows)
	got := mustRead[Model](t, path)
	got[0].Tags = append(got[0].Tags, "appended")
	if want := []string{"z"}; !cmp.Equal(got[1].Tags, want) {
		t.Errorf("after appending to row 0's tags, row 1's tags = %q, want %q", got[1].Tags, want)
	}
}

func TestProjection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "models.parquet")
	rows := sampleModels(200, 42)
	mustWrite(t, path, rows)
	tests := []struct {
		name    string
		columns []string
		project func(Model) Model
		leaves  []string
	}{
		{"key only", []string{"model_id"}, func(m Model) Model { return Model{ModelID: m.ModelID} }, []string{"model_id"}},
		{"list and nullable", []string{"tags", "reported_accuracy", "created_at"}, func(m Model) Model {
			return Model{Tags: m.Tags, ReportedAccuracy: m.ReportedAccuracy, CreatedAt: m.CreatedAt}
		}, []string{"created_at", "tags.list.element", "reported_accuracy"}},
		{"order and duplicates do not matter", []string{"languages", "model_id", "languages"}, func(m Model) Model {
			return Model{ModelID: m.ModelID, Languages: m.Languages}
		}, []string{"model_id", "languages.list.element"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := make([]Model, len(rows))
			for i, r := range rows {
				want[i] = tt.project(r)
			}
			got := mustRead[Model](t, path, tt.columns...)
			if diff := cmp.Diff(want, got, rowOpts...); diff != "" {
				t.Errorf("ReadFile(%q) (-want +got):\n%s", tt.columns, diff)
			}
			var scanned []Model
			if err := Scan(path, func(b []Model) error { scanned = append(scanned, b...); return nil }, tt.columns...); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, scanned, rowOpts...); diff != "" {
				t.Errorf("Scan(%q) (-want +got):\n%s", tt.columns, diff)
			}
			// Only the leaves of the selected columns are read.
			r, err := openReader[Model](path, defaultIO, tt.columns)
			if err != nil {
				t.Fatal(err)
			}
			defer r.close()
			var leaves []string
			for _, l := range r.leaves {
				leaves = append(leaves, r.pr.MetaData().Schema.Column(l).Path())
			}
			if diff := cmp.Diff(tt.leaves, leaves); diff != "" {
				t.Errorf("leaf columns read (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("unknown column", func(t *testing.T) {
		_, err := ReadFile[Model](path, "model_id", "no_such_column")
		if err == nil || !strings.Contains(err.Error(), `"no_such_column"`) || !strings.Contains(err.Error(), path) {
			t.Errorf("ReadFile with an unknown column: err = %v, want one naming the column and the file", err)
		}
	})
}

func TestErrNoTable(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "finetunes.parquet")
	zoo := filepath.Join(dir, "zoo")
	if err := WriteZoo(t.Context(), zoo, &Tables{Models: sampleModels(3, 1)}, Provenance{Source: "test"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  func() error
	}{
		{"ReadFile", func() error { _, err := ReadFile[Finetune](missing); return err }},
		{"ReadFile projected", func() error { _, err := ReadFile[Finetune](missing, "model_id"); return err }},
		{"Scan", func() error { return Scan(missing, func([]Finetune) error { return nil }) }},
		{"ReadZoo of a missing dir", func() error { _, _, err := ReadZoo(filepath.Join(dir, "nope")); return err }},
		{"ReadManifest of a missing dir", func() error { _, err := ReadManifest(filepath.Join(dir, "nope")); return err }},
		{"ReadTable of an absent table", func() error { _, err := ReadTable[Finetune](zoo); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if !errors.Is(err, ErrNoTable) {
				t.Errorf("err = %v, want one wrapping ErrNoTable", err)
			}
		})
	}
	// A missing zoo directory is not a zoo either, and says so in one plain
	// clause.
	_, err := ReadManifest(filepath.Join(dir, "nope"))
	if !errors.Is(err, ErrNotZoo) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadManifest of a missing dir: err = %v, want ErrNotZoo and fs.ErrNotExist", err)
	}
	if want := filepath.Join(dir, "nope") + ": the directory does not exist"; err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("ReadManifest of a missing dir: err = %v, want it to end %q", err, want)
	}
	// A directory that exists but is no zoo is not a missing table.
	_, _, err = ReadZoo(dir)
	if !errors.Is(err, ErrNotZoo) || errors.Is(err, ErrNoTable) {
		t.Errorf("ReadZoo of a plain directory: err = %v, want ErrNotZoo and not ErrNoTable", err)
	}
}

// writeForeign writes a Parquet file the way another program might: no
// zoograph metadata, its own choice of types and nullability.
func writeForeign(t *testing.T, path string, schema *arrow.Schema, build func(b *array.RecordBuilder)) {
	t.Helper()
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	build(b)
	rec := b.NewRecord()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	fw, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestReadForeignFile(t *testing.T) {
	dir := t.TempDir()
	// Millisecond timestamps without a zone, nullable list elements, an extra
	// column, columns in another order, a missing column not asked for.
	path := filepath.Join(dir, "models.parquet")
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "extra", Type: arrow.PrimitiveTypes.Int32},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "created_at", Type: &arrow.TimestampType{Unit: arrow.Millisecond}, Nullable: true},
		{Name: "model_id", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "downloads", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	writeForeign(t, path, schema, func(b *array.RecordBuilder) {
		b.Field(0).(*array.Int32Builder).AppendValues([]int32{1, 2, 3}, nil)
		lb := b.Field(1).(*array.ListBuilder)
		vb := lb.ValueBuilder().(*array.StringBuilder)
		lb.Append(true)
		vb.Append("a")
		vb.AppendNull()
		lb.AppendNull()
		lb.Append(true)
		b.Field(2).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1_700_000_000_123, 0, 0}, []bool{true, false, true})
		b.Field(3).(*array.StringBuilder).AppendValues([]string{"m1", "", "m3"}, []bool{true, false, true})
		b.Field(4).(*array.Int64Builder).AppendValues([]int64{5, 0, 7}, []bool{true, false, true})
	})
	got := mustRead[Model](t, path, "model_id", "tags", "created_at", "downloads")
	want := []Model{
		{ModelID: "m1", Tags: []string{"a", ""}, CreatedAt: time.UnixMilli(1_700_000_000_123), Downloads: 5},
		{},
		{ModelID: "m3", CreatedAt: time.Unix(0, 0), Downloads: 7},
	}
	if diff := cmp.Diff(want, got, rowOpts...); diff != "" {
		t.Errorf("ReadFile of a foreign file (-want +got):\n%s", diff)
	}

	// All columns: the file lacks most of them.
	_, err := ReadFile[Model](path)
	var se *SchemaError
	if !errors.As(err, &se) || se.File != path || se.Column != "hub_oid" {
		t.Errorf("ReadFile of all columns: err = %v, want a SchemaError for missing column hub_oid in %s", err, path)
	}
}

func TestSchemaErrors(t *testing.T) {
	dir := t.TempDir()
	fine := filepath.Join(dir, "finetunes.parquet")
	mustWrite(t, fine, sampleFinetunes(5, 1))
	badType := filepath.Join(dir, "bad.parquet")
	writeForeign(t, badType, arrow.NewSchema([]arrow.Field{
		{Name: "model_id", Type: arrow.BinaryTypes.String},
		{Name: "dataset_id", Type: arrow.BinaryTypes.String},
		{Name: "run", Type: arrow.BinaryTypes.String},
	}, nil), func(b *array.RecordBuilder) {
		for i := 0; i < 3; i++ {
			b.Field(i).(*array.StringBuilder).Append("x")
		}
	})
	notParquet := filepath.Join(dir, "text.parquet")
	os.WriteFile(notParquet, []byte("model_id,dataset_id\na,b\n"), 0o644)
	empty := filepath.Join(dir, "empty.parquet")
	os.WriteFile(empty, nil, 0o644)

	tests := []struct {
		name     string
		err      func() error
		contains []string
	}{
		{"other table", func() error { _, err := ReadFile[Model](fine); return err },
			[]string{fine, "holds table finetunes"}},
		{"wrong type", func() error { _, err := ReadFile[Finetune](badType, "model_id", "run"); return err },
			[]string{badType, `column "run"`, "utf8", "int64"}},
		{"missing column", func() error { _, err := ReadFile[Finetune](badType, "model_id", "accuracy"); return err },
			[]string{badType, `missing column "accuracy"`}},
		{"not parquet", func() error { _, err := ReadFile[Finetune](notParquet); return err },
			[]string{notParquet, "not a readable Parquet file"}},
		{"empty file", func() error { _, err := ReadFile[Finetune](empty); return err },
			[]string{empty, "not a readable Parquet file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if err == nil {
				t.Fatal("err = nil, want an error")
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("err = %q, want it to contain %q", err, s)
				}
			}
		})
	}
}

// damage returns a damaged copy of a file, the kind of damage chosen by i:
// truncated, a burst of 16 random bytes in its first half, or one flipped
// byte. The first head bytes (a magic number) are left alone, except that
// truncation may cut into them when head is 0.
func damage(data []byte, i int, r *rand.Rand, head int) []byte {
	bad := bytes.Clone(data)
	switch i % 3 {
	case 0:
		return bad[:head+r.IntN(len(bad)-head)]
	case 1:
		off := head + r.IntN(len(bad)/2)
		for j := 0; j < 16 && off+j < len(bad); j++ {
			bad[off+j] = byte(r.IntN(256))
		}
	case 2:
		bad[head+r.IntN(len(bad)-head)] ^= 0xff
	}
	return bad
}

// mustOpenParquet opens the Parquet file at path for the rest of the test.
func mustOpenParquet(t testing.TB, path string) *file.Reader {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pf.Close() })
	return pf
}

// rowGroupRows returns the row count of each row group of the Parquet file
// at path.
func rowGroupRows(t testing.TB, path string) []int64 {
	t.Helper()
	pf := mustOpenParquet(t, path)
	rows := make([]int64, pf.NumRowGroups())
	for g := range rows {
		rows[g] = pf.MetaData().RowGroup(g).NumRows()
	}
	return rows
}

// firstRowGroup returns the column chunks of the first row group of the
// Parquet file at path.
func firstRowGroup(t testing.TB, path string) []*metadata.ColumnChunkMetaData {
	t.Helper()
	rg := mustOpenParquet(t, path).MetaData().RowGroup(0)
	cols := make([]*metadata.ColumnChunkMetaData, rg.NumColumns())
	for c := range cols {
		col, err := rg.ColumnChunk(c)
		if err != nil {
			t.Fatal(err)
		}
		cols[c] = col
	}
	return cols
}

// checkCorrupt reads n damaged copies of the file good, the first head
// bytes kept (see damage), with read: every read must end in rows or in an
// error naming the damaged file, never in a panic.
func checkCorrupt(t *testing.T, good string, n int, seed uint64, head int, read func(path string) error) {
	t.Helper()
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	r := newSampler(seed).r
	path := filepath.Join(filepath.Dir(good), "bad"+filepath.Ext(good))
	for i := range n {
		if err := os.WriteFile(path, damage(data, i, r, head), 0o644); err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("case %d: reading %s panicked: %v", i, path, p)
				}
			}()
			if err := read(path); err != nil && !strings.Contains(err.Error(), path) {
				t.Errorf("case %d: err = %v, want it to name %s", i, err, path)
			}
		}()
	}
}

// TestCorruptFiles reads damaged copies of a table: every read must end in
// an error or in rows, never in a panic.
func TestCorruptFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "models.parquet")
	mustWrite(t, good, sampleModels(500, 3))
	checkCorrupt(t, good, 40, 99, 4, func(path string) error {
		_, err := ReadFile[Model](path)
		return err
	})
}

func TestWriterStreaming(t *testing.T) {
	rows := sampleFinetunes(70_000, 11)
	var buf bytes.Buffer
	w, err := NewWriter[Finetune](&buf)
	if err != nil {
		t.Fatal(err)
	}
	// Uneven slices: row groups must still fill to 64K rows.
	for off, step := 0, 1; off < len(rows); off, step = off+step, step*3+1 {
		if err := w.Write(rows[off:min(off+step, len(rows))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if err := w.Write(rows[:1]); err == nil {
		t.Error("Write after Close = nil, want an error")
	}
	if w.Rows() != int64(len(rows)) {
		t.Errorf("Rows() = %d, want %d", w.Rows(), len(rows))
	}
	path := filepath.Join(t.TempDir(), "finetunes.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if groups, want := rowGroupRows(t, path), []int64{65536, 70_000 - 65536}; !cmp.Equal(groups, want) {
		t.Errorf("row groups = %v, want %v", groups, want)
	}
	checkReadBack(t, path, rows, "streamed file")
}

func TestScanStopsAtError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scores.parquet")
	if err := writeFileCfg(path, sampleScores(100, 1), tinyIO); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("enough")
	calls := 0
	err := scan(path, tinyIO, func([]Score) error { calls++; return stop }, nil)
	if err != stop || calls != 1 {
		t.Errorf("Scan = %v after %d calls, want %v after 1", err, calls, stop)
	}
}

func writeFileCfg[T Row](path string, rows []T, cfg ioConfig) error {
	_, err := writeFile(path, rows, cfg)
	return err
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		w := f.n
		f.n = 0
		return w, io.ErrShortWrite
	}
	f.n -= len(p)
	return len(p), nil
}

func TestWriterReportsSinkErrors(t *testing.T) {
	for _, n := range []int{0, 3, 100, 10_000} {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("sink failing after %d bytes: panic %v", n, p)
				}
			}()
			w, err := NewWriter[Model](&failWriter{n: n})
			if err == nil {
				if err = w.Write(sampleModels(3000, 1)); err == nil {
					err = w.Close()
				}
			}
			if err == nil {
				t.Errorf("sink failing after %d bytes: no error", n)
			}
		}()
	}
}

func TestWriteFileLeavesNoTempOnError(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(filepath.Join(dir, "no-such-dir", "x.parquet"), sampleScores(3, 1)); err == nil {
		t.Error("WriteFile into a missing directory: err = nil")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("dir holds %v after a failed write, want nothing", entries)
	}
}

// TestNoLeaks runs writes and reads, including failing ones, on a checked
// allocator: every Arrow buffer must be released.
func TestNoLeaks(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "models.parquet")
	mustWrite(t, path, sampleModels(2500, 1))
	stop := errors.New("stop")
	tests := []struct {
		name string
		run  func(cfg ioConfig) error
	}{
		{"write", func(cfg ioConfig) error {
			_, err := writeFile(filepath.Join(dir, "w.parquet"), sampleModels(2500, 1), cfg)
			return err
		}},
		{"read", func(cfg ioConfig) error { _, err := readFile[Model](path, cfg, nil); return err }},
		{"read projected", func(cfg ioConfig) error {
			_, err := readFile[Model](path, cfg, []string{"tags", "created_at"})
			return err
		}},
		{"scan to the end", func(cfg ioConfig) error {
			return scan(path, cfg, func([]Model) error { return nil }, []string{"model_id", "languages"})
		}},
		{"read as another table", func(cfg ioConfig) error {
			if _, err := readFile[Finetune](path, cfg, nil); err == nil {
				return errors.New("reading models as finetunes: err = nil")
			}
			return nil
		}},
		{"failing sink", func(cfg ioConfig) error {
			w, err := newWriter[Model](&failWriter{n: 5000}, cfg)
			if err == nil {
				if err = w.Write(sampleModels(3000, 2)); err == nil {
					err = w.Close()
				}
			}
			if err == nil {
				return errors.New("writer to a failing sink: err = nil")
			}
			return nil
		}},
		{"zoo", func(cfg ioConfig) error {
			return writeZoo(t.Context(), filepath.Join(dir, "zoo"), sampleZoo(300, 5), Provenance{Source: "test"}, cfg)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			if err := tt.run(ioConfig{mem: mem, rowGroupRows: 1000, batchRows: 700}); err != nil {
				t.Fatal(err)
			}
		})
	}

	// A scan stopped early leaves v15's page reader holding the current
	// data page (V2) of each column, decompressed, and its decompression
	// buffer: it releases them only when it reads the next page. That is
	// at most twice one row group's uncompressed bytes, and no leak with
	// the default Go allocator, where the GC frees them.
	t.Run("scan stopped", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		cfg := ioConfig{mem: mem, rowGroupRows: 1000, batchRows: 700}
		if err := scan(path, cfg, func([]Model) error { return stop }, nil); err != stop {
			t.Fatalf("scan = %v, want %v", err, stop)
		}
		pf := mustOpenParquet(t, path)
		bound := 2 * pf.MetaData().RowGroup(0).TotalByteSize()
		if got := int64(mem.CurrentAlloc()); got > bound {
			t.Errorf("%d bytes held after an early stop, want at most twice one row group's, %d", got, bound)
		}
	})
}

// FuzzReadFile feeds damaged table files to ReadFile and Peek: they may
// fail, but must not panic.
func FuzzReadFile(f *testing.F) {
	dir := f.TempDir()
	good := filepath.Join(dir, "seed.parquet")
	mustWrite(f, good, sampleModels(30, 1))
	data, err := os.ReadFile(good)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add([]byte("PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "models.parquet")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ReadFile[Model](path)
		ReadFile[Model](path, "tags")
		Peek(path, 5)
	})
}

func TestWriteOptions(t *testing.T) {
	tests := []struct {
		name  string
		opt   WriteOptions
		codec compress.Compression
	}{
		{"zero", WriteOptions{}, compress.Codecs.Zstd},
		{"snappy", WriteOptions{Compression: Snappy}, compress.Codecs.Snappy},
		{"uncompressed", WriteOptions{Compression: Uncompressed}, compress.Codecs.Uncompressed},
		{"snappy/no-dictionary", WriteOptions{Compression: Snappy, NoDictionary: true}, compress.Codecs.Snappy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tinyIO
			cfg.write = tt.opt
			roundTrip(t, sampleModels(25, 1), cfg)
			roundTrip(t, sampleEvals(25, 4), cfg)

			path := filepath.Join(t.TempDir(), "models.parquet")
			rows := sampleModels(300, 2)
			if err := WriteFileWith(path, rows, tt.opt); err != nil {
				t.Fatal(err)
			}
			for c, col := range firstRowGroup(t, path) {
				if got := col.Compression(); got != tt.codec {
					t.Errorf("column %d compression = %v, want %v", c, got, tt.codec)
				}
				if tt.opt.NoDictionary && col.HasDictionaryPage() {
					t.Errorf("column %d has a dictionary page, want none", c)
				}
			}
			checkReadBack(t, path, rows, "ReadFile after WriteFileWith")
		})
	}
}

func TestWriteOptionsUnknownCompression(t *testing.T) {
	var buf bytes.Buffer
	if _, err := NewWriterWith[Model](&buf, WriteOptions{Compression: Compression(99)}); err == nil {
		t.Error("NewWriterWith with an unknown compression: got nil error")
	}
}
