package node2vec

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zoograph/zoograph/graphlearn"
	"github.com/zoograph/zoograph/graphlearn/internal/graphtest"
)

func TestOptionsValidation(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Options)
		field  string
	}{
		{"zero dim", func(o *Options) { o.Dim = 0 }, "Dim"},
		{"huge dim", func(o *Options) { o.Dim = 1 << 20 }, "Dim"},
		{"walk of one node", func(o *Options) { o.WalkLength = 1 }, "WalkLength"},
		{"no walks", func(o *Options) { o.WalksPerNode = 0 }, "WalksPerNode"},
		{"zero window", func(o *Options) { o.Window = 0 }, "Window"},
		{"no negatives", func(o *Options) { o.Negative = 0 }, "Negative"},
		{"huge window", func(o *Options) { o.Window = 1 << 40 }, "Window"},
		{"huge negatives", func(o *Options) { o.Negative = 1 << 40 }, "Negative"},
		{"no epochs", func(o *Options) { o.Epochs = 0 }, "Epochs"},
		{"negative workers", func(o *Options) { o.Workers = -1 }, "Workers"},
		{"zero p", func(o *Options) { o.P = 0 }, "P"},
		{"NaN p", func(o *Options) { o.P = math.NaN() }, "P"},
		{"infinite q", func(o *Options) { o.Q = math.Inf(1) }, "Q"},
		{"negative q", func(o *Options) { o.Q = -1 }, "Q"},
		{"NaN gamma", func(o *Options) { o.Gamma = math.NaN() }, "Gamma"},
		{"zero learning rate", func(o *Options) { o.LearningRate = 0 }, "LearningRate"},
		{"min above start", func(o *Options) { o.MinLearningRate = 1 }, "MinLearningRate"},
		{"negative min", func(o *Options) { o.MinLearningRate = -1e-3 }, "MinLearningRate"},
		{"graph negatives > 1", func(o *Options) { o.GraphNegatives = 1.5 }, "GraphNegatives"},
		{"graph negatives NaN", func(o *Options) { o.GraphNegatives = math.NaN() }, "GraphNegatives"},
	}
	g := paperGraph(t, 1)
	ctx := context.Background()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			tc.mutate(&o)
			_, werr := Walks(ctx, g, o)
			_, eerr := Embed(ctx, g, o)
			_, terr := Train(ctx, &Corpus{Nodes: []int32{0, 1}, Offsets: []int64{0, 2}}, 2, o)
			for _, err := range []error{werr, eerr, terr} {
				if !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), tc.field+" =") {
					t.Errorf("got error %v, want ErrOptions naming %s", err, tc.field)
				}
			}
		})
	}
	if err := DefaultOptions().Validate(); err != nil {
		t.Errorf("DefaultOptions() is invalid: %v", err)
	}
}

func TestBadInputs(t *testing.T) {
	ctx := context.Background()
	o := DefaultOptions()
	empty := graphlearn.NewBuilder().Build()
	if _, err := Embed(ctx, empty, o); err == nil {
		t.Errorf("Embed on an empty graph succeeded")
	}
	if _, err := Walks(ctx, nil, o); err == nil {
		t.Errorf("Walks on a nil graph succeeded")
	}
	nb := graphlearn.NewBuilder()
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		nb.Node(graphlearn.NodeDataset, k)
	}
	if err := nb.AddNegative(0, 4); err != nil {
		t.Fatal(err)
	}
	negGraph := nb.Build()
	tests := []struct {
		name     string
		c        *Corpus
		numNodes int
		gneg     float64
	}{
		{"nil corpus", nil, 3, 0},
		{"no walks", &Corpus{Offsets: []int64{0}}, 3, 0},
		{"offsets not ending at len", &Corpus{Nodes: []int32{0, 1, 2}, Offsets: []int64{0, 2}}, 3, 0},
		{"offsets not starting at 0", &Corpus{Nodes: []int32{0, 1}, Offsets: []int64{1, 2}}, 3, 0},
		{"decreasing offsets", &Corpus{Nodes: []int32{0, 1, 2}, Offsets: []int64{0, 2, 1, 3}}, 3, 0},
		{"token out of range", &Corpus{Nodes: []int32{0, 3}, Offsets: []int64{0, 2}}, 3, 0},
		{"negative token", &Corpus{Nodes: []int32{0, -1}, Offsets: []int64{0, 2}}, 3, 0},
		{"no nodes", &Corpus{Nodes: []int32{0}, Offsets: []int64{0, 1}}, 0, 0},
		{"empty corpus", &Corpus{Nodes: []int32{}, Offsets: []int64{0, 0}}, 3, 0},
		{"graph negatives without source", &Corpus{Nodes: []int32{0, 1}, Offsets: []int64{0, 2}}, 3, 0.5},
		// A source of a different size: a graph of 5 nodes with negative
		// pair 0–4, for 3 or 8 nodes; a source that names node 4 of 3.
		{"negative source smaller", &Corpus{Nodes: []int32{0, 1}, Offsets: []int64{0, 2}, Negatives: negGraph}, 8, 0.5},
		{"negative source larger", &Corpus{Nodes: []int32{0, 1}, Offsets: []int64{0, 2}, Negatives: negGraph}, 3, 0.5},
		{"negative out of range", &Corpus{Nodes: []int32{0, 1}, Offsets: []int64{0, 2}, Negatives: negPairs{0: {4}}}, 3, 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			o.GraphNegatives = tc.gneg
			if _, err := Train(ctx, tc.c, tc.numNodes, o); err == nil {
				t.Errorf("Train succeeded, want an error")
			}
		})
	}
}

// negPairs is a NegativeSource from a map.
type negPairs map[int32][]int32

func (p negPairs) Negatives(i int32) []int32 { return p[i] }

func TestDivergenceIsAnError(t *testing.T) {
	g := paperGraph(t, 6)
	o := DefaultOptions()
	o.Workers, o.Epochs, o.LearningRate, o.MinLearningRate = 1, 1, 1e30, 1e30
	if _, err := Embed(context.Background(), g, o); !errors.Is(err, ErrDiverged) {
		t.Errorf("Embed with learning rate 1e30 = %v, want ErrDiverged", err)
	}
}

func TestTrainDeterministicWithOneWorker(t *testing.T) {
	g := paperGraph(t, 2)
	o := DefaultOptions()
	o.Workers, o.Epochs, o.Seed, o.GraphNegatives = 1, 2, 77, 0.3
	a, err := Embed(context.Background(), g, o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Embed(context.Background(), g, o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Vectors, b.Vectors) {
		t.Errorf("two runs with one worker and seed %d differ", o.Seed)
	}
	if a.Stats != b.Stats || a.Stats.Pairs == 0 {
		t.Errorf("stats %+v and %+v, want equal and non-zero", a.Stats, b.Stats)
	}
	if got, want := a.Stats.Tokens, int64(g.NumNodes()*o.WalksPerNode*o.WalkLength*o.Epochs); got != want {
		t.Errorf("Stats.Tokens = %d, want %d", got, want)
	}
	o.Seed++
	c, err := Embed(context.Background(), g, o)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a.Vectors, c.Vectors) {
		t.Errorf("seeds %d and %d gave the same vectors", o.Seed-1, o.Seed)
	}
	for _, x := range a.Vectors {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			t.Fatalf("vector element %v", x)
		}
	}
}

func TestCancellation(t *testing.T) {
	g := paperGraph(t, 5)
	o := DefaultOptions()
	o.Workers, o.Dim, o.Epochs = 1, 32, 3

	t.Run("before start", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Embed(ctx, g, o); !errors.Is(err, context.Canceled) {
			t.Errorf("Embed = %v, want context.Canceled", err)
		}
	})

	t.Run("mid-training", func(t *testing.T) {
		// Count the polls of Walks and of a whole training run, then cancel
		// halfway through training.
		probe := graphtest.NewPollCtx(-1)
		c, err := Walks(probe, g, o)
		if err != nil {
			t.Fatal(err)
		}
		walkPolls := probe.Polls.Load()
		probe.Polls.Store(0)
		if _, err := Train(probe, c, g.NumNodes(), o); err != nil {
			t.Fatal(err)
		}
		trainPolls := probe.Polls.Load()
		if trainPolls < 10 {
			t.Fatalf("training polled ctx only %d times", trainPolls)
		}
		ctx := graphtest.NewPollCtx(walkPolls + trainPolls/2)
		e, err := Embed(ctx, g, o)
		if !errors.Is(err, context.Canceled) || e != nil {
			t.Fatalf("Embed = %v, %v; want nil, context.Canceled", e, err)
		}
		// Training stopped at the first poll after cancellation.
		if got, want := ctx.Polls.Load(), walkPolls+trainPolls/2; got != want {
			t.Errorf("ctx polled %d times, want %d (no work after cancellation)", got, want)
		}
	})

	t.Run("many workers", func(t *testing.T) {
		big := randomGraph(t, 20_000, 100_000, 3)
		o := DefaultOptions()
		o.Workers, o.Epochs = 2, 1000 // minutes of work, cut short
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			time.Sleep(50 * time.Millisecond)
			cancel()
		}()
		start := time.Now()
		_, err := Embed(ctx, big, o)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Embed = %v, want context.Canceled", err)
		}
		t.Logf("returned %v after start", time.Since(start))
	})
}

// TestGraphNegatives: drawing negatives from the graph's negative pairs
// pushes those pairs apart.
func TestGraphNegatives(t *testing.T) {
	// Two blocks; half of the intra-block non-edges of block 0 are declared
	// negative pairs.
	g0, block := plantedPartition(t, 2, 30, 0.3, 0.02, 8)
	b := graphlearn.NewBuilder()
	for i := range g0.NumNodes() {
		b.Node(g0.Kind(int32(i)), g0.Key(int32(i)))
	}
	for e := range g0.Edges() {
		graphtest.MustAddEdge(t, b, e.U, e.V, graphlearn.EdgeSimilar, float64(e.Weight))
	}
	var negs [][2]int32
	for u := range int32(30) {
		for v := u + 1; v < 30; v++ {
			if _, ok := g0.Weight(u, v); !ok && (u+v)%2 == 0 && block[u] == block[v] {
				if err := b.AddNegative(u, v); err != nil {
					t.Fatal(err)
				}
				negs = append(negs, [2]int32{u, v})
			}
		}
	}
	g := b.Build()
	meanCos := func(gneg float64) float64 {
		o := DefaultOptions()
		o.Workers, o.Dim, o.Seed, o.GraphNegatives = 1, 32, 5, gneg
		e, err := Embed(context.Background(), g, o)
		if err != nil {
			t.Fatal(err)
		}
		var s float64
		for _, p := range negs {
			s += e.Cosine(p[0], p[1])
		}
		return s / float64(len(negs))
	}
	off, on := meanCos(0), meanCos(0.5)
	t.Logf("mean cosine of %d negative pairs: %.3f without, %.3f with graph negatives", len(negs), off, on)
	if !(on < off-0.1) {
		t.Errorf("graph negatives did not separate negative pairs: mean cosine %.3f with vs %.3f without", on, off)
	}
}

func TestOptionsJSONRoundTrip(t *testing.T) {
	want := DefaultOptions()
	want.Plus, want.Seed, want.GraphNegatives = true, 1<<63+5, 0.25
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"walks_per_node":10`) {
		t.Errorf("JSON %s lacks snake_case field walks_per_node", b)
	}
	var got Options
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("round trip = %+v, want %+v", got, want)
	}
}
