package graphtest

import (
	"context"
	"errors"
	"testing"

	"github.com/zoograph/zoograph/graphlearn"
	"github.com/zoograph/zoograph/store/storetest"
)

func TestAUC(t *testing.T) {
	tests := []struct {
		name     string
		pos, neg []float64
		want     float64
	}{
		{"separated", []float64{3, 4}, []float64{1, 2}, 1},
		{"reversed", []float64{1, 2}, []float64{3, 4}, 0},
		{"tied negatives", []float64{1, 3}, []float64{2, 2}, 0.5},
		{"one tie", []float64{2}, []float64{2}, 0.5},
		{"interleaved", []float64{1, 3, 5}, []float64{2, 4}, 0.5},
	}
	for _, tc := range tests {
		if got := AUC(tc.pos, tc.neg); got != tc.want {
			t.Errorf("%s: AUC(%v, %v) = %v, want %v", tc.name, tc.pos, tc.neg, got, tc.want)
		}
	}
}

func TestPollCtx(t *testing.T) {
	c := NewPollCtx(3)
	for i := 1; i <= 4; i++ {
		err := c.Err()
		if want := i >= 3; errors.Is(err, context.Canceled) != want {
			t.Errorf("poll %d: Err = %v, want cancelled %v", i, err, want)
		}
	}
	if got := c.Polls.Load(); got != 4 {
		t.Errorf("Polls = %d, want 4", got)
	}
	never := NewPollCtx(-1)
	for range 10 {
		if err := never.Err(); err != nil {
			t.Fatalf("NewPollCtx(-1).Err = %v, want nil", err)
		}
	}
}

func TestMustAddEdge(t *testing.T) {
	b := graphlearn.NewBuilder()
	u := b.Node(graphlearn.NodeDataset, "u")
	v := b.Node(graphlearn.NodeDataset, "v")
	MustAddEdge(t, b, u, v, graphlearn.EdgeSimilar, 0.5)
	if w, ok := b.Build().Weight(u, v); !ok || w != 0.5 {
		t.Errorf("Weight(u, v) = %v, %v; want 0.5, true", w, ok)
	}
}

// TestDeps keeps the helpers as near a leaf as the learners they serve: the
// standard library and graphlearn, nothing else.
func TestDeps(t *testing.T) {
	storetest.CheckDeps(t, storetest.Deps{Allow: []string{"github.com/zoograph/zoograph/graphlearn"}})
}
