package gnn

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/zoograph/zoograph/store/storetest"
)

// benchZoo is the size of the image benchmark's graph as the pipeline builds
// it: 185 models, 70 datasets, 4,000 fine-tuned pairs of which half are
// edges and half negative pairs, every dataset pair similar, 300 lineage
// edges.
var benchZoo = sync.OnceValue(func() *zoo {
	c := imageSize(1)
	c.tuned, c.heldOut = 4000, 0
	return plantedZoo(&testing.B{}, c)
})

// BenchmarkTrainImageSize is one training run with the default options on a
// planted zoo the size of the TransferGraph image benchmark (benchZoo, 22
// feature columns), for both layers and
// objectives, one worker (as the pipeline runs it) and two. cpu-ms/op is the
// CPU time of a run: the budget is one CPU-second.
func BenchmarkTrainImageSize(b *testing.B) {
	z := benchZoo()
	b.Logf("graph: %d nodes, %d edges, %d negative pairs", z.g.NumNodes(), z.g.NumEdges(), z.g.NumNegatives())
	for _, arch := range []Arch{GraphSAGE, GAT} {
		for _, obj := range []Objective{LinkPrediction, EdgeRegression} {
			for _, workers := range []int{1, 2} {
				b.Run(fmt.Sprintf("%v/%v/workers=%d", arch, obj, workers), func(b *testing.B) {
					o := DefaultOptions()
					o.Arch, o.Objective, o.Workers = arch, obj, workers
					var vals []EdgeValue
					if obj == EdgeRegression {
						vals = z.values()
					}
					b.ReportAllocs()
					cpu0 := storetest.CPUTime()
					for b.Loop() {
						if _, err := Train(context.Background(), z.g, z.x, vals, o); err != nil {
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
}
