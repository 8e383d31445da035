package gnn

import (
	"fmt"
	"math"
	"slices"

	"github.com/zoograph/zoograph/graphlearn"
)

// adjacency is the message-passing structure of one forward pass: the
// incoming messages of every node, in compressed sparse rows. Entry e of row
// i, e ∈ [off[i], off[i+1]), is the message src[e] → i. The graph is
// undirected, so every message has a reverse; rev[e] is the entry of the
// message i → src[e] in row src[e] (a self-loop is its own reverse). With
// rev, a backward pass that scatters into message sources walks rows too,
// so it parallelises over nodes like the forward pass.
type adjacency struct {
	n    int
	off  []int
	src  []int32
	rev  []int32
	coef []float64 // GraphSAGE's mean coefficient of each message
	logw []float64 // log of the coefficient, weighted GAT's attention bias

	newIdx []int32 // scratch for build
}

func (a *adjacency) entries() int { return len(a.src) }

// base is the graph's adjacency before self-loops and holdout: the rows of
// [graphlearn.Graph.CSR], with the reverse of every entry.
type base struct {
	g    *graphlearn.Graph
	off  []int64
	nbrs []int32
	w    []float32
	rev  []int
}

func newBase(g *graphlearn.Graph) (*base, error) {
	off, nbrs, w := g.CSR()
	if len(nbrs)+g.NumNodes() > math.MaxInt32 {
		return nil, fmt.Errorf("%w: %d edges is too many", ErrInput, g.NumEdges())
	}
	b := &base{g: g, off: off, nbrs: nbrs, w: w, rev: make([]int, len(nbrs))}
	for i := range int32(g.NumNodes()) {
		for p := off[i]; p < off[i+1]; p++ {
			b.rev[p] = b.find(i, nbrs[p])
		}
	}
	return b, nil
}

// find returns the entry of message u → v (v's row, neighbour u), or −1.
func (b *base) find(u, v int32) int {
	lo, hi := b.off[v], b.off[v+1]
	if j, ok := slices.BinarySearch(b.nbrs[lo:hi], u); ok {
		return int(lo) + j
	}
	return -1
}

// build returns the adjacency without the entries marked in removed (nil:
// none), reusing the buffers of into (which may be nil), with a self-loop first in every row when selfLoops is set. The
// mean coefficient of the entry u → i is w(u,i)/Σ_x w(x,i) when weighted
// and 1/deg(i) otherwise; self-loops weigh 1. With self-loops and weights
// (weighted GAT) logw holds the coefficients' logarithms, else nothing:
// added to attention logits, they multiply the attention coefficients by
// the edge weights (the row's normaliser cancels in the softmax).
func (b *base) build(into *adjacency, removed []bool, selfLoops, weighted bool) *adjacency {
	n := b.g.NumNodes()
	a := into
	if a == nil {
		m := len(b.nbrs)
		if selfLoops {
			m += n
		}
		a = &adjacency{off: make([]int, n+1), src: make([]int32, 0, m), coef: make([]float64, 0, m),
			logw: make([]float64, 0, m), rev: make([]int32, 0, m), newIdx: make([]int32, len(b.nbrs))}
	}
	a.n = n
	a.src, a.coef, a.logw, a.rev = a.src[:0], a.coef[:0], a.logw[:0], a.rev[:0]
	// newIdx maps a base entry to its index in a, or −1 if removed.
	newIdx := a.newIdx
	for i := range n {
		start := len(a.src)
		var sum float64
		if selfLoops {
			a.src = append(a.src, int32(i))
			a.coef = append(a.coef, 1)
			sum++
		}
		for p := b.off[i]; p < b.off[i+1]; p++ {
			if removed != nil && removed[p] {
				newIdx[p] = -1
				continue
			}
			newIdx[p] = int32(len(a.src))
			a.src = append(a.src, b.nbrs[p])
			w := 1.0
			if weighted {
				w = float64(b.w[p])
			}
			a.coef = append(a.coef, w)
			sum += w
		}
		for e := start; e < len(a.src); e++ {
			a.coef[e] /= sum
		}
		if selfLoops && weighted {
			for _, c := range a.coef[start:] {
				a.logw = append(a.logw, math.Log(c))
			}
		}
		a.off[i+1] = len(a.src)
	}
	a.rev = slices.Grow(a.rev[:0], len(a.src))[:len(a.src)]
	for i := range n {
		e := a.off[i]
		if selfLoops {
			a.rev[e] = int32(e)
		}
		for p := b.off[i]; p < b.off[i+1]; p++ {
			if k := newIdx[p]; k >= 0 {
				a.rev[k] = newIdx[b.rev[p]]
			}
		}
	}
	return a
}
