package hub_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
)

const testToken = "hf_TestTokenDoNotLeak0123456789"

// startReplica serves a replica on a loopback httptest server.
func startReplica(t *testing.T, opt hubtest.Options) (*hubtest.Hub, string) {
	t.Helper()
	h := hubtest.New(opt)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv.URL
}

// newClient returns a client for url with test-sized waits; mod adjusts
// the options.
func newClient(t *testing.T, url string, mod func(*hub.Options)) *hub.Client {
	t.Helper()
	opt := hub.Options{
		Endpoint:   url,
		Quota:      hub.Quota{Off: true},
		MinWait:    time.Millisecond,
		MaxWait:    20 * time.Millisecond,
		MaxElapsed: 10 * time.Second,
		Timeout:    10 * time.Second,
		Seed:       1,
	}
	if mod != nil {
		mod(&opt)
	}
	c, err := hub.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func withToken(tok string) func(*hub.Options) {
	return func(o *hub.Options) { o.Token = tok }
}

// listAll drains a pager, returning the items and the pages' sizes.
func listAll(t *testing.T, p *hub.Pager) ([]hub.ModelInfo, []int) {
	t.Helper()
	var all []hub.ModelInfo
	var sizes []int
	for p.More() {
		page, err := p.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("page %d: %v", len(sizes)+1, err)
		}
		all = append(all, page.Models...)
		sizes = append(sizes, len(page.Models))
		if page.NextURL == "" && p.More() {
			t.Fatal("last page but More() is true")
		}
	}
	return all, sizes
}

func listAllDatasets(t *testing.T, p *hub.Pager) []hub.DatasetInfo {
	t.Helper()
	var all []hub.DatasetInfo
	for p.More() {
		page, err := p.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Datasets...)
	}
	return all
}

// replicaIDs lists the ids a caller sees in the replica.
func replicaIDs(h *hubtest.Hub, authed bool, datasets bool) []string {
	var ids []string
	seq := h.Models()
	if datasets {
		seq = h.Datasets()
	}
	for r := range seq {
		if r.Private && !authed {
			continue
		}
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	return ids
}

func modelIDs(ms []hub.ModelInfo) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

// sortedUnique returns the sorted ids and whether there were duplicates.
func sortedUnique(ids []string) ([]string, bool) {
	s := slices.Clone(ids)
	slices.Sort(s)
	return s, len(slices.Compact(slices.Clone(s))) != len(s)
}
