package crawler

import (
	"testing"
	"time"

	"github.com/zoograph/zoograph/store"
)

func TestBufferKeepsNewestRow(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	row := func(oid, id string, lm time.Time, evals int) repoRows {
		m := &store.Model{ModelID: id, HubOID: oid, LastModified: lm}
		r := repoRows{key: dedupeKey(oid, id), id: id, lm: lm, model: m, ok: true}
		for i := 0; i < evals; i++ {
			r.evals = append(r.evals, store.Eval{ModelID: id})
		}
		return r
	}
	b := newBuffer()
	b.add(&pageJob{rows: []repoRows{
		row("aa", "x/one", t0, 2),
		row("bb", "x/two", t0.Add(time.Hour), 1),
	}})
	b.add(&pageJob{rows: []repoRows{
		row("aa", "x/one", t0.Add(time.Minute), 3),   // newer: replaces
		row("bb", "x/two", t0, 5),                    // older: dropped
		row("cc", "x/one", t0.Add(2*time.Minute), 0), // same id, new _id: replaces
		row("dd", "x/three", time.Time{}, 1),
	}, next: "cursor", last: true, stop: stopEnd})
	var ids []string
	evals := 0
	for _, r := range b.rows {
		if !r.dead {
			ids = append(ids, r.model.HubOID)
			evals += len(r.evals)
		}
	}
	if len(ids) != 3 || ids[0] != "bb" || ids[1] != "cc" || ids[2] != "dd" || b.live != 3 {
		t.Errorf("live rows %v (live %d), want [bb cc dd]", ids, b.live)
	}
	if evals != 2 {
		t.Errorf("%d eval rows live, want 2 (x/two's and x/three's)", evals)
	}
	if b.delta.Pages != 2 || b.delta.Listed != 6 || !b.last || b.cursor != "cursor" || !b.maxLM.Equal(t0.Add(time.Hour)) {
		t.Errorf("buffer %+v", b.delta)
	}
}
