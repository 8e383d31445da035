package graphlearn

import (
	"cmp"
	"math"
	"slices"
)

// Embeddings are learned node vectors, one of Dim float32s per node id of
// the graph they were learned on: node i is Vectors[i*Dim:(i+1)*Dim]. The
// learners (graphlearn/node2vec, graphlearn/gnn) return them in this layout.
type Embeddings struct {
	Dim     int
	Vectors []float32
}

// NumNodes returns the number of vectors.
func (e *Embeddings) NumNodes() int {
	if e.Dim == 0 {
		return 0
	}
	return len(e.Vectors) / e.Dim
}

// Vector returns the vector of node i, which must be in 0…NumNodes()−1. It
// aliases Vectors.
func (e *Embeddings) Vector(i int32) []float32 {
	return e.Vectors[int(i)*e.Dim : (int(i)+1)*e.Dim : (int(i)+1)*e.Dim]
}

// Cosine returns the cosine similarity of the vectors x, y of nodes a and b,
//
//	cos(a,b) = Σ_d x_d·y_d / √(Σ_d x_d² · Σ_d y_d²),
//
// summed in float64, or 0 if either vector is zero.
func (e *Embeddings) Cosine(a, b int32) float64 {
	x, y := e.Vector(a), e.Vector(b)
	var xy, xx, yy float64
	for i := range x {
		xy += float64(x[i]) * float64(y[i])
		xx += float64(x[i]) * float64(x[i])
		yy += float64(y[i]) * float64(y[i])
	}
	if xx == 0 || yy == 0 {
		return 0
	}
	return xy / math.Sqrt(xx*yy)
}

// Nearest returns up to k nodes other than i, most cosine-similar to i first;
// ties go to the smaller id. k ≤ 0 returns none.
func (e *Embeddings) Nearest(i int32, k int) []int32 {
	k = max(k, 0)
	type cand struct {
		id  int32
		cos float64
	}
	cs := make([]cand, 0, e.NumNodes())
	for j := range int32(e.NumNodes()) {
		if j != i {
			cs = append(cs, cand{j, e.Cosine(i, j)})
		}
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if c := cmp.Compare(b.cos, a.cos); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	out := make([]int32, 0, min(k, len(cs)))
	for _, c := range cs[:min(k, len(cs))] {
		out = append(out, c.id)
	}
	return out
}
