package node2vec

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"

	"github.com/zoograph/zoograph/graphlearn"
)

// NegativeSource gives the negative partners of a node; *graphlearn.Graph
// implements it.
type NegativeSource interface {
	Negatives(i int32) []int32
}

// Corpus is a set of walks over node ids 0…n−1, stored flat: walk i is
// Nodes[Offsets[i]:Offsets[i+1]]. [Walks] fills it; callers may also build
// one by hand (e.g. from walks sampled elsewhere) and pass it to [Train].
type Corpus struct {
	Nodes   []int32
	Offsets []int64 // len NumWalks()+1, Offsets[0] = 0, non-decreasing
	// Negatives, if set, supplies graph negative pairs to Train when
	// Options.GraphNegatives > 0. Walks sets it to the graph.
	Negatives NegativeSource
}

// NumWalks returns the number of walks.
func (c *Corpus) NumWalks() int { return max(0, len(c.Offsets)-1) }

// Walk returns walk i. The slice aliases the corpus.
func (c *Corpus) Walk(i int) []int32 { return c.Nodes[c.Offsets[i]:c.Offsets[i+1]] }

// check validates the corpus against n nodes.
func (c *Corpus) check(n int) error {
	if c == nil {
		return errors.New("node2vec: nil corpus")
	}
	if len(c.Nodes) == 0 {
		return errors.New("node2vec: empty corpus")
	}
	if len(c.Offsets) < 2 || c.Offsets[0] != 0 || c.Offsets[len(c.Offsets)-1] != int64(len(c.Nodes)) {
		return fmt.Errorf("node2vec: corpus offsets must run from 0 to len(Nodes) = %d over ≥ 1 walk", len(c.Nodes))
	}
	for i := 1; i < len(c.Offsets); i++ {
		if c.Offsets[i] < c.Offsets[i-1] {
			return fmt.Errorf("node2vec: corpus offsets decrease at walk %d", i-1)
		}
	}
	for i, v := range c.Nodes {
		if v < 0 || int(v) >= n {
			return fmt.Errorf("node2vec: corpus token %d is node %d, outside 0…%d", i, v, n-1)
		}
	}
	return nil
}

// Walks samples opt.WalksPerNode second-order random walks of opt.WalkLength
// nodes from every node of g (node2vec, or node2vec+ if opt.Plus), following
// the transition probabilities in the package documentation. Walks come in
// rounds: round r starts one walk from every node, in an order shuffled by
// the seed. Each walk has its own random stream derived from (Seed, walk
// index), so the corpus is identical for any number of workers.
//
// Steps are drawn by rejection: propose x with probability w(v,x)/Σw from a
// per-node alias table, accept with probability α(t,v,x)/max α. This is exact,
// needs O(m) memory instead of node2vec's O(Σ deg²) edge tables, and costs
// one draw per step when p = q = 1.
func Walks(ctx context.Context, g *graphlearn.Graph, opt Options) (*Corpus, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	if g == nil || g.NumNodes() == 0 {
		return nil, errors.New("node2vec: empty graph")
	}
	n := g.NumNodes()
	L := opt.WalkLength
	numWalks := int64(n) * int64(opt.WalksPerNode)
	if numWalks*int64(L) > math.MaxInt/2 || numWalks >= math.MaxInt32 {
		return nil, fmt.Errorf("node2vec: %d walks of %d nodes is too many", numWalks, L)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	workers := opt.workers(int(numWalks))
	w, err := newWalker(ctx, g, opt, workers)
	if err != nil {
		return nil, err
	}

	nodes := make([]int32, int(numWalks)*L)
	lengths := make([]int32, numWalks)
	// Start nodes: round r visits every node once, in a seeded order. The
	// start of walk k goes to nodes[k*L].
	for r := range opt.WalksPerNode {
		s := stream(opt.Seed, domainPerm, uint64(r))
		base := r * n
		for i := range n {
			nodes[(base+i)*L] = int32(i)
		}
		for i := n - 1; i > 0; i-- {
			j := int(s.uint64n(uint64(i + 1)))
			a, b := (base+i)*L, (base+j)*L
			nodes[a], nodes[b] = nodes[b], nodes[a]
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}

	const chunk = 512
	var next atomic.Int64
	err = parallel(ctx, workers, func(ctx context.Context, _ int) error {
		for {
			lo := next.Add(chunk) - chunk
			if lo >= numWalks {
				return nil
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			hi := min(lo+chunk, numWalks)
			for k := lo; k < hi; k += lockstep {
				w.walkGroup(nodes, lengths, int(k), int(min(k+lockstep, hi)), L, opt.Seed)
			}
		}
	})
	if err != nil {
		return nil, err
	}

	// Compact short walks (from isolated nodes) in place.
	offsets := make([]int64, numWalks+1)
	pos := int64(0)
	for k, l := range lengths {
		if pos != int64(k)*int64(L) {
			copy(nodes[pos:], nodes[int64(k)*int64(L):int64(k)*int64(L)+int64(l)])
		}
		pos += int64(l)
		offsets[k+1] = pos
	}
	return &Corpus{Nodes: nodes[:pos:pos], Offsets: offsets, Negatives: g}, nil
}

// walker holds what a walk step needs: the graph in CSR form, first-order alias
// tables (weighted graphs only) and node2vec+'s noise thresholds.
type walker struct {
	off   []int64      // row offsets: node v's row is [off[v], off[v+1])
	nbrs  []int32      // neighbours, ascending within a row
	ws    []float32    // edge weights
	alias []aliasEntry // per-row alias tables, nil if the graph is unweighted

	firstOrder bool    // p = q = 1: every α is 1, skip the rejection test
	plus       bool    // node2vec+
	ret, out   float64 // 1/p and 1/q
	maxBias    float64 // max(1, 1/p, 1/q), the rejection envelope
	thr        []float64
}

func newWalker(ctx context.Context, g *graphlearn.Graph, opt Options, workers int) (*walker, error) {
	n := g.NumNodes()
	w := &walker{
		firstOrder: opt.P == 1 && opt.Q == 1,
		plus:       opt.Plus,
		ret:        1 / opt.P,
		out:        1 / opt.Q,
	}
	w.off, w.nbrs, w.ws = g.CSR()
	w.maxBias = max(1, w.ret, w.out)
	if g.Weighted() {
		w.alias = make([]aliasEntry, len(w.nbrs))
	}
	if w.plus && !w.firstOrder {
		w.thr = make([]float64, n)
	}
	if w.alias == nil && w.thr == nil {
		return w, nil
	}
	const chunk = 4096
	var next atomic.Int64
	err := parallel(ctx, workers, func(ctx context.Context, _ int) error {
		var s aliasScratch
		for {
			lo := int(next.Add(chunk) - chunk)
			if lo >= n {
				return nil
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			for v := lo; v < min(lo+chunk, n); v++ {
				a, b := w.off[v], w.off[v+1]
				if a == b {
					continue
				}
				if w.alias != nil {
					buildAlias(w.alias[a:b], w.ws[a:b], &s)
				}
				if w.thr != nil {
					w.thr[v] = noiseThreshold(w.ws[a:b], opt.Gamma)
				}
			}
		}
	})
	return w, err
}

// noiseThreshold returns node2vec+'s threshold max(0, μ + γσ) of the weights.
func noiseThreshold(ws []float32, gamma float64) float64 {
	var sum float64
	for _, x := range ws {
		sum += float64(x)
	}
	mean := sum / float64(len(ws))
	if gamma == 0 {
		return mean
	}
	var ss float64
	for _, x := range ws {
		d := float64(x) - mean
		ss += d * d
	}
	return max(0, mean+gamma*math.Sqrt(ss/float64(len(ws))))
}

// lockstep is how many walks advance together. Their steps are
// independent, so the CPU overlaps one walk's cache misses with another's,
// which matters once the graph outgrows the caches.
const lockstep = 8

// walkGroup fills walks [lo, hi) (hi − lo ≤ lockstep) of L nodes each; walk
// k occupies nodes[k·L:(k+1)·L], starts at nodes[k·L] and draws from its own
// stream. It records each walk's length: L, or 1 from a node without
// neighbours.
func (w *walker) walkGroup(nodes, lengths []int32, lo, hi, L int, seed uint64) {
	var rs [lockstep]rng
	var walks [lockstep][]int32
	live := 0
	for k := lo; k < hi; k++ {
		dst := nodes[k*L : (k+1)*L]
		r := stream(seed, domainWalk, uint64(k))
		a, b := w.off[dst[0]], w.off[dst[0]+1]
		if a == b {
			lengths[k] = 1
			continue
		}
		lengths[k] = int32(L)
		dst[1] = w.nbrs[w.propose(a, b, &r)]
		rs[live], walks[live] = r, dst
		live++
	}
	for i := 2; i < L; i++ {
		for j, dst := range walks[:live] {
			dst[i] = w.step(dst[i-2], dst[i-1], &rs[j])
		}
	}
}

// propose draws an edge index j in row [a, b) with probability w_j/Σw.
func (w *walker) propose(a, b int64, r *rng) int64 {
	if w.alias == nil {
		return a + int64(r.intn(int(b-a)))
	}
	return a + int64(sampleAlias(w.alias[a:b], r))
}

// maxRejections is how many proposals a step rejects before it draws from
// the exact distribution instead. Rejection accepts with probability at
// least min(1, 1/p, 1/q)/max(1, 1/p, 1/q), which extreme p and q (say
// p = 10⁶, q = 10⁻⁶ at a leaf, where the only candidate is the return)
// drive so close to 0 that a step would never end. Falling back after a
// run of rejections keeps the draw exact: the rejection stage and the
// fallback both yield x with probability P(x | t, v). For p and q in
// [1/4, 4] a step needs this many rejections with probability below
// (15/16)¹⁰²⁴ ≈ 10⁻²⁹, so walks there are those of pure rejection.
const maxRejections = 1024

// step draws the node after t → v. v has at least one neighbour, t.
func (w *walker) step(t, v int32, r *rng) int32 {
	a, b := w.off[v], w.off[v+1]
	for range maxRejections {
		j := w.propose(a, b, r)
		x := w.nbrs[j]
		if w.firstOrder {
			return x
		}
		al := w.alpha(t, v, j)
		if al >= w.maxBias || r.float64()*w.maxBias < al {
			return x
		}
	}
	return w.exactStep(t, v, r)
}

// alpha is the bias of the candidate at edge index j of v's row, after t.
func (w *walker) alpha(t, v int32, j int64) float64 {
	if w.plus {
		return w.biasPlus(t, v, w.nbrs[j], w.ws[j])
	}
	return w.bias(t, w.nbrs[j])
}

// exactStep draws the node after t → v from P(x | t, v) ∝ α(t,v,x)·w(v,x)
// by inversion over v's row, in O(deg(v)·log deg(t)).
func (w *walker) exactStep(t, v int32, r *rng) int32 {
	a, b := w.off[v], w.off[v+1]
	var sum float64
	for j := a; j < b; j++ {
		sum += w.alpha(t, v, j) * float64(w.ws[j])
	}
	u := r.float64() * sum
	for j := a; j < b-1; j++ {
		if u -= w.alpha(t, v, j) * float64(w.ws[j]); u < 0 {
			return w.nbrs[j]
		}
	}
	return w.nbrs[b-1]
}

// adjacent reports whether t and x are adjacent, and w(t,x), by binary search
// in t's row.
func (w *walker) adjacent(t, x int32) (float32, bool) {
	a, b := w.off[t], w.off[t+1]
	if j, ok := slices.BinarySearch(w.nbrs[a:b], x); ok {
		return w.ws[a+int64(j)], true
	}
	return 0, false
}

// bias is node2vec's α_pq(t, x): 1/p if x = t, 1 if x is adjacent to t, else 1/q.
func (w *walker) bias(t, x int32) float64 {
	if x == t {
		return w.ret
	}
	if _, ok := w.adjacent(t, x); ok {
		return 1
	}
	return w.out
}

// biasPlus is node2vec+'s α(t, v, x) for the candidate x reached over an edge
// of weight wvx; see the package documentation.
func (w *walker) biasPlus(t, v, x int32, wvx float32) float64 {
	if x == t {
		return w.ret
	}
	tau := 0.0
	if wt, ok := w.adjacent(t, x); ok {
		wtx := float64(wt)
		if wtx >= w.thr[x] {
			return 1 // t–x is tight: x is "in"
		}
		tau = wtx / w.thr[x]
	}
	if float64(wvx) < w.thr[v] {
		return min(1, w.out) // v–x is loose: noisy edge, never favoured
	}
	return w.out + (1-w.out)*tau
}
