package node2vec

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/zoograph/zoograph/graphlearn"
	"github.com/zoograph/zoograph/store/storetest"
)

// benchGraph is a graph built once per test binary and shared by benchmarks.
type benchGraph struct {
	name  string
	large bool // skipped under -short
	build func(testing.TB) *graphlearn.Graph
	once  sync.Once
	g     *graphlearn.Graph
}

func (bg *benchGraph) get(b *testing.B) *graphlearn.Graph {
	if bg.large && testing.Short() {
		b.Skip("large graph skipped under -short")
	}
	bg.once.Do(func() { bg.g = bg.build(b) })
	return bg.g
}

var benchGraphs = []*benchGraph{
	{name: "paper-254n", build: func(tb testing.TB) *graphlearn.Graph { return paperGraph(tb, 1) }},
	{name: "10kn-100ke", build: func(tb testing.TB) *graphlearn.Graph { return randomGraph(tb, 10_000, 100_000, 1) }},
	{name: "1Mn-10Me", large: true, build: func(tb testing.TB) *graphlearn.Graph { return randomGraph(tb, 1_000_000, 10_000_000, 1) }},
}

// BenchmarkWalks reports walk steps per second, one worker, for first-order
// walks (p = q = 1), node2vec and node2vec+ (p = 0.5, q = 2). Large graphs
// start one walk per node.
func BenchmarkWalks(b *testing.B) {
	modes := []struct {
		name string
		p, q float64
		plus bool
	}{
		{"first-order", 1, 1, false},
		{"node2vec", 0.5, 2, false},
		{"node2vec+", 0.5, 2, true},
	}
	for _, bg := range benchGraphs {
		for _, m := range modes {
			b.Run(bg.name+"/"+m.name, func(b *testing.B) {
				g := bg.get(b)
				o := DefaultOptions()
				o.Workers, o.P, o.Q, o.Plus = 1, m.p, m.q, m.plus
				if g.NumNodes() > 1000 {
					o.WalksPerNode = 1
				}
				var steps int64
				b.ReportAllocs()
				cpu0 := storetest.CPUTime()
				for b.Loop() {
					c, err := Walks(context.Background(), g, o)
					if err != nil {
						b.Fatal(err)
					}
					steps += int64(len(c.Nodes) - c.NumWalks())
				}
				b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
				if cpu := (storetest.CPUTime() - cpu0).Seconds(); cpu > 0 {
					b.ReportMetric(float64(steps)/cpu, "steps/cpu-s")
				}
			})
		}
	}
}

// BenchmarkTrain reports skip-gram throughput on a fixed walk corpus, one
// epoch per iteration, with the default options (d = 128, window 10, 5
// negatives): positive pairs per second in total and per worker, and centre
// tokens ("words") per second. On large graphs the corpus is the first 100k
// walks, but the vectors cover every node, so row accesses miss the caches as
// they would in a full run.
func BenchmarkTrain(b *testing.B) {
	for _, bg := range benchGraphs {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", bg.name, workers), func(b *testing.B) {
				g := bg.get(b)
				o := DefaultOptions()
				o.Epochs, o.Workers = 1, workers
				if g.NumNodes() > 1000 {
					o.WalksPerNode = 1
				}
				c, err := Walks(context.Background(), g, o)
				if err != nil {
					b.Fatal(err)
				}
				if c.NumWalks() > 100_000 {
					c = &Corpus{Nodes: c.Nodes[:c.Offsets[100_000]], Offsets: c.Offsets[:100_001], Negatives: c.Negatives}
				}
				var st Stats
				b.ReportAllocs()
				cpu0 := storetest.CPUTime()
				for b.Loop() {
					e, err := Train(context.Background(), c, g.NumNodes(), o)
					if err != nil {
						b.Fatal(err)
					}
					st.Pairs += e.Stats.Pairs
					st.Tokens += e.Stats.Tokens
				}
				if cpu := (storetest.CPUTime() - cpu0).Seconds(); cpu > 0 {
					b.ReportMetric(float64(st.Pairs)/cpu, "pairs/cpu-s")
				}
				sec := b.Elapsed().Seconds()
				b.ReportMetric(float64(st.Pairs)/sec, "pairs/s")
				b.ReportMetric(float64(st.Pairs)/sec/float64(workers), "pairs/s/worker")
				b.ReportMetric(float64(st.Tokens)/sec, "words/s")
				if bg.large {
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-MiB")
				}
			})
		}
	}
}

// BenchmarkEmbed is one pipeline call: walks and training with the default
// options (10 epochs) on a graph the size of the paper's.
func BenchmarkEmbed(b *testing.B) {
	g := benchGraphs[0].get(b)
	for _, workers := range []int{1, 2} {
		for _, plus := range []bool{false, true} {
			b.Run(fmt.Sprintf("paper-254n/plus=%v/workers=%d", plus, workers), func(b *testing.B) {
				o := DefaultOptions()
				o.Workers, o.Plus = workers, plus
				b.ReportAllocs()
				cpu0 := storetest.CPUTime()
				for b.Loop() {
					if _, err := Embed(context.Background(), g, o); err != nil {
						b.Fatal(err)
					}
				}
				if cpu := (storetest.CPUTime() - cpu0).Seconds(); cpu > 0 {
					b.ReportMetric(cpu/float64(b.N)*1e3, "cpu-ms/op")
				}
			})
		}
	}
}

// BenchmarkKernels times one pair's work (dots then pairUpdate) at d = 128
// with 6 targets, for every kernel this CPU can run. The step sizes alternate
// in sign so that the vectors oscillate instead of drifting (towards
// denormals or overflow) over millions of iterations.
func BenchmarkKernels(b *testing.B) {
	const n, dim = 256, 128
	in := make([]float32, n*dim)
	out := make([]float32, n*dim)
	r := stream(1, 1, 1)
	for i := range in {
		in[i] = float32(r.float64()-0.5) / 4
		out[i] = float32(r.float64()-0.5) / 4
	}
	rows := []int32{3, 77, 150, 20, 201, 99}
	fs := make([]float32, len(rows))
	gs := make([]float32, len(rows))
	acc := make([]float32, dim)
	for _, k := range kernelVariants() {
		b.Run(k.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := storetest.CPUTime()
			i := 0
			for b.Loop() {
				x := in[(i/2%n)*dim : (i/2%n+1)*dim]
				k.dots(fs, x, out, rows)
				for j := range gs {
					gs[j] = float32(1-2*(i%2)) * 1e-3
				}
				k.pairUpdate(x, out, rows, gs, acc)
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
			if cpu := (storetest.CPUTime() - cpu0).Seconds(); cpu > 0 {
				b.ReportMetric(cpu/float64(b.N)*1e9, "cpu-ns/pair")
			}
		})
	}
}
