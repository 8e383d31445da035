package store

import (
	"os"
	"testing"
	"time"
)

func TestZZTiming(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 3; i++ {
		s := time.Now()
		WriteZoo(dir, &Tables{Models: sampleModels(20, 1), Finetunes: sampleFinetunes(100, 1)}, Provenance{})
		t.Log("writezoo", time.Since(s))
	}
	f, _ := os.Create(dir + "/x")
	for i := 0; i < 3; i++ {
		f.Write([]byte("abc"))
		s := time.Now()
		f.Sync()
		t.Log("fsync", time.Since(s))
	}
	s := time.Now()
	sampleModels(20, 1)
	t.Log("sample", time.Since(s))
	s = time.Now()
	WriteFile(dir+"/m.parquet", sampleModels(20, 1))
	t.Log("writefile", time.Since(s))
}
