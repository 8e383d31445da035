package store

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// Benchmarks of the hot paths: whole-table writes and reads of 1M finetune
// rows and of models rows with list columns. Run with a small -benchtime
// (e.g. -benchtime=2x): one iteration moves a whole table.

const (
	benchFinetunes = 1_000_000
	benchModels    = 200_000
)

func benchWrite[T Row](b *testing.B, rows []T) {
	path := filepath.Join(b.TempDir(), TableName[T]()+".parquet")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mustWrite(b, path, rows)
	}
	b.StopTimer()
	reportRows(b, len(rows))
	if st, err := os.Stat(path); err == nil {
		b.ReportMetric(float64(st.Size())/(1<<20), "MiB")
	}
}

// benchEncode writes to io.Discard: the Arrow and Parquet encoding alone.
func benchEncode[T Row](b *testing.B, rows []T) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w, err := NewWriter[T](io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Write(rows); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportRows(b, len(rows))
}

func benchRead[T Row](b *testing.B, rows []T, columns ...string) {
	path := filepath.Join(b.TempDir(), TableName[T]()+".parquet")
	mustWrite(b, path, rows)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := ReadFile[T](path, columns...)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != len(rows) {
			b.Fatalf("read %d rows, want %d", len(got), len(rows))
		}
	}
	b.StopTimer()
	reportRows(b, len(rows))
}

func reportRows(b *testing.B, n int) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkFinetunes1M(b *testing.B) {
	rows := sampleFinetunes(benchFinetunes, 1)
	b.Run("WriteFile", func(b *testing.B) { benchWrite(b, rows) })
	b.Run("Encode", func(b *testing.B) { benchEncode(b, rows) })
	b.Run("ReadFile", func(b *testing.B) { benchRead(b, rows) })
	b.Run("ReadFile2Columns", func(b *testing.B) { benchRead(b, rows, "model_id", "accuracy") })
}

func BenchmarkModels200K(b *testing.B) {
	rows := sampleModels(benchModels, 2)
	b.Run("WriteFile", func(b *testing.B) { benchWrite(b, rows) })
	b.Run("ReadFile", func(b *testing.B) { benchRead(b, rows) })
	b.Run("ReadFileTags", func(b *testing.B) { benchRead(b, rows, "model_id", "tags") })
}
