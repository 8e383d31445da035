package node2vec

import (
	"context"
	"testing"
	"time"
)

func TestSmoke(t *testing.T) {
	g := paperGraph(t, 1)
	t.Logf("nodes %d edges %d negs %d avx2 %v", g.NumNodes(), g.NumEdges(), g.NumNegatives(), hasAVX2)
	opt := DefaultOptions()
	opt.Workers = 1
	start := time.Now()
	c, err := Walks(context.Background(), g, opt)
	if err != nil {
		t.Fatal(err)
	}
	tw := time.Since(start)
	e, err := Train(context.Background(), c, g.NumNodes(), opt)
	if err != nil {
		t.Fatal(err)
	}
	tt := time.Since(start) - tw
	t.Logf("walks %v train %v stats %+v pairs/s %.3g", tw, tt, e.Stats, float64(e.Stats.Pairs)/tt.Seconds())
}
