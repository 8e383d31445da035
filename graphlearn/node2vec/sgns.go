package node2vec

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/zoograph/zoograph/graphlearn"
)

// Embeddings are learned node vectors (graphlearn.Embeddings: node i is
// Vectors[i*Dim:(i+1)*Dim]) and how they were trained.
type Embeddings struct {
	graphlearn.Embeddings
	// Stats describes the training run that produced the vectors.
	Stats Stats
}

// Stats counts the work of a training run.
type Stats struct {
	// Tokens is the number of centre positions visited, over all epochs.
	Tokens int64
	// Pairs is the number of positive (centre, context) pairs trained, each
	// with Options.Negative negative samples.
	Pairs int64
}

// The sigmoid σ(x) = 1/(1+e^{−x}) is read from a table over [−sigmoidMax,
// sigmoidMax] (as in word2vec); outside it σ is taken as 0 or 1, where the
// gradient (label − σ) is at most 3.4·10⁻⁴.
const (
	sigmoidMax   = 8
	sigmoidSize  = 2048
	sigmoidScale = sigmoidSize / (2 * sigmoidMax)
)

var sigmoidTable = func() (t [sigmoidSize + 1]float32) {
	for i := range t {
		x := (float64(i)/sigmoidSize*2 - 1) * sigmoidMax
		t[i] = float32(1 / (1 + math.Exp(-x)))
	}
	return t
}()

// Train learns one vector per node 0…numNodes−1 from the walks in c with
// skip-gram and negative sampling (SGNS; Mikolov et al. 2013), as word2vec
// does; see the package documentation for the objective. Only the training
// fields of opt are used (Dim, Window, Negative, Epochs, Workers,
// LearningRate, MinLearningRate, GraphNegatives, Seed), but all must be valid.
//
// Nodes that are never a centre with a context in c (absent from it, or only
// in walks of one node, as an isolated node's) keep their random initial
// vectors. Train checks ctx every few thousand pairs and returns ctx.Err()
// once it is done.
func Train(ctx context.Context, c *Corpus, numNodes int, opt Options) (*Embeddings, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	if numNodes < 1 || numNodes > math.MaxInt32 {
		return nil, fmt.Errorf("node2vec: numNodes = %d, want 1…%d", numNodes, math.MaxInt32)
	}
	if int64(numNodes)*int64(opt.Dim) > math.MaxInt/8 {
		return nil, fmt.Errorf("node2vec: %d nodes × %d dimensions is too large", numNodes, opt.Dim)
	}
	if err := c.check(numNodes); err != nil {
		return nil, err
	}
	var negOff []int64
	var negs []int32
	if opt.GraphNegatives > 0 {
		var err error
		if negOff, negs, err = graphNegatives(c.Negatives, numNodes); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t := newTrainer(c, numNodes, opt)
	t.negOff, t.negs = negOff, negs
	workers := opt.workers(c.NumWalks())
	stats := make([]Stats, workers)
	err := parallel(ctx, workers, func(ctx context.Context, w int) error {
		lo := c.NumWalks() * w / workers
		hi := c.NumWalks() * (w + 1) / workers
		return t.run(ctx, lo, hi, stream(opt.Seed, domainTrain, uint64(w)), &stats[w])
	})
	if err != nil {
		return nil, err
	}
	for _, x := range t.in {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, fmt.Errorf("%w: training diverged to %v; lower LearningRate (%v)", ErrDiverged, x, opt.LearningRate)
		}
	}
	e := &Embeddings{Embeddings: graphlearn.Embeddings{Dim: opt.Dim, Vectors: t.in}}
	for _, s := range stats {
		e.Stats.Tokens += s.Tokens
		e.Stats.Pairs += s.Pairs
	}
	return e, nil
}

// trainer is the shared state of an SGNS run. Workers update in and out
// without locks (Hogwild!, Recht et al. 2011).
type trainer struct {
	c         *Corpus
	dim       int
	window    int
	negative  int
	epochs    int
	lr, minLR float64

	in, out []float32 // input (node) and output (context) vectors, n×dim

	unigram []aliasEntry // unigram^0.75 noise distribution
	gneg    float64      // GraphNegatives
	negOff  []int64      // graph negatives in CSR form
	negs    []int32

	prefetch bool // the vectors outgrow the caches: prefetch rows
}

func newTrainer(c *Corpus, n int, opt Options) *trainer {
	t := &trainer{
		c:        c,
		dim:      opt.Dim,
		window:   opt.Window,
		negative: opt.Negative,
		epochs:   opt.Epochs,
		lr:       opt.LearningRate,
		minLR:    opt.MinLearningRate,
		in:       make([]float32, n*opt.Dim),
		out:      make([]float32, n*opt.Dim),
		gneg:     opt.GraphNegatives,
		prefetch: n*opt.Dim*4 >= prefetchMinMem,
	}
	// word2vec's initialisation: input uniform in [−0.5/d, 0.5/d), output 0.
	r := stream(opt.Seed, domainInit, 0)
	for i := range t.in {
		t.in[i] = float32((r.float64() - 0.5) / float64(opt.Dim))
	}
	// Noise distribution P(v) ∝ count(v)^0.75.
	counts := make([]float64, n)
	for _, v := range c.Nodes {
		counts[v]++
	}
	for i, x := range counts {
		counts[i] = math.Pow(x, 0.75)
	}
	t.unigram = make([]aliasEntry, n)
	buildAlias(t.unigram, counts, &aliasScratch{})
	return t
}

// graphNegatives gathers the negative partners of nodes 0…n−1 from src in
// CSR form, checking that they are nodes. A source that reports its node
// count (a *graphlearn.Graph does) must have n nodes.
func graphNegatives(src NegativeSource, n int) (off []int64, negs []int32, err error) {
	if src == nil {
		return nil, nil, errors.New("node2vec: GraphNegatives > 0 but the corpus has no negative source")
	}
	if s, ok := src.(interface{ NumNodes() int }); ok && s.NumNodes() != n {
		return nil, nil, fmt.Errorf("node2vec: the corpus's negative source has %d nodes, training has %d", s.NumNodes(), n)
	}
	off = make([]int64, n+1)
	for i := range int32(n) {
		for _, v := range src.Negatives(i) {
			if v < 0 || int(v) >= n {
				return nil, nil, fmt.Errorf("node2vec: negative partner %d of node %d is outside 0…%d", v, i, n-1)
			}
			negs = append(negs, v)
		}
		off[i+1] = int64(len(negs))
	}
	return off, negs, nil
}

// ctxEvery is how many walks a worker trains between ctx checks (≈ 4k pairs
// with the default options).
const ctxEvery = 64

// A worker samples pairs — centre, context, negatives, step size — into a
// batch, then trains the batch. Knowing the next pairs' rows lets it prefetch
// them while it works on the current pair, which matters once the vectors
// outgrow the CPU caches.
const (
	pairBatch      = 256
	prefetchAhead  = 3       // pairs
	prefetchMinMem = 2 << 20 // bytes of output vectors above which to prefetch
)

type batch struct {
	centre  []int32   // pairBatch
	alpha   []float32 // pairBatch
	ntarget []int32   // pairBatch; targets of pair p: targets[p*(K+1):][:ntarget[p]]
	targets []int32   // pairBatch×(K+1): the context, then the negatives
	n       int
}

// run trains walks [lo, hi) for all epochs with its own random stream r. The
// learning rate decays linearly over this worker's share of the work.
func (t *trainer) run(ctx context.Context, lo, hi int, r rng, st *Stats) error {
	c := t.c
	k1 := 1 + t.negative
	bt := &batch{
		centre:  make([]int32, pairBatch),
		alpha:   make([]float32, pairBatch),
		ntarget: make([]int32, pairBatch),
		targets: make([]int32, pairBatch*k1),
	}
	fs := make([]float32, k1) // in·out per target, then gradient scales
	acc := make([]float32, t.dim)
	total := float64(c.Offsets[hi]-c.Offsets[lo]) * float64(t.epochs)
	var done, pairs int64 // local, so that workers' counters share no cache line
	defer func() { st.Tokens, st.Pairs = done, pairs }()
	for range t.epochs {
		for wi := lo; wi < hi; wi++ {
			if (wi-lo)%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			walk := c.Nodes[c.Offsets[wi]:c.Offsets[wi+1]]
			alpha := float32(max(t.lr*(1-float64(done)/total), t.minLR))
			done += int64(len(walk))
			for i, u := range walk {
				b := 1 + r.intn(t.window)
				from, to := max(0, i-b), min(len(walk)-1, i+b)
				for j := from; j <= to; j++ {
					if j == i {
						continue
					}
					if bt.n == pairBatch {
						t.train(bt, fs, acc)
					}
					p := bt.n
					bt.centre[p], bt.alpha[p] = u, alpha
					v := walk[j]
					tg := bt.targets[p*k1 : p*k1+k1]
					tg[0] = v
					n := 1
					for range t.negative {
						if x := t.noise(u, &r); x != v {
							tg[n] = x
							n++
						}
					}
					bt.ntarget[p] = int32(n)
					bt.n++
				}
				pairs += int64(to - from)
			}
		}
	}
	t.train(bt, fs, acc)
	return nil
}

// train takes one SGD step per pair of the batch and empties it.
func (t *trainer) train(bt *batch, fs, acc []float32) {
	dim, k1 := t.dim, 1+t.negative
	for p := range bt.n {
		if q := p + prefetchAhead; t.prefetch && q < bt.n {
			prefetchRows(t.out, bt.targets[q*k1:q*k1+int(bt.ntarget[q])], dim)
			prefetchRows(t.in, bt.centre[q:q+1], dim)
		}
		u := bt.centre[p]
		in := t.in[int(u)*dim : int(u)*dim+dim]
		rows := bt.targets[p*k1 : p*k1+int(bt.ntarget[p])]
		f := fs[:len(rows)]
		dots(f, in, t.out, rows)
		alpha := bt.alpha[p]
		f[0] = gradScale(f[0], 1, alpha)
		for q := 1; q < len(f); q++ {
			f[q] = gradScale(f[q], 0, alpha)
		}
		pairUpdate(in, t.out, rows, f, acc)
	}
	bt.n = 0
}

// gradScale returns g = η·(label − σ(f)), the SGD step of −log σ(±f) for
// f = in·out with label 1 (positive) or 0 (negative).
func gradScale(f, label, alpha float32) float32 {
	switch {
	case f >= sigmoidMax:
		return (label - 1) * alpha
	case f > -sigmoidMax:
		return (label - sigmoidTable[int((f+sigmoidMax)*sigmoidScale)]) * alpha
	}
	return label * alpha // f ≤ −sigmoidMax, or NaN after divergence
}

// noise draws a negative sample for centre u.
func (t *trainer) noise(u int32, r *rng) int32 {
	if t.gneg > 0 {
		if negs := t.negs[t.negOff[u]:t.negOff[u+1]]; len(negs) > 0 && r.float64() < t.gneg {
			return negs[r.intn(len(negs))]
		}
	}
	return int32(sampleAlias(t.unigram, r))
}
