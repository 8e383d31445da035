package graphlearn

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
)

// Errors returned by [Builder] methods, wrapped with the offending values.
var (
	// ErrNode reports a node id that the builder never returned.
	ErrNode = errors.New("graphlearn: no such node")
	// ErrSelfLoop reports an edge or negative pair from a node to itself.
	ErrSelfLoop = errors.New("graphlearn: self-loop")
	// ErrWeight reports an edge weight that is not finite and positive.
	ErrWeight = errors.New("graphlearn: edge weight must be finite and > 0")
	// ErrEdgeKind reports an unknown edge kind, or one whose endpoints are of
	// the wrong node kinds (e.g. EdgeSimilar between a model and a dataset).
	ErrEdgeKind = errors.New("graphlearn: bad edge kind")
	// ErrNodeKey reports an unknown node kind or an empty key given to Node.
	ErrNodeKey = errors.New("graphlearn: bad node")
)

const (
	// maxNodes bounds the node count so that ids fit int32.
	maxNodes = math.MaxInt32
	// maxPairs bounds the edges and negative pairs added, so that Build can
	// pack an edge index into 32 bits.
	maxPairs int64 = math.MaxUint32
)

// Builder accumulates nodes, edges and negative pairs and freezes them into a
// [Graph]. The zero Builder is not usable; call [NewBuilder]. A Builder is not
// safe for concurrent use. It may keep being used after Build; later graphs
// include everything added so far.
type Builder struct {
	kinds []NodeKind
	keys  []string
	index map[nodeKey]int32

	eu, ev []int32
	ew     []float64
	ek     []EdgeKind

	nu, nv []int32

	err error // first error from Node, reported by Err
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{index: make(map[nodeKey]int32)}
}

// Node returns the id of the node of the given kind and key, adding it on first
// use. Ids are dense and assigned in insertion order, so the same call sequence
// always gives the same ids. An unknown kind, an empty key, or more than
// 2³¹−1 nodes returns −1 and records an error for [Builder.Err]; −1 is then
// rejected by AddEdge and AddNegative.
func (b *Builder) Node(kind NodeKind, key string) int32 {
	if !kind.Valid() || key == "" {
		if b.err == nil {
			b.err = fmt.Errorf("%w: kind %v, key %q", ErrNodeKey, kind, key)
		}
		return -1
	}
	k := nodeKey{kind, key}
	if id, ok := b.index[k]; ok {
		return id
	}
	if len(b.kinds) >= maxNodes {
		if b.err == nil {
			b.err = fmt.Errorf("%w: more than %d nodes", ErrNodeKey, maxNodes)
		}
		return -1
	}
	id := int32(len(b.kinds))
	b.kinds = append(b.kinds, kind)
	b.keys = append(b.keys, key)
	b.index[k] = id
	return id
}

// NumNodes returns the number of nodes added so far.
func (b *Builder) NumNodes() int { return len(b.kinds) }

// Err returns the first error recorded by [Builder.Node], or nil.
func (b *Builder) Err() error { return b.err }

func (b *Builder) checkNode(i int32) error {
	if i < 0 || int(i) >= len(b.kinds) {
		return fmt.Errorf("%w: id %d (have %d nodes)", ErrNode, i, len(b.kinds))
	}
	return nil
}

// checkPair reports an unknown id among u and v, or u == v, for an edge or a
// negative pair (what).
func (b *Builder) checkPair(u, v int32, what string) error {
	if err := b.checkNode(u); err != nil {
		return err
	}
	if err := b.checkNode(v); err != nil {
		return err
	}
	if u == v {
		return fmt.Errorf("%w: %s %d–%d (%s)", ErrSelfLoop, what, u, v, b.keys[u])
	}
	return nil
}

// AddEdge adds the undirected edge {u,v} of the given kind and weight. The
// weight must be finite and positive, u ≠ v, and the endpoint kinds must match
// the edge kind (model–dataset for EdgeFinetune, EdgeTrainedOn and
// EdgeTransfer; dataset–dataset for EdgeSimilar; model–model for EdgeLineage).
// Adding the same pair again is allowed: [Builder.Build] merges parallel edges
// by summing their weights and uniting their kinds.
func (b *Builder) AddEdge(u, v int32, kind EdgeKind, weight float64) error {
	if err := b.checkPair(u, v, "edge"); err != nil {
		return err
	}
	if !kind.Valid() {
		return fmt.Errorf("%w: %v", ErrEdgeKind, kind)
	}
	want1, want2 := kind.endpoints()
	k1, k2 := b.kinds[u], b.kinds[v]
	if (k1 != want1 || k2 != want2) && (k1 != want2 || k2 != want1) {
		return fmt.Errorf("%w: %v edge needs %v–%v, got %v %q – %v %q",
			ErrEdgeKind, kind, want1, want2, k1, b.keys[u], k2, b.keys[v])
	}
	if !(weight > 0) || math.IsInf(weight, 0) {
		return fmt.Errorf("%w: %v edge %q–%q has weight %v", ErrWeight, kind, b.keys[u], b.keys[v], weight)
	}
	if int64(len(b.eu)) >= maxPairs {
		return fmt.Errorf("graphlearn: more than %d edges", maxPairs)
	}
	b.eu = append(b.eu, u)
	b.ev = append(b.ev, v)
	b.ew = append(b.ew, weight)
	b.ek = append(b.ek, kind)
	return nil
}

// AddNegative records {u,v} as a negative pair. Negative pairs are kept beside
// the graph, never walked, and de-duplicated by Build. It returns an error for
// an unknown id or u == v; callers that validated their ids may ignore it.
func (b *Builder) AddNegative(u, v int32) error {
	if err := b.checkPair(u, v, "negative pair"); err != nil {
		return err
	}
	if int64(len(b.nu)) >= maxPairs {
		return fmt.Errorf("graphlearn: more than %d negative pairs", maxPairs)
	}
	b.nu = append(b.nu, u)
	b.nv = append(b.nv, v)
	return nil
}

// Build freezes everything added so far into a Graph. Rows are sorted by
// neighbour id; parallel edges are merged (weights summed in insertion order,
// kinds united); negative pairs are symmetrised and de-duplicated. Build runs
// in O(n + m log d) time for n nodes, m added edges and maximum degree d.
func (b *Builder) Build() *Graph {
	n := len(b.kinds)
	g := &Graph{
		kinds: slices.Clone(b.kinds),
		keys:  slices.Clone(b.keys),
		index: make(map[nodeKey]int32, n),
	}
	maps.Copy(g.index, b.index)

	// Edges: bucket both directions by source, each entry packed as
	// neighbour<<32 | edge index so that sorting a row orders it by neighbour
	// and, among parallel edges, by insertion.
	off, rows := bucket(n, b.eu, b.ev)
	g.off = make([]int64, n+1)
	m := len(rows)
	g.nbrs = make([]int32, 0, m)
	g.weights = make([]float32, 0, m)
	g.ekinds = make([]EdgeSet, 0, m)
	for i := range n {
		row := rows[off[i]:off[i+1]]
		slices.Sort(row)
		for j := 0; j < len(row); {
			v := int32(row[j] >> 32)
			var w float64
			var ks EdgeSet
			for ; j < len(row) && int32(row[j]>>32) == v; j++ {
				e := uint32(row[j])
				w += b.ew[e]
				ks |= Of(b.ek[e])
			}
			g.nbrs = append(g.nbrs, v)
			g.weights = append(g.weights, float32(min(w, math.MaxFloat32)))
			g.ekinds = append(g.ekinds, ks)
		}
		g.off[i+1] = int64(len(g.nbrs))
	}
	g.numEdges = len(g.nbrs) / 2
	for _, w := range g.weights {
		if w != g.weights[0] {
			g.weighted = true
			break
		}
	}

	// Negative pairs, symmetric and de-duplicated.
	noff, nrows := bucket(n, b.nu, b.nv)
	g.negOff = make([]int64, n+1)
	g.negs = make([]int32, 0, len(nrows))
	for i := range n {
		row := nrows[noff[i]:noff[i+1]]
		slices.Sort(row)
		last := int32(-1)
		for _, x := range row {
			if v := int32(x >> 32); v != last {
				g.negs = append(g.negs, v)
				last = v
			}
		}
		g.negOff[i+1] = int64(len(g.negs))
	}
	return g
}

// bucket groups the pairs {us[e], vs[e]} by endpoint, both directions: row i
// of the result, entries[off[i]:off[i+1]], holds other<<32 | e for every pair
// e touching i. It is a counting sort, O(n + len(us)).
func bucket(n int, us, vs []int32) (off []int64, entries []uint64) {
	off = make([]int64, n+1)
	for e := range us {
		off[us[e]+1]++
		off[vs[e]+1]++
	}
	for i := range n {
		off[i+1] += off[i]
	}
	next := slices.Clone(off[:n])
	entries = make([]uint64, 2*len(us))
	for e := range us {
		u, v := us[e], vs[e]
		entries[next[u]] = uint64(v)<<32 | uint64(uint32(e))
		next[u]++
		entries[next[v]] = uint64(u)<<32 | uint64(uint32(e))
		next[v]++
	}
	return off, entries
}
