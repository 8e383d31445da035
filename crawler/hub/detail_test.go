package hub_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
)

// fixtureRepos are hand-made repos covering every access state.
func fixtureRepos(t *testing.T, h *hubtest.Hub) {
	t.Helper()
	card := []byte("---\nlicense: mit\n---\n\n# A model\n")
	repos := []hubtest.Repo{
		{ID: "acme/public", Card: card, Tags: []string{"transformers"}, PipelineTag: "image-classification", LibraryName: "transformers",
			Config:   map[string]any{"architectures": []any{"ViTForImageClassification"}, "model_type": "vit"},
			CardData: map[string]any{"license": "mit", "base_model": "google/vit-base-patch16-224"}},
		{ID: "acme/private", Private: true, Card: card},
		{ID: "acme/gated-manual", Gated: "manual", Card: card},
		{ID: "acme/gated-approved", Gated: "auto", Approved: true, Card: card},
		{ID: "acme/disabled", Disabled: true, Card: card},
		{ID: "acme/no-readme"},
		{ID: "gpt2", Card: []byte("legacy id card")},
	}
	for _, r := range repos {
		if err := h.AddModel(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.AddDataset(hubtest.Repo{ID: "acme/data", Card: []byte("---\nlicense: cc-by-4.0\n---\n# Data\n"), Description: "d"}); err != nil {
		t.Fatal(err)
	}
}

func TestModelDetail(t *testing.T) {
	h, url := startReplica(t, hubtest.Options{Token: testToken, Zoo: hubtest.Zoo{Models: 50, Datasets: 20, Seed: 2}})
	fixtureRepos(t, h)
	c := newClient(t, url, nil)
	ctx := context.Background()

	m, err := c.Model(ctx, "acme/public", hub.DetailOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := h.Model("acme/public")
	if m.ID != "acme/public" || m.OID != want.OID || m.SHA != want.SHA || m.Author != "acme" ||
		m.Config == nil || m.Config.ModelType != "vit" || m.CardData["license"] != "mit" {
		t.Errorf("detail: %+v", m)
	}

	t.Run("detail-only expand", func(t *testing.T) {
		m, err := c.Model(ctx, "acme/public", hub.DetailOptions{Expand: []string{"baseModels", "usedStorage"}})
		if err != nil {
			t.Fatal(err)
		}
		if m.BaseModels == nil || len(m.BaseModels.Models) != 1 || m.BaseModels.Models[0].ID != "google/vit-base-patch16-224" || m.Author != "" {
			t.Errorf("expand=baseModels: %+v", m)
		}
	})
	t.Run("legacy single-segment id", func(t *testing.T) {
		m, err := c.Model(ctx, "gpt2", hub.DetailOptions{})
		if err != nil || m.ID != "gpt2" {
			t.Errorf("gpt2: %+v, %v", m, err)
		}
	})
	t.Run("dataset", func(t *testing.T) {
		d, err := c.Dataset(ctx, "acme/data", hub.DetailOptions{})
		if err != nil || d.ID != "acme/data" || d.Author != "acme" {
			t.Errorf("dataset: %+v, %v", d, err)
		}
		card, err := c.DatasetCard(ctx, "acme/data")
		if err != nil || !bytes.HasPrefix(card.Text, []byte("---\nlicense: cc-by-4.0")) {
			t.Errorf("dataset card: %+v, %v", card, err)
		}
	})
}

// TestErrorClasses follows the Hub's error rules: what anonymous and authenticated
// callers get for each access state, on the API and on /resolve/.
func TestErrorClasses(t *testing.T) {
	h, url := startReplica(t, hubtest.Options{Token: testToken})
	fixtureRepos(t, h)
	anon := newClient(t, url, nil)
	authed := newClient(t, url, withToken(testToken))
	bad := newClient(t, url, withToken("hf_revoked"))
	ctx := context.Background()
	detail := func(c *hub.Client, id string) error { _, err := c.Model(ctx, id, hub.DetailOptions{}); return err }
	card := func(c *hub.Client, id string) error { _, err := c.ModelCard(ctx, id); return err }

	tests := []struct {
		name   string
		call   func() error
		want   error // nil: success
		status int
		code   string
	}{
		{"missing, anonymous: 401", func() error { return detail(anon, "acme/missing") }, hub.ErrNotFound, 401, "RepoNotFound"},
		{"missing, token: 404", func() error { return detail(authed, "acme/missing") }, hub.ErrNotFound, 404, "RepoNotFound"},
		{"private, anonymous: 401 like missing", func() error { return detail(anon, "acme/private") }, hub.ErrNotFound, 401, "RepoNotFound"},
		{"private, token", func() error { return detail(authed, "acme/private") }, nil, 0, ""},
		{"private card, anonymous", func() error { return card(anon, "acme/private") }, hub.ErrNotFound, 401, "RepoNotFound"},
		{"gated metadata is public", func() error { return detail(anon, "acme/gated-manual") }, nil, 0, ""},
		{"gated card, anonymous: 401", func() error { return card(anon, "acme/gated-manual") }, hub.ErrGated, 401, "GatedRepo"},
		{"gated card, token without approval: 403", func() error { return card(authed, "acme/gated-manual") }, hub.ErrGated, 403, "GatedRepo"},
		{"gated card, approved token", func() error { return card(authed, "acme/gated-approved") }, nil, 0, ""},
		{"disabled detail: 403", func() error { return detail(anon, "acme/disabled") }, hub.ErrDisabled, 403, ""},
		{"disabled card: 403", func() error { return card(authed, "acme/disabled") }, hub.ErrDisabled, 403, ""},
		{"no README: EntryNotFound", func() error { return card(anon, "acme/no-readme") }, hub.ErrEntryNotFound, 404, "EntryNotFound"},
		{"bad token, public detail: 401", func() error { return detail(bad, "acme/public") }, hub.ErrUnauthorized, 401, ""},
		{"bad token, listing: 401", func() error {
			_, err := bad.ListModels(hub.ListOptions{}).Next(ctx)
			return err
		}, hub.ErrUnauthorized, 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("err = %v, want success", err)
				}
				return
			}
			var he *hub.Error
			if !errors.Is(err, tt.want) || !errors.As(err, &he) {
				t.Fatalf("err = %v, want %v as *hub.Error", err, tt.want)
			}
			if he.Status != tt.status || he.Code != tt.code || he.Message == "" || he.URL == "" || he.Attempts != 1 || he.RequestID == "" {
				t.Errorf("error %+v: want status %d, code %q, a message, URL, request id, 1 attempt", he, tt.status, tt.code)
			}
			if tt.want == hub.ErrUnauthorized && errors.Is(err, hub.ErrNotFound) {
				t.Error("bad credentials reported as not found")
			}
		})
	}
	if st := anon.Stats(); st.Retries != 0 {
		t.Errorf("permanent errors were retried: %+v", st)
	}
}

func TestInvalidRepoIDNeverSent(t *testing.T) {
	_, url := startReplica(t, hubtest.Options{})
	c := newClient(t, url, nil)
	for _, id := range []string{"", "../etc/passwd", "a/b/c", "a//b", "a/..", "owner/na me", "owner/name\x00", "-a/b", "a/b.git", "a/" + strings.Repeat("x", 97), "a/b?x=1", "a/b#c", "a%2Fb"} {
		if _, err := c.Model(context.Background(), id, hub.DetailOptions{}); !errors.Is(err, hub.ErrInvalidRepoID) {
			t.Errorf("Model(%q): err = %v, want ErrInvalidRepoID", id, err)
		}
		if _, err := c.ModelCard(context.Background(), id); !errors.Is(err, hub.ErrInvalidRepoID) {
			t.Errorf("ModelCard(%q): err = %v, want ErrInvalidRepoID", id, err)
		}
	}
	if n := c.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestRenamesFollowedAndRecorded: a 307 to the new id is followed (API and
// /resolve/), the caller learns the canonical id, and chains collapse.
func TestRenamesFollowedAndRecorded(t *testing.T) {
	h, url := startReplica(t, hubtest.Options{})
	fixtureRepos(t, h)
	if err := h.Rename("acme/public", "acme/renamed"); err != nil {
		t.Fatal(err)
	}
	if err := h.Rename("acme/renamed", "newco/final"); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, url, nil)
	ctx := context.Background()
	for _, old := range []string{"acme/public", "acme/renamed"} {
		m, err := c.Model(ctx, old, hub.DetailOptions{Expand: []string{"likes"}})
		if err != nil {
			t.Fatal(err)
		}
		if m.ID != "newco/final" {
			t.Errorf("Model(%s): ID %q", old, m.ID)
		}
		card, err := c.ModelCard(ctx, old)
		if err != nil {
			t.Fatal(err)
		}
		if card.RepoID != "newco/final" || len(card.Text) == 0 {
			t.Errorf("ModelCard(%s): %+v", old, card)
		}
	}
	m, err := c.Model(ctx, "newco/final", hub.DetailOptions{})
	if err != nil || m.ID != "newco/final" {
		t.Errorf("canonical id: %+v, %v", m, err)
	}
	if st := c.Stats(); st.Redirects != 4 {
		t.Errorf("redirects = %d, want 4", st.Redirects)
	}
}

func TestCardETag(t *testing.T) {
	h, url := startReplica(t, hubtest.Options{})
	fixtureRepos(t, h)
	c := newClient(t, url, nil)
	ctx := context.Background()
	first, err := c.ModelCard(ctx, "acme/public")
	if err != nil {
		t.Fatal(err)
	}
	repo, _ := h.Model("acme/public")
	if !bytes.Equal(first.Text, repo.Card) || first.ETag == "" || first.Commit != repo.SHA {
		t.Fatalf("card: %+v", first)
	}
	if err := h.UpdateModel("acme/public", func(r *hubtest.Repo) { r.Card = []byte("# new text\n"); r.SHA = "" }); err != nil {
		t.Fatal(err)
	}
	changed, err := c.ModelCard(ctx, "acme/public")
	if err != nil {
		t.Fatal(err)
	}
	if string(changed.Text) != "# new text\n" || changed.ETag == first.ETag {
		t.Errorf("changed card: %+v", changed)
	}
}

// TestCardViaResolveCache: the Hub may answer /resolve/ with a relative
// 307 to /api/resolve-cache/...; the client follows it.
func TestCardViaResolveCache(t *testing.T) {
	h, url := startReplica(t, hubtest.Options{ResolveCache: true})
	fixtureRepos(t, h)
	c := newClient(t, url, nil)
	card, err := c.ModelCard(context.Background(), "acme/public")
	if err != nil {
		t.Fatal(err)
	}
	repo, _ := h.Model("acme/public")
	if !bytes.Equal(card.Text, repo.Card) || card.RepoID != "acme/public" {
		t.Errorf("card: %+v", card)
	}
	if st := c.Stats(); st.Redirects != 1 || st.Requests != 2 {
		t.Errorf("stats: %+v", st)
	}
	if n := h.Stats().Route("resolve-cache"); n != 1 {
		t.Errorf("resolve-cache requests: %d", n)
	}
}

// TestDetailIDValidated: the id of a detail response becomes a row's key
// and later URLs, so an id a listing would be refused for (path traversal,
// empty, odd characters) fails the call as a malformed body, naming the
// URL and the field, and is not retried.
func TestDetailIDValidated(t *testing.T) {
	for _, id := range []string{"../../etc", "", "a/b/c", "evil\x1b[31m/x"} {
		var calls atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.Header().Set("Content-Type", "application/json")
			b, _ := json.Marshal(map[string]any{"_id": "0123456789abcdef01234567", "id": id})
			w.Write(b)
		}))
		c := newClient(t, srv.URL, nil)
		for name, call := range map[string]func() error{
			"model":   func() error { _, err := c.Model(context.Background(), "acme/model", hub.DetailOptions{}); return err },
			"dataset": func() error { _, err := c.Dataset(context.Background(), "acme/data", hub.DetailOptions{}); return err },
		} {
			calls.Store(0)
			err := call()
			if !errors.Is(err, hub.ErrDecode) || !errors.Is(err, hub.ErrInvalidRepoID) {
				t.Errorf("%s with id %q: err = %v, want ErrDecode and ErrInvalidRepoID", name, id, err)
				continue
			}
			if msg := err.Error(); !strings.Contains(msg, srv.URL) || !strings.Contains(msg, "field id") {
				t.Errorf("%s with id %q: error %q names neither the URL nor the field", name, id, msg)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("%s with id %q: %d requests, want 1 (not retried)", name, id, n)
			}
		}
		srv.Close()
	}
}
