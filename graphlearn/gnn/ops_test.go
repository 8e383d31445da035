package gnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/zoograph/zoograph/graphlearn"
)

// randTensor returns an r×c tensor with a gradient and values uniform in
// ±[0.1, 1.1): away from 0, so that finite differences never straddle the
// kink of a ReLU.
func randTensor(rng *rand.Rand, r, c int) *tensor {
	m := newTensor(r, c, true)
	for i := range m.v {
		v := 0.1 + rng.Float64()
		if rng.IntN(2) == 0 {
			v = -v
		}
		m.v[i] = v
	}
	return m
}

// smallGraph is a graph of 8 nodes with a node of degree 0 (node 7), one of
// degree 1 and one of high degree, with distinct weights.
func smallGraph(t testing.TB) *graphlearn.Graph {
	t.Helper()
	b := graphlearn.NewBuilder()
	for i := range 4 {
		b.Node(graphlearn.NodeModel, "m"+strconv.Itoa(i))
	}
	for i := range 4 {
		b.Node(graphlearn.NodeDataset, "d"+strconv.Itoa(i))
	}
	edges := []struct {
		u, v int32
		k    graphlearn.EdgeKind
		w    float64
	}{
		{0, 4, graphlearn.EdgeFinetune, 0.9},
		{0, 5, graphlearn.EdgeFinetune, 0.6},
		{1, 4, graphlearn.EdgeFinetune, 0.7},
		{2, 5, graphlearn.EdgeTrainedOn, 1},
		{2, 6, graphlearn.EdgeFinetune, 0.8},
		{3, 4, graphlearn.EdgeFinetune, 0.55},
		{4, 5, graphlearn.EdgeSimilar, 0.3},
		{5, 6, graphlearn.EdgeSimilar, 0.45},
		{0, 1, graphlearn.EdgeLineage, 1},
	}
	for _, e := range edges {
		if err := b.AddEdge(e.u, e.v, e.k, e.w); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.AddNegative(1, 6); err != nil {
		t.Fatal(err)
	}
	return b.Build()
}

// mustBase returns the base adjacency of g, failing t if newBase does.
func mustBase(t testing.TB, g *graphlearn.Graph) *base {
	t.Helper()
	b, err := newBase(g)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// holdOut marks both entries of the edge u–v of b as removed, as an epoch
// that holds the pair out does.
func holdOut(b *base, u, v int32) []bool {
	removed := make([]bool, len(b.nbrs))
	p := b.find(u, v)
	removed[p], removed[b.rev[p]] = true, true
	return removed
}

// checkGrad compares the tape's gradient of L = Σ r ⊙ f(in) with respect
// to every element of every input against central differences,
//
//	∂L/∂x ≈ (L(x + ε) − L(x − ε)) / 2ε,   ε = 10⁻⁶,
//
// whose error is O(ε²) plus rounding of order 10⁻¹⁰ here; the tolerance is
// 10⁻⁶ absolute plus 10⁻⁵ relative. f must be deterministic.
func checkGrad(t *testing.T, in []*tensor, f func(tp *tape, in []*tensor) *tensor) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	tp := &tape{p: pool{workers: 3}, grad: true}
	y := f(tp, in)
	if y.g == nil {
		t.Fatal("output has no gradient")
	}
	r := make([]float64, len(y.v))
	for i := range r {
		r[i] = rng.Float64()*2 - 1
	}
	copy(y.g, r)
	tp.backward()
	loss := func() float64 {
		y := f(&tape{p: pool{workers: 1}}, in)
		return dot(r, y.v)
	}
	const eps = 1e-6
	for k, x := range in {
		if x.g == nil {
			continue
		}
		for i := range x.v {
			v := x.v[i]
			x.v[i] = v + eps
			lp := loss()
			x.v[i] = v - eps
			lm := loss()
			x.v[i] = v
			num := (lp - lm) / (2 * eps)
			if got := x.g[i]; math.Abs(got-num) > 1e-6+1e-5*math.Abs(num) {
				t.Errorf("input %d element %d: gradient %.9g, finite difference %.9g", k, i, got, num)
			}
		}
	}
}

func TestOpGradients(t *testing.T) {
	g := smallGraph(t)
	b := mustBase(t, g)
	removed := holdOut(b, 0, 4)
	adjs := map[string]*adjacency{
		"plain":            b.build(nil, nil, false, true),
		"self-loops":       b.build(nil, nil, true, false),
		"held out+loops":   b.build(nil, removed, true, true),
		"held out, plain":  b.build(nil, removed, false, false),
		"unweighted plain": b.build(nil, nil, false, false),
	}
	rng := rand.New(rand.NewPCG(3, 4))
	n, e := g.NumNodes(), 0
	type op struct {
		name string
		in   []*tensor
		f    func(tp *tape, in []*tensor) *tensor
	}
	ops := []op{
		{"matmul", []*tensor{randTensor(rng, n, 5), randTensor(rng, 5, 3)},
			func(tp *tape, in []*tensor) *tensor { return tp.matmul(in[0], in[1]) }},
		{"addBias", []*tensor{randTensor(rng, n, 3), randTensor(rng, 1, 3)},
			func(tp *tape, in []*tensor) *tensor { return tp.addBias(in[0], in[1]) }},
		{"add", []*tensor{randTensor(rng, n, 3), randTensor(rng, n, 3)},
			func(tp *tape, in []*tensor) *tensor { return tp.add(in[0], in[1]) }},
		{"concat", []*tensor{randTensor(rng, n, 3), randTensor(rng, n, 2)},
			func(tp *tape, in []*tensor) *tensor { return tp.concat(in[0], in[1]) }},
		{"gather", []*tensor{randTensor(rng, 4, 3)},
			func(tp *tape, in []*tensor) *tensor { return tp.gather(in[0], []int32{2, -1, 0, 2, 3, 3, -1}) }},
		{"relu", []*tensor{randTensor(rng, n, 3)},
			func(tp *tape, in []*tensor) *tensor { return tp.relu(in[0]) }},
		{"elu", []*tensor{randTensor(rng, n, 3)},
			func(tp *tape, in []*tensor) *tensor { return tp.elu(in[0]) }},
		{"dropout", []*tensor{randTensor(rng, n, 4)},
			func(tp *tape, in []*tensor) *tensor { return tp.dropout(in[0], 0.4, stream(5, 6, 7)) }},
		{"l2norm", []*tensor{randTensor(rng, n, 4)},
			func(tp *tape, in []*tensor) *tensor { return tp.l2norm(in[0]) }},
		{"headDot", []*tensor{randTensor(rng, n, 6), randTensor(rng, 3, 2)},
			func(tp *tape, in []*tensor) *tensor { return tp.headDot(in[0], in[1]) }},
		{"headMean", []*tensor{randTensor(rng, n, 6)},
			func(tp *tape, in []*tensor) *tensor { return tp.headMean(in[0], 3) }},
		{"pairScore", []*tensor{randTensor(rng, n, 4), randTensor(rng, 1, 4)},
			func(tp *tape, in []*tensor) *tensor {
				return tp.pairScore(in[0], in[1], []int32{0, 1, 3, 0, 5}, []int32{4, 4, 6, 4, 0})
			}},
		{"bce", []*tensor{randTensor(rng, 6, 1)},
			func(tp *tape, in []*tensor) *tensor { return tp.bce(in[0], []float64{1, 0, 0, 1, 1, 0}) }},
		{"bce large logits", []*tensor{{r: 3, c: 1, v: []float64{40, -40, 3}, g: make([]float64, 3)}},
			func(tp *tape, in []*tensor) *tensor { return tp.bce(in[0], []float64{0, 1, 1}) }},
		{"mse", []*tensor{randTensor(rng, 6, 1)},
			func(tp *tape, in []*tensor) *tensor { return tp.mse(in[0], []float64{1, 0.2, -3, 0.5, 0.7, 0}) }},
	}
	for name, a := range adjs {
		e = a.entries()
		coef := &tensor{r: e, c: 1, v: a.coef}
		ops = append(ops,
			op{"spmm constant/" + name, []*tensor{randTensor(rng, n, 4)},
				func(tp *tape, in []*tensor) *tensor { return tp.spmm(a, coef, in[0]) }},
			op{"spmm heads/" + name, []*tensor{randTensor(rng, e, 3), randTensor(rng, n, 6)},
				func(tp *tape, in []*tensor) *tensor { return tp.spmm(a, in[0], in[1]) }},
			op{"attention/" + name, []*tensor{randTensor(rng, n, 2), randTensor(rng, n, 2)},
				func(tp *tape, in []*tensor) *tensor { return tp.attention(a, in[0], in[1], 0.2, nil) }},
		)
		if len(a.logw) > 0 {
			ops = append(ops, op{"attention weighted/" + name, []*tensor{randTensor(rng, n, 2), randTensor(rng, n, 2)},
				func(tp *tape, in []*tensor) *tensor { return tp.attention(a, in[0], in[1], 0.2, a.logw) }})
		}
	}
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) { checkGrad(t, o.in, o.f) })
	}
}

// TestAttentionRows: attention coefficients sum to one over every node's
// incoming messages, head by head.
func TestAttentionRows(t *testing.T) {
	g := smallGraph(t)
	b := mustBase(t, g)
	a := b.build(nil, nil, true, true)
	rng := rand.New(rand.NewPCG(1, 1))
	l, r := randTensor(rng, a.n, 2), randTensor(rng, a.n, 2)
	y := (&tape{p: pool{workers: 1}}).attention(a, l, r, 0.2, a.logw)
	for i := range a.n {
		for h := range 2 {
			var sum float64
			for e := a.off[i]; e < a.off[i+1]; e++ {
				sum += y.v[e*2+h]
			}
			if math.Abs(sum-1) > 1e-12 {
				t.Errorf("node %d head %d: coefficients sum to %v", i, h, sum)
			}
		}
	}
}

// TestAdjacency: holding a pair out equals building the graph without it;
// reverse entries are reverse; mean coefficients sum to one per non-empty row.
func TestAdjacency(t *testing.T) {
	g := smallGraph(t)
	b := mustBase(t, g)
	// The same graph without edge 0–4.
	bb := graphlearn.NewBuilder()
	for i := range int32(g.NumNodes()) {
		bb.Node(g.Kind(i), g.Key(i))
	}
	for e := range g.Edges() {
		if e.U == 0 && e.V == 4 {
			continue
		}
		if err := bb.AddEdge(e.U, e.V, kindOf(e.Kinds), float64(e.Weight)); err != nil {
			t.Fatal(err)
		}
	}
	b2 := mustBase(t, bb.Build())
	removed := holdOut(b, 0, 4)
	for _, self := range []bool{false, true} {
		for _, weighted := range []bool{false, true} {
			name := fmt.Sprintf("self=%v/weighted=%v", self, weighted)
			got, want := b.build(nil, removed, self, weighted), b2.build(nil, nil, self, weighted)
			reused := b.build(b.build(nil, nil, !self, !weighted), removed, self, weighted)
			got.newIdx, want.newIdx, reused.newIdx = nil, nil, nil
			if fmt.Sprint(reused) != fmt.Sprint(got) {
				t.Errorf("%s: adjacency built into another's buffers\n%v\nwant\n%v", name, reused, got)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: held-out adjacency\n%v\nwant\n%v", name, got, want)
			}
			for i := range got.n {
				var sum float64
				for e := got.off[i]; e < got.off[i+1]; e++ {
					r := got.rev[e]
					if got.src[r] != int32(i) || got.rev[r] != int32(e) {
						t.Errorf("%s: entry %d (%d→%d) has reverse %d (%d→?)", name, e, got.src[e], i, r, got.src[r])
					}
					sum += got.coef[e]
				}
				if got.off[i+1] > got.off[i] && math.Abs(sum-1) > 1e-12 {
					t.Errorf("%s: node %d mean coefficients sum to %v", name, i, sum)
				}
			}
		}
	}
}

// kindOf returns one kind of a set, for rebuilding a graph in tests.
func kindOf(s graphlearn.EdgeSet) graphlearn.EdgeKind {
	for k := range graphlearn.EdgeKind(8) {
		if s.Has(k) {
			return k
		}
	}
	return 0
}
