package gnn

import (
	"sync"
	"sync/atomic"
)

// block is the number of rows a worker takes at a time. Rows are computed
// independently of one another, so how they are grouped into blocks and
// handed to workers never changes a result.
const block = 32

// minParallel is the least work, in multiply–adds or so, that training
// splits among workers: below it, starting and joining goroutines costs
// about as much as the work itself (on a graph of the image benchmark's
// size a GAT layer's messages are ~250,000, its head projections ~8,000).
const minParallel = 1 << 15

// pool runs row-parallel loops on a fixed number of workers.
type pool struct {
	workers int
	minWork int // loops with less work run on the calling goroutine
}

// rows calls f on ranges [lo, hi) that together cover 0…n−1 exactly once,
// on up to p.workers goroutines when the loop's work (an estimate of its
// multiply–adds) is at least p.minWork, and returns when all calls have.
// f must compute each row from inputs the other rows do not write, in an
// order that does not depend on lo and hi: then the result is the same for
// any worker count.
func (p pool) rows(n, work int, f func(lo, hi int)) {
	blocks := (n + block - 1) / block
	w := min(p.workers, blocks)
	if w <= 1 || work < p.minWork {
		if n > 0 {
			f(0, n)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range w {
		wg.Go(func() {
			for {
				b := int(next.Add(1)) - 1
				if b >= blocks {
					return
				}
				f(b*block, min(n, (b+1)*block))
			}
		})
	}
	wg.Wait()
}
