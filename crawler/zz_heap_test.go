package crawler_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/zoograph/zoograph/crawler"
	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
)

func TestScratchHeap(t *testing.T) {
	n := 100000
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: n, Datasets: n / 20, Seed: 1}})
	url := startHub(t, h)
	out := filepath.Join(t.TempDir(), "zoo")
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client = newClient(t, url, "", hub.Quota{}, crawler.DefaultWorkers)
	done := false
	opt.Progress = func(p crawler.Progress) {
		if p.Pages == 70 && !done {
			done = true
			runtime.GC()
			f, _ := os.Create("/tmp/heap.prof")
			pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	if _, err := crawler.Crawl(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
}
