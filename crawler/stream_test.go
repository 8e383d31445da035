package crawler_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/zoograph/zoograph/crawler"
	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
	"github.com/zoograph/zoograph/store"
)

// TestStreamMatchesMerge crawls one replica twice into fresh zoos, once
// writing the tables while listing (the default for a first crawl) and
// once through the merge, and requires the same tables, row for row and
// in order, for models with cards and evals and for datasets. Small
// pages and parts make both paths cross many boundaries.
func TestStreamMatchesMerge(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 700, Datasets: 90, Seed: 21}, PageSize: 40})
	url := startHub(t, h)
	client := newClient(t, url, "", hub.Quota{}, 4)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	crawl := func(kind crawler.Kind, stream bool) (*crawler.Summary, *store.Tables) {
		t.Helper()
		defer crawler.SetStreaming(crawler.SetStreaming(stream))
		opt := crawler.DefaultOptions(kind, t.TempDir())
		opt.Client, opt.Logger = client, testLogger(t)
		opt.Cards, opt.PageSize, opt.PartRows = true, 40, 150
		opt.Now = func() time.Time { return now }
		sum, err := crawler.Crawl(context.Background(), opt)
		if err != nil {
			t.Fatal(err)
		}
		return sum, readZoo(t, opt.Out)
	}
	nanEqual := cmp.Comparer(func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) })
	for _, kind := range []crawler.Kind{crawler.KindModels, crawler.KindDatasets} {
		streamed, got := crawl(kind, true)
		merged, want := crawl(kind, false)
		if !streamed.Streamed || merged.Streamed {
			t.Fatalf("%s: Streamed = %v with streaming, %v without", kind, streamed.Streamed, merged.Streamed)
		}
		if streamed.TableRows != merged.TableRows || streamed.NewRows != merged.NewRows || streamed.Watermark != merged.Watermark {
			t.Errorf("%s: summary rows %d/%d watermark %v, merge %d/%d %v", kind,
				streamed.TableRows, streamed.NewRows, streamed.Watermark, merged.TableRows, merged.NewRows, merged.Watermark)
		}
		if diff := cmp.Diff(want, got, nanEqual, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: streamed tables differ from merged ones (-merge +stream):\n%s", kind, diff)
		}
		n := len(got.Models) + len(got.Datasets)
		if n == 0 || len(got.Cards) == 0 || kind == crawler.KindModels && len(got.Evals) == 0 {
			t.Errorf("%s: %d repos, %d cards, %d evals: the comparison is empty", kind, n, len(got.Cards), len(got.Evals))
		}
		checks, err := store.Verify(streamed.Out)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range checks {
			if c.Err != nil {
				t.Errorf("%s: streamed table %s does not verify: %v", kind, c.Table, c.Err)
			}
		}
	}
}

// TestStreamGivesWayToRecreatedRepo: a repo deleted and created again
// under its name while the crawl lists comes twice, under two _ids, in
// one part. The part keeps the newer row (one row per id), so the stream,
// which would keep both, must give way to the merge.
func TestStreamGivesWayToRecreatedRepo(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 200, Datasets: 20, Seed: 13}, PageSize: 10})
	url := startHub(t, h)
	opt := crawler.DefaultOptions(crawler.KindModels, t.TempDir())
	opt.Client, opt.Logger = newClient(t, url, "", hub.Quota{}, 2), testLogger(t)
	opt.Sort, opt.PageSize, opt.PartRows = "downloads", 10, 1000

	var top hubtest.Repo
	for r := range h.Models() {
		if m, _ := h.Model(r.ID); !r.Private && m.Downloads > top.Downloads {
			top = m
		}
	}
	reborn := time.Now().UTC().Truncate(time.Millisecond)
	const newOID = "0123456789abcdef01234567"
	var once bool
	opt.Progress = func(p crawler.Progress) {
		if p.Pages >= 3 && !once {
			once = true
			if err := h.DeleteModel(top.ID); err != nil {
				t.Error(err)
			}
			again := hubtest.Repo{ID: top.ID, OID: newOID, LastModified: reborn, CreatedAt: reborn}
			if err := h.AddModel(again); err != nil {
				t.Error(err)
			}
		}
	}
	sum, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Streamed {
		t.Error("a repo listed twice under two _ids was streamed")
	}
	var rows []store.Model
	for _, m := range readZoo(t, opt.Out).Models {
		if m.ModelID == top.ID {
			rows = append(rows, m)
		}
	}
	if len(rows) != 1 || rows[0].HubOID != newOID {
		t.Errorf("rows for %s: %+v; want the recreated repo's row alone", top.ID, rows)
	}
}
