package gnn

import "github.com/zoograph/zoograph/graphlearn"

// Embeddings are the learned node vectors, graphlearn's type: node i is
// Vectors[i*Dim:(i+1)*Dim], the same layout as node2vec's.
type Embeddings = graphlearn.Embeddings

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
