package crawler_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zoograph/zoograph/crawler"
	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
	"github.com/zoograph/zoograph/store"
	"github.com/zoograph/zoograph/store/storetest"
)

// BenchmarkCrawl measures end-to-end ingest from a zero-latency replica on
// loopback: listing pages of 1000 with the default expand keys (cardData
// included), conversion, part files, the merge and the commit of a first
// crawl. The replica runs in this process and builds every page, on the
// same cores. It reports models/s of wall time, and models per CPU-second
// of the whole process (replica included), which is steadier on a shared
// machine.
func BenchmarkCrawl(b *testing.B) {
	const n = 20_000
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: n, Datasets: n / 20, Seed: 1}})
	url := startHub(b, h)
	client := newClient(b, url, "", hub.Quota{}, crawler.DefaultWorkers)
	// One crawl first builds the replica's sort index and the connections.
	warm := crawler.DefaultOptions(crawler.KindModels, filepath.Join(b.TempDir(), "warm"))
	warm.Client = client
	if _, err := crawler.Crawl(context.Background(), warm); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var models int64
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		out := filepath.Join(b.TempDir(), "zoo")
		b.StartTimer()
		cpu0 := storetest.CPUTime()
		opt := crawler.DefaultOptions(crawler.KindModels, out)
		opt.Client = client
		sum, err := crawler.Crawl(context.Background(), opt)
		if err != nil {
			b.Fatal(err)
		}
		cpu += storetest.CPUTime() - cpu0
		models += sum.TableRows
	}
	b.ReportMetric(float64(models)/b.Elapsed().Seconds(), "models/s")
	if cpu > 0 {
		b.ReportMetric(float64(models)/cpu.Seconds(), "models/cpu-s")
	}
}

// BenchmarkCrawlQuota measures whether the worker pool keeps up with the
// configured quota when every response takes 50 ms: README fetches of a
// crawl with --cards against a client-side resolvers quota of 120
// requests/s (8 workers could do 160/s). It reports the README requests per
// second of the listing phase (from the first request to the last page
// stored, so the merge does not count) and the ratio to the quota.
func BenchmarkCrawlQuota(b *testing.B) {
	const quota = 120 // resolvers per second
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 1500, Datasets: 75, Seed: 2}, Latency: 50 * time.Millisecond, PageSize: 250})
	url := startHub(b, h)
	q := hub.Quota{API: 100, Resolvers: quota, Window: time.Second}
	b.ResetTimer()
	var cardReqs int64
	var listing time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		out := filepath.Join(b.TempDir(), "zoo")
		client := newClient(b, url, "", q, crawler.DefaultWorkers)
		before := h.Stats().Route("models.resolve")
		b.StartTimer()
		opt := crawler.DefaultOptions(crawler.KindModels, out)
		opt.Client, opt.Cards, opt.PageSize = client, true, 250
		start := time.Now()
		var end time.Time
		opt.Progress = func(p crawler.Progress) {
			if p.Phase == "listing" {
				end = time.Now()
			}
		}
		if _, err := crawler.Crawl(context.Background(), opt); err != nil {
			b.Fatal(err)
		}
		listing += end.Sub(start)
		cardReqs += h.Stats().Route("models.resolve") - before
	}
	rate := float64(cardReqs) / listing.Seconds()
	b.ReportMetric(rate, "readmes/s")
	b.ReportMetric(rate/quota, "of-quota")
}

// TestCrawlMillionRSS crawls a synthetic Hub of a million models and checks
// that the peak resident set stays under 300 MB (replica included: it runs
// in this process). It logs the rate in wall time and per CPU-second of
// the process (replica included), and how long the listing and the merge
// took. Like `zoograph crawl`, it sets a soft memory limit of
// 240 MiB unless GOMEMLIMIT is set. It takes minutes, so it runs only when
// ZOOGRAPH_CRAWL_1M is set (to the number of models, or 1 for a million).
func TestCrawlMillionRSS(t *testing.T) {
	v := os.Getenv("ZOOGRAPH_CRAWL_1M")
	if v == "" {
		t.Skip("set ZOOGRAPH_CRAWL_1M=1 to crawl a million models")
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(240 << 20))
	}
	n := 1_000_000
	if k, err := strconv.Atoi(v); err == nil && k > 1 {
		n = k
	}
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: n, Datasets: n / 20, Seed: 1}})
	url := startHub(t, h)
	out := filepath.Join(t.TempDir(), "zoo")
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client = newClient(t, url, "", hub.Quota{}, crawler.DefaultWorkers)
	opt.Logger = testLogger(t)
	var peakListing int64
	var listed time.Time
	opt.Progress = func(p crawler.Progress) {
		if p.Phase == "listing" && p.Pages%100 == 0 {
			peakListing = max(peakListing, rssPeak(t))
		}
		if p.Phase != "listing" && listed.IsZero() {
			listed = time.Now()
		}
	}
	// The live heap's peak, sampled: the resident set follows the soft
	// memory limit more than what the crawl holds.
	var livePeak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > livePeak.Load() {
				livePeak.Store(v)
			}
		}
	}()
	start, cpu0 := time.Now(), storetest.CPUTime()
	sum, err := crawler.Crawl(context.Background(), opt)
	close(stop)
	if err != nil {
		t.Fatal(err)
	}
	elapsed, cpu := time.Since(start), storetest.CPUTime()-cpu0
	peak := rssPeak(t)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("%d models in %v (%.0f models/s; listing %v, merge %v); %v CPU (%.0f models/cpu-s); peak RSS %d MB (%d MB while listing); Go heap sys %d MB, live heap peak %d MB",
		sum.TableRows, elapsed.Round(time.Millisecond), float64(sum.TableRows)/elapsed.Seconds(),
		listed.Sub(start).Round(time.Millisecond), time.Since(listed).Round(time.Millisecond),
		cpu.Round(time.Millisecond), float64(sum.TableRows)/cpu.Seconds(), peak>>20, peakListing>>20, ms.HeapSys>>20, livePeak.Load()>>20)
	var public int64
	for r := range h.Models() {
		if !r.Private {
			public++
		}
	}
	if sum.TableRows != public {
		t.Errorf("%d rows, want %d", sum.TableRows, public)
	}
	m, err := store.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	if m.Tables["models"].Rows != sum.TableRows {
		t.Errorf("manifest: %d rows", m.Tables["models"].Rows)
	}
	if peak > 300<<20 {
		t.Errorf("peak RSS %d MB > 300 MB", peak>>20)
	}
}

// rssPeak returns the process's peak resident set (VmHWM) in bytes; 0
// where /proc is missing.
func rssPeak(t testing.TB) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	return 0
}
