package node2vec

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"

	"github.com/zoograph/zoograph/graphlearn"
	"github.com/zoograph/zoograph/graphlearn/internal/graphtest"
)

func walkOptions(length, perNode int, p, q float64, plus bool) Options {
	o := DefaultOptions()
	o.WalkLength, o.WalksPerNode, o.P, o.Q, o.Plus = length, perNode, p, q, plus
	o.Workers = 2
	o.Seed = 2024
	return o
}

func TestWalksAreWalks(t *testing.T) {
	g := paperGraph(t, 3)
	b := graphlearn.NewBuilder()
	// A graph with an isolated node: its walks stop at once.
	a := b.Node(graphlearn.NodeModel, "a")
	d := b.Node(graphlearn.NodeDataset, "d")
	b.Node(graphlearn.NodeDataset, "lonely")
	graphtest.MustAddEdge(t, b, a, d, graphlearn.EdgeFinetune, 1)
	withIsolated := b.Build()

	for _, tc := range []struct {
		name string
		g    *graphlearn.Graph
		opt  Options
	}{
		{"paper graph, node2vec", g, walkOptions(10, 3, 0.5, 2, false)},
		{"paper graph, node2vec+", g, walkOptions(7, 2, 2, 0.5, true)},
		{"paper graph, first order", g, walkOptions(5, 1, 1, 1, false)},
		{"isolated node", withIsolated, walkOptions(4, 3, 1, 1, false)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Walks(context.Background(), tc.g, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			n := tc.g.NumNodes()
			if got, want := c.NumWalks(), n*tc.opt.WalksPerNode; got != want {
				t.Fatalf("NumWalks() = %d, want %d", got, want)
			}
			starts := make([]int, n)
			for i := range c.NumWalks() {
				w := c.Walk(i)
				starts[w[0]]++
				want := tc.opt.WalkLength
				if tc.g.Degree(w[0]) == 0 {
					want = 1
				}
				if len(w) != want {
					t.Fatalf("walk %d has %d nodes, want %d: %v", i, len(w), want, w)
				}
				for j := 1; j < len(w); j++ {
					if _, ok := tc.g.Weight(w[j-1], w[j]); !ok {
						t.Fatalf("walk %d steps %d → %d, which is not an edge", i, w[j-1], w[j])
					}
				}
				// Round r starts every node once.
				if r, k := i/n, i%n; k == n-1 {
					for v, s := range starts {
						if s != r+1 {
							t.Fatalf("after round %d node %d started %d walks", r, v, s)
						}
					}
				}
			}
			if c.Negatives != tc.g {
				t.Errorf("corpus negatives are not the graph")
			}
		})
	}
}

func TestWalksReproducible(t *testing.T) {
	g := paperGraph(t, 4)
	base := walkOptions(10, 2, 0.5, 2, true)
	run := func(workers int, seed uint64) *Corpus {
		o := base
		o.Workers, o.Seed = workers, seed
		c, err := Walks(context.Background(), g, o)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	one := run(1, 9)
	for _, workers := range []int{1, 2, 5} {
		if got := run(workers, 9); !slices.Equal(got.Nodes, one.Nodes) || !slices.Equal(got.Offsets, one.Offsets) {
			t.Errorf("walks with %d workers differ from walks with 1", workers)
		}
	}
	if other := run(1, 10); slices.Equal(other.Nodes, one.Nodes) {
		t.Errorf("seeds 9 and 10 gave the same walks")
	}
}

// transitionGraph is a small weighted graph with triangles, non-adjacent
// second neighbours and a loose edge, so every case of α occurs.
func transitionGraph(t *testing.T) (*graphlearn.Graph, [][]float64) {
	edges := []struct {
		u, v int32
		w    float64
	}{
		{0, 1, 1}, {0, 2, 2}, {1, 2, 0.5}, {1, 3, 3}, {2, 3, 1},
		{3, 4, 2}, {2, 4, 0.25}, {4, 5, 1.5}, {1, 4, 0.75},
	}
	b := graphlearn.NewBuilder()
	const n = 6
	for i := range n {
		b.Node(graphlearn.NodeDataset, fmt.Sprint(i))
	}
	adj := make([][]float64, n)
	for i := range adj {
		adj[i] = make([]float64, n)
	}
	for _, e := range edges {
		graphtest.MustAddEdge(t, b, e.u, e.v, graphlearn.EdgeSimilar, e.w)
		adj[e.u][e.v], adj[e.v][e.u] = e.w, e.w
	}
	return b.Build(), adj
}

// wantTransition returns P(x | t, v) for every x by the definitions in the
// package documentation, from a dense adjacency matrix. t < 0 means a first
// step.
func wantTransition(adj [][]float64, t, v int, p, q float64, plus bool, gamma float64) []float64 {
	n := len(adj)
	thr := make([]float64, n)
	for u := range n {
		var sum, ss float64
		var deg int
		for _, w := range adj[u] {
			if w > 0 {
				sum += w
				deg++
			}
		}
		mean := sum / float64(deg)
		for _, w := range adj[u] {
			if w > 0 {
				ss += (w - mean) * (w - mean)
			}
		}
		thr[u] = max(0, mean+gamma*sqrt(ss/float64(deg)))
	}
	probs := make([]float64, n)
	var total float64
	for x := range n {
		wvx := adj[v][x]
		if wvx == 0 {
			continue
		}
		a := 1.0
		switch {
		case t < 0:
		case x == t:
			a = 1 / p
		case !plus && adj[t][x] > 0:
			a = 1
		case !plus:
			a = 1 / q
		case adj[t][x] > 0 && adj[t][x] >= thr[x]:
			a = 1
		case wvx < thr[v]:
			a = min(1, 1/q)
		default:
			a = 1/q + (1-1/q)*adj[t][x]/thr[x]
		}
		probs[x] = a * wvx
		total += probs[x]
	}
	for x := range probs {
		probs[x] /= total
	}
	return probs
}

func sqrt(x float64) float64 {
	// Newton's method keeps this test independent of the code under test's math.
	if x == 0 {
		return 0
	}
	z := x
	for range 60 {
		z = (z + x/z) / 2
	}
	return z
}

// chi2Crit are the critical values of χ² at significance 10⁻⁴, by degrees
// of freedom.
var chi2Crit = []float64{0, 15.14, 18.42, 21.11, 23.51, 25.74}

// TestTransitionProbabilities checks walk statistics against the exact
// second-order transition probabilities with a χ² goodness-of-fit test per
// (previous, current) state, at significance 10⁻⁴ with a fixed seed.
func TestTransitionProbabilities(t *testing.T) {
	g, adj := transitionGraph(t)
	n := len(adj)
	for _, tc := range []struct {
		p, q  float64
		plus  bool
		gamma float64
	}{
		{0.5, 2, false, 0},
		{4, 0.25, false, 0},
		{0.5, 2, true, 0},
		{4, 0.25, true, 0},
		{1, 0.3, true, 0.5},
		{1, 1, false, 0},
	} {
		t.Run(fmt.Sprintf("p=%v,q=%v,plus=%v,gamma=%v", tc.p, tc.q, tc.plus, tc.gamma), func(t *testing.T) {
			o := walkOptions(20, 4000, tc.p, tc.q, tc.plus)
			o.Gamma = tc.gamma
			c, err := Walks(context.Background(), g, o)
			if err != nil {
				t.Fatal(err)
			}
			// counts[t+1][v][x]; t = −1 is the first step.
			counts := make([][][]float64, n+1)
			for i := range counts {
				counts[i] = make([][]float64, n)
				for v := range counts[i] {
					counts[i][v] = make([]float64, n)
				}
			}
			for i := range c.NumWalks() {
				w := c.Walk(i)
				counts[0][w[0]][w[1]]++
				for j := 2; j < len(w); j++ {
					counts[w[j-2]+1][w[j-1]][w[j]]++
				}
			}
			tested := 0
			for prev := -1; prev < n; prev++ {
				for v := range n {
					if prev >= 0 && adj[prev][v] == 0 {
						continue
					}
					obs := counts[prev+1][v]
					var total float64
					for _, x := range obs {
						total += x
					}
					if total < 1000 {
						continue
					}
					want := wantTransition(adj, prev, v, tc.p, tc.q, tc.plus, tc.gamma)
					var chi2 float64
					df := -1
					for x := range n {
						e := want[x] * total
						if e == 0 {
							if obs[x] != 0 {
								t.Fatalf("%d→%d→%d has probability 0 but occurred %v times", prev, v, x, obs[x])
							}
							continue
						}
						chi2 += (obs[x] - e) * (obs[x] - e) / e
						df++
					}
					if df > 0 && chi2 > chi2Crit[df] {
						t.Errorf("state (%d→%d): χ² = %.1f with %d df > %.2f; observed %v, expected probabilities %.4f",
							prev, v, chi2, df, chi2Crit[df], obs, want)
					}
					tested++
				}
			}
			if tested < 2*g.NumEdges() {
				t.Errorf("only %d states had enough transitions to test", tested)
			}
		})
	}
}

// TestPlusEqualsNode2vecUnweighted: node2vec+ reduces to node2vec when all
// edges weigh the same, so the same seed gives the same walks.
func TestPlusEqualsNode2vecUnweighted(t *testing.T) {
	unweighted, _ := plantedPartition(t, 3, 20, 0.4, 0.05, 5)
	weighted, _ := transitionGraph(t)
	for _, pq := range [][2]float64{{0.5, 2}, {2, 0.5}, {1, 1}, {0.25, 4}} {
		run := func(g *graphlearn.Graph, plus bool) []int32 {
			c, err := Walks(context.Background(), g, walkOptions(12, 5, pq[0], pq[1], plus))
			if err != nil {
				t.Fatal(err)
			}
			return c.Nodes
		}
		if !slices.Equal(run(unweighted, false), run(unweighted, true)) {
			t.Errorf("p=%v q=%v: node2vec+ walks differ from node2vec walks on an unweighted graph", pq[0], pq[1])
		}
		if pq != [2]float64{1, 1} && slices.Equal(run(weighted, false), run(weighted, true)) {
			t.Errorf("p=%v q=%v: node2vec+ walks equal node2vec walks on a weighted graph", pq[0], pq[1])
		}
	}
}

// TestExtremeBiasesFinish: with p = 10⁶ and q = 10⁻⁶ a walk that reaches a
// leaf can only return, which rejection accepts with probability 10⁻¹²;
// the step falls back to the exact distribution instead of spinning (before
// the fallback this test never ended).
func TestExtremeBiasesFinish(t *testing.T) {
	b := graphlearn.NewBuilder()
	m := b.Node(graphlearn.NodeModel, "m")
	for _, k := range []string{"d1", "d2", "d3"} {
		graphtest.MustAddEdge(t, b, m, b.Node(graphlearn.NodeDataset, k), graphlearn.EdgeFinetune, 1)
	}
	g := b.Build()
	for _, plus := range []bool{false, true} {
		o := walkOptions(6, 5, 1e6, 1e-6, plus)
		c, err := Walks(context.Background(), g, o)
		if err != nil {
			t.Fatal(err)
		}
		// A star: every second step from a leaf returns to the centre, and
		// from the centre the walk avoids going back (1/p ≪ 1/q).
		for i := range c.NumWalks() {
			w := c.Walk(i)
			for j := 2; j < len(w); j++ {
				if w[j-1] != m && w[j] != m {
					t.Fatalf("plus=%v: walk %v leaves leaf %d for %d", plus, w, w[j-1], w[j])
				}
				if w[j-1] == m && w[j] == w[j-2] {
					t.Fatalf("plus=%v: walk %v returns from the centre to %d against 1/p = 10⁻⁶", plus, w, w[j])
				}
			}
		}
	}
}

// TestExactStep checks the fallback of a step, inversion over the row,
// against the exact transition probabilities with a χ² test per state, at
// significance 10⁻⁴ with a fixed seed.
func TestExactStep(t *testing.T) {
	g, adj := transitionGraph(t)
	n := len(adj)
	for _, tc := range []struct {
		p, q float64
		plus bool
	}{
		{0.5, 2, false}, {4, 0.25, true}, {1e6, 1e-6, false}, {1e-3, 1e3, true},
	} {
		o := walkOptions(2, 1, tc.p, tc.q, tc.plus)
		w, err := newWalker(context.Background(), g, o, 1)
		if err != nil {
			t.Fatal(err)
		}
		r := stream(7, domainWalk, 0)
		for prev := range n {
			for v := range n {
				if adj[prev][v] == 0 {
					continue
				}
				const draws = 20000
				obs := make([]float64, n)
				for range draws {
					obs[w.exactStep(int32(prev), int32(v), &r)]++
				}
				want := wantTransition(adj, prev, v, tc.p, tc.q, tc.plus, 0)
				var chi2 float64
				df := -1
				for x := range n {
					e := want[x] * draws
					if want[x] == 0 {
						if obs[x] != 0 {
							t.Fatalf("%+v: %d→%d→%d has probability 0 but occurred %v times", tc, prev, v, x, obs[x])
						}
						continue
					}
					chi2 += (obs[x] - e) * (obs[x] - e) / e
					df++
				}
				if df > 0 && chi2 > chi2Crit[df] {
					t.Errorf("%+v: state (%d→%d): χ² = %.1f with %d df > %.2f; observed %v, expected probabilities %.4f",
						tc, prev, v, chi2, df, chi2Crit[df], obs, want)
				}
			}
		}
	}
}

// TestWalksGOMAXPROCS: with Workers = 0 walks run on GOMAXPROCS goroutines,
// and the corpus must not depend on it.
func TestWalksGOMAXPROCS(t *testing.T) {
	g := paperGraph(t, 5)
	o := walkOptions(10, 3, 0.5, 2, true)
	o.Workers = 0
	run := func(procs int) []int32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		c, err := Walks(context.Background(), g, o)
		if err != nil {
			t.Fatal(err)
		}
		return c.Nodes
	}
	want := run(1)
	for _, procs := range []int{2, 4} {
		if !slices.Equal(run(procs), want) {
			t.Errorf("GOMAXPROCS %d: walks differ from GOMAXPROCS 1", procs)
		}
	}
}
