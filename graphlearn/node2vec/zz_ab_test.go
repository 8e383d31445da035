package node2vec

import (
	"context"
	"fmt"
	"testing"
)

var noGroupTmp bool

func TestZZGroupAB(t *testing.T) {
	g := randomGraph(t, 300_000, 3_000_000, 1)
	for _, p := range []float64{1, 0.5} {
		o := DefaultOptions()
		o.Workers, o.WalksPerNode, o.P, o.Q = 1, 1, p, 2*p
		best := map[bool]float64{false: 1e9, true: 1e9}
		for range 3 {
			for _, off := range []bool{false, true} {
				noGroupTmp = off
				c0 := cpuSeconds()
				Walks(context.Background(), g, o)
				best[off] = min(best[off], cpuSeconds()-c0)
			}
		}
		fmt.Printf("p=%v group %.3fs single %.3fs\n", p, best[false], best[true])
	}
}
