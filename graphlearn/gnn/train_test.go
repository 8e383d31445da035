package gnn

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/graphlearn"
	"github.com/zoograph/zoograph/graphlearn/internal/graphtest"
	"gonum.org/v1/gonum/mat"
)

// smallZoo is a planted zoo small enough to train in milliseconds.
func smallZoo(t testing.TB) *zoo {
	return plantedZoo(t, zooConfig{models: 40, datasets: 12, tuned: 300, heldOut: 0.2, noise: 0.1, lineage: 20, seed: 7})
}

// variants covers both layers and objectives with every optional part on:
// dropout, attention dropout, holdout, learned inputs, normalisation.
func variants() map[string]Options {
	out := map[string]Options{}
	for _, arch := range []Arch{GraphSAGE, GAT} {
		for _, obj := range []Objective{LinkPrediction, EdgeRegression} {
			o := DefaultOptions()
			o.Arch, o.Objective, o.Epochs, o.Seed = arch, obj, 15, 11
			o.Dropout, o.AttentionDropout, o.Normalize, o.Activation = 0.2, 0.1, true, ELU
			out[arch.String()+"/"+obj.String()] = o
		}
	}
	return out
}

func train(t *testing.T, z *zoo, o Options) *Model {
	t.Helper()
	var vals []EdgeValue
	if o.Objective == EdgeRegression {
		vals = z.values()
	}
	m, err := Train(context.Background(), z.g, z.x, vals, o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDeterministic(t *testing.T) {
	z := smallZoo(t)
	for name, o := range variants() {
		t.Run(name, func(t *testing.T) {
			o.Workers = 1
			a, b := train(t, z, o), train(t, z, o)
			if !slices.Equal(a.Vectors, b.Vectors) || !slices.Equal(a.Loss, b.Loss) {
				t.Errorf("two runs with seed %d differ", o.Seed)
			}
			if got, want := len(a.Loss), o.Epochs; got != want {
				t.Errorf("%d losses, want one per epoch (%d)", got, want)
			}
			if got, want := a.NumNodes(), z.g.NumNodes(); got != want || a.Dim != o.Dim {
				t.Errorf("embeddings of %d nodes × %d, want %d × %d", got, a.Dim, want, o.Dim)
			}
			o.Seed++
			if c := train(t, z, o); slices.Equal(a.Vectors, c.Vectors) {
				t.Errorf("seeds %d and %d gave the same embeddings", o.Seed-1, o.Seed)
			}
		})
	}
}

// TestWorkerCountInvariance: message passing and dense products split
// rows among workers, but every row is computed by one worker in a fixed
// order, so any worker count gives the same bits. On the small zoo every
// loop is below minParallel and runs serially; on the image-size zoo the
// messages, attention and dense products run in parallel.
func TestWorkerCountInvariance(t *testing.T) {
	zoos := map[string]*zoo{"small": smallZoo(t), "image-size": benchZoo()}
	for name, o := range variants() {
		for zn, z := range zoos {
			t.Run(name+"/"+zn, func(t *testing.T) { workerCountInvariance(t, z, o) })
		}
	}
}

func workerCountInvariance(t *testing.T, z *zoo, o Options) {
	o.Workers = 1
	want := train(t, z, o)
	for _, w := range []int{2, 3, 8} {
		o.Workers = w
		got := train(t, z, o)
		if !slices.Equal(got.Vectors, want.Vectors) || !slices.Equal(got.Loss, want.Loss) {
			t.Errorf("%d workers: embeddings or losses differ from one worker's", w)
		}
		if got.Score(0, 1) != want.Score(0, 1) {
			t.Errorf("%d workers: Score %v, one worker %v", w, got.Score(0, 1), want.Score(0, 1))
		}
	}
}

func TestCancellation(t *testing.T) {
	z := smallZoo(t)
	o := DefaultOptions()
	o.Epochs, o.Workers = 20, 2

	t.Run("before start", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if m, err := Train(ctx, z.g, z.x, nil, o); !errors.Is(err, context.Canceled) || m != nil {
			t.Errorf("Train = %v, %v; want nil, context.Canceled", m, err)
		}
	})

	t.Run("mid-training", func(t *testing.T) {
		probe := graphtest.NewPollCtx(-1)
		if _, err := Train(probe, z.g, z.x, nil, o); err != nil {
			t.Fatal(err)
		}
		polls := probe.Polls.Load()
		if polls < int64(o.Epochs) {
			t.Fatalf("training polled ctx %d times, want at least once per epoch (%d)", polls, o.Epochs)
		}
		ctx := graphtest.NewPollCtx(polls / 2)
		m, err := Train(ctx, z.g, z.x, nil, o)
		if !errors.Is(err, context.Canceled) || m != nil {
			t.Fatalf("Train = %v, %v; want nil, context.Canceled", m, err)
		}
		if got, want := ctx.Polls.Load(), polls/2; got != want {
			t.Errorf("ctx polled %d times, want %d (no epoch after cancellation)", got, want)
		}
	})
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name  string
		mut   func(*Options)
		field string // JSON key the error must name; "" = valid
	}{
		{"defaults", func(*Options) {}, ""},
		{"gat defaults", func(o *Options) { o.Arch = GAT }, ""},
		{"zero heads", func(o *Options) { o.Heads = 0 }, "heads"},
		{"negative dropout", func(o *Options) { o.Dropout = -0.1 }, "dropout"},
		{"dropout one", func(o *Options) { o.Dropout = 1 }, "dropout"},
		{"NaN attention dropout", func(o *Options) { o.AttentionDropout = math.NaN() }, "attention_dropout"},
		{"unknown arch", func(o *Options) { o.Arch = 7 }, "arch"},
		{"zero layers", func(o *Options) { o.Layers = 0 }, "layers"},
		{"zero hidden", func(o *Options) { o.Hidden = 0 }, "hidden"},
		{"hidden not a multiple of heads", func(o *Options) { o.Arch, o.Hidden, o.Heads = GAT, 30, 4 }, "hidden"},
		{"hidden not a multiple of heads, averaged", func(o *Options) { o.Arch, o.Hidden, o.Heads, o.ConcatHeads = GAT, 30, 4, false }, ""},
		{"dim not a multiple of heads", func(o *Options) { o.Arch, o.Dim, o.Heads = GAT, 30, 4 }, "dim"},
		{"one layer, hidden not a multiple of heads", func(o *Options) { o.Arch, o.Layers, o.Hidden, o.Heads = GAT, 1, 30, 4 }, ""},
		{"hidden not a multiple of heads, graphsage", func(o *Options) { o.Hidden, o.Heads = 30, 4 }, ""},
		{"zero dim", func(o *Options) { o.Dim = 0 }, "dim"},
		{"slope one", func(o *Options) { o.NegativeSlope = 1 }, "negative_slope"},
		{"unknown activation", func(o *Options) { o.Activation = 9 }, "activation"},
		{"negative learned dim", func(o *Options) { o.LearnedDim = -1 }, "learned_dim"},
		{"unknown objective", func(o *Options) { o.Objective = 3 }, "objective"},
		{"negative negatives", func(o *Options) { o.Negatives = -1 }, "negatives"},
		{"no negatives at all", func(o *Options) { o.Negatives, o.RecordedNegatives = 0, false }, "negatives"},
		{"no negatives, regression", func(o *Options) { o.Negatives, o.RecordedNegatives, o.Objective = 0, false, EdgeRegression }, ""},
		{"holdout above one", func(o *Options) { o.Holdout = 1.5 }, "holdout"},
		{"zero epochs", func(o *Options) { o.Epochs = 0 }, "epochs"},
		{"huge epochs", func(o *Options) { o.Epochs = 1 << 50 }, "epochs"},
		{"zero learning rate", func(o *Options) { o.LearningRate = 0 }, "learning_rate"},
		{"infinite learning rate", func(o *Options) { o.LearningRate = math.Inf(1) }, "learning_rate"},
		{"negative weight decay", func(o *Options) { o.WeightDecay = -1 }, "weight_decay"},
		{"negative workers", func(o *Options) { o.Workers = -2 }, "workers"},
	}
	z := smallZoo(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			tc.mut(&o)
			err := o.Validate()
			if tc.field == "" {
				if err != nil {
					t.Errorf("Validate = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), tc.field+" = ") {
				t.Errorf("Validate = %v, want ErrOptions naming %s", err, tc.field)
			}
			if _, terr := Train(context.Background(), z.g, z.x, nil, o); terr == nil || terr.Error() != err.Error() {
				t.Errorf("Train = %v, want the Validate error %v", terr, err)
			}
		})
	}
}

func TestOptionsJSON(t *testing.T) {
	o := DefaultOptions()
	o.Arch, o.Objective, o.Activation = GAT, EdgeRegression, ELU
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"arch":"gat"`, `"objective":"regression"`, `"activation":"elu"`, `"concat_heads":true`, `"learning_rate":0.01`, `"attention_dropout":0`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	var back Options
	if err := json.Unmarshal(b, &back); err != nil || back != o {
		t.Errorf("round trip = %+v, %v; want %+v", back, err, o)
	}
	for _, bad := range []string{`{"arch":"gcn"}`, `{"objective":"rank"}`, `{"activation":"tanh"}`} {
		var o Options
		err := json.Unmarshal([]byte(bad), &o)
		if !errors.Is(err, ErrOptions) {
			t.Errorf("Unmarshal(%s) = %v, want ErrOptions", bad, err)
		}
	}
}

func TestInputErrors(t *testing.T) {
	z := smallZoo(t)
	n := z.g.NumNodes()
	// A graph of two datasets and one similarity edge: no model–dataset edge.
	b := graphlearn.NewBuilder()
	graphtest.MustAddEdge(t, b, b.Node(graphlearn.NodeDataset, "a"), b.Node(graphlearn.NodeDataset, "b"), graphlearn.EdgeSimilar, 1)
	datasetsOnly := b.Build()
	inf := mat.DenseCopyOf(z.x)
	inf.Set(3, 2, math.Inf(-1))
	link, reg := DefaultOptions(), DefaultOptions()
	reg.Objective = EdgeRegression
	recordedOnly := link
	recordedOnly.Negatives = 0
	// A model–dataset edge and no recorded negative pair.
	b = graphlearn.NewBuilder()
	graphtest.MustAddEdge(t, b, b.Node(graphlearn.NodeModel, "m"), b.Node(graphlearn.NodeDataset, "d"), graphlearn.EdgeFinetune, 1)
	noNegatives := b.Build()
	huge := mat.DenseCopyOf(z.x)
	for i := range n {
		huge.Set(i, 0, 1e200*float64(i%3))
	}
	tests := []struct {
		name string
		g    *graphlearn.Graph
		x    mat.Matrix
		vals []EdgeValue
		opt  Options
		want string
	}{
		{"empty graph", graphlearn.NewBuilder().Build(), nil, nil, link, "empty graph"},
		{"short feature matrix", z.g, mat.NewDense(n-1, 2, nil), nil, link, "has 51 rows, want one per node (52)"},
		{"infinite feature", z.g, inf, nil, link, `feature row 3 (dataset "d3"), column 2 is -Inf`},
		{"values for link", z.g, z.x, z.values(), link, "edge values given for objective link"},
		{"no model–dataset edge", datasetsOnly, nil, nil, link, "the graph has none"},
		{"no values for regression", z.g, z.x, nil, reg, "needs edge values"},
		{"node out of range", z.g, z.x, []EdgeValue{{0, 1, 0.5}, {2, int32(n), 1}}, reg, "values[1] = (2, 52): node out of range"},
		{"self pair", z.g, z.x, []EdgeValue{{4, 4, 0.5}}, reg, "values[0]: pair (4, 4) is a self-loop"},
		{"NaN value", z.g, z.x, []EdgeValue{{0, 20, math.NaN()}}, reg, `values[0] ("d0" – "m8") = NaN`},
		{"no negatives", noNegatives, nil, nil, recordedOnly, "needs negatives"},
		{"feature too large", z.g, huge, nil, link, "feature column 0 is too large to standardise"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Train(context.Background(), tc.g, tc.x, tc.vals, tc.opt)
			if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Train = %v, want ErrInput containing %q", err, tc.want)
			}
		})
	}
}

func TestDivergenceIsAnError(t *testing.T) {
	z := smallZoo(t)
	o := DefaultOptions()
	o.Objective, o.LearningRate, o.Epochs = EdgeRegression, 1e150, 5
	vals := z.values()
	for i := range vals {
		vals[i].Value *= 1e150
	}
	if _, err := Train(context.Background(), z.g, z.x, vals, o); !errors.Is(err, ErrDiverged) {
		t.Errorf("Train with learning rate 1e150 = %v, want ErrDiverged", err)
	}
}

// TestInputs checks the preparation of features: z-scores over present
// values, zero for missing ones, an indicator per column with missing
// values, kind one-hots; columns without any value are dropped.
func TestInputs(t *testing.T) {
	g := smallGraph(t)
	nan := math.NaN()
	x := mat.NewDense(8, 3, []float64{
		1, nan, 5,
		3, nan, 5,
		nan, nan, 5,
		nan, nan, nan,
		1, nan, 5,
		3, nan, 5,
		nan, nan, 5,
		nan, nan, 5,
	})
	static, featureless, err := inputs(g, x)
	if err != nil {
		t.Fatal(err)
	}
	// Columns: z(col 0), z(col 2) = 0 (constant), missing(col 0),
	// missing(col 2), model, dataset.
	want := [][]float64{
		{-1, 0, 0, 0, 1, 0},
		{1, 0, 0, 0, 1, 0},
		{0, 0, 1, 0, 1, 0},
		{0, 0, 1, 1, 1, 0},
		{-1, 0, 0, 0, 0, 1},
		{1, 0, 0, 0, 0, 1},
		{0, 0, 1, 0, 0, 1},
		{0, 0, 1, 0, 0, 1},
	}
	if static.r != 8 || static.c != 6 {
		t.Fatalf("static inputs %d×%d, want 8×6", static.r, static.c)
	}
	for i, w := range want {
		if got := static.row(i); !slices.Equal(got, w) {
			t.Errorf("row %d = %v, want %v", i, got, w)
		}
	}
	if want := []bool{false, false, false, true, false, false, false, false}; !slices.Equal(featureless, want) {
		t.Errorf("featureless = %v, want %v", featureless, want)
	}
	// Without features every node is featureless and gets learned inputs.
	static, featureless, err = inputs(g, nil)
	if err != nil || static.c != 2 || slices.Contains(featureless, false) {
		t.Errorf("inputs(nil) = %d columns, featureless %v, %v; want 2 kind columns, all featureless", static.c, featureless, err)
	}
}

// TestNoFeatures trains on the graph alone: kind one-hots and learned
// inputs.
func TestNoFeatures(t *testing.T) {
	z := smallZoo(t)
	o := DefaultOptions()
	o.Epochs = 10
	m, err := Train(context.Background(), z.g, nil, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	if m.Cosine(0, 1) == m.Cosine(0, 2) {
		t.Errorf("learned inputs left nodes indistinguishable")
	}
}

func TestScoreSymmetric(t *testing.T) {
	z := smallZoo(t)
	o := DefaultOptions()
	o.Epochs = 5
	m := train(t, z, o)
	for _, p := range z.tuned[:10] {
		if a, b := m.Score(p[0], p[1]), m.Score(p[1], p[0]); a != b {
			t.Errorf("Score(%d, %d) = %v, Score(%d, %d) = %v", p[0], p[1], a, p[1], p[0], b)
		}
	}
}

// A Model is usable wherever node2vec's embeddings are read by vector.
var _ interface {
	Vector(int32) []float32
	Cosine(a, b int32) float64
	Score(u, v int32) float64
} = (*Model)(nil)

// TestGOMAXPROCSInvariance: with Workers = 0 training uses GOMAXPROCS
// goroutines; on the image-size zoo its large loops run in parallel, and
// the result must not depend on GOMAXPROCS.
func TestGOMAXPROCSInvariance(t *testing.T) {
	z := benchZoo()
	for _, arch := range []Arch{GraphSAGE, GAT} {
		o := DefaultOptions()
		o.Arch, o.Epochs, o.Workers, o.Dropout, o.AttentionDropout = arch, 5, 0, 0.2, 0.1
		run := func(procs int) *Model {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			return train(t, z, o)
		}
		want := run(1)
		for _, procs := range []int{2, 4} {
			if got := run(procs); !slices.Equal(got.Vectors, want.Vectors) || !slices.Equal(got.Loss, want.Loss) {
				t.Errorf("%v, GOMAXPROCS %d: embeddings or losses differ from GOMAXPROCS 1", arch, procs)
			}
		}
	}
}
