package store

import (
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
	s := time.Now()
	WriteFile(dir+"/m.parquet", sampleModels(20, 1))
	t.Log("writefile", time.Since(s))
	rows := sampleFinetunes(200000, 1)
	s = time.Now()
	WriteFile(dir+"/f.parquet", rows)
	t.Log("writefile 200K finetunes", time.Since(s))
}
