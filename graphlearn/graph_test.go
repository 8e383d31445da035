package graphlearn

import (
	"errors"
	"math"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestNodeIDsStableAndPerKind(t *testing.T) {
	b := NewBuilder()
	calls := []struct {
		kind NodeKind
		key  string
		want int32
	}{
		{NodeModel, "bert-base", 0},
		{NodeDataset, "cifar100", 1},
		{NodeDataset, "bert-base", 2}, // same key, other kind: a different node
		{NodeModel, "bert-base", 0},   // again: same id
		{NodeModel, "vit", 3},
		{NodeDataset, "cifar100", 1},
	}
	for _, c := range calls {
		if got := b.Node(c.kind, c.key); got != c.want {
			t.Errorf("Node(%v, %q) = %d, want %d", c.kind, c.key, got, c.want)
		}
	}
	if err := b.Err(); err != nil {
		t.Fatalf("Err() = %v", err)
	}
	g := b.Build()
	if got, want := g.NumNodes(), 4; got != want {
		t.Fatalf("NumNodes() = %d, want %d", got, want)
	}
	for _, c := range calls {
		id, ok := g.Lookup(c.kind, c.key)
		if !ok || id != c.want {
			t.Errorf("Lookup(%v, %q) = %d, %v; want %d, true", c.kind, c.key, id, ok, c.want)
		}
		if g.Kind(id) != c.kind || g.Key(id) != c.key {
			t.Errorf("node %d = (%v, %q), want (%v, %q)", id, g.Kind(id), g.Key(id), c.kind, c.key)
		}
	}
	if _, ok := g.Lookup(NodeModel, "cifar100"); ok {
		t.Errorf("Lookup(model, cifar100) found a node; only a dataset has that key")
	}
	if got, want := slices.Collect(g.Nodes(NodeModel)), []int32{0, 3}; !slices.Equal(got, want) {
		t.Errorf("Nodes(model) = %v, want %v", got, want)
	}
}

func TestNodeRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		kind NodeKind
		key  string
	}{
		{"unknown kind", NodeKind(7), "x"},
		{"empty key", NodeModel, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBuilder()
			ok := b.Node(NodeModel, "ok")
			if got := b.Node(tc.kind, tc.key); got != -1 {
				t.Fatalf("Node(%v, %q) = %d, want -1", tc.kind, tc.key, got)
			}
			if err := b.Err(); !errors.Is(err, ErrNodeKey) {
				t.Fatalf("Err() = %v, want ErrNodeKey", err)
			}
			if err := b.AddNegative(ok, -1); !errors.Is(err, ErrNode) {
				t.Errorf("AddNegative(ok, -1) = %v, want ErrNode", err)
			}
			if got := b.NumNodes(); got != 1 {
				t.Errorf("NumNodes() = %d, want 1", got)
			}
		})
	}
}

func TestAddEdgeRejectsBadInput(t *testing.T) {
	b := NewBuilder()
	m1 := b.Node(NodeModel, "m1")
	m2 := b.Node(NodeModel, "m2")
	d1 := b.Node(NodeDataset, "d1")
	d2 := b.Node(NodeDataset, "d2")
	tests := []struct {
		name string
		u, v int32
		kind EdgeKind
		w    float64
		want error
	}{
		{"negative id", -1, d1, EdgeFinetune, 1, ErrNode},
		{"id out of range", m1, 4, EdgeFinetune, 1, ErrNode},
		{"self-loop", d1, d1, EdgeSimilar, 1, ErrSelfLoop},
		{"zero weight", m1, d1, EdgeFinetune, 0, ErrWeight},
		{"negative weight", m1, d1, EdgeFinetune, -0.5, ErrWeight},
		{"NaN weight", m1, d1, EdgeFinetune, math.NaN(), ErrWeight},
		{"+Inf weight", m1, d1, EdgeFinetune, math.Inf(1), ErrWeight},
		{"unknown kind", m1, d1, EdgeKind(9), 1, ErrEdgeKind},
		{"similar between model and dataset", m1, d1, EdgeSimilar, 1, ErrEdgeKind},
		{"finetune between datasets", d1, d2, EdgeFinetune, 1, ErrEdgeKind},
		{"lineage between model and dataset", d1, m1, EdgeLineage, 1, ErrEdgeKind},
		{"trained_on between models", m1, m2, EdgeTrainedOn, 1, ErrEdgeKind},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := b.AddEdge(tc.u, tc.v, tc.kind, tc.w); !errors.Is(err, tc.want) {
				t.Errorf("AddEdge(%d, %d, %v, %v) = %v, want %v", tc.u, tc.v, tc.kind, tc.w, err, tc.want)
			}
		})
	}
	if g := b.Build(); g.NumEdges() != 0 {
		t.Errorf("rejected edges were kept: NumEdges() = %d", g.NumEdges())
	}
	// Both endpoint orders are fine for every kind.
	good := []struct {
		u, v int32
		kind EdgeKind
	}{
		{m1, d1, EdgeFinetune}, {d1, m1, EdgeTrainedOn}, {m2, d2, EdgeTransfer},
		{d1, d2, EdgeSimilar}, {m2, m1, EdgeLineage},
	}
	for _, e := range good {
		if err := b.AddEdge(e.u, e.v, e.kind, 0.5); err != nil {
			t.Errorf("AddEdge(%d, %d, %v) = %v", e.u, e.v, e.kind, err)
		}
	}
}

func TestBuildMergesAndSorts(t *testing.T) {
	b := NewBuilder()
	d0 := b.Node(NodeDataset, "d0")
	m1 := b.Node(NodeModel, "m1")
	m2 := b.Node(NodeModel, "m2")
	d3 := b.Node(NodeDataset, "d3")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.AddEdge(m2, d3, EdgeFinetune, 0.75))
	must(b.AddEdge(m1, d0, EdgeFinetune, 0.5))
	must(b.AddEdge(d0, m1, EdgeTrainedOn, 0.25)) // parallel, other kind, reversed
	must(b.AddEdge(m1, d3, EdgeFinetune, 1))
	must(b.AddEdge(d3, d0, EdgeSimilar, 0.125))
	must(b.AddEdge(m1, d0, EdgeFinetune, 1)) // parallel, same kind
	must(b.AddNegative(m2, d0))
	must(b.AddNegative(d0, m2)) // duplicate, reversed
	must(b.AddNegative(m1, m2))
	g := b.Build()

	if got, want := g.NumEdges(), 4; got != want {
		t.Errorf("NumEdges() = %d, want %d", got, want)
	}
	type row struct {
		nbrs  []int32
		ws    []float32
		kinds []EdgeSet
		negs  []int32
	}
	want := []row{
		/* d0 */ {[]int32{m1, d3}, []float32{1.75, 0.125}, []EdgeSet{Of(EdgeFinetune) | Of(EdgeTrainedOn), Of(EdgeSimilar)}, []int32{m2}},
		/* m1 */ {[]int32{d0, d3}, []float32{1.75, 1}, []EdgeSet{Of(EdgeFinetune) | Of(EdgeTrainedOn), Of(EdgeFinetune)}, []int32{m2}},
		/* m2 */ {[]int32{d3}, []float32{0.75}, []EdgeSet{Of(EdgeFinetune)}, []int32{d0, m1}},
		/* d3 */ {[]int32{d0, m1, m2}, []float32{0.125, 1, 0.75}, []EdgeSet{Of(EdgeSimilar), Of(EdgeFinetune), Of(EdgeFinetune)}, nil},
	}
	for i, w := range want {
		id := int32(i)
		nbrs, ws := g.Neighbors(id)
		if !slices.Equal(nbrs, w.nbrs) || !slices.Equal(ws, w.ws) || !slices.Equal(g.EdgeKinds(id), w.kinds) {
			t.Errorf("row %d = %v %v %v, want %v %v %v", i, nbrs, ws, g.EdgeKinds(id), w.nbrs, w.ws, w.kinds)
		}
		if got := g.Negatives(id); !slices.Equal(got, w.negs) {
			t.Errorf("Negatives(%d) = %v, want %v", i, got, w.negs)
		}
		if got := g.Degree(id); got != len(w.nbrs) {
			t.Errorf("Degree(%d) = %d, want %d", i, got, len(w.nbrs))
		}
	}
	off, nbrs, ws := g.CSR()
	if len(off) != g.NumNodes()+1 || off[g.NumNodes()] != int64(2*g.NumEdges()) || len(nbrs) != len(ws) {
		t.Errorf("CSR() shapes: %d offsets ending at %d, %d neighbours, %d weights", len(off), off[len(off)-1], len(nbrs), len(ws))
	}
	for i := range int32(g.NumNodes()) {
		n, w := g.Neighbors(i)
		if !slices.Equal(nbrs[off[i]:off[i+1]], n) || !slices.Equal(ws[off[i]:off[i+1]], w) {
			t.Errorf("CSR() row %d differs from Neighbors(%d)", i, i)
		}
	}
	if w, ok := g.Weight(d3, m1); !ok || w != 1 {
		t.Errorf("Weight(d3, m1) = %v, %v; want 1, true", w, ok)
	}
	if _, ok := g.Weight(m1, m2); ok {
		t.Errorf("Weight(m1, m2) found an edge; there is none")
	}
	if got, want := g.EdgeKinds(d0)[0].String(), "finetune|trained_on"; got != want {
		t.Errorf("EdgeSet.String() = %q, want %q", got, want)
	}
	edges := slices.Collect(g.Edges())
	wantEdges := []Edge{
		{d0, m1, 1.75, Of(EdgeFinetune) | Of(EdgeTrainedOn)},
		{d0, d3, 0.125, Of(EdgeSimilar)},
		{m1, d3, 1, Of(EdgeFinetune)},
		{m2, d3, 0.75, Of(EdgeFinetune)},
	}
	if !slices.Equal(edges, wantEdges) {
		t.Errorf("Edges() = %v, want %v", edges, wantEdges)
	}
	var negPairs [][2]int32
	for u, v := range g.NegativePairs() {
		negPairs = append(negPairs, [2]int32{u, v})
	}
	if want := [][2]int32{{d0, m2}, {m1, m2}}; !slices.Equal(negPairs, want) {
		t.Errorf("NegativePairs() = %v, want %v", negPairs, want)
	}
	if got := g.NumNegatives(); got != 2 {
		t.Errorf("NumNegatives() = %d, want 2", got)
	}
	if !g.Weighted() {
		t.Errorf("Weighted() = false, want true")
	}
}

func TestWeightedFalseWhenAllEqual(t *testing.T) {
	b := NewBuilder()
	m := b.Node(NodeModel, "m")
	for i, k := range []string{"a", "b", "c"} {
		d := b.Node(NodeDataset, k)
		if err := b.AddEdge(m, d, EdgeFinetune, 0.5); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			if err := b.AddEdge(d, d-1, EdgeSimilar, 0.5); err != nil {
				t.Fatal(err)
			}
		}
	}
	if b.Build().Weighted() {
		t.Errorf("Weighted() = true for equal weights")
	}
}

// TestBuildMatchesReference builds random multigraphs and checks the CSR form
// against a map-based reference.
func TestBuildMatchesReference(t *testing.T) {
	for seed := range uint64(5) {
		rng := rand.New(rand.NewPCG(seed, 42))
		n := 2 + rng.IntN(60)
		b := NewBuilder()
		for i := range n {
			b.Node(NodeDataset, string(rune('A'+i%26))+string(rune('a'+i/26)))
		}
		type pair struct{ u, v int32 }
		ref := map[pair]float64{}
		neg := map[pair]bool{}
		for range rng.IntN(4 * n) {
			u, v := int32(rng.IntN(n)), int32(rng.IntN(n))
			if u == v {
				continue
			}
			w := rng.Float64() + 0.01
			if err := b.AddEdge(u, v, EdgeSimilar, w); err != nil {
				t.Fatal(err)
			}
			ref[pair{u, v}] += w
			ref[pair{v, u}] += w
			if rng.IntN(4) == 0 {
				if err := b.AddNegative(v, u); err != nil {
					t.Fatal(err)
				}
				neg[pair{u, v}], neg[pair{v, u}] = true, true
			}
		}
		g := b.Build()
		if got, want := g.NumEdges(), len(ref)/2; got != want {
			t.Fatalf("seed %d: NumEdges() = %d, want %d", seed, got, want)
		}
		for u := range int32(n) {
			nbrs, ws := g.Neighbors(u)
			if !slices.IsSorted(nbrs) {
				t.Fatalf("seed %d: row %d not sorted: %v", seed, u, nbrs)
			}
			for j, v := range nbrs {
				want, ok := ref[pair{u, v}]
				if !ok || math.Abs(float64(ws[j])-want) > 1e-5*want {
					t.Fatalf("seed %d: w(%d,%d) = %v, want %v (present %v)", seed, u, v, ws[j], want, ok)
				}
				back, _ := g.Weight(v, u)
				if back != ws[j] {
					t.Fatalf("seed %d: w(%d,%d) = %v but w(%d,%d) = %v", seed, u, v, ws[j], v, u, back)
				}
			}
			var wantNeg []int32
			for v := range int32(n) {
				if neg[pair{u, v}] {
					wantNeg = append(wantNeg, v)
				}
			}
			if got := g.Negatives(u); !slices.Equal(got, wantNeg) {
				t.Fatalf("seed %d: Negatives(%d) = %v, want %v", seed, u, got, wantNeg)
			}
		}
	}
}

func TestKindStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{NodeModel.String(), "model"},
		{NodeDataset.String(), "dataset"},
		{NodeKind(9).String(), "NodeKind(9)"},
		{EdgeFinetune.String(), "finetune"},
		{EdgeTrainedOn.String(), "trained_on"},
		{EdgeSimilar.String(), "similar"},
		{EdgeTransfer.String(), "transfer"},
		{EdgeLineage.String(), "lineage"},
		{EdgeKind(9).String(), "EdgeKind(9)"},
		{(Of(EdgeSimilar) | Of(EdgeLineage)).String(), "similar|lineage"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestImportsNothingOfOurs keeps graphlearn a leaf: stdlib and gonum only.
func TestImportsNothingOfOurs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".", "./node2vec").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/zoograph/zoograph/") && !strings.HasPrefix(p, "github.com/zoograph/zoograph/graphlearn") {
			t.Errorf("graphlearn depends on %s", p)
		}
	}
}

// BenchmarkBuild measures freezing a random graph of 100k nodes and 1M edges.
func BenchmarkBuild(b *testing.B) {
	const n, m = 100_000, 1_000_000
	bl := NewBuilder()
	for i := range n {
		kind := NodeModel
		if i%2 == 1 {
			kind = NodeDataset
		}
		bl.Node(kind, "n"+strconv.Itoa(i))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range m {
		u := int32(rng.IntN(n/2) * 2)
		v := int32(rng.IntN(n/2)*2 + 1)
		if err := bl.AddEdge(u, v, EdgeFinetune, rng.Float64()+0.1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		bl.Build()
	}
	b.ReportMetric(float64(m)*float64(b.N)/b.Elapsed().Seconds(), "edges/s")
}
