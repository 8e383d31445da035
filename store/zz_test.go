package store

import (
	"bytes"
	"syscall"
	"testing"
	"time"
)

func cpu() time.Duration {
	var r syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

func TestZZVariants(t *testing.T) {
	rows := sampleFinetunes(262144, 1)
	models := sampleModels(65536, 1)
	for _, v := range []struct{ v2, nfd bool }{{false, false}, {true, false}, {false, true}, {true, true}, {false, false}} {
		cfg := defaultIO
		cfg.v2, cfg.noFloatDict = v.v2, v.nfd
		for _, tbl := range []string{"finetunes", "models"} {
			var buf bytes.Buffer
			c0 := cpu()
			if tbl == "finetunes" {
				w, _ := newWriter[Finetune](&buf, cfg)
				w.Write(rows)
				w.Close()
			} else {
				w, _ := newWriter[Model](&buf, cfg)
				w.Write(models)
				w.Close()
			}
			c1 := cpu()
			path := t.TempDir() + "/x.parquet"
			writeFileAtomic(path, buf.Bytes())
			var n int
			if tbl == "finetunes" {
				got, err := readFile[Finetune](path, cfg, nil)
				if err != nil {
					t.Fatal(err)
				}
				n = len(got)
			} else {
				got, err := readFile[Model](path, cfg, nil)
				if err != nil {
					t.Fatal(err)
				}
				n = len(got)
			}
			c2 := cpu()
			t.Logf("%s v2=%v nofloatdict=%v: write cpu %v, read cpu %v, %d bytes, %d rows", tbl, v.v2, v.nfd, c1-c0, c2-c1, buf.Len(), n)
		}
	}
}
