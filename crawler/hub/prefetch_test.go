package hub_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
)

// TestPrefetch lists with and without prefetching: same pages, one
// request per page (the last page has no Link, so nothing is fetched past
// it), and a prefetch that fails is reported by the Next that wanted its
// page, which can then be called again.
func TestPrefetch(t *testing.T) {
	_, url := startReplica(t, hubtest.Options{Zoo: hubtest.Zoo{Models: 1234, Datasets: 10, Seed: 8}, PageSize: 100})
	opt := hub.ListOptions{Sort: "downloads", Limit: 100, Expand: append(hub.DefaultModelExpand(), "cardData")}
	plain := newClient(t, url, nil)
	want, wantSizes := listAll(t, plain.ListModels(opt))

	c := newClient(t, url, nil)
	p := c.ListModels(opt)
	p.SetPrefetch(true)
	got, sizes := listAll(t, p)
	if diff := cmp.Diff(modelIDs(want), modelIDs(got)); diff != "" || !cmp.Equal(wantSizes, sizes) {
		t.Errorf("prefetched listing differs (-plain +prefetch):\n%s\npage sizes %v, want %v", diff, sizes, wantSizes)
	}
	if n := c.Stats().Requests; n != int64(len(sizes)) {
		t.Errorf("%d requests for %d pages", n, len(sizes))
	}

	// A prefetch whose context ends while it waits on a slow replica: the
	// next Next reports that, and the Pager stays on the page, so the
	// call after it gets the page.
	_, slow := startReplica(t, hubtest.Options{Zoo: hubtest.Zoo{Models: 300, Datasets: 10, Seed: 8}, PageSize: 100, Latency: 300 * time.Millisecond})
	p = newClient(t, slow, nil).ListModels(opt)
	p.SetPrefetch(true)
	ctx, cancel := context.WithCancel(context.Background())
	first, err := p.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel() // the prefetch of page 2 is in flight under ctx
	if _, err := p.Next(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Next after its prefetch was cancelled: err = %v, want context.Canceled", err)
	}
	second, err := p.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Models) != 100 || len(second.Models) != 100 || first.Models[0].ID == second.Models[0].ID {
		t.Errorf("pages of %d and %d models; the second must follow the first", len(first.Models), len(second.Models))
	}
}
