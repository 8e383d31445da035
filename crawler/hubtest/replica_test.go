package hubtest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var linkRE = regexp.MustCompile(`^<(https?://[^>]+)>; rel="next"$`)

func TestListIsABareArrayWithLinkFromRequestHost(t *testing.T) {
	z := Zoo{Models: 250, Datasets: 30, Seed: 1}
	h := New(Options{Zoo: z, PageSize: 100})
	req := httptest.NewRequest("GET", "http://mirror.example:8080/api/models?sort=likes&filter=transformers&expand[]=likes&limit=40", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	var items []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &items); err != nil {
		t.Fatalf("not a bare array: %v", err)
	}
	if len(items) != 40 {
		t.Errorf("%d items, want 40", len(items))
	}
	for _, it := range items {
		if len(it) != 3 || it["_id"] == nil || it["id"] == nil || it["likes"] == nil {
			t.Fatalf("expand[]=likes item: %v", it)
		}
	}
	m := linkRE.FindStringSubmatch(rec.Header().Get("Link"))
	if m == nil {
		t.Fatalf("Link %q", rec.Header().Get("Link"))
	}
	if !strings.HasPrefix(m[1], "http://mirror.example:8080/api/models?sort=likes&filter=transformers&expand[]=likes&limit=40&cursor=") {
		t.Errorf("next URL %q does not keep the host and every parameter", m[1])
	}
	// Follow to the end: the last page has no Link.
	next, pages := m[1], 1
	for next != "" {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", next, nil))
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", next, rec.Code, rec.Body)
		}
		pages++
		next = ""
		if m := linkRE.FindStringSubmatch(rec.Header().Get("Link")); m != nil {
			next = m[1]
		}
	}
	if pages < 2 {
		t.Errorf("%d pages", pages)
	}
}

func TestListPageSizes(t *testing.T) {
	z := Zoo{Models: 2500, Datasets: 10, Seed: 2}
	h := New(Options{Zoo: z})
	count := func(target string) int {
		var items []json.RawMessage
		rec := get(t, h, target)
		if err := json.Unmarshal(rec.Body.Bytes(), &items); err != nil {
			t.Fatalf("%s: %d %s", target, rec.Code, rec.Body.String()[:min(200, rec.Body.Len())])
		}
		return len(items)
	}
	if n := count("/api/models?expand=likes"); n != DefaultPageSize {
		t.Errorf("default page: %d", n)
	}
	if n := count("/api/models?expand=likes&limit=5000"); n != 1000 {
		t.Errorf("limit=5000 is capped: %d", n)
	}
	if n := count("/api/models?expand=likes&limit=7&direction=1"); n != 7 {
		t.Errorf("direction is ignored: %d", n)
	}
}

func TestListBadRequests(t *testing.T) {
	h := New(Options{Zoo: Zoo{Models: 10, Seed: 1}})
	for _, target := range []string{
		"/api/models?expand=nonsense",
		"/api/models?expand[]=nonsense",
		"/api/models?expand=usedStorage",
		"/api/models?expand=baseModels",
		"/api/models?sort=created_at",
		"/api/models?sort=bogus",
		"/api/models?limit=0",
		"/api/models?limit=x",
		"/api/models?cursor=%%%",
		"/api/models?cursor=bm90IGpzb24=",
		"/api/datasets?expand=pipeline_tag",
		"/api/models/a/b?expand=nonsense",
	} {
		rec := get(t, h, target)
		var body struct{ Error string }
		if rec.Code != 400 || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Error == "" {
			t.Errorf("%s: %d %s, want 400 with an error body", target, rec.Code, rec.Body)
		}
	}
	// A cursor from another sort is refused too.
	rec := get(t, h, "/api/models?sort=likes&limit=3")
	cur := linkRE.FindStringSubmatch(rec.Header().Get("Link"))[1]
	cur = cur[strings.Index(cur, "cursor="):]
	if rec := get(t, h, "/api/models?sort=downloads&"+cur); rec.Code != 400 {
		t.Errorf("cursor of another sort: %d", rec.Code)
	}
}

// TestAccessRules: the Hub's status codes and X-Error-* headers.
func TestAccessRules(t *testing.T) {
	h := New(Options{Token: "good"})
	for _, r := range []Repo{
		{ID: "o/public", Card: []byte("# card")},
		{ID: "o/private", Private: true, Card: []byte("# card")},
		{ID: "o/gated", Gated: "manual", Card: []byte("# card")},
		{ID: "o/approved", Gated: "auto", Approved: true, Card: []byte("# card")},
		{ID: "o/disabled", Disabled: true, Card: []byte("# card")},
		{ID: "o/nocard"},
	} {
		if err := h.AddModel(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.AddDataset(Repo{ID: "o/gated-data", Gated: "auto", Card: []byte("# d")}); err != nil {
		t.Fatal(err)
	}
	good := []string{"Authorization", "Bearer good"}
	bad := []string{"Authorization", "Bearer nope"}
	tests := []struct {
		target string
		hdr    []string
		status int
		code   string
		msg    string
	}{
		{"/api/models/o/public", nil, 200, "", ""},
		{"/api/models/o/missing", nil, 401, "RepoNotFound", "Repository not found"},
		{"/api/models/o/missing", good, 404, "RepoNotFound", "Repository not found"},
		{"/api/models/o/private", nil, 401, "RepoNotFound", "Repository not found"},
		{"/api/models/o/private", good, 200, "", ""},
		{"/api/models/o/gated", nil, 200, "", ""},
		{"/o/gated/resolve/main/README.md", nil, 401, "GatedRepo", "Access to model o/gated is restricted. You must have access to it and be authenticated to access it. Please log in."},
		{"/o/gated/resolve/main/README.md", good, 403, "GatedRepo", "Access to model o/gated is restricted and you are not in the authorized list. Visit https://huggingface.co/o/gated to ask for access."},
		{"/o/approved/resolve/main/README.md", good, 200, "", ""},
		{"/datasets/o/gated-data/resolve/main/README.md", nil, 401, "GatedRepo", "Access to dataset o/gated-data is restricted. You must have access to it and be authenticated to access it. Please log in."},
		{"/api/models/o/disabled", nil, 403, "", "Access to this resource is disabled."},
		{"/o/disabled/resolve/main/README.md", good, 403, "", "Access to this resource is disabled."},
		{"/api/models/o/public", bad, 401, "", "Invalid credentials in Authorization header"},
		{"/api/models", bad, 401, "", "Invalid credentials in Authorization header"},
		{"/o/public/resolve/nope/README.md", nil, 404, "RevisionNotFound", "Invalid rev id: nope"},
		{"/o/nocard/resolve/main/README.md", nil, 404, "EntryNotFound", "Entry not found"},
		{"/o/public/resolve/main/weights.bin", nil, 404, "EntryNotFound", "Entry not found"},
		{"/api/spaces", nil, 404, "", "Sorry, we can't find the page you are looking for."},
		{"/nothing/here", nil, 404, "", "Sorry, we can't find the page you are looking for."},
	}
	for _, tt := range tests {
		rec := get(t, h, tt.target, tt.hdr...)
		if rec.Code != tt.status || rec.Header().Get("X-Error-Code") != tt.code || rec.Header().Get("X-Error-Message") != tt.msg {
			t.Errorf("%s %v: %d %q %q, want %d %q %q", tt.target, tt.hdr, rec.Code,
				rec.Header().Get("X-Error-Code"), rec.Header().Get("X-Error-Message"), tt.status, tt.code, tt.msg)
		}
		if tt.status >= 400 {
			var body struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error != tt.msg {
				t.Errorf("%s: body %s", tt.target, rec.Body)
			}
		}
		if !strings.HasPrefix(rec.Header().Get("X-Request-Id"), "Root=1-") {
			t.Errorf("%s: X-Request-Id %q", tt.target, rec.Header().Get("X-Request-Id"))
		}
	}
	// Private repos are listed only for the valid token.
	for _, tc := range []struct {
		hdr  []string
		want int
	}{{nil, 5}, {good, 6}} {
		var items []json.RawMessage
		json.Unmarshal(get(t, h, "/api/models", tc.hdr...).Body.Bytes(), &items)
		if len(items) != tc.want {
			t.Errorf("listing with %v: %d items, want %d", tc.hdr, len(items), tc.want)
		}
	}
}

func TestCardHeaders(t *testing.T) {
	h := New(Options{})
	h.AddModel(Repo{ID: "o/m", Card: []byte("---\nlicense: mit\n---\n# m\n"), CardData: map[string]any{"license": "mit"}})
	card := get(t, h, "/o/m/resolve/main/README.md")
	etag := card.Header().Get("ETag")
	r, _ := h.Model("o/m")
	if etag != `"`+blobSHA(r.Card)+`"` || card.Header().Get("X-Repo-Commit") != r.SHA || card.Body.String() != string(r.Card) {
		t.Fatalf("card: %v %q", card.Header(), card.Body)
	}
	if rec := get(t, h, "/o/m/resolve/"+r.SHA+"/README.md"); rec.Code != 200 || rec.Header().Get("ETag") != etag {
		t.Errorf("card at its commit: %d %v", rec.Code, rec.Header())
	}
}

func TestResolveCacheHop(t *testing.T) {
	h := New(Options{ResolveCache: true})
	h.AddModel(Repo{ID: "o/m", Card: []byte("# m\n")})
	rec := get(t, h, "/o/m/resolve/main/README.md?download=true")
	loc := rec.Header().Get("Location")
	if rec.Code != 307 || !strings.HasPrefix(loc, "/api/resolve-cache/models/o/m/") {
		t.Fatalf("%d %q", rec.Code, loc)
	}
	if rec := get(t, h, loc); rec.Code != 200 || rec.Body.String() != "# m\n" {
		t.Errorf("resolve cache: %d %q", rec.Code, rec.Body)
	}
}

func TestRenameRedirects(t *testing.T) {
	h := New(Options{})
	h.AddModel(Repo{ID: "old/name", Card: []byte("# x")})
	if err := h.Rename("old/name", "new/name"); err != nil {
		t.Fatal(err)
	}
	for target, loc := range map[string]string{
		"/api/models/old/name":             "/api/models/new/name",
		"/api/models/old/name?blobs=1":     "/api/models/new/name?blobs=1",
		"/old/name/resolve/main/README.md": "/new/name/resolve/main/README.md",
	} {
		rec := get(t, h, target)
		if rec.Code != 307 || rec.Header().Get("Location") != loc || rec.Body.String() != "Temporary Redirect. Redirecting to "+loc {
			t.Errorf("%s: %d %q %q", target, rec.Code, rec.Header().Get("Location"), rec.Body)
		}
	}
	if err := h.Rename("old/name", "x/y"); err == nil {
		t.Error("renaming a moved id succeeded")
	}
	if err := h.Rename("new/name", "bad id"); err == nil {
		t.Error("renaming to an invalid id succeeded")
	}
	var ids []string
	for r := range h.Models() {
		ids = append(ids, r.ID)
	}
	if len(ids) != 1 || ids[0] != "new/name" {
		t.Errorf("models after rename: %v", ids)
	}
}

func TestQuotaAnd429(t *testing.T) {
	z := Zoo{Models: 30, Seed: 3}
	h := New(Options{Zoo: z, Quota: Quota{API: 3, Resolvers: 2, Window: time.Hour}})
	for i := 0; i < 3; i++ {
		rec := get(t, h, "/api/models?limit=1")
		if rec.Code != 200 {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
		if got := rec.Header().Get("RateLimit"); !regexp.MustCompile(`^"api";r=` + string(rune('2'-i)) + `;t=\d+$`).MatchString(got) {
			t.Errorf("RateLimit %q", got)
		}
		if got := rec.Header().Get("RateLimit-Policy"); got != `"fixed window";"api";q=3;w=3600` {
			t.Errorf("RateLimit-Policy %q", got)
		}
	}
	rec := get(t, h, "/api/models?limit=1")
	if rec.Code != 429 || rec.Header().Get("Retry-After") == "" || !strings.HasPrefix(rec.Header().Get("RateLimit"), `"api";r=0;t=`) {
		t.Errorf("over quota: %d %v", rec.Code, rec.Header())
	}
	// Buckets and clients are separate.
	if rec := get(t, h, "/"+z.ModelID(20)+"/resolve/main/README.md"); rec.Code == 429 {
		t.Error("resolvers bucket limited by api requests")
	}
	req := httptest.NewRequest("GET", "/api/models?limit=1", nil)
	req.RemoteAddr = "192.0.2.7:1234"
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("another client: %d", rec.Code)
	}
	if s := h.Stats(); s.RateLimited != 1 {
		t.Errorf("RateLimited %d", s.RateLimited)
	}
}

// TestFaults checks injected faults over real connections.
func TestFaults(t *testing.T) {
	z := Zoo{Models: 200, Seed: 4}
	tests := []struct {
		name   string
		faults Faults
		check  func(t *testing.T, resp *http.Response, err error)
	}{
		{"server error", Faults{ServerError: 1}, func(t *testing.T, resp *http.Response, err error) {
			if err != nil || resp.StatusCode < 500 {
				t.Errorf("%v %v", resp, err)
			}
		}},
		{"reset", Faults{Reset: 1}, func(t *testing.T, resp *http.Response, err error) {
			if err == nil {
				t.Errorf("no transport error: %d", resp.StatusCode)
			}
		}},
		{"truncated", Faults{Truncate: 1}, func(t *testing.T, resp *http.Response, err error) {
			if err != nil {
				t.Fatal(err)
			}
			_, err = io.ReadAll(resp.Body)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("reading a truncated body: %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New(Options{Zoo: z, Faults: tt.faults, Seed: 1})
			url, stop, err := h.Start()
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			for _, path := range []string{"/api/models?limit=100", "/api/models/" + z.ModelID(50)} {
				tr := &http.Transport{DisableKeepAlives: true}
				resp, err := (&http.Client{Transport: tr}).Get(url + path)
				tt.check(t, resp, err)
				if resp != nil {
					resp.Body.Close()
				}
			}
			s := h.Stats()
			if s.ServerErrors+s.Resets+s.Truncations != 2 {
				t.Errorf("stats %+v", s)
			}
		})
	}
}

func TestLatency(t *testing.T) {
	h := New(Options{Latency: 80 * time.Millisecond})
	start := time.Now()
	get(t, h, "/api/models")
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("answered after %v", d)
	}
}

// TestOnlyGet: the crawler only reads; any other method is a 405.
func TestOnlyGet(t *testing.T) {
	h := New(Options{Zoo: Zoo{Models: 20, Seed: 1}})
	for _, m := range []string{"POST", "HEAD"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(m, "/api/models", nil))
		if rec.Code != 405 || rec.Header().Get("Allow") != "GET" {
			t.Errorf("%s: %d, Allow %q", m, rec.Code, rec.Header().Get("Allow"))
		}
	}
}

// TestConcurrentChanges lists while repos change; run with -race.
func TestConcurrentChanges(t *testing.T) {
	z := Zoo{Models: 500, Seed: 5}
	h := New(Options{Zoo: z, PageSize: 50})
	url, stop, err := h.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 20; i < 120; i++ {
			h.UpdateModel(z.ModelID(i), func(r *Repo) { r.Likes++; r.LastModified = time.Now() })
			if i%10 == 0 {
				h.AddModel(Repo{ID: "late/model-" + string(rune('a'+i/10))})
			}
		}
	}()
	go func() {
		defer wg.Done()
		next := url + "/api/models?sort=lastModified"
		for next != "" {
			resp, err := http.Get(next)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			next = ""
			if m := linkRE.FindStringSubmatch(resp.Header.Get("Link")); m != nil {
				next = m[1]
			}
		}
	}()
	wg.Wait()
	if n := h.NumModels(); n != 510 {
		t.Errorf("NumModels %d, want 510", n)
	}
}

func TestMutationErrors(t *testing.T) {
	h := New(Options{Zoo: Zoo{Models: 30, Seed: 1}})
	for _, r := range []Repo{{ID: "bad id"}, {ID: "a/b", OID: "xyz"}, {ID: "a/b", SHA: "short"}, {ID: "a/b", Gated: "yes"}} {
		if err := h.AddModel(r); err == nil {
			t.Errorf("AddModel(%+v) accepted", r)
		}
	}
	if err := h.UpdateModel("no/such", func(*Repo) {}); err == nil {
		t.Error("UpdateModel of a missing repo")
	}
	if err := h.DeleteModel("no/such"); err == nil {
		t.Error("DeleteModel of a missing repo")
	}
	id := Zoo{Models: 30, Seed: 1}.ModelID(25)
	if err := h.UpdateModel(id, func(r *Repo) { r.ID = "x/y" }); err == nil {
		t.Error("UpdateModel changed the id")
	}
	if err := h.DeleteModel(id); err != nil {
		t.Fatal(err)
	}
	if _, ok := h.Model(id); ok || h.NumModels() != 29 {
		t.Errorf("deleted model still there (%d models)", h.NumModels())
	}
	if rec := get(t, h, "/api/models/"+id); rec.Code != 401 {
		t.Errorf("deleted model detail: %d", rec.Code)
	}
}
