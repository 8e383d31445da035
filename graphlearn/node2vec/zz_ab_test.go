package node2vec

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestZZPrefetchAB(t *testing.T) {
	g := randomGraph(t, 100_000, 1_000_000, 1)
	o := DefaultOptions()
	o.Workers, o.Epochs, o.WalksPerNode = 1, 1, 1
	c, _ := Walks(context.Background(), g, o)
	c = &Corpus{Nodes: c.Nodes[:c.Offsets[20000]], Offsets: c.Offsets[:20001]}
	best := map[bool]time.Duration{false: 1 << 62, true: 1 << 62}
	for range 4 {
		for _, off := range []bool{false, true} {
			noPrefetchTmp = off
			s := time.Now()
			Train(context.Background(), c, g.NumNodes(), o)
			best[off] = min(best[off], time.Since(s))
		}
	}
	fmt.Println("prefetch on", best[false], "off", best[true])
}
