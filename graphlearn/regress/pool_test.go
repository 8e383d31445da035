package regress

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestWorkerPool runs many passes of random sizes and checks that every
// item of every pass runs exactly once and that its result is visible to
// the caller when run returns (run with -race).
func TestWorkerPool(t *testing.T) {
	for _, helpers := range []int{0, 1, 3} {
		var counts []int
		var stamp []int
		pass := 0
		p := newWorkerPool(helpers, func(item int) {
			counts[item]++
			stamp[item] = pass
			if item%7 == 0 {
				runtime.Gosched() // let helpers interleave
			}
		})
		rng := rand.New(rand.NewPCG(uint64(helpers), 0))
		for pass = 1; pass <= 2000; pass++ {
			items := rng.IntN(60)
			counts = make([]int, items)
			stamp = make([]int, items)
			p.run(items, rng.IntN(4) != 0)
			for i := range items {
				if counts[i] != 1 || stamp[i] != pass {
					t.Fatalf("%d helpers, pass %d: item %d ran %d times (stamp %d)", helpers, pass, i, counts[i], stamp[i])
				}
			}
		}
		p.close()
	}
}

// TestGBDTFitWorkersDefault checks that a fit with Workers ≤ 0 finds splits
// on one goroutine: the parallel passes pay off only on idle cores (see
// GBDTOptions.Workers), so they are opt-in.
func TestGBDTFitWorkersDefault(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	X, y := benchData(50)
	for _, tt := range []struct{ workers, helpers int }{{0, 0}, {-1, 0}, {1, 0}, {2, 1}, {4, 3}} {
		o := DefaultGBDTOptions()
		o.Workers = tt.workers
		tr := newGBTrainer(o, newBinned(X, o.MaxBins, 1), y, 0)
		if got := len(tr.pool.wake); got != tt.helpers {
			t.Errorf("Workers = %d: %d helper goroutines, want %d", tt.workers, got, tt.helpers)
		}
		tr.close()
	}
}
