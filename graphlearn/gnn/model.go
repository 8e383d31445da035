package gnn

import (
	"cmp"
	"math"
	"slices"
)

// Embeddings are learned node vectors: node i is Vectors[i*Dim:(i+1)*Dim],
// the same layout as node2vec's.
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

// Cosine returns the cosine similarity of the vectors of nodes a and b, or 0
// if either vector is zero.
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
// ties go to the smaller id.
func (e *Embeddings) Nearest(i int32, k int) []int32 {
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

// Model is a trained GNN: the node embeddings (the last layer's output on
// the whole graph, without dropout) and the pair decoder.
type Model struct {
	Embeddings
	// Objective is what the decoder was trained for, and so what Score
	// returns.
	Objective Objective
	// Loss is the training loss of every epoch: mean binary cross-entropy
	// or mean squared error over the pairs scored in it.
	Loss []float64

	z []float64 // embeddings in float64, for Score
	w []float64 // decoder weights
	b float64   // decoder bias
}

// Score returns the decoder's output for the pair (u, v),
//
//	s(u,v) = Σ_d z_u,d·w_d·z_v,d + b,
//
// symmetric in u and v: for LinkPrediction the log-odds that u and v are
// linked (σ(s) is the probability), for EdgeRegression the predicted edge
// value. u and v must be node ids of the trained graph.
func (m *Model) Score(u, v int32) float64 {
	d := m.Dim
	zu, zv := m.z[int(u)*d:(int(u)+1)*d], m.z[int(v)*d:(int(v)+1)*d]
	var s float64
	for k, w := range m.w {
		s += w * (zu[k] * zv[k])
	}
	return s + m.b
}
