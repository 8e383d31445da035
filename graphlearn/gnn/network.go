package gnn

import (
	"math"
	"math/rand/v2"
)

// param is a trainable matrix with its AdamW state.
type param struct {
	*tensor
	decay  bool // weight decay applies (weights, not biases)
	m1, m2 []float64
}

// layer holds one message-passing layer's parameters. GraphSAGE uses nbr,
// GAT w, attSrc and attDst; both use bias, and root with RootWeight.
type layer struct {
	root           *param // in × out, nil without RootWeight
	nbr            *param // in × out
	w              *param // in × heads·c
	attSrc, attDst *param // heads × c
	bias           *param // 1 × out
	heads          int
	concat         bool
}

// network is a stack of layers and the pair decoder.
type network struct {
	opt     Options
	static  *tensor // the static inputs, n × F′ (no gradient)
	learned *param  // learned inputs of featureless nodes, k × LearnedDim
	lrow    []int32
	layers  []layer
	decW    *param // 1 × Dim
	decB    *param // 1 × 1
	params  []*param
}

// newNetwork initialises the weights from the seed: Glorot-uniform weight
// matrices and attention vectors (Glorot & Bengio, AISTATS 2010), zero
// biases, standard normal learned inputs (the scale of the z-scored
// features), and zero decoder weights, so that the decoder starts at its
// bias. (Random decoder weights start from large random scores that the
// first epochs spend undoing; on planted graphs they slowed training
// several-fold.)
func newNetwork(static *tensor, featureless []bool, opt Options) *network {
	rng := stream(opt.Seed, domainInit, 0)
	nt := &network{opt: opt, static: static}
	add := func(r, c int, decay bool, init func() float64) *param {
		p := &param{tensor: newTensor(r, c, true), decay: decay, m1: make([]float64, r*c), m2: make([]float64, r*c)}
		if init != nil {
			for i := range p.v {
				p.v[i] = init()
			}
		}
		nt.params = append(nt.params, p)
		return p
	}
	glorot := func(in, out int) func() float64 {
		a := math.Sqrt(6 / float64(in+out))
		return func() float64 { return a * (2*rng.Float64() - 1) }
	}

	in := static.c
	if opt.LearnedDim > 0 {
		nt.lrow = make([]int32, len(featureless))
		k := 0
		for i, f := range featureless {
			nt.lrow[i] = -1
			if f {
				nt.lrow[i] = int32(k)
				k++
			}
		}
		if k > 0 {
			nt.learned = add(k, opt.LearnedDim, true, rng.NormFloat64)
			in += opt.LearnedDim
		}
	}
	for l := range opt.Layers {
		out := opt.Hidden
		if l == opt.Layers-1 {
			out = opt.Dim
		}
		var ly layer
		switch opt.Arch {
		case GraphSAGE:
			ly.nbr = add(in, out, true, glorot(in, out))
		case GAT:
			ly.heads = opt.Heads
			ly.concat = opt.ConcatHeads
			c := out // per head
			if ly.concat {
				c = out / ly.heads
			}
			ly.w = add(in, ly.heads*c, true, glorot(in, ly.heads*c))
			ly.attSrc = add(ly.heads, c, true, glorot(c, 1))
			ly.attDst = add(ly.heads, c, true, glorot(c, 1))
		}
		if opt.RootWeight {
			ly.root = add(in, out, true, glorot(in, out))
		}
		ly.bias = add(1, out, false, nil)
		nt.layers = append(nt.layers, ly)
		in = out
	}
	nt.decW = add(1, opt.Dim, true, nil)
	nt.decB = add(1, 1, false, nil)
	return nt
}

// forward runs the layers over the adjacency a and returns the node
// embeddings, n × Dim. A nil rng means inference: no dropout.
func (nt *network) forward(t *tape, a *adjacency, rng *rand.Rand) *tensor {
	opt := nt.opt
	h := nt.static
	if nt.learned != nil {
		h = t.concat(h, t.gather(nt.learned.tensor, nt.lrow))
	}
	coef := &tensor{r: a.entries(), c: 1, v: a.coef}
	for l, ly := range nt.layers {
		if rng != nil {
			h = t.dropout(h, opt.Dropout, rng)
		}
		switch opt.Arch {
		case GraphSAGE:
			// Aggregation is linear, so mean(X)·W = mean(X·W): aggregate
			// whichever side is narrower.
			var agg *tensor
			if h.c <= ly.nbr.c {
				agg = t.matmul(t.spmm(a, coef, h), ly.nbr.tensor)
			} else {
				agg = t.spmm(a, coef, t.matmul(h, ly.nbr.tensor))
			}
			h = t.addBias(nt.root(t, ly, h, agg), ly.bias.tensor)
		case GAT:
			hw := t.matmul(h, ly.w.tensor)
			var bias []float64
			if opt.Weighted {
				bias = a.logw
			}
			al := t.attention(a, t.headDot(hw, ly.attSrc.tensor), t.headDot(hw, ly.attDst.tensor), opt.NegativeSlope, bias)
			if rng != nil {
				al = t.dropout(al, opt.AttentionDropout, rng)
			}
			y := t.spmm(a, al, hw)
			if !ly.concat && ly.heads > 1 {
				y = t.headMean(y, ly.heads)
			}
			h = t.addBias(nt.root(t, ly, h, y), ly.bias.tensor)
		}
		if opt.Normalize {
			h = t.l2norm(h)
		}
		if l < len(nt.layers)-1 {
			h = t.activate(h, opt.Activation)
		}
	}
	return h
}

// root returns y + x·W_root, or y without a root weight.
func (nt *network) root(t *tape, ly layer, x, y *tensor) *tensor {
	if ly.root == nil {
		return y
	}
	return t.add(t.matmul(x, ly.root.tensor), y)
}

// decode scores the pairs (us[k], vs[k]) from the embeddings z:
// s = Σ_d z_u,d·w_d·z_v,d + b.
func (nt *network) decode(t *tape, z *tensor, us, vs []int32) *tensor {
	return t.addBias(t.pairScore(z, nt.decW.tensor, us, vs), nt.decB.tensor)
}

// adamW takes one AdamW step (Kingma & Ba, ICLR 2015; decoupled weight
// decay: Loshchilov & Hutter, ICLR 2019) on every parameter, step t ≥ 1,
// and zeroes the gradients:
//
//	m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²,
//	θ ← θ − η·( m/(1−β₁ᵗ) / (√(v/(1−β₂ᵗ)) + ε) + λθ ),
//
// with β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸ and λ = WeightDecay for weights, 0
// for biases.
func (nt *network) adamW(t int) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	lr := nt.opt.LearningRate
	c1 := 1 - math.Pow(b1, float64(t))
	c2 := 1 - math.Pow(b2, float64(t))
	for _, p := range nt.params {
		decay := 0.0
		if p.decay {
			decay = nt.opt.WeightDecay
		}
		for i, g := range p.g {
			p.m1[i] = b1*p.m1[i] + (1-b1)*g
			p.m2[i] = b2*p.m2[i] + (1-b2)*g*g
			p.v[i] -= lr * ((p.m1[i]/c1)/(math.Sqrt(p.m2[i]/c2)+eps) + decay*p.v[i])
			p.g[i] = 0
		}
	}
}
