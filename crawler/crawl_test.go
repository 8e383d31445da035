package crawler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/zoograph/zoograph/crawler"
	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
	"github.com/zoograph/zoograph/store"
)

// startHub serves h on loopback for the test's lifetime.
func startHub(t testing.TB, h *hubtest.Hub) string {
	t.Helper()
	url, stop, err := h.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return url
}

// newClient is a hub client with short waits and no client-side pacing
// unless q says otherwise.
func newClient(t testing.TB, url, token string, q hub.Quota, workers int) *hub.Client {
	t.Helper()
	if q == (hub.Quota{}) {
		q = hub.Quota{Off: true}
	}
	c, err := hub.New(hub.Options{
		Endpoint: url, Token: token, Quota: q, Workers: workers + 1,
		MinWait: 5 * time.Millisecond, MaxWait: 300 * time.Millisecond, MaxRetries: 30,
		Timeout: 20 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// testLogger logs to the test at warn level and above.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// visibleModels is the truth: the ids of the replica's models a caller
// sees (private ones only with the token), with their _ids.
func visibleModels(h *hubtest.Hub, withToken bool) map[string]hubtest.Ref {
	out := map[string]hubtest.Ref{}
	for r := range h.Models() {
		if r.Private && !withToken {
			continue
		}
		out[r.ID] = r
	}
	return out
}

func visibleDatasets(h *hubtest.Hub) map[string]hubtest.Ref {
	out := map[string]hubtest.Ref{}
	for r := range h.Datasets() {
		if !r.Private {
			out[r.ID] = r
		}
	}
	return out
}

func readZoo(t testing.TB, dir string) *store.Tables {
	t.Helper()
	tables, _, err := store.ReadZoo(dir)
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

// checkModels compares the models table with the replica: every visible
// model exactly once, with its _id.
func checkModels(t *testing.T, models []store.Model, want map[string]hubtest.Ref) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range models {
		if seen[m.ModelID] {
			t.Errorf("model %s appears twice", m.ModelID)
		}
		seen[m.ModelID] = true
		ref, ok := want[m.ModelID]
		if !ok {
			t.Errorf("model %s is not in the replica", m.ModelID)
			continue
		}
		if m.HubOID != ref.OID {
			t.Errorf("model %s: hub_oid %s, want %s", m.ModelID, m.HubOID, ref.OID)
		}
		if !m.LastModified.Equal(ref.LastModified.Truncate(time.Millisecond)) {
			t.Errorf("model %s: last_modified %v, want %v", m.ModelID, m.LastModified, ref.LastModified)
		}
		if m.Source != "hub" || m.CrawledAt.IsZero() {
			t.Errorf("model %s: source %q crawled_at %v", m.ModelID, m.Source, m.CrawledAt)
		}
	}
	if len(seen) != len(want) {
		var missing []string
		for id := range want {
			if !seen[id] {
				missing = append(missing, id)
			}
		}
		sort.Strings(missing)
		t.Errorf("got %d models, want %d; missing %d, e.g. %v", len(seen), len(want), len(missing), missing[:min(5, len(missing))])
	}
}

func TestCrawlUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("a few seconds of retries")
	}
	// The quota is below what the crawl asks for even under the race
	// detector on a loaded machine, so 429s come in every run; the crawl
	// takes about (READMEs / Resolvers) seconds.
	h := hubtest.New(hubtest.Options{
		Zoo:      hubtest.Zoo{Models: 500, Datasets: 30, Seed: 7},
		Seed:     11,
		Faults:   hubtest.Faults{ServerError: 0.05, Reset: 0.02, Truncate: 0.02},
		Quota:    hubtest.Quota{API: 3, Resolvers: 40, Window: time.Second},
		PageSize: 50,
	})
	url := startHub(t, h)
	out := t.TempDir()
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client = newClient(t, url, "", hub.Quota{}, 8)
	opt.Cards = true
	opt.PageSize = 50
	opt.PartRows = 120
	opt.Logger = testLogger(t)
	sum, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	sum.WriteTo(&b)
	t.Logf("summary:\n%s", b.String())
	rs := h.Stats()
	t.Logf("replica: %d requests, %d 429, %d 5xx, %d resets, %d truncated", rs.Total(), rs.RateLimited, rs.ServerErrors, rs.Resets, rs.Truncations)
	if rs.RateLimited == 0 || rs.ServerErrors == 0 || rs.Resets == 0 || rs.Truncations == 0 {
		t.Errorf("the replica injected too little: %+v", rs)
	}
	if sum.Retries == 0 || sum.RateLimited == 0 {
		t.Errorf("summary: %d retries, %d rate limited; want both > 0", sum.Retries, sum.RateLimited)
	}
	if !sum.Committed || sum.Stop != "end" {
		t.Errorf("summary: committed %v, stop %q", sum.Committed, sum.Stop)
	}
	tables := readZoo(t, out)
	want := visibleModels(h, false)
	checkModels(t, tables.Models, want)
	if sum.TableRows != int64(len(want)) {
		t.Errorf("summary: %d table rows, want %d", sum.TableRows, len(want))
	}
	// Every README that exists and may be read anonymously was stored once.
	wantCards := 0
	for id, ref := range want {
		r, _ := h.Model(id)
		if r.Card != nil && ref.Gated == "" && !ref.Disabled {
			wantCards++
		}
	}
	if len(tables.Cards) != wantCards || len(sum.Failures) != 0 {
		t.Errorf("got %d cards, want %d; failures %v", len(tables.Cards), wantCards, sum.Failures)
	}
	checkNoDuplicateCards(t, tables.Cards)
	if _, err := os.Stat(filepath.Join(out, ".crawl")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("crawl state left behind: %v", err)
	}
}

func checkNoDuplicateCards(t *testing.T, cards []store.Card) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range cards {
		k := c.RepoType + " " + c.RepoID
		if seen[k] {
			t.Errorf("card %s appears twice", k)
		}
		seen[k] = true
		if c.Text == "" || c.FetchedAt.IsZero() {
			t.Errorf("card %s: empty text or fetched_at", k)
		}
	}
}

func TestCrawlCardsAndEvals(t *testing.T) {
	z := hubtest.Zoo{Models: 400, Datasets: 30, Seed: 3}
	h := hubtest.New(hubtest.Options{Zoo: z, PageSize: 50})
	// Gate the first public model with a model-index whatever the draws:
	// its README cannot be fetched, so its eval rows must come from cardData.
	for i := range z.Models {
		if r := z.Model(i); r.CardData["model-index"] != nil && !r.Private && r.Gated == "" && !r.Disabled {
			if err := h.UpdateModel(r.ID, func(r *hubtest.Repo) { r.Gated = "manual" }); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	url := startHub(t, h)
	client := newClient(t, url, "", hub.Quota{}, 4)

	// Without READMEs, every eval row comes from cardData; with them, from
	// the README where it could be fetched and from cardData elsewhere.
	noCards := t.TempDir()
	opt := crawler.DefaultOptions(crawler.KindModels, noCards)
	opt.Client, opt.Logger = client, testLogger(t)
	if _, err := crawler.Crawl(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	base := readZoo(t, noCards)
	if base.Cards != nil {
		t.Errorf("a crawl without cards wrote %d cards", len(base.Cards))
	}
	if len(base.Evals) == 0 {
		t.Fatal("no eval rows from cardData")
	}
	for _, e := range base.Evals {
		if e.Source != crawler.EvalSourceCardData {
			t.Fatalf("eval row source %q without cards, want card_data", e.Source)
		}
	}

	withCards := t.TempDir()
	opt.Out, opt.Cards = withCards, true
	sum, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	tables := readZoo(t, withCards)
	want := visibleModels(h, false)
	checkModels(t, tables.Models, want)
	checkNoDuplicateCards(t, tables.Cards)

	cardOf := map[string]bool{}
	for _, c := range tables.Cards {
		if c.RepoType != "model" {
			t.Errorf("card %s: repo type %q", c.RepoID, c.RepoType)
		}
		cardOf[c.RepoID] = true
	}
	sources := map[string]map[string]bool{} // model -> eval sources
	for _, e := range tables.Evals {
		if sources[e.ModelID] == nil {
			sources[e.ModelID] = map[string]bool{}
		}
		sources[e.ModelID][e.Source] = true
	}
	var gatedWithEvals, fromCard int
	for id, src := range sources {
		if len(src) != 1 {
			t.Errorf("model %s has eval rows from %v: doubled", id, slices.Collect(maps.Keys(src)))
		}
		ref := want[id]
		switch {
		case src[crawler.EvalSourceCard]:
			fromCard++
			if !cardOf[id] {
				t.Errorf("model %s: eval rows from a README that is not stored", id)
			}
		case src[crawler.EvalSourceCardData]:
			if cardOf[id] {
				t.Errorf("model %s: README stored but eval rows from cardData", id)
			}
			if ref.Gated != "" || ref.Disabled {
				gatedWithEvals++
			}
		}
	}
	if fromCard == 0 {
		t.Error("no eval rows from READMEs")
	}
	if gatedWithEvals == 0 {
		t.Error("no gated or disabled model got eval rows from cardData")
	}
	// Same number of eval rows per model either way: README and cardData
	// hold the same model-index.
	count := func(evals []store.Eval) map[string]int {
		n := map[string]int{}
		for _, e := range evals {
			n[e.ModelID]++
		}
		return n
	}
	if diff := cmp.Diff(count(base.Evals), count(tables.Evals)); diff != "" {
		t.Errorf("eval rows per model, cardData vs README (-cardData +README):\n%s", diff)
	}
	if sum.Skipped["gated"] == 0 {
		t.Errorf("summary: skipped %v, want gated READMEs counted", sum.Skipped)
	}
	// Some card carries an accuracy on its own training dataset.
	var reported int
	for _, m := range tables.Models {
		if !math.IsNaN(m.ReportedAccuracy) {
			reported++
			if m.ReportedAccuracy < 0 || m.ReportedAccuracy > 1 {
				t.Errorf("model %s: reported accuracy %v", m.ModelID, m.ReportedAccuracy)
			}
		}
	}
	t.Logf("%d models, %d cards, %d eval rows (%d models from READMEs, %d gated/disabled from cardData), %d reported accuracies",
		len(tables.Models), len(tables.Cards), len(tables.Evals), fromCard, gatedWithEvals, reported)
}

func TestCrawlDatasets(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 30, Datasets: 120, Seed: 5}, PageSize: 25})
	url := startHub(t, h)
	out := t.TempDir()
	// Models first, into the same zoo: their cards must survive the
	// datasets crawl.
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client, opt.Logger, opt.Cards = newClient(t, url, "", hub.Quota{}, 4), testLogger(t), true
	msum, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.Kind = crawler.KindDatasets
	sum, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	tables := readZoo(t, out)
	want := visibleDatasets(h)
	got := map[string]bool{}
	for _, d := range tables.Datasets {
		if got[d.DatasetID] {
			t.Errorf("dataset %s twice", d.DatasetID)
		}
		got[d.DatasetID] = true
		if ref, ok := want[d.DatasetID]; !ok || ref.OID != d.HubOID {
			t.Errorf("dataset %s: not in the replica or wrong _id", d.DatasetID)
		}
	}
	if len(got) != len(want) || sum.TableRows != int64(len(want)) {
		t.Errorf("got %d datasets (summary %d), want %d", len(got), sum.TableRows, len(want))
	}
	if int64(len(tables.Models)) != msum.TableRows {
		t.Errorf("the datasets crawl changed the models table: %d rows, want %d", len(tables.Models), msum.TableRows)
	}
	byType := map[string]int64{}
	for _, c := range tables.Cards {
		byType[c.RepoType]++
	}
	if byType["model"] != msum.Cards || byType["dataset"] != sum.Cards || byType["dataset"] == 0 || len(byType) != 2 {
		t.Errorf("cards by repo type %v; want %d model and %d dataset cards", byType, msum.Cards, sum.Cards)
	}
	checkNoDuplicateCards(t, tables.Cards)
}

func TestCrawlLimit(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 300, Seed: 1}, PageSize: 40})
	url := startHub(t, h)
	out := t.TempDir()
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client, opt.Logger, opt.Limit, opt.PageSize = newClient(t, url, "", hub.Quota{}, 2), testLogger(t), 90, 40
	sum, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Stop != "limit" || sum.Listed != 90 || !sum.Watermark.IsZero() {
		t.Errorf("stop %q, listed %d, watermark %v; want limit, 90, none", sum.Stop, sum.Listed, sum.Watermark)
	}
	if n := len(readZoo(t, out).Models); n != 90 {
		t.Errorf("got %d models, want 90", n)
	}
	if pages := h.Stats().Route("models.list"); pages != 3 {
		t.Errorf("%d list requests, want 3", pages)
	}
}

func TestCrawlCancel(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 5000, Seed: 2}, PageSize: 20, Latency: 100 * time.Millisecond})
	url := startHub(t, h)
	out := t.TempDir()
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client, opt.Logger, opt.Cards, opt.PageSize = newClient(t, url, "", hub.Quota{}, 8), testLogger(t), true, 20
	// Cancel once the first page reached the writer, whatever the speed of
	// the machine: that page must be flushed, the rest abandoned.
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	var cancelled time.Time
	opt.Progress = func(p crawler.Progress) {
		if p.Listed > 0 {
			once.Do(func() { cancelled = time.Now(); cancel() })
		}
	}
	sum, err := crawler.Crawl(ctx, opt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	// Promptly: in-flight requests are abandoned; only the pages already
	// converted are flushed. The bound is far from the tens of seconds the
	// rest of the crawl would take (250 pages at 100 ms each, at least), so
	// that a loaded machine does not fail the test.
	if after := time.Since(cancelled); after > 10*time.Second {
		t.Errorf("returned %v after the cancel, want promptly", after)
	}
	if sum == nil || sum.Committed {
		t.Fatalf("summary %+v: want an uncommitted one", sum)
	}
	if _, err := os.Stat(filepath.Join(out, ".crawl", "models", "state.json")); err != nil {
		t.Errorf("no checkpoint after cancel: %v", err)
	}
	if _, err := store.ReadManifest(out); !errors.Is(err, store.ErrNotZoo) {
		t.Errorf("a cancelled crawl committed a zoo: %v", err)
	}
	// Without --resume the interrupted crawl is refused, with it it ends.
	opt2 := opt
	opt2.Cards, opt2.Progress = false, nil
	if _, err := crawler.Crawl(context.Background(), opt2); !errors.Is(err, crawler.ErrStateExists) {
		t.Errorf("crawl over an interrupted one: %v, want ErrStateExists", err)
	}
	opt2.Resume, opt2.Search = true, "other"
	if _, err := crawler.Crawl(context.Background(), opt2); !errors.Is(err, crawler.ErrStateMismatch) {
		t.Errorf("resume with another search: %v, want ErrStateMismatch", err)
	}
}

func TestCrawlLocked(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 200, Seed: 2}, PageSize: 10, Latency: 50 * time.Millisecond})
	url := startHub(t, h)
	out := t.TempDir()
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client, opt.Logger = newClient(t, url, "", hub.Quota{}, 2), testLogger(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := crawler.Crawl(ctx, opt)
		done <- err
	}()
	// Wait for the first crawl to hold the zoo.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(out, ".crawl", "models", "state.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first crawl never started")
		}
		time.Sleep(5 * time.Millisecond)
	}
	opt2 := opt
	opt2.Kind = crawler.KindDatasets
	if _, err := crawler.Crawl(context.Background(), opt2); !errors.Is(err, crawler.ErrLocked) {
		t.Errorf("second crawl of the same zoo: %v, want ErrLocked", err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("first crawl: %v", err)
	}
}

func TestCrawlIncremental(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 600, Seed: 9}, PageSize: 50})
	url := startHub(t, h)
	out := t.TempDir()
	client := newClient(t, url, "", hub.Quota{}, 4)
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client, opt.Logger = client, testLogger(t)
	first, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if first.Incremental || first.Watermark.IsZero() {
		t.Fatalf("first crawl: incremental %v, watermark %v", first.Incremental, first.Watermark)
	}

	// Change the Hub: two new models, one updated, one renamed.
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i, id := range []string{"newco/fresh-a", "newco/fresh-b"} {
		if err := h.AddModel(hubtest.Repo{ID: id, CreatedAt: now.Add(-time.Hour), LastModified: now.Add(time.Duration(i) * time.Second),
			Downloads: 5, Tags: []string{"transformers"}}); err != nil {
			t.Fatal(err)
		}
	}
	var updated, renamed string
	for r := range h.Models() {
		if r.Private || r.Gated != "" || r.Disabled {
			continue
		}
		switch {
		case updated == "":
			updated = r.ID
		case renamed == "":
			renamed = r.ID
		}
	}
	if err := h.UpdateModel(updated, func(r *hubtest.Repo) { r.Downloads = 123456789; r.LastModified = now }); err != nil {
		t.Fatal(err)
	}
	if err := h.Rename(renamed, "newco/renamed"); err != nil {
		t.Fatal(err)
	}
	if err := h.UpdateModel("newco/renamed", func(r *hubtest.Repo) { r.LastModified = now }); err != nil {
		t.Fatal(err)
	}

	listBefore := h.Stats().Route("models.list")
	second, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Incremental || !second.Since.Equal(first.Watermark) || second.Stop != "watermark" {
		t.Errorf("second crawl: incremental %v since %v (want %v) stop %q", second.Incremental, second.Since, first.Watermark, second.Stop)
	}
	// Only the changed repos, plus those exactly at the watermark.
	if second.Listed < 4 || second.Listed > 10 {
		t.Errorf("second crawl listed %d repos, want the 4 changed ones", second.Listed)
	}
	if n := h.Stats().Route("models.list") - listBefore; n != 1 {
		t.Errorf("second crawl made %d list requests, want 1", n)
	}
	tables := readZoo(t, out)
	checkModels(t, tables.Models, visibleModels(h, false))
	for _, m := range tables.Models {
		if m.ModelID == updated && m.Downloads != 123456789 {
			t.Errorf("updated model %s: downloads %d", m.ModelID, m.Downloads)
		}
		if m.ModelID == renamed {
			t.Errorf("renamed model still under its old id %s", renamed)
		}
	}
	for _, e := range tables.Evals {
		if e.ModelID == renamed {
			t.Errorf("eval rows of the renamed model under its old id %s", renamed)
		}
	}
	if second.Watermark.Before(first.Watermark) {
		t.Errorf("watermark went back: %v < %v", second.Watermark, first.Watermark)
	}

	// Nothing changed: an incremental crawl lists one page and the table
	// stays the same.
	third, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if third.TableRows != int64(len(tables.Models)) || third.Listed > 10 {
		t.Errorf("third crawl: %d rows (want %d), listed %d", third.TableRows, len(tables.Models), third.Listed)
	}
}

// TestCrawlCardsAfterCrawlWithout: a crawl with --cards into a zoo whose
// last crawl fetched no READMEs lists everything (that crawl's watermark
// would leave every unchanged repo without its card); a crawl that fetches
// no more than the last one did is incremental.
func TestCrawlCardsAfterCrawlWithout(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 120, Seed: 6}, PageSize: 50})
	url := startHub(t, h)
	out := t.TempDir()
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client, opt.Logger = newClient(t, url, "", hub.Quota{}, 4), testLogger(t)
	crawl := func(cards bool) *crawler.Summary {
		t.Helper()
		opt.Cards = cards
		sum, err := crawler.Crawl(context.Background(), opt)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	crawl(false)
	withCards := crawl(true)
	if withCards.Incremental || withCards.Cards < 100 {
		t.Errorf("first crawl with cards: incremental %v, %d cards; want a full crawl with a card for most of the 120 models",
			withCards.Incremental, withCards.Cards)
	}
	if again := crawl(true); !again.Incremental {
		t.Error("a second crawl with cards is not incremental")
	}
	if without := crawl(false); !without.Incremental {
		t.Error("a crawl without cards after one with them is not incremental")
	}
}

// TestCrawlSinceLeavesNoGap: a crawl given a cut-off later than the zoo's
// watermark does not list what changed between the two, so it records no
// watermark: the next incremental crawl starts from the zoo's watermark and
// lists that change too.
func TestCrawlSinceLeavesNoGap(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 80, Seed: 8}, PageSize: 50})
	url := startHub(t, h)
	out := t.TempDir()
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client, opt.Logger = newClient(t, url, "", hub.Quota{}, 4), testLogger(t)
	first, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	var between, recent string
	for r := range h.Models() {
		if r.Private || r.Gated != "" || r.Disabled {
			continue
		}
		if between == "" {
			between = r.ID
		} else if recent == "" {
			recent = r.ID
		}
	}
	update := func(id string, lm time.Time) {
		t.Helper()
		if err := h.UpdateModel(id, func(r *hubtest.Repo) { r.Downloads = 424242; r.LastModified = lm }); err != nil {
			t.Fatal(err)
		}
	}
	// between changed after the watermark but before the cut-off below.
	update(between, first.Watermark.Add(now.Sub(first.Watermark)/2))
	update(recent, now)
	opt.Since = now.Add(-time.Minute)
	if sum, err := crawler.Crawl(context.Background(), opt); err != nil || !sum.Watermark.IsZero() {
		t.Fatalf("crawl since %v: err %v, watermark %v; want none", opt.Since, err, sum.Watermark)
	}
	opt.Since = time.Time{}
	next, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if !next.Incremental || !next.Since.Equal(first.Watermark) {
		t.Errorf("next crawl: incremental %v since %v, want since the first crawl's watermark %v", next.Incremental, next.Since, first.Watermark)
	}
	for _, m := range readZoo(t, out).Models {
		if (m.ModelID == between || m.ModelID == recent) && m.Downloads != 424242 {
			t.Errorf("%s: downloads %d, the change was never listed", m.ModelID, m.Downloads)
		}
	}
}

// TestCrawlKeepsCardItCannotRefetch: an incremental crawl with --cards
// whose README fetch of a changed repo fails keeps the card the zoo holds
// (the next incremental crawl would not list the repo again), and the
// crawl after it, whose fetch succeeds, replaces it.
func TestCrawlKeepsCardItCannotRefetch(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 80, Seed: 3}, PageSize: 50})
	var failing atomic.Value
	failing.Store("")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := failing.Load().(string); id != "" && strings.HasPrefix(r.URL.Path, "/"+id+"/resolve/") {
			http.Error(w, `{"error":"overloaded"}`, http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	out := t.TempDir()
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	client, err := hub.New(hub.Options{Endpoint: srv.URL, Quota: hub.Quota{Off: true}, MinWait: time.Millisecond, MaxWait: time.Millisecond, MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	opt.Client, opt.Cards, opt.Logger = client, true, testLogger(t)
	if _, err := crawler.Crawl(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	cardOf := func(id string) string {
		for _, c := range readZoo(t, out).Cards {
			if c.RepoID == id {
				return c.Text
			}
		}
		return ""
	}
	victim := readZoo(t, out).Cards[0].RepoID
	held := cardOf(victim)
	changed := held + "\nChanged.\n"
	update := func() {
		t.Helper()
		if err := h.UpdateModel(victim, func(r *hubtest.Repo) { r.Card = []byte(changed); r.LastModified = time.Now().UTC() }); err != nil {
			t.Fatal(err)
		}
	}
	update()
	failing.Store(victim)
	sum, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Incremental || sum.Failures["server"] != 1 {
		t.Errorf("second crawl: incremental %v, failures %v; want incremental, one server failure", sum.Incremental, sum.Failures)
	}
	if got := cardOf(victim); got != held {
		t.Errorf("card of %s after a failed refetch = %q, want the one held (%q)", victim, got, held)
	}
	update()
	failing.Store("")
	if _, err := crawler.Crawl(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	if got := cardOf(victim); got != changed {
		t.Errorf("card of %s after a refetch = %q, want the new one", victim, got)
	}
	checkNoDuplicateCards(t, readZoo(t, out).Cards)
}

// TestCrawlDropsCardOfReadmeGone: an incremental crawl with --cards of a
// repo whose README the Hub no longer has (404, not a failure) removes the
// card the zoo holds, like the card evals, instead of keeping a README the
// repo lacks; the row that says so is neither stored nor counted as a card.
func TestCrawlDropsCardOfReadmeGone(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 40, Seed: 3}, PageSize: 50})
	url := startHub(t, h)
	out := t.TempDir()
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client, opt.Cards, opt.Logger = newClient(t, url, "", hub.Quota{}, 4), true, testLogger(t)
	if _, err := crawler.Crawl(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	before := readZoo(t, out).Cards
	victim := before[0].RepoID
	if err := h.UpdateModel(victim, func(r *hubtest.Repo) { r.Card, r.CardData, r.LastModified = nil, nil, time.Now().UTC() }); err != nil {
		t.Fatal(err)
	}
	sum, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	// Listed: the victim and what the watermark lists again, with a card.
	if !sum.Incremental || sum.Skipped["no_readme"] != 1 || sum.Cards != sum.Listed-1 {
		t.Errorf("second crawl: incremental %v, skipped %v, %d cards of %d listed; want incremental, no_readme=1, a card for all but the victim",
			sum.Incremental, sum.Skipped, sum.Cards, sum.Listed)
	}
	after := readZoo(t, out).Cards
	for _, c := range after {
		if c.RepoID == victim {
			t.Errorf("card of %s, whose README is gone, is still in the zoo (text %q)", victim, c.Text)
		}
	}
	if len(after) != len(before)-1 {
		t.Errorf("%d cards after, want the %d before less one", len(after), len(before))
	}
}

// TestCrawlCountsOddCardShapes: card metadata the card reader leaves out
// for its shape (a model-index that is a mapping, as 9 real cards have it)
// is counted in the summary, from the README and from cardData alike, not
// dropped without a trace.
func TestCrawlCountsOddCardShapes(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 30, Seed: 4}})
	odd := map[string]any{"license": "mit", "model-index": map[string]any{"name": "m", "results": []any{}}}
	if err := h.AddModel(hubtest.Repo{ID: "acme/odd-index", CardData: odd,
		Card: []byte("---\nlicense: mit\nmodel-index:\n  name: m\n  results: []\n---\n# m\n")}); err != nil {
		t.Fatal(err)
	}
	url := startHub(t, h)
	for _, cards := range []bool{false, true} {
		opt := crawler.DefaultOptions(crawler.KindModels, t.TempDir())
		opt.Client, opt.Cards, opt.Logger = newClient(t, url, "", hub.Quota{}, 4), cards, testLogger(t)
		sum, err := crawler.Crawl(context.Background(), opt)
		if err != nil {
			t.Fatal(err)
		}
		if n := sum.Skipped["card_odd_shape"]; n != 1 {
			t.Errorf("cards %v: skipped %v; want card_odd_shape=1", cards, sum.Skipped)
		}
	}
}

// TestCrawlKeepsOtherSources checks the merge never drops rows another
// source (a benchmark import) put in the zoo.
func TestCrawlKeepsOtherSources(t *testing.T) {
	out := t.TempDir()
	bench := []store.Model{{ModelID: "google/vit-base-patch16-224", Source: "transfergraph/image_classification",
		ReportedAccuracy: math.NaN(), InputSize: 224}}
	evals := []store.Eval{{ModelID: "bench/x", MetricType: "accuracy", Value: 0.5, Source: "card"}}
	if err := store.WriteZoo(t.Context(), out, &store.Tables{Models: bench, Evals: evals}, store.Provenance{Source: "transfergraph"}); err != nil {
		t.Fatal(err)
	}
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 50, Seed: 4}})
	url := startHub(t, h)
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client, opt.Logger = newClient(t, url, "", hub.Quota{}, 2), testLogger(t)
	if _, err := crawler.Crawl(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	tables := readZoo(t, out)
	var hubRows []store.Model
	var benchKept bool
	for _, m := range tables.Models {
		if m.Source == "hub" {
			hubRows = append(hubRows, m)
		} else if m.Source == bench[0].Source && m.InputSize == 224 {
			benchKept = true
		}
	}
	if !benchKept {
		t.Error("the benchmark's model row was dropped")
	}
	checkModels(t, hubRows, visibleModels(h, false))
	var benchEval bool
	for _, e := range tables.Evals {
		benchEval = benchEval || e.ModelID == "bench/x"
	}
	if !benchEval {
		t.Error("the benchmark's eval row was dropped")
	}

	// An eval row another source wrote for a model the crawl holds stays
	// when a later crawl replaces that model's row and its card evals.
	id := hubRows[0].ModelID
	imported := []store.Eval{{ModelID: id, MetricType: "accuracy", Value: 0.75, Source: "bench"}}
	if _, err := store.MergeZoo(t.Context(), out, &store.Tables{Evals: imported}, store.Provenance{Source: "bench"}); err != nil {
		t.Fatal(err)
	}
	opt.Full = true
	if _, err := crawler.Crawl(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	kept := false
	for _, e := range readZoo(t, out).Evals {
		kept = kept || e.ModelID == id && e.Source == "bench"
	}
	if !kept {
		t.Errorf("the eval row of source bench for %s was dropped by a crawl", id)
	}
}

// TestCrawlResumedAfterItsCommit: a crawl killed after its merge was
// committed but before its checkpoint said so finds itself in the zoo's
// provenance when it resumes, and only cleans up: the tables and the
// provenance stay as they were.
func TestCrawlResumedAfterItsCommit(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 300, Seed: 6}})
	url := startHub(t, h)
	out := t.TempDir()
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client, opt.Logger = newClient(t, url, "", hub.Quota{}, 2), testLogger(t)
	opt.Cards, opt.PageSize, opt.PartRows = true, 50, 100
	state := filepath.Join(out, ".crawl", "models")
	saved := filepath.Join(t.TempDir(), "state")
	opt.Progress = func(p crawler.Progress) {
		if p.Phase == "compacting" {
			if _, err := os.Stat(saved); err != nil {
				if err := os.CopyFS(saved, os.DirFS(state)); err != nil {
					t.Error(err)
				}
			}
		}
	}
	if _, err := crawler.Crawl(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	want, m, err := store.ReadZoo(out)
	if err != nil {
		t.Fatal(err)
	}
	// The kill: the checkpoint still says the merge is to be done.
	if err := os.CopyFS(state, os.DirFS(saved)); err != nil {
		t.Fatal(err)
	}
	opt.Progress, opt.Resume = nil, true
	sum, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	got, m2, err := store.ReadZoo(out)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Committed || sum.TableRows != int64(len(want.Models)) {
		t.Errorf("summary: committed %v, %d table rows; want %d", sum.Committed, sum.TableRows, len(want.Models))
	}
	if len(m2.Provenance) != len(m.Provenance) || m2.Checksum() != m.Checksum() {
		t.Errorf("the resumed crawl merged again: %d provenance entries, was %d", len(m2.Provenance), len(m.Provenance))
	}
	equalTables(t, want, got)
	if _, err := os.Stat(filepath.Join(out, ".crawl")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("crawl state left behind: %v", err)
	}
}

// TestTokenNeverWritten crawls with a token and looks for it everywhere:
// logs at debug level, the summary, and every file of the zoo, also those
// of an interrupted crawl's state.
func TestTokenNeverWritten(t *testing.T) {
	const token = "hf_zoographTestSecretToken0123456789"
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 300, Seed: 6}, Token: token, PageSize: 30,
		Faults: hubtest.Faults{ServerError: 0.02}, Seed: 1})
	url := startHub(t, h)
	out := t.TempDir()
	var logs bytes.Buffer
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Endpoint, opt.Token, opt.Quota = url, token, hub.Quota{Off: true}
	opt.Cards, opt.Details, opt.PageSize, opt.PartRows = true, true, 30, 50
	opt.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opt.LogEvery = time.Millisecond
	var progress []crawler.Progress
	opt.Progress = func(p crawler.Progress) { progress = append(progress, p) }

	// First an interrupted crawl, to check its state files too.
	ctx, cancel := context.WithCancel(context.Background())
	opt.Progress = func(p crawler.Progress) {
		if p.Stored > 0 {
			cancel()
		}
	}
	if _, err := crawler.Crawl(ctx, opt); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted crawl: %v", err)
	}
	scanForToken(t, out, token)
	opt.Resume = true
	opt.Progress = func(p crawler.Progress) { progress = append(progress, p) }
	sum, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	var summary bytes.Buffer
	sum.WriteTo(&summary)
	scanForToken(t, out, token)
	for name, b := range map[string][]byte{"logs": logs.Bytes(), "summary": summary.Bytes(), "progress": fmt.Appendf(nil, "%+v", progress)} {
		if bytes.Contains(b, []byte(token)) || bytes.Contains(b, []byte(token[3:])) {
			t.Errorf("the token appears in the %s", name)
		}
	}
	if !strings.Contains(logs.String(), "crawl progress") {
		t.Error("no progress lines in the log")
	}
	// The token did its job: private repos are in.
	checkModels(t, readZoo(t, out).Models, visibleModels(h, true))
	if sum.Details == 0 {
		t.Error("no details fetched")
	}
}

func scanForToken(t *testing.T, dir, token string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		if bytes.Contains(b, []byte(token)) || bytes.Contains(b, []byte(token[3:])) {
			t.Errorf("the token appears in %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Errorf("no files in %s", dir)
	}
}

// equalTables compares two zoos' crawl tables, ignoring the crawl times.
func equalTables(t *testing.T, want, got *store.Tables) {
	t.Helper()
	ms := func(m []store.Model) []store.Model {
		m = slices.Clone(m)
		sort.Slice(m, func(i, j int) bool { return m[i].ModelID < m[j].ModelID })
		return m
	}
	cs := func(c []store.Card) []store.Card {
		c = slices.Clone(c)
		sort.Slice(c, func(i, j int) bool { return c[i].RepoID < c[j].RepoID })
		return c
	}
	es := func(e []store.Eval) []store.Eval {
		e = slices.Clone(e)
		sort.SliceStable(e, func(i, j int) bool { return e[i].ModelID < e[j].ModelID })
		return e
	}
	opts := cmp.Options{
		cmpopts.IgnoreFields(store.Model{}, "CrawledAt"),
		cmpopts.IgnoreFields(store.Card{}, "FetchedAt"),
		cmpopts.EquateNaNs(),
		cmpopts.EquateEmpty(),
	}
	if diff := cmp.Diff(ms(want.Models), ms(got.Models), opts); diff != "" {
		t.Errorf("models differ (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(es(want.Evals), es(got.Evals), opts); diff != "" {
		t.Errorf("evals differ (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(cs(want.Cards), cs(got.Cards), opts); diff != "" {
		t.Errorf("cards differ (-want +got):\n%s", diff)
	}
}

// TestCrawlDeduplicates lists by a key that changes during the crawl, so a
// repo comes twice; the newest row wins.
func TestCrawlDeduplicates(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 200, Datasets: 20, Seed: 12}, PageSize: 10})
	url := startHub(t, h)
	out := t.TempDir()
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client, opt.Logger = newClient(t, url, "", hub.Quota{}, 2), testLogger(t)
	opt.Sort, opt.PageSize, opt.PartRows = "downloads", 10, 25

	// The most downloaded model falls to the bottom once the crawl has
	// listed it: it is listed again at the end, with a newer lastModified.
	var top hubtest.Ref
	var topDownloads int64 = -1
	for r := range h.Models() {
		if m, _ := h.Model(r.ID); !r.Private && m.Downloads > topDownloads {
			top, topDownloads = r, m.Downloads
		}
	}
	moved := time.Now().UTC().Truncate(time.Millisecond)
	var once bool
	opt.Progress = func(p crawler.Progress) {
		if p.Pages >= 3 && !once {
			once = true
			if err := h.UpdateModel(top.ID, func(r *hubtest.Repo) { r.Downloads, r.LastModified = 0, moved }); err != nil {
				t.Error(err)
			}
		}
	}
	sum, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	want := visibleModels(h, false)
	if sum.Listed != int64(len(want))+1 {
		t.Errorf("listed %d repos, want %d (one twice)", sum.Listed, len(want)+1)
	}
	tables := readZoo(t, out)
	checkModels(t, tables.Models, want)
	for _, m := range tables.Models {
		if m.ModelID == top.ID && (m.Downloads != 0 || !m.LastModified.Equal(moved)) {
			t.Errorf("model %s: downloads %d, last modified %v; want the newer row", m.ModelID, m.Downloads, m.LastModified)
		}
	}
}

// TestCrawlRecreatedRepo: a repo deleted and created again under its name
// while the crawl lists comes twice, under two _ids, in one part. The part
// keeps the newer row (one row per id), so the table has the recreated
// repo's row alone.
func TestCrawlRecreatedRepo(t *testing.T) {
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
	if _, err := crawler.Crawl(context.Background(), opt); err != nil {
		t.Fatal(err)
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

// TestCrawlLeavesOutInvalidIDs: listing items whose id is not a valid repo
// id (a broken or hostile Hub) never become rows of any table; the crawl
// counts them.
func TestCrawlLeavesOutInvalidIDs(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 120, Datasets: 20, Seed: 5}, PageSize: 50})
	bad := []string{"../../etc/passwd", "a/b?x=1#y"}
	var replaced []string
	// In front of the replica: the first page gives two models bad ids.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if r.URL.Path == "/api/models" && r.URL.Query().Get("cursor") == "" && rec.Code == http.StatusOK {
			var items []map[string]any
			if err := json.Unmarshal(body, &items); err != nil {
				t.Error(err)
			}
			for i, id := range bad {
				replaced = append(replaced, items[3+4*i]["id"].(string))
				items[3+4*i]["id"] = id
			}
			body, _ = json.Marshal(items)
		}
		for k, v := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	out := t.TempDir()
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client, opt.Cards, opt.PageSize = newClient(t, srv.URL, "", hub.Quota{}, 2), true, 50
	sum, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failures["invalid_id"] != 2 {
		t.Errorf("failures %v, want invalid_id=2", sum.Failures)
	}
	var b strings.Builder
	sum.WriteTo(&b)
	if !strings.Contains(b.String(), "invalid_id=2") {
		t.Errorf("summary does not count them:\n%s", b.String())
	}
	tables := readZoo(t, out)
	want := visibleModels(h, false)
	for _, id := range replaced {
		delete(want, id)
	}
	checkModels(t, tables.Models, want)
	ids := map[string]bool{}
	for _, e := range tables.Evals {
		ids[e.ModelID] = true
	}
	for _, c := range tables.Cards {
		ids[c.RepoID] = true
	}
	for _, id := range bad {
		if ids[id] {
			t.Errorf("%q has eval or card rows", id)
		}
	}
	if len(tables.Cards) == 0 || len(tables.Evals) == 0 {
		t.Errorf("%d cards, %d evals: nothing to check", len(tables.Cards), len(tables.Evals))
	}
}

// TestCrawlOverEmptyCheckpoint: a crawl killed before it stored anything
// leaves a checkpoint that holds nothing; a new crawl starts over it
// without --resume or --restart.
func TestCrawlOverEmptyCheckpoint(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 60, Seed: 5}, Latency: 400 * time.Millisecond})
	url := startHub(t, h)
	out := t.TempDir()
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client, opt.Logger = newClient(t, url, "", hub.Quota{}, 2), testLogger(t)
	state := filepath.Join(out, ".crawl", "models")
	saved := filepath.Join(t.TempDir(), "state")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := crawler.Crawl(ctx, opt)
		done <- err
	}()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(state, "state.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the crawl never wrote its checkpoint")
		}
	}
	if err := os.CopyFS(saved, os.DirFS(state)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("first crawl: %v", err)
	}
	if _, err := os.Stat(state); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a cancelled crawl that stored nothing left its state: %v", err)
	}
	// As if it had been killed: the empty checkpoint is back.
	if err := os.CopyFS(state, os.DirFS(saved)); err != nil {
		t.Fatal(err)
	}
	sum, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatalf("crawl over an empty checkpoint: %v", err)
	}
	if sum.Resumed || !sum.Committed {
		t.Errorf("summary: resumed %v, committed %v", sum.Resumed, sum.Committed)
	}
}

// TestCrawlFailedOpenLeavesNothing: a crawl into a zoo whose manifest does
// not read fails before any request, naming the file, and leaves the
// directory as it was (no empty .crawl); an interrupted crawl's checkpoint
// beside it stays.
func TestCrawlFailedOpenLeavesNothing(t *testing.T) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 5, Seed: 1}})
	url := startHub(t, h)
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "manifest.json"), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client, opt.Logger = newClient(t, url, "", hub.Quota{}, 2), testLogger(t)
	_, err := crawler.Crawl(context.Background(), opt)
	if err == nil || !strings.Contains(err.Error(), "manifest.json") {
		t.Fatalf("crawl into a zoo with a broken manifest: err = %v, want one naming manifest.json", err)
	}
	if _, err := os.Stat(filepath.Join(out, ".crawl")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the failed crawl left .crawl behind (stat: %v)", err)
	}
	if n := h.Stats().Total(); n != 0 {
		t.Errorf("%d requests before the manifest was read", n)
	}
	// A checkpoint of another kind's interrupted crawl is not debris.
	other := filepath.Join(out, ".crawl", "datasets")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "state.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := crawler.Crawl(context.Background(), opt); err == nil {
		t.Fatal("second crawl: no error")
	}
	if _, err := os.Stat(filepath.Join(other, "state.json")); err != nil {
		t.Errorf("the failed crawl removed another crawl's checkpoint: %v", err)
	}
}
