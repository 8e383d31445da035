package hubtest

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

func TestZooDeterministic(t *testing.T) {
	generate := func(seed uint64) []Repo {
		z := Zoo{Models: 300, Datasets: 30, Seed: seed}
		out := make([]Repo, z.Models)
		for i := range out {
			out[i] = z.Model(i)
		}
		return out
	}
	a, b := generate(42), generate(42)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different zoo")
	}
	c := generate(43)
	same := 0
	for i := range c {
		if c[i].ID == a[i].ID {
			same++
		}
	}
	if same > 5 {
		t.Errorf("seeds 42 and 43 share %d ids", same)
	}
}

func TestZooIDsValidUniqueAndFindable(t *testing.T) {
	z := Zoo{Models: 20000, Datasets: 1000, Seed: 7}
	seen := map[string]bool{}
	for i := 0; i < z.Models; i++ {
		id := z.ModelID(i)
		if !validID(id) {
			t.Fatalf("model %d: invalid id %q", i, id)
		}
		if seen[id] {
			t.Fatalf("model %d: duplicate id %q", i, id)
		}
		seen[id] = true
		if j, ok := z.lookup(kindModel, id); !ok || j != i {
			t.Fatalf("lookupModel(%q) = %d, %v; want %d", id, j, ok, i)
		}
	}
	for i := 0; i < z.Datasets; i++ {
		id := z.DatasetID(i)
		if !validID(id) || seen[id] {
			t.Fatalf("dataset %d: invalid or duplicate id %q", i, id)
		}
		seen[id] = true
		if j, ok := z.lookup(kindDataset, id); !ok || j != i {
			t.Fatalf("lookupDataset(%q) = %d, %v", id, j, ok)
		}
	}
	for _, id := range []string{"", "x", "a/b-zzzzzzz", "a/b-1", z.ModelID(5) + "x"} {
		if _, ok := z.lookup(kindModel, id); ok {
			t.Errorf("lookupModel(%q) found something", id)
		}
	}
}

// TestZooLooksLikeTheHub checks the distributions the crawler and the
// pipeline rely on.
func TestZooLooksLikeTheHub(t *testing.T) {
	z := Zoo{Models: 5000, Datasets: 300, Seed: 8}
	var private, gated, disabled, withIndex, withBase, noCard, noFront, zeroDownloads, legacy int
	pipelines := map[string]int{}
	authors := map[string]int{}
	h := New(Options{Zoo: z})
	for i := 0; i < z.Models; i++ {
		r := z.Model(i)
		pipelines[r.PipelineTag]++
		authors[r.Owner()]++
		switch {
		case r.Private:
			private++
		case r.Disabled:
			disabled++
		}
		if r.Gated != "" {
			gated++
		}
		if r.Downloads == 0 {
			zeroDownloads++
		}
		if r.CreatedAt.Equal(legacyCreated) || r.CreatedAt.Equal(legacyCreated.Add(-1e9)) {
			legacy++
		}
		if r.LastModified.Before(r.CreatedAt) {
			t.Fatalf("%s: lastModified before createdAt", r.ID)
		}
		if r.Card == nil {
			noCard++
			if r.CardData != nil {
				t.Fatalf("%s: cardData without a card", r.ID)
			}
			continue
		}
		if r.CardData == nil {
			noFront++
			continue
		}
		if _, ok := r.CardData["model-index"]; ok {
			withIndex++
		}
		if base, ok := r.CardData["base_model"].(string); ok {
			withBase++
			if _, found := h.Model(base); !found {
				t.Fatalf("%s: base model %s is not in the zoo", r.ID, base)
			}
		}
	}
	t.Logf("pipelines %v", pipelines)
	t.Logf("%d authors; private %d gated %d disabled %d; model-index %d; base_model %d; no README %d; no front matter %d; zero downloads %d; legacy createdAt %d",
		len(authors), private, gated, disabled, withIndex, withBase, noCard, noFront, zeroDownloads, legacy)
	checks := []struct {
		name      string
		n, lo, hi int
	}{
		{"private", private, 5, 80},
		{"gated", gated, 20, 150},
		{"model-index", withIndex, 500, 3000},
		{"base_model", withBase, 1000, 3000},
		{"no README", noCard, 100, 500},
		{"no front matter", noFront, 50, 300},
		{"zero downloads", zeroDownloads, 1000, 2500},
		{"legacy createdAt", legacy, 500, 1500},
		{"pipelines", len(pipelines), 12, 30},
		{"authors", len(authors), 30, 2000},
	}
	for _, c := range checks {
		if c.n < c.lo || c.n > c.hi {
			t.Errorf("%s: %d, want %d..%d", c.name, c.n, c.lo, c.hi)
		}
	}
}

// TestCardFrontMatterIsCardData: the README's YAML front matter parses to
// exactly the cardData the API serves (compared as JSON).
func TestCardFrontMatterIsCardData(t *testing.T) {
	z := Zoo{Models: 1500, Datasets: 200, Seed: 9}
	check := func(r Repo) {
		if r.CardData == nil || r.Card == nil {
			return
		}
		text := string(r.Card)
		if !strings.HasPrefix(text, "---\n") {
			t.Fatalf("%s: card does not open with front matter", r.ID)
		}
		end := strings.Index(text[4:], "\n---\n")
		if end < 0 {
			t.Fatalf("%s: unterminated front matter", r.ID)
		}
		var parsed map[string]any
		if err := yaml.Unmarshal([]byte(text[4:4+end+1]), &parsed); err != nil {
			t.Fatalf("%s: front matter does not parse: %v\n%s", r.ID, err, text[:4+end])
		}
		if a, b := asJSON(t, parsed), asJSON(t, r.CardData); a != b {
			t.Fatalf("%s: front matter %s\ncardData %s", r.ID, a, b)
		}
	}
	for i := 0; i < z.Models; i++ {
		check(z.Model(i))
	}
	for i := 0; i < z.Datasets; i++ {
		check(z.Dataset(i))
	}
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var norm any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	d.Decode(&norm)
	b, _ = json.Marshal(norm)
	return string(b)
}

func TestZooMaterialisedCopiesAreIndependent(t *testing.T) {
	z := Zoo{Models: 40, Seed: 10}
	a := z.Model(25)
	if a.Config != nil {
		a.Config["model_type"] = "changed"
	}
	if a.Safetensors != nil {
		a.Safetensors.Parameters["F32"] = -1
	}
	b := z.Model(25)
	if b.Config != nil && b.Config["model_type"] == "changed" || b.Safetensors != nil && b.Safetensors.Parameters["F32"] == -1 {
		t.Error("mutating one materialised model changed the zoo")
	}
}

// TestMillionModelZooIsCompact: a replica of a million generated models
// costs its sort index, not the repos.
func TestMillionModelZooIsCompact(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1M-entry index")
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	h := New(Options{Zoo: Zoo{Models: 1_000_000, Datasets: 50_000, Seed: 11}})
	rec := get(t, h, "/api/models?sort=lastModified&limit=1000&expand=lastModified")
	if rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap grew %.1f MB for a 1M-model replica with one sort index", float64(grew)/(1<<20))
	if grew > 32<<20 {
		t.Errorf("heap grew %d MB", grew>>20)
	}
	runtime.KeepAlive(h)
}

// TestDependencies: the replica imports nothing of zoograph's and not
// "testing" (the demo command links it).
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "testing" || strings.HasPrefix(dep, "github.com/zoograph/zoograph/") && dep != "github.com/zoograph/zoograph/crawler/hubtest" {
			t.Errorf("crawler/hubtest imports %s", dep)
		}
	}
}

func FuzzParseRoute(f *testing.F) {
	for _, p := range []string{"/api/models", "/api/models/a/b/revision/refs%2Fpr%2F5", "/a/b/resolve/main/README.md",
		"/datasets/a/b/resolve/main/x/y.md", "/api/resolve-cache/models/a/b/sha/README.md", "/%zz", "//", "/api/models/a/b/c/d"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		rt := parseRoute(p)
		if rt.name == "" {
			t.Fatalf("%q: no route name", p)
		}
	})
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(&cheap{key: 5}, "downloads"), "downloads")
	f.Add(encodeCursor(&cheap{null: true}, "trendingScore"), "trendingScore")
	f.Add(encodeCursor(&cheap{key: 1.7e12}, "lastModified"), "lastModified")
	f.Add(encodeCursor(&cheap{}, ""), "")
	f.Fuzz(func(t *testing.T, s, key string) {
		ch, err := decodeCursor(s, key)
		if err != nil {
			return
		}
		if back, err := decodeCursor(encodeCursor(ch, key), key); err != nil || *back != *ch {
			t.Fatalf("round trip of %q: %+v vs %+v (%v)", s, back, ch, err)
		}
	})
}
