package gnn

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// smallFeatures returns 3 feature columns for smallGraph's 8 nodes, with
// missing values and two featureless nodes (3 and 6).
func smallFeatures() *mat.Dense {
	nan := math.NaN()
	return mat.NewDense(8, 3, []float64{
		0.5, 1, nan,
		-1, 2, 0.3,
		0.2, nan, 1,
		nan, nan, nan,
		1.5, 0, 0.7,
		-0.3, 1, nan,
		nan, nan, nan,
		0.9, -2, 0.1,
	})
}

// TestNetworkGradient checks the whole two-layer forward and backward pass
// — inputs with learned vectors, dropout, both layers, the decoder and the
// loss — against finite differences in every parameter.
func TestNetworkGradient(t *testing.T) {
	g := smallGraph(t)
	static, featureless, err := inputs(g, smallFeatures())
	if err != nil {
		t.Fatal(err)
	}
	b, err := newBase(g)
	if err != nil {
		t.Fatal(err)
	}
	removed := make([]bool, len(b.nbrs))
	p := b.find(2, 6)
	removed[p], removed[b.rev[p]] = true, true
	us, vs := []int32{0, 1, 2, 3, 1, 2}, []int32{4, 4, 6, 4, 6, 7}
	labels := []float64{1, 1, 1, 1, 0, 0}

	for _, tc := range []struct {
		name string
		mut  func(*Options)
	}{
		{"graphsage/link", func(o *Options) {}},
		{"graphsage/regression/elu/normalize", func(o *Options) {
			o.Objective, o.Activation, o.Normalize, o.Weighted = EdgeRegression, ELU, true, false
		}},
		{"graphsage/3 layers", func(o *Options) { o.Layers = 3 }},
		{"gat/link/concat", func(o *Options) { o.Arch = GAT }},
		{"gat/regression/mean heads/elu", func(o *Options) {
			o.Arch, o.Objective, o.ConcatHeads, o.Activation = GAT, EdgeRegression, false, ELU
		}},
		// Normalisation has no gradient at a zero row, which a ReLU or
		// dropout makes of an isolated node now and then (its one message
		// dropped): ELU and no dropout keep rows non-zero.
		{"gat/one head/normalize/elu", func(o *Options) {
			o.Arch, o.Heads, o.Normalize, o.Activation = GAT, 1, true, ELU
			o.Dropout, o.AttentionDropout = 0, 0
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			o.Hidden, o.Dim, o.Heads, o.LearnedDim = 4, 3, 2, 2
			o.Dropout, o.AttentionDropout = 0.3, 0.2
			tc.mut(&o)
			nt := newNetwork(static, featureless, o)
			a := b.build(removed, o.Arch == GAT, o.Weighted)
			var in []*tensor
			for _, p := range nt.params {
				in = append(in, p.tensor)
			}
			checkGrad(t, in, func(tp *tape, _ []*tensor) *tensor {
				z := nt.forward(tp, a, stream(9, domainDropout, 0))
				s := nt.decode(tp, z, us, vs)
				if o.Objective == LinkPrediction {
					return tp.bce(s, labels)
				}
				return tp.mse(s, labels)
			})
		})
	}
}
