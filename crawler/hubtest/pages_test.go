package hubtest

import (
	"bytes"
	"net/http/httptest"
	"testing"
	"time"
)

// walk lists every page of target from h and returns the bodies and Link
// headers in order.
func walk(t *testing.T, h *Hub, target, token string) (bodies [][]byte, links []string) {
	t.Helper()
	for next := target; next != ""; {
		req := httptest.NewRequest("GET", next, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", next, rec.Code, rec.Body)
		}
		link := rec.Header().Get("Link")
		bodies, links = append(bodies, rec.Body.Bytes()), append(links, link)
		next = ""
		if m := linkRE.FindStringSubmatch(link); m != nil {
			next = m[1]
		}
	}
	return bodies, links
}

// TestPageCache checks that a replica with a page cache answers exactly
// as one without, that repeated pages come from the cache, that a change
// to the repos is seen at once, that the cache respects who may see
// private repos and the host the Link is built from, and that it stays
// within its budget.
func TestPageCache(t *testing.T) {
	z := Zoo{Models: 900, Datasets: 10, Seed: 3}
	const target = "http://hub.test/api/models?sort=downloads&limit=100&expand[]=downloads&expand[]=cardData&expand[]=lastModified"
	plain := New(Options{Zoo: z, Token: "tok"})
	cached := New(Options{Zoo: z, Token: "tok", PageCache: 64 << 20})
	add := func(h *Hub) {
		err := h.AddModel(Repo{ID: "o/secret", Private: true, Downloads: 1 << 40, LastModified: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
	}
	add(plain)
	add(cached)

	want, wantLinks := walk(t, plain, target, "")
	for round := 0; round < 2; round++ {
		got, links := walk(t, cached, target, "")
		if len(got) != len(want) {
			t.Fatalf("round %d: %d pages, want %d", round, len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) || links[i] != wantLinks[i] {
				t.Fatalf("round %d page %d differs from the uncached replica", round, i)
			}
		}
	}
	if hits := cached.Stats().PageHits; hits != int64(len(want)) {
		t.Errorf("%d cache hits over two walks of %d pages, want %d", hits, len(want), len(want))
	}

	// The token sees the private repo first (most downloads); without it,
	// still the public page, though the cache now holds the private one.
	authed, _ := walk(t, cached, target, "tok")
	if !bytes.Contains(authed[0], []byte(`"o/secret"`)) {
		t.Error("the token does not see its private repo")
	}
	if anon, _ := walk(t, cached, target, ""); bytes.Contains(anon[0], []byte(`"o/secret"`)) {
		t.Error("a cached authenticated page leaked a private repo")
	}

	// Another host gets its own Link.
	_, other := walk(t, cached, "http://mirror.test/api/models?sort=downloads&limit=100&expand[]=downloads&expand[]=cardData&expand[]=lastModified", "")
	if m := linkRE.FindStringSubmatch(other[0]); m == nil || m[1][:len("http://mirror.test/")] != "http://mirror.test/" {
		t.Errorf("Link %q is not built from the request host", other[0])
	}

	// A change is visible on the next request.
	for _, h := range []*Hub{plain, cached} {
		if err := h.UpdateModel("o/secret", func(r *Repo) { r.Private = false }); err != nil {
			t.Fatal(err)
		}
	}
	want, _ = walk(t, plain, target, "")
	got, _ := walk(t, cached, target, "")
	if !bytes.Equal(got[0], want[0]) || !bytes.Contains(got[0], []byte(`"o/secret"`)) {
		t.Error("the cache served a page from before the update")
	}

	// The budget holds: pages of ~100 models do not all fit in 100 KB.
	small := New(Options{Zoo: z, PageCache: 100 << 10})
	walk(t, small, target, "")
	walk(t, small, target, "")
	if small.pages.size > small.pages.max || small.pages.size == 0 {
		t.Errorf("cache holds %d bytes, budget %d", small.pages.size, small.pages.max)
	}
	if len(small.pages.byKey) != small.pages.lru.Len() {
		t.Errorf("index %d entries, list %d", len(small.pages.byKey), small.pages.lru.Len())
	}
}
