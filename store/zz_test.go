package store

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestZZHunt(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "seed.parquet")
	WriteFile(good, sampleModels(30, 1))
	data, _ := os.ReadFile(good)
	r := newSampler(7).r
	for i := 0; i < 1500; i++ {
		bad := bytes.Clone(data)
		n := 1 + r.IntN(4)
		for j := 0; j < n; j++ {
			off := len(bad) - 1 - r.IntN(min(3000, len(bad)-8)); bad[off] = byte(r.IntN(256))
		}
		path := filepath.Join(dir, "bad.parquet")
		os.WriteFile(path, bad, 0o644)
		done := make(chan struct{})
		start := time.Now()
		go func() {
			defer close(done)
			ReadFile[Model](path)
			Peek(path, 5)
		}()
		select {
		case <-done:
			if d := time.Since(start); d > time.Second {
				t.Logf("case %d slow: %v", i, d)
			}
		case <-time.After(20 * time.Second):
			os.WriteFile("/tmp/hang.parquet", bad, 0o644)
			t.Fatalf("case %d hangs", i)
		}
	}
}
