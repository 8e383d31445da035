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
	b := mustBase(t, g)
	removed := holdOut(b, 2, 6)
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
			o.Hidden, o.Dim, o.Heads, o.LearnedDim = 4, 6, 2, 2
			o.Dropout, o.AttentionDropout = 0.3, 0.2
			tc.mut(&o)
			nt := newNetwork(static, featureless, o)
			a := b.build(nil, removed, o.Arch == GAT, o.Weighted)
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

// TestAdamW: Adam's first step is η·g/(|g| + ε) after bias correction,
// about η·sign(g), plus the decoupled decay η·λ·θ on weights but not on
// biases; the second step uses the moving averages.
func TestAdamW(t *testing.T) {
	g := smallGraph(t)
	static, featureless, err := inputs(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	o.LearningRate, o.WeightDecay = 0.1, 0.5
	nt := newNetwork(static, featureless, o)
	before := map[*param][]float64{}
	for i, p := range nt.params {
		before[p] = append([]float64(nil), p.v...)
		for j := range p.g {
			p.g[j] = float64((i+j)%5) - 2 // −2…2, zeros included
		}
	}
	nt.adamW(1)
	for _, p := range nt.params {
		decay := 0.0
		if p.decay {
			decay = o.WeightDecay
		}
		for j, v := range p.v {
			gj := p.m1[j] / 0.1 // m = (1 − β₁)g
			want := before[p][j] - o.LearningRate*(gj/(math.Abs(gj)+1e-8)+decay*before[p][j])
			if math.Abs(v-want) > 1e-12 {
				t.Fatalf("after one step %v, want %v (g = %v, decay %v)", v, want, gj, decay)
			}
			if p.g[j] != 0 {
				t.Fatalf("gradient not cleared after the step")
			}
		}
	}
	// Second step with g = 0: m = 0.09·g₁, v = 0.000999·g₁², so the step is
	// η·(0.09/0.19)/√(0.000999/0.001999)·sign(g₁).
	p := nt.decW
	x0, g1 := p.v[1], p.m1[1]/0.1
	nt.adamW(2)
	want := x0 - o.LearningRate*((0.09*g1/0.19)/(math.Sqrt(0.000999*g1*g1/0.001999)+1e-8)+o.WeightDecay*x0)
	if math.Abs(p.v[1]-want) > 1e-12 {
		t.Errorf("second step %v, want %v", p.v[1], want)
	}
}
