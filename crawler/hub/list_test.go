package hub_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
)

func TestListAllPages(t *testing.T) {
	h, url := startReplica(t, hubtest.Options{Zoo: hubtest.Zoo{Models: 2345, Datasets: 150, Seed: 3}, PageSize: 100, Token: testToken})
	tests := []struct {
		name   string
		token  string
		authed bool
	}{
		{"anonymous", "", false},
		{"token sees private repos", testToken, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, url, withToken(tt.token))
			got, sizes := listAll(t, c.ListModels(hub.ListOptions{Sort: "createdAt"}))
			ids, dup := sortedUnique(modelIDs(got))
			if dup {
				t.Error("duplicate ids in the listing")
			}
			if diff := cmp.Diff(replicaIDs(h, tt.authed, false), ids); diff != "" {
				t.Errorf("listing differs from the replica (-want +got):\n%s", diff)
			}
			for i, n := range sizes[:len(sizes)-1] {
				if n != 100 {
					t.Errorf("page %d has %d items, want 100", i+1, n)
				}
			}
			if st := c.Stats(); st.Requests != int64(len(sizes)) || st.Retries != 0 {
				t.Errorf("stats %+v: want %d requests, no retries", st, len(sizes))
			}
		})
	}
}

func TestListDatasets(t *testing.T) {
	h, url := startReplica(t, hubtest.Options{Zoo: hubtest.Zoo{Models: 10, Datasets: 420, Seed: 4}, PageSize: 50})
	c := newClient(t, url, nil)
	got := listAllDatasets(t, c.ListDatasets(hub.ListOptions{Expand: hub.DefaultDatasetExpand(), Sort: "downloads"}))
	ids := make([]string, len(got))
	for i, d := range got {
		ids[i] = d.ID
		if d.Author == "" || d.SHA == "" || d.LastModified.IsZero() {
			t.Fatalf("dataset item lacks author/sha/lastModified: %+v", d)
		}
	}
	slices.Sort(ids)
	if diff := cmp.Diff(replicaIDs(h, false, true), ids); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestListSortOrder checks the keyset order of every sort key: descending,
// ties by _id ascending, missing values last.
func TestListSortOrder(t *testing.T) {
	h, url := startReplica(t, hubtest.Options{Zoo: hubtest.Zoo{Models: 1500, Datasets: 100, Seed: 5}, PageSize: 97})
	c := newClient(t, url, nil)
	repos := map[string]hubtest.Repo{}
	for ref := range h.Models() {
		repos[ref.ID], _ = h.Model(ref.ID)
	}
	keyOf := map[string]func(r hubtest.Repo) (float64, bool){
		"downloads":     func(r hubtest.Repo) (float64, bool) { return float64(r.Downloads), true },
		"likes":         func(r hubtest.Repo) (float64, bool) { return float64(r.Likes), true },
		"createdAt":     func(r hubtest.Repo) (float64, bool) { return float64(r.CreatedAt.UnixMilli()), true },
		"lastModified":  func(r hubtest.Repo) (float64, bool) { return float64(r.LastModified.UnixMilli()), true },
		"trendingScore": func(r hubtest.Repo) (float64, bool) { return deref(r.TrendingScore) },
	}
	for key, kf := range keyOf {
		t.Run(key, func(t *testing.T) {
			got, _ := listAll(t, c.ListModels(hub.ListOptions{Sort: key}))
			if len(got) < 1400 {
				t.Fatalf("only %d models listed", len(got))
			}
			ties, nulls := 0, 0
			for i := 1; i < len(got); i++ {
				a, b := repos[got[i-1].ID], repos[got[i].ID]
				ka, okA := kf(a)
				kb, okB := kf(b)
				switch {
				case !okA && okB:
					t.Fatalf("%s: null %s sorted before %s", key, a.ID, b.ID)
				case !okA && !okB, okA && okB && ka == kb:
					if a.OID >= b.OID {
						t.Fatalf("%s: tie not broken by _id ascending: %s (%s) before %s (%s)", key, a.ID, a.OID, b.ID, b.OID)
					}
					ties++
					if !okA {
						nulls++
					}
				case okA && okB && ka < kb:
					t.Fatalf("%s: %s (%v) before %s (%v): not descending", key, a.ID, ka, b.ID, kb)
				}
			}
			t.Logf("%s: %d ties, %d among nulls", key, ties, nulls)
			if key != "trendingScore" && key != "lastModified" && ties == 0 {
				t.Errorf("%s: no ties exercised", key)
			}
			if key == "trendingScore" && nulls == 0 {
				t.Errorf("trendingScore: no nulls exercised")
			}
		})
	}
}

func deref(p *float64) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}

func TestListFilters(t *testing.T) {
	z := hubtest.Zoo{Models: 1200, Datasets: 100, Seed: 6}
	h, url := startReplica(t, hubtest.Options{Zoo: z, PageSize: 200})
	c := newClient(t, url, nil)
	all := make([]hubtest.Repo, 0, z.Models)
	for r := range h.Models() {
		if !r.Private {
			m, _ := h.Model(r.ID)
			all = append(all, m)
		}
	}
	author := strings.Split(all[len(all)/2].ID, "/")[0]
	tests := []struct {
		name string
		opt  hub.ListOptions
		keep func(r hubtest.Repo) bool
	}{
		{"author", hub.ListOptions{Author: author}, func(r hubtest.Repo) bool { return r.Owner() == author }},
		{"search is a case-insensitive substring", hub.ListOptions{Search: "VIT-BASE"},
			func(r hubtest.Repo) bool { return strings.Contains(strings.ToLower(r.ID), "vit-base") }},
		{"filters are AND-ed", hub.ListOptions{Filter: []string{"safetensors", "license:mit"}},
			func(r hubtest.Repo) bool {
				return slices.Contains(r.Tags, "safetensors") && slices.Contains(r.Tags, "license:mit")
			}},
		{"filter on a dataset tag", hub.ListOptions{Filter: []string{"dataset:uoft-cs/cifar10"}},
			func(r hubtest.Repo) bool { return slices.Contains(r.Tags, "dataset:uoft-cs/cifar10") }},
		{"everything together", hub.ListOptions{Search: "finetuned", Author: author, Filter: []string{"transformers"}},
			func(r hubtest.Repo) bool {
				return strings.Contains(r.ID, "finetuned") && r.Owner() == author && slices.Contains(r.Tags, "transformers")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			for _, r := range all {
				if tt.keep(r) {
					want = append(want, r.ID)
				}
			}
			slices.Sort(want)
			if len(want) == 0 {
				t.Fatal("test filter selects nothing")
			}
			tt.opt.Sort = "likes"
			got, _ := listAll(t, c.ListModels(tt.opt))
			ids, _ := sortedUnique(modelIDs(got))
			if diff := cmp.Diff(want, ids); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestListFieldSelection(t *testing.T) {
	_, url := startReplica(t, hubtest.Options{Zoo: hubtest.Zoo{Models: 300, Datasets: 40, Seed: 8}, PageSize: 300})
	c := newClient(t, url, nil)
	first := func(t *testing.T, opt hub.ListOptions) []hub.ModelInfo {
		t.Helper()
		page, err := c.ListModels(opt).Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return page.Models
	}
	t.Run("default items lack author, sha, lastModified", func(t *testing.T) {
		for _, m := range first(t, hub.ListOptions{}) {
			if m.Author != "" || m.SHA != "" || !m.LastModified.IsZero() || m.OID == "" || m.CreatedAt.IsZero() {
				t.Fatalf("default item: %+v", m)
			}
		}
	})
	t.Run("cardData and config", func(t *testing.T) {
		cards, configs := 0, 0
		for _, m := range first(t, hub.ListOptions{Expand: []string{"cardData", "config"}}) {
			if m.CardData != nil {
				cards++
			}
			if m.Config != nil {
				configs++
			}
		}
		if cards < 200 || configs < 200 {
			t.Errorf("cardData on %d, config on %d of 300", cards, configs)
		}
	})
	t.Run("expand returns only _id, id and the keys", func(t *testing.T) {
		for _, m := range first(t, hub.ListOptions{Expand: []string{"downloadsAllTime", "pipeline_tag"}}) {
			want := hub.ModelInfo{RepoInfo: hub.RepoInfo{OID: m.OID, ID: m.ID, DownloadsAllTime: m.DownloadsAllTime}, PipelineTag: m.PipelineTag}
			if m.OID == "" || m.PipelineTag == "" {
				t.Fatalf("expand item lacks _id or pipeline_tag: %+v", m)
			}
			if diff := cmp.Diff(want, m); diff != "" {
				t.Fatalf("expand item has other keys (-want +got):\n%s", diff)
			}
		}
	})
	t.Run("default expand carries what the models table needs", func(t *testing.T) {
		n := 0
		for _, m := range first(t, hub.ListOptions{Expand: hub.DefaultModelExpand()}) {
			if m.Author == "" || m.SHA == "" || m.LastModified.IsZero() || len(m.Tags) == 0 || m.PipelineTag == "" || m.LibraryName == "" {
				t.Fatalf("item: %+v", m)
			}
			if m.Config != nil && len(m.Config.Architectures) > 0 && m.Safetensors != nil && m.Safetensors.Total > 0 && m.DownloadsAllTime >= m.Downloads {
				n++
			}
		}
		if n < 100 {
			t.Errorf("only %d items with architectures and parameter counts", n)
		}
	})
	t.Run("unknown expand key is a 400", func(t *testing.T) {
		_, err := c.ListModels(hub.ListOptions{Expand: []string{"author", "nonsense"}}).Next(context.Background())
		var he *hub.Error
		if !errors.Is(err, hub.ErrBadRequest) || !errors.As(err, &he) || he.Status != 400 {
			t.Fatalf("err = %v, want a 400 ErrBadRequest", err)
		}
	})
	t.Run("detail-only expand key is a 400 in lists", func(t *testing.T) {
		_, err := c.ListModels(hub.ListOptions{Expand: []string{"baseModels"}}).Next(context.Background())
		if !errors.Is(err, hub.ErrBadRequest) {
			t.Fatalf("err = %v, want ErrBadRequest", err)
		}
	})
}

func TestListOptionsRefusedBeforeSending(t *testing.T) {
	_, url := startReplica(t, hubtest.Options{})
	c := newClient(t, url, nil)
	for name, opt := range map[string]hub.ListOptions{
		"snake_case sort": {Sort: "last_modified"},
		"negative limit":  {Limit: -1},
	} {
		t.Run(name, func(t *testing.T) {
			p := c.ListModels(opt)
			if _, err := p.Next(context.Background()); !errors.Is(err, hub.ErrInvalidOptions) {
				t.Fatalf("err = %v, want ErrInvalidOptions", err)
			}
			if _, err := p.Next(context.Background()); err != io.EOF {
				t.Errorf("after the error: err = %v, want io.EOF", err)
			}
		})
	}
	if n := c.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// TestResumeFromCursor: a crawl killed after two pages resumes from the
// persisted cursor without loss or duplicates, in another client.
func TestResumeFromCursor(t *testing.T) {
	h, url := startReplica(t, hubtest.Options{Zoo: hubtest.Zoo{Models: 1000, Datasets: 50, Seed: 9}, PageSize: 150})
	c := newClient(t, url, nil)
	opt := hub.ListOptions{Sort: "downloads", Expand: []string{"downloads"}}
	p := c.ListModels(opt)
	var got []hub.ModelInfo
	var cursor string
	for i := 0; i < 2; i++ {
		page, err := p.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.Models...)
		cursor = page.NextURL
	}
	if cursor == "" {
		t.Fatal("no cursor after two pages")
	}
	if !strings.Contains(cursor, "cursor=") || !strings.Contains(cursor, "expand=downloads") || !strings.Contains(cursor, "sort=downloads") {
		t.Errorf("cursor URL %q does not carry the original parameters and a cursor", cursor)
	}
	c2 := newClient(t, url, nil)
	rest, _ := listAll(t, c2.ResumeModels(cursor))
	ids, dup := sortedUnique(append(modelIDs(got), modelIDs(rest)...))
	if dup {
		t.Error("duplicates across the resume")
	}
	if diff := cmp.Diff(replicaIDs(h, false, false), ids); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{"", "::", url + "/api/datasets?cursor=abc", url + "/api/models/x/y?cursor=abc"} {
		if _, err := c2.ResumeModels(bad).Next(context.Background()); !errors.Is(err, hub.ErrInvalidOptions) {
			t.Errorf("ResumeModels(%q): err = %v, want ErrInvalidOptions", bad, err)
		}
	}
}

// TestIncrementalCrawlStopsAtWatermark: sort=lastModified descending lets
// an incremental crawl stop at the previous run's watermark and still see
// every repo changed since.
func TestIncrementalCrawlStopsAtWatermark(t *testing.T) {
	h, url := startReplica(t, hubtest.Options{Zoo: hubtest.Zoo{Models: 800, Datasets: 50, Seed: 10}, PageSize: 50})
	c := newClient(t, url, nil)
	opt := hub.ListOptions{Sort: "lastModified", Expand: []string{"lastModified"}}
	full, _ := listAll(t, c.ListModels(opt))
	watermark := full[0].LastModified
	for i := 1; i < len(full); i++ {
		if full[i].LastModified.After(full[i-1].LastModified) {
			t.Fatalf("not descending at %d", i)
		}
	}
	// Three pushes after the first crawl.
	touched := []string{full[100].ID, full[400].ID, full[len(full)-1].ID}
	for i, id := range touched {
		at := watermark.Add(time.Duration(i+1) * time.Hour)
		if err := h.UpdateModel(id, func(r *hubtest.Repo) { r.LastModified = at; r.SHA = "" }); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	p := c.ListModels(opt)
	requests := c.Stats().Requests
crawl:
	for p.More() {
		page, err := p.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Models {
			if !m.LastModified.After(watermark) {
				break crawl
			}
			seen = append(seen, m.ID)
		}
	}
	slices.Sort(seen)
	slices.Sort(touched)
	if diff := cmp.Diff(touched, seen); diff != "" {
		t.Errorf("incremental crawl (-want +got):\n%s", diff)
	}
	if n := c.Stats().Requests - requests; n != 1 {
		t.Errorf("incremental crawl made %d requests, want 1", n)
	}
}

// TestLinkRewrittenToEndpoint: a Link naming another host is followed on
// the configured endpoint; the other host is never contacted.
func TestLinkRewrittenToEndpoint(t *testing.T) {
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		w.Write([]byte(`[]`))
	}))
	defer other.Close()
	var seen []string
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.RequestURI())
		auth = append(auth, r.Header.Get("Authorization"))
		if r.URL.Query().Get("cursor") == "" {
			// The real Hub hard-codes its own host in the Link.
			w.Header().Set("Link", `<`+other.URL+`/api/models?sort=likes&cursor=abc%2B%2F%3D>; rel="next"`)
			w.Write([]byte(`[{"_id":"1","id":"a/b"}]`))
			return
		}
		w.Write([]byte(`[{"_id":"2","id":"c/d"}]`))
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, withToken(testToken))
	got, _ := listAll(t, c.ListModels(hub.ListOptions{Sort: "likes"}))
	if diff := cmp.Diff([]string{"a/b", "c/d"}, modelIDs(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if otherHits.Load() != 0 {
		t.Error("the host named in the Link was contacted")
	}
	want := []string{"/api/models?sort=likes", "/api/models?sort=likes&cursor=abc%2B%2F%3D"}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	for _, a := range auth {
		if a != "Bearer "+testToken {
			t.Errorf("endpoint request without the token: %q", a)
		}
	}
}

func TestNextLinkParsing(t *testing.T) {
	tests := []struct{ header, want string }{
		{`<https://huggingface.co/api/models?cursor=x>; rel="next"`, "https://huggingface.co/api/models?cursor=x"},
		{`<https://a/x?c=1,2>; rel="prev", <https://a/y>; rel="next"`, "https://a/y"},
		{`<https://a/y>; rel=next`, "https://a/y"},
		{`<https://a/y>;rel="last next"`, "https://a/y"},
		{`<https://a/y>; rel="prev"`, ""},
		{``, ""},
		{`garbage`, ""},
		{`<unterminated; rel="next"`, ""},
	}
	for _, tt := range tests {
		if got := hub.NextLink(tt.header); got != tt.want {
			t.Errorf("NextLink(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func FuzzNextLink(f *testing.F) {
	f.Add(`<https://huggingface.co/api/models?cursor=x>; rel="next"`)
	f.Add(`<a>; rel="prev", <b>; rel="next"`)
	f.Fuzz(func(t *testing.T, h string) {
		got := hub.NextLink(h)
		if got != "" && !strings.Contains(h, got) {
			t.Fatalf("NextLink(%q) = %q, not part of the header", h, got)
		}
	})
}

// TestLinkHeaderFields: RFC 8288 lets a server send its links as several
// Link header fields; rel="next" in any of them continues the listing (a
// pager that reads only the first field ends the listing early, silently).
// A Link that names the page itself is an error, not an endless crawl.
func TestLinkHeaderFields(t *testing.T) {
	var self atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case self.Load():
			w.Header().Set("Link", `<`+r.URL.RequestURI()+`>; rel="next"`)
			w.Write([]byte(`[{"_id":"1","id":"a/b"}]`))
		case r.URL.Query().Get("cursor") == "":
			w.Header().Add("Link", `</api/models?cursor=zero>; rel="first"`)
			w.Header().Add("Link", `</api/models?cursor=two>; rel="next"`)
			w.Write([]byte(`[{"_id":"1","id":"a/b"}]`))
		default:
			w.Write([]byte(`[{"_id":"2","id":"c/d"}]`))
		}
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, nil)
	got, _ := listAll(t, c.ListModels(hub.ListOptions{}))
	if diff := cmp.Diff([]string{"a/b", "c/d"}, modelIDs(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	self.Store(true)
	p := c.ListModels(hub.ListOptions{})
	_, err := p.Next(context.Background())
	if !errors.Is(err, hub.ErrInvalidOptions) || !strings.Contains(err.Error(), "itself") {
		t.Errorf("a Link to the page itself: err = %v, want an error saying so", err)
	}
}

// TestLinkCycleEndsListing: cursors that lead back to a page already
// listed (a → b → a) are an error, not an endless crawl that stores the
// same pages again and again.
func TestLinkCycleEndsListing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := "a"
		if r.URL.Query().Get("cursor") == "a" {
			next = "b"
		}
		w.Header().Set("Link", `</api/models?cursor=`+next+`>; rel="next"`)
		w.Write([]byte(`[{"_id":"1","id":"a/b"}]`))
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, nil)
	p := c.ListModels(hub.ListOptions{})
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		_, err = p.Next(context.Background())
	}
	if !errors.Is(err, hub.ErrInvalidOptions) || !strings.Contains(err.Error(), "already") {
		t.Errorf("a cycle of cursors: err = %v, want an error saying so", err)
	}
}

// TestEnormousLinkHeader: a Link header far larger than any cursor (the
// Hub's is a few hundred bytes) is a malformed answer, refused before it
// is parsed, rather than parsed into hundreds of megabytes of matches.
func TestEnormousLinkHeader(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", strings.Repeat(`<x>; rel="prev", `, 100_000)+`</api/models?cursor=b>; rel="next"`)
		w.Write([]byte(`[{"_id":"1","id":"a/b"}]`))
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, nil)
	_, err := c.ListModels(hub.ListOptions{}).Next(context.Background())
	if !errors.Is(err, hub.ErrDecode) || !strings.Contains(err.Error(), "Link") {
		t.Errorf("err = %v, want ErrDecode naming the Link header", err)
	}
}
