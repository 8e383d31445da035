package gnn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/zoograph/zoograph/graphlearn"
	"gonum.org/v1/gonum/mat"
)

// EdgeValue is a supervision triple for [EdgeRegression]: the decoder should
// predict Value for the pair (U, V). The pair need not be an edge of the
// graph.
type EdgeValue struct {
	U, V  int32
	Value float64
}

// pair is one supervision pair with the base entries of its two messages,
// or −1 when it is not an edge of the graph.
type pair struct {
	u, v      int32
	value     float64
	fwd, back int
}

// Train learns a GNN on g and returns its node embeddings and edge decoder.
//
// x holds node features, row i for node i (nil: none); NaN marks a missing
// value (see the package documentation for how inputs are prepared).
// values are the supervision triples of [EdgeRegression] and must be empty
// for [LinkPrediction], whose positive pairs are the model–dataset edges of
// g. Nothing but g, x and values enters training: a caller that holds a
// target out simply leaves its edges and values out.
//
// Train checks ctx before every epoch and returns ctx.Err() once it is
// done. The result depends on opt.Seed only, not on opt.Workers.
func Train(ctx context.Context, g *graphlearn.Graph, x mat.Matrix, values []EdgeValue, opt Options) (*Model, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	if g == nil || g.NumNodes() == 0 {
		return nil, fmt.Errorf("%w: empty graph", ErrInput)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	static, featureless, err := inputs(g, x)
	if err != nil {
		return nil, err
	}
	b, err := newBase(g)
	if err != nil {
		return nil, err
	}
	sup, err := supervision(g, b, values, opt)
	if err != nil {
		return nil, err
	}
	var negs [][2]int32
	if opt.Objective == LinkPrediction && opt.RecordedNegatives {
		for u, v := range g.NegativePairs() {
			negs = append(negs, [2]int32{u, v})
		}
	}
	if opt.Objective == LinkPrediction && opt.Negatives == 0 && len(negs) == 0 {
		return nil, fmt.Errorf("%w: objective link needs negatives: negatives = 0 and the graph records no negative pairs", ErrInput)
	}
	tr := &trainer{
		g: g, b: b, opt: opt, sup: sup, negs: negs,
		nt:   newNetwork(static, featureless, opt),
		tape: &tape{p: pool{workers: opt.workers(), minWork: minParallel}, grad: true},
		self: opt.Arch == GAT,
	}
	tr.full = b.build(nil, nil, tr.self, opt.Weighted)
	if opt.Objective == EdgeRegression {
		// Start the decoder at the mean target, so early epochs fit the
		// variation rather than the level.
		var sum float64
		for _, p := range sup {
			sum += p.value
		}
		tr.nt.decB.v[0] = sum / float64(len(sup))
	}
	for _, k := range []graphlearn.NodeKind{graphlearn.NodeModel, graphlearn.NodeDataset} {
		tr.kindNodes[k] = slices.Collect(g.Nodes(k))
	}

	m := &Model{Objective: opt.Objective, Loss: make([]float64, 0, opt.Epochs)}
	for epoch := range opt.Epochs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		loss, err := tr.epoch(epoch)
		if err != nil {
			return nil, err
		}
		m.Loss = append(m.Loss, loss)
	}

	inf := tr.tape // the last epoch's tensors are dead
	inf.reset()
	inf.grad = false
	z := tr.nt.forward(inf, tr.full, nil)
	for _, v := range z.v {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: embedding element %v; lower learning_rate (%v)", ErrDiverged, v, opt.LearningRate)
		}
	}
	m.Embeddings = Embeddings{Dim: z.c, Vectors: make([]float32, len(z.v))}
	for i, v := range z.v {
		m.Vectors[i] = float32(v)
	}
	m.z = slices.Clone(z.v) // not the arena the pass ran in
	m.w = slices.Clone(tr.nt.decW.v)
	m.b = tr.nt.decB.v[0]
	return m, nil
}

// supervision returns the training pairs: g's model–dataset edges, model
// first, for link prediction; the given triples for edge regression.
func supervision(g *graphlearn.Graph, b *base, values []EdgeValue, opt Options) ([]pair, error) {
	var sup []pair
	switch opt.Objective {
	case LinkPrediction:
		if len(values) > 0 {
			return nil, fmt.Errorf("%w: %d edge values given for objective link (it trains on the graph's model–dataset edges)", ErrInput, len(values))
		}
		for e := range g.Edges() {
			u, v := e.U, e.V
			if g.Kind(u) == g.Kind(v) {
				continue
			}
			if g.Kind(u) != graphlearn.NodeModel {
				u, v = v, u
			}
			sup = append(sup, pair{u: u, v: v, value: 1})
		}
		if len(sup) == 0 {
			return nil, fmt.Errorf("%w: objective link needs model–dataset edges; the graph has none", ErrInput)
		}
	case EdgeRegression:
		if len(values) == 0 {
			return nil, fmt.Errorf("%w: objective regression needs edge values; none given", ErrInput)
		}
		n := int32(g.NumNodes())
		for i, ev := range values {
			switch {
			case ev.U < 0 || ev.U >= n || ev.V < 0 || ev.V >= n:
				return nil, fmt.Errorf("%w: values[%d] = (%d, %d): node out of range 0…%d", ErrInput, i, ev.U, ev.V, n-1)
			case ev.U == ev.V:
				return nil, fmt.Errorf("%w: values[%d]: pair (%d, %d) is a self-loop", ErrInput, i, ev.U, ev.V)
			case math.IsNaN(ev.Value) || math.IsInf(ev.Value, 0):
				return nil, fmt.Errorf("%w: values[%d] (%q – %q) = %v, want a finite value", ErrInput, i, g.Key(ev.U), g.Key(ev.V), ev.Value)
			}
			sup = append(sup, pair{u: ev.U, v: ev.V, value: ev.Value})
		}
	}
	for i := range sup {
		p := &sup[i]
		p.fwd, p.back = b.find(p.u, p.v), -1
		if p.fwd >= 0 {
			p.back = b.rev[p.fwd]
		}
	}
	return sup, nil
}

// trainer holds the state of one training run.
type trainer struct {
	g         *graphlearn.Graph
	b         *base
	opt       Options
	sup       []pair
	negs      [][2]int32 // recorded negative pairs
	kindNodes [2][]int32
	nt        *network
	tape      *tape
	self      bool       // self-loops in message passing (GAT)
	full      *adjacency // every edge
	held      *adjacency // without the pairs held out this epoch
	removed   []bool     // scratch: base entries held out this epoch
	us, vs    []int32    // scratch: scored pairs
	targets   []float64  // scratch: their labels or values
	chosen    []int      // scratch: supervision pairs scored this epoch
	idx       []int      // scratch for pick
	seen      []bool     // scratch for pick
	picked    [][2]int32 // scratch: recorded negatives scored this epoch
}

// epoch runs one full-batch step and returns its loss. Its random choices
// (holdout split, negatives, dropout) come from the epoch's own stream.
func (tr *trainer) epoch(epoch int) (float64, error) {
	opt := tr.opt
	rng := stream(opt.Seed, domainEpoch, uint64(epoch))
	a := tr.full
	tr.chosen = tr.chosen[:0]
	if opt.Holdout > 0 {
		tr.idx = pick(rng, len(tr.sup), opt.Holdout, tr.idx, &tr.seen)
		tr.chosen = append(tr.chosen, tr.idx...)
		if tr.removed == nil {
			tr.removed = make([]bool, len(tr.b.nbrs))
		}
		clear(tr.removed)
		held := false
		for _, k := range tr.chosen {
			if p := tr.sup[k]; p.fwd >= 0 {
				tr.removed[p.fwd], tr.removed[p.back] = true, true
				held = true
			}
		}
		if held {
			tr.held = tr.b.build(tr.held, tr.removed, tr.self, opt.Weighted)
			a = tr.held
		}
	} else {
		for k := range tr.sup {
			tr.chosen = append(tr.chosen, k)
		}
	}

	tr.us, tr.vs, tr.targets = tr.us[:0], tr.vs[:0], tr.targets[:0]
	for _, k := range tr.chosen {
		p := tr.sup[k]
		tr.us, tr.vs, tr.targets = append(tr.us, p.u), append(tr.vs, p.v), append(tr.targets, p.value)
	}
	if opt.Objective == LinkPrediction {
		for _, k := range tr.chosen {
			p := tr.sup[k]
			for range opt.Negatives {
				if u, v, ok := tr.corrupt(rng, p.u, p.v); ok {
					tr.us, tr.vs, tr.targets = append(tr.us, u), append(tr.vs, v), append(tr.targets, 0)
				}
			}
		}
		negs := tr.negs
		if opt.Holdout > 0 {
			tr.idx = pick(rng, len(tr.negs), opt.Holdout, tr.idx, &tr.seen)
			tr.picked = tr.picked[:0]
			for _, k := range tr.idx {
				tr.picked = append(tr.picked, tr.negs[k])
			}
			negs = tr.picked
		}
		for _, p := range negs {
			tr.us, tr.vs, tr.targets = append(tr.us, p[0]), append(tr.vs, p[1]), append(tr.targets, 0)
		}
	}
	if len(tr.us) == 0 {
		return 0, nil
	}

	t := tr.tape
	t.reset()
	drop := stream(opt.Seed, domainDropout, uint64(epoch))
	z := tr.nt.forward(t, a, drop)
	s := tr.nt.decode(t, z, tr.us, tr.vs)
	var loss *tensor
	if opt.Objective == LinkPrediction {
		loss = t.bce(s, tr.targets)
	} else {
		loss = t.mse(s, tr.targets)
	}
	if l := loss.v[0]; math.IsNaN(l) || math.IsInf(l, 0) {
		return 0, fmt.Errorf("%w: loss %v at epoch %d; lower learning_rate (%v)", ErrDiverged, l, epoch, opt.LearningRate)
	}
	loss.g[0] = 1
	t.backward()
	tr.nt.adamW(epoch + 1)
	return loss.v[0], nil
}

// pick returns round(frac·n) distinct indices in 0…n−1 (at least one when
// n > 0 and frac > 0), in increasing order, in buf's storage; seen is
// scratch.
func pick(rng *rand.Rand, n int, frac float64, buf []int, seen *[]bool) []int {
	k := int(math.Round(frac * float64(n)))
	if frac > 0 && n > 0 {
		k = max(k, 1)
	}
	// A partial Fisher–Yates shuffle draws the k; marking them and reading
	// the marks in order sorts them.
	idx := slices.Grow(buf[:0], n)[:n]
	for i := range idx {
		idx[i] = i
	}
	marks := slices.Grow((*seen)[:0], n)[:n]
	clear(marks)
	for i := range k {
		j := i + rng.IntN(n-i)
		idx[i], idx[j] = idx[j], idx[i]
		marks[idx[i]] = true
	}
	*seen = marks
	idx = idx[:0]
	for i, m := range marks {
		if m {
			idx = append(idx, i)
		}
	}
	return idx
}

// corrupt returns a negative pair for the positive model–dataset pair
// (u, v): u or v, with probability ½ each, replaced by a uniform node of
// its kind such that the pair is not an edge. After a few failed draws it
// gives up.
func (tr *trainer) corrupt(rng *rand.Rand, u, v int32) (int32, int32, bool) {
	for range 8 {
		cu, cv := u, v
		if rng.IntN(2) == 0 {
			nodes := tr.kindNodes[tr.g.Kind(u)]
			cu = nodes[rng.IntN(len(nodes))]
		} else {
			nodes := tr.kindNodes[tr.g.Kind(v)]
			cv = nodes[rng.IntN(len(nodes))]
		}
		if _, edge := tr.g.Weight(cu, cv); !edge && cu != cv {
			return cu, cv, true
		}
	}
	return 0, 0, false
}
