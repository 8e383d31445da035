package graphlearn

import (
	"math"
	"slices"
	"testing"
)

func TestEmbeddings(t *testing.T) {
	e := &Embeddings{Dim: 2, Vectors: []float32{1, 0, 0, 1, 1, 1, -1, 0, 0, 0}}
	if got := e.NumNodes(); got != 5 {
		t.Errorf("NumNodes() = %d, want 5", got)
	}
	tests := []struct {
		a, b int32
		want float64
	}{
		{0, 1, 0}, {0, 2, 1 / math.Sqrt2}, {0, 3, -1}, {0, 4, 0}, {2, 2, 1},
	}
	for _, tc := range tests {
		if got := e.Cosine(tc.a, tc.b); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Cosine(%d, %d) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
	if got, want := e.Nearest(0, 3), []int32{2, 1, 4}; !slices.Equal(got, want) {
		t.Errorf("Nearest(0, 3) = %v, want %v", got, want)
	}
	if got := e.Nearest(0, 10); len(got) != 4 {
		t.Errorf("Nearest(0, 10) returned %d nodes, want 4", len(got))
	}
	for _, k := range []int{0, -1} {
		if got := e.Nearest(0, k); len(got) != 0 {
			t.Errorf("Nearest(0, %d) = %v, want none", k, got)
		}
	}
}
