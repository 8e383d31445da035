package graphlearn

import (
	"fmt"
	"iter"
	"slices"
	"strings"
)

// NodeKind says what a node stands for.
type NodeKind uint8

const (
	// NodeModel is a pre-trained model, e.g. a Hugging Face model repository.
	NodeModel NodeKind = iota
	// NodeDataset is a dataset, e.g. a Hugging Face dataset or a benchmark dataset.
	NodeDataset

	numNodeKinds
)

// String returns "model" or "dataset".
func (k NodeKind) String() string {
	switch k {
	case NodeModel:
		return "model"
	case NodeDataset:
		return "dataset"
	}
	return fmt.Sprintf("NodeKind(%d)", uint8(k))
}

// Valid reports whether k is one of the defined kinds.
func (k NodeKind) Valid() bool { return k < numNodeKinds }

// EdgeKind says where an edge comes from. See the package documentation for
// the endpoints each kind connects.
type EdgeKind uint8

const (
	// EdgeFinetune joins a model and a dataset it was fine-tuned on with a
	// recorded result; the weight is typically the normalised accuracy.
	EdgeFinetune EdgeKind = iota
	// EdgeTrainedOn joins a model and the source dataset declared in its metadata.
	EdgeTrainedOn
	// EdgeSimilar joins two similar datasets; the weight is their similarity.
	EdgeSimilar
	// EdgeTransfer joins a model and a dataset with a transferability score
	// such as LogME.
	EdgeTransfer
	// EdgeLineage joins a model and its base model.
	EdgeLineage

	numEdgeKinds
)

var edgeKindNames = [numEdgeKinds]string{"finetune", "trained_on", "similar", "transfer", "lineage"}

// String returns the snake_case name of k, e.g. "trained_on".
func (k EdgeKind) String() string {
	if k < numEdgeKinds {
		return edgeKindNames[k]
	}
	return fmt.Sprintf("EdgeKind(%d)", uint8(k))
}

// Valid reports whether k is one of the defined kinds.
func (k EdgeKind) Valid() bool { return k < numEdgeKinds }

// endpoints returns the node kinds an edge of kind k joins, in either order.
func (k EdgeKind) endpoints() (NodeKind, NodeKind) {
	switch k {
	case EdgeSimilar:
		return NodeDataset, NodeDataset
	case EdgeLineage:
		return NodeModel, NodeModel
	default:
		return NodeModel, NodeDataset
	}
}

// EdgeSet is a set of edge kinds, one bit per kind. Merged parallel edges
// carry the union of their kinds.
type EdgeSet uint8

// Has reports whether k is in s.
func (s EdgeSet) Has(k EdgeKind) bool { return k < numEdgeKinds && s&(1<<k) != 0 }

// Of returns the set holding exactly k.
func Of(k EdgeKind) EdgeSet { return 1 << k }

// String lists the kinds in s joined by "|", e.g. "finetune|trained_on".
func (s EdgeSet) String() string {
	var parts []string
	for k := range numEdgeKinds {
		if s.Has(k) {
			parts = append(parts, k.String())
		}
	}
	return strings.Join(parts, "|")
}

// Edge is one undirected edge as reported by [Graph.Edges], with U < V.
type Edge struct {
	U, V   int32
	Weight float32
	Kinds  EdgeSet
}

// nodeKey identifies a node: keys are unique per kind only.
type nodeKey struct {
	kind NodeKind
	key  string
}

// Graph is an immutable undirected weighted graph in compressed sparse rows,
// with typed nodes, typed edges and negative pairs. Build one with a
// [Builder]. Node ids are 0…NumNodes()−1. Methods taking a node id panic on
// an id out of range, like a slice index; ids come from [Builder.Node] or
// [Graph.Lookup].
type Graph struct {
	kinds []NodeKind
	keys  []string
	index map[nodeKey]int32

	off     []int64   // len n+1; row i is [off[i], off[i+1])
	nbrs    []int32   // sorted ascending within each row
	weights []float32 // w(i, nbrs[j]), > 0
	ekinds  []EdgeSet

	negOff []int64 // len n+1
	negs   []int32 // sorted ascending within each row

	numEdges int
	weighted bool // some two edges differ in weight
}

// NumNodes returns the number of nodes.
func (g *Graph) NumNodes() int { return len(g.kinds) }

// NumEdges returns the number of undirected edges, parallel edges merged.
func (g *Graph) NumEdges() int { return g.numEdges }

// NumNegatives returns the number of distinct negative pairs.
func (g *Graph) NumNegatives() int { return len(g.negs) / 2 }

// Weighted reports whether edge weights differ; false means every edge has
// the same weight, so walks on g are walks on an unweighted graph.
func (g *Graph) Weighted() bool { return g.weighted }

// Kind returns the kind of node i.
func (g *Graph) Kind(i int32) NodeKind { return g.kinds[i] }

// Key returns the key of node i.
func (g *Graph) Key(i int32) string { return g.keys[i] }

// Lookup returns the id of the node of the given kind and key, and whether it
// exists. Keys are unique per kind: a model and a dataset may share a key.
func (g *Graph) Lookup(kind NodeKind, key string) (int32, bool) {
	id, ok := g.index[nodeKey{kind, key}]
	return id, ok
}

// Degree returns the number of distinct neighbours of node i.
func (g *Graph) Degree(i int32) int { return int(g.off[i+1] - g.off[i]) }

// Neighbors returns the neighbours of node i in ascending id order and the
// weights of the edges to them. The slices alias the graph: do not modify.
func (g *Graph) Neighbors(i int32) (nbrs []int32, weights []float32) {
	lo, hi := g.off[i], g.off[i+1]
	return g.nbrs[lo:hi:hi], g.weights[lo:hi:hi]
}

// CSR returns the adjacency in compressed sparse rows, for learners that
// walk it in hot loops: the neighbours of node i are nbrs[off[i]:off[i+1]],
// in ascending order, with weights weights[off[i]:off[i+1]]. The slices
// alias the graph: do not modify.
func (g *Graph) CSR() (off []int64, nbrs []int32, weights []float32) {
	return g.off, g.nbrs, g.weights
}

// EdgeKinds returns the kinds of the edges from node i, aligned with
// [Graph.Neighbors]. The slice aliases the graph: do not modify.
func (g *Graph) EdgeKinds(i int32) []EdgeSet {
	lo, hi := g.off[i], g.off[i+1]
	return g.ekinds[lo:hi:hi]
}

// Weight returns w(u,v) and whether u and v are adjacent, in O(log deg(u)).
func (g *Graph) Weight(u, v int32) (float32, bool) {
	nbrs, ws := g.Neighbors(u)
	if j, ok := slices.BinarySearch(nbrs, v); ok {
		return ws[j], true
	}
	return 0, false
}

// Negatives returns the nodes that form a negative pair with node i, in
// ascending id order. The slice aliases the graph: do not modify.
func (g *Graph) Negatives(i int32) []int32 {
	lo, hi := g.negOff[i], g.negOff[i+1]
	return g.negs[lo:hi:hi]
}

// Edges yields every undirected edge once, with U < V, in ascending (U, V) order.
func (g *Graph) Edges() iter.Seq[Edge] {
	return func(yield func(Edge) bool) {
		for u := range int32(len(g.kinds)) {
			for j := g.off[u]; j < g.off[u+1]; j++ {
				v := g.nbrs[j]
				if v <= u {
					continue
				}
				if !yield(Edge{U: u, V: v, Weight: g.weights[j], Kinds: g.ekinds[j]}) {
					return
				}
			}
		}
	}
}

// NegativePairs yields every negative pair once, as (u, v) with u < v, in
// ascending order.
func (g *Graph) NegativePairs() iter.Seq2[int32, int32] {
	return func(yield func(int32, int32) bool) {
		for u := range int32(len(g.kinds)) {
			for _, v := range g.Negatives(u) {
				if v > u && !yield(u, v) {
					return
				}
			}
		}
	}
}

// Nodes yields the ids of the nodes of the given kind in ascending order.
func (g *Graph) Nodes(kind NodeKind) iter.Seq[int32] {
	return func(yield func(int32) bool) {
		for i, k := range g.kinds {
			if k == kind && !yield(int32(i)) {
				return
			}
		}
	}
}
