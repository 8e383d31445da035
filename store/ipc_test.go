package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/google/go-cmp/cmp"
)

func TestIPCProjectionAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "models.arrow")
	rows := sampleModels(100, 7)
	if err := WriteFileWith(path, rows, WriteOptions{Format: ArrowIPC}); err != nil {
		t.Fatal(err)
	}
	var got []Model
	if err := Scan(path, func(b []Model) error { got = append(got, b...); return nil }, "model_id", "tags"); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("%d rows, want %d", len(got), len(rows))
	}
	for i := range rows {
		want := Model{ModelID: rows[i].ModelID, Tags: rows[i].Tags}
		if diff := cmp.Diff(want, got[i], rowOpts...); diff != "" {
			t.Fatalf("row %d with columns model_id, tags (-want +got):\n%s", i, diff)
		}
	}
	err := Scan(path, func([]Eval) error { return nil })
	var se *SchemaError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), path) {
		t.Errorf("scanning models as evals: err = %v, want a *SchemaError naming %s", err, path)
	}
	if err := Scan(path, func([]Model) error { return nil }, "no_such_column"); err == nil {
		t.Error("an unknown column gave no error")
	}
}

// TestIPCCorrupt damages an IPC file: Scan may fail, naming the file, but
// never panics.
func TestIPCCorrupt(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "models.arrow")
	if err := writeFileCfg(good, sampleModels(300, 3), ioConfig{mem: memory.DefaultAllocator, rowGroupRows: 64, batchRows: 64, write: WriteOptions{Format: ArrowIPC}}); err != nil {
		t.Fatal(err)
	}
	// Keep the magic: the IPC reader must see the damage.
	checkCorrupt(t, good, 60, 5, 8, func(path string) error {
		return Scan(path, func([]Model) error { return nil })
	})
}

func TestIPCNoLeaks(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cfg := ioConfig{mem: mem, rowGroupRows: 100, batchRows: 100, write: WriteOptions{Format: ArrowIPC}}
	path := filepath.Join(t.TempDir(), "evals.arrow")
	if err := writeFileCfg(path, sampleEvals(1000, 2), cfg); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := scan(path, cfg, func(b []Eval) error { n += len(b); return nil }, nil); err != nil || n != 1000 {
		t.Fatalf("scan: %d rows, %v", n, err)
	}
}

// TestUniqueColumnsPlain checks that id and hash columns are written
// without a dictionary and repetitive ones with one.
func TestUniqueColumnsPlain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "models.parquet")
	mustWrite(t, path, sampleModels(2000, 4))
	dict := map[string]bool{}
	for _, col := range firstRowGroup(t, path) {
		dict[col.PathInSchema().String()] = col.HasDictionaryPage()
	}
	for col, want := range map[string]bool{"model_id": false, "hub_oid": false, "sha": false, "author": true, "pipeline_tag": true} {
		if got, ok := dict[col]; !ok || got != want {
			t.Errorf("column %s: dictionary %v (present %v), want %v (columns %v)", col, got, ok, want, dict)
		}
	}
}

// TestReserveDataGrowsGeometrically: a thousand small reservations into
// one builder reallocate its data a handful of times, not a thousand.
func TestReserveDataGrowsGeometrically(t *testing.T) {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	grows, last := 0, b.DataCap()
	for i := 0; i < 1000; i++ {
		reserveData(b.BinaryBuilder, 100)
		if b.DataCap() < b.DataLen()+100 {
			t.Fatalf("reserve %d: capacity %d < %d", i, b.DataCap(), b.DataLen()+100)
		}
		if b.DataCap() != last {
			grows, last = grows+1, b.DataCap()
		}
		b.Append(strings.Repeat("x", 100))
	}
	if grows > 12 {
		t.Errorf("%d reallocations for 1000 reservations of 100 bytes", grows)
	}
}

// TestRowGroupBytes: long texts end a row group before its row count.
func TestRowGroupBytes(t *testing.T) {
	cards := sampleCards(100, 6)
	for i := range cards {
		cards[i].Text = strings.Repeat("readme ", 1500) // ~10 KB
	}
	cfg := ioConfig{mem: memory.DefaultAllocator, rowGroupRows: 1000, rowGroupBytes: 64 << 10, batchRows: 1000}
	path := filepath.Join(t.TempDir(), "cards.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := newWriter[Card](f, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(cards); i += 25 {
		if err := w.Write(cards[i : i+25]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if n := len(rowGroupRows(t, path)); n < 4 {
		t.Errorf("%d row groups for 1 MB of text with a 64 KB bound", n)
	}
	checkReadBack(t, path, cards, "read back")

	// The same bound through WriteOptions, all rows in one write.
	many := sampleCards(2000, 7)
	for i := range many {
		many[i].Text = strings.Repeat("card ", 2000) // ~10 KB
	}
	path = filepath.Join(t.TempDir(), "cards.parquet")
	if err := WriteFileWith(path, many, WriteOptions{RowGroupBytes: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	// 20 MB of text, row groups ending once past 1 MiB: about 105 rows
	// of 10 KB each.
	groups := rowGroupRows(t, path)
	for g, n := range groups {
		if n > 110 {
			t.Errorf("row group %d has %d rows of 10 KB with a 1 MiB bound", g, n)
		}
	}
	if len(groups) < 10 {
		t.Errorf("%d row groups for 20 MB of text with a 1 MiB bound", len(groups))
	}
}

// TestIPCHostileSizes declares absurd sizes in an IPC file: a record of
// 2^36 rows, and a record body of 2^42 bytes in the footer. Arrow's reader
// would try to allocate them and the process would die of it; Scan must
// return an error naming the file instead.
func TestIPCHostileSizes(t *testing.T) {
	const n = 777
	rows := make([]Eval, n)
	for i := range rows {
		rows[i].ModelID = "org/model"
	}
	path := filepath.Join(t.TempDir(), "evals.arrow")
	if err := WriteFileWith(path, rows, WriteOptions{Format: ArrowIPC}); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	patch := func(b []byte, from, to int, match func(v uint64) bool, v uint64) int {
		k := 0
		for i := from; i+8 <= to; i++ {
			if match(binary.LittleEndian.Uint64(b[i:])) {
				binary.LittleEndian.PutUint64(b[i:], v)
				k++
			}
		}
		return k
	}
	// Every 64-bit n: the record's length and its field nodes.
	manyRows := bytes.Clone(good)
	if patch(manyRows, 0, len(manyRows), func(v uint64) bool { return v == n }, 1<<36) == 0 {
		t.Fatal("no row count found to patch")
	}
	// The footer's block sizes (aligned 64-bit values between 1000 bytes
	// and the file's size): the footer precedes its 4-byte length and
	// the closing magic.
	bigBody := bytes.Clone(good)
	flen := int(binary.LittleEndian.Uint32(bigBody[len(bigBody)-10:]))
	start, end := len(bigBody)-10-flen, len(bigBody)-10
	if patch(bigBody, start, end, func(v uint64) bool { return v > 1000 && v < uint64(len(good)) }, 1<<42) == 0 {
		t.Fatal("no block size found to patch")
	}
	for name, data := range map[string][]byte{"rows": manyRows, "body": bigBody} {
		bad := filepath.Join(t.TempDir(), "evals.arrow")
		if err := os.WriteFile(bad, data, 0o644); err != nil {
			t.Fatal(err)
		}
		err := Scan(bad, func([]Eval) error { return nil })
		if err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s: err = %v, want an error naming %s", name, err, bad)
		}
	}
}

// TestIPCCallbackPanicsPropagate: a panic of the caller's fn is the
// caller's, not a corrupt file.
func TestIPCCallbackPanicsPropagate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "evals.arrow")
	if err := WriteFileWith(path, sampleEvals(10, 1), WriteOptions{Format: ArrowIPC}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if p := recover(); p != "callback" {
			t.Errorf("recovered %v, want the callback's own panic", p)
		}
	}()
	Scan(path, func([]Eval) error { panic("callback") })
}
