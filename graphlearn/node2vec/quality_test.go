package node2vec

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/zoograph/zoograph/graphlearn"
	"github.com/zoograph/zoograph/graphlearn/internal/graphtest"
)

// TestPlantedPartitionNearestNeighbour: on a planted partition graph (4 blocks
// of 50 nodes, p_in = 0.2 ≫ p_out = 0.005) a node's nearest neighbour by
// cosine lies in its own block for at least 95% of nodes.
func TestPlantedPartitionNearestNeighbour(t *testing.T) {
	g, block := plantedPartition(t, 4, 50, 0.2, 0.005, 1)
	for _, tc := range []struct {
		name string
		mut  func(*Options)
	}{
		{"node2vec", func(*Options) {}},
		{"node2vec p=0.5 q=2", func(o *Options) { o.P, o.Q = 0.5, 2 }},
		{"node2vec+ p=1 q=0.5", func(o *Options) { o.Plus, o.Q = true, 0.5 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			o.Workers, o.Seed, o.Dim = 1, 3, 32
			tc.mut(&o)
			e, err := Embed(context.Background(), g, o)
			if err != nil {
				t.Fatal(err)
			}
			hits := 0
			for i := range int32(g.NumNodes()) {
				if block[e.Nearest(i, 1)[0]] == block[i] {
					hits++
				}
			}
			acc := float64(hits) / float64(g.NumNodes())
			t.Logf("nearest neighbour in own block: %.3f", acc)
			if acc < 0.95 {
				t.Errorf("nearest-neighbour block accuracy %.3f < 0.95", acc)
			}
		})
	}
}

// TestLinkPredictionAUC holds out 15% of the edges of a random geometric
// graph, embeds the rest, and ranks held-out edges against as many non-edges
// by cosine similarity: the AUC must be at least 0.9.
func TestLinkPredictionAUC(t *testing.T) {
	full := geometricGraph(t, 300, 0.1, 2)
	rng := rand.New(rand.NewPCG(4, 4))
	n := full.NumNodes()
	b := graphlearn.NewBuilder()
	for i := range n {
		b.Node(full.Kind(int32(i)), full.Key(int32(i)))
	}
	deg := make([]int, n)
	for i := range n {
		deg[i] = full.Degree(int32(i))
	}
	var held [][2]int32
	for e := range full.Edges() {
		// Hold out an edge unless that would isolate an endpoint.
		if rng.Float64() < 0.15 && deg[e.U] > 1 && deg[e.V] > 1 {
			held = append(held, [2]int32{e.U, e.V})
			deg[e.U]--
			deg[e.V]--
			continue
		}
		graphtest.MustAddEdge(t, b, e.U, e.V, graphlearn.EdgeSimilar, float64(e.Weight))
	}
	train := b.Build()
	var non [][2]int32
	for len(non) < len(held) {
		u, v := int32(rng.IntN(n)), int32(rng.IntN(n))
		if _, ok := full.Weight(u, v); u != v && !ok {
			non = append(non, [2]int32{u, v})
		}
	}
	for _, plus := range []bool{false, true} {
		o := DefaultOptions()
		o.Workers, o.Seed, o.Plus, o.Dim = 1, 6, plus, 32
		if plus {
			o.Q = 2
		}
		e, err := Embed(context.Background(), train, o)
		if err != nil {
			t.Fatal(err)
		}
		var pos, neg []float64
		for _, p := range held {
			pos = append(pos, e.Cosine(p[0], p[1]))
		}
		for _, p := range non {
			neg = append(neg, e.Cosine(p[0], p[1]))
		}
		got := graphtest.AUC(pos, neg)
		t.Logf("plus=%v: %d held-out edges, AUC %.4f", plus, len(held), got)
		if got < 0.9 {
			t.Errorf("plus=%v: link prediction AUC %.3f < 0.9", plus, got)
		}
	}
}

// geometricGraph places n nodes uniformly in the unit square and joins those
// closer than r, with weight 1 − d/r + 0.05: neighbourhoods overlap, so
// held-out edges are predictable from the rest of the graph.
func geometricGraph(t *testing.T, n int, r float64, seed uint64) *graphlearn.Graph {
	rng := rand.New(rand.NewPCG(seed, 21))
	xs, ys := make([]float64, n), make([]float64, n)
	b := graphlearn.NewBuilder()
	for i := range n {
		xs[i], ys[i] = rng.Float64(), rng.Float64()
		b.Node(graphlearn.NodeDataset, "g"+strconv.Itoa(i))
	}
	for u := range n {
		for v := u + 1; v < n; v++ {
			dx, dy := xs[u]-xs[v], ys[u]-ys[v]
			if d2 := dx*dx + dy*dy; d2 < r*r {
				graphtest.MustAddEdge(t, b, int32(u), int32(v), graphlearn.EdgeSimilar, 1.05-math.Sqrt(d2)/r)
			}
		}
	}
	return b.Build()
}
