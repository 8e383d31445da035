package regress

import "sync"

// workerPool runs one fixed function over contiguous chunks of [0, items) on
// long-lived goroutines, so that the thousands of small sweeps of a GBDT fit
// neither spawn goroutines nor allocate. Worker 0 is the caller.
type workerPool struct {
	fn    func(w, lo, hi int)
	start []chan [2]int // start[w-1] feeds worker w
	done  sync.WaitGroup
}

func newWorkerPool(workers int, fn func(w, lo, hi int)) *workerPool {
	p := &workerPool{fn: fn}
	for w := 1; w < workers; w++ {
		ch := make(chan [2]int)
		p.start = append(p.start, ch)
		go func() {
			for r := range ch {
				p.fn(w, r[0], r[1])
				p.done.Done()
			}
		}()
	}
	return p
}

// run splits [0, items) into use (at most the pool size and items, at least
// 1) contiguous chunks, chunk w going to worker w, waits for all of them and
// returns the number of chunks.
func (p *workerPool) run(items, use int) int {
	use = max(1, min(use, len(p.start)+1, items))
	if use == 1 {
		p.fn(0, 0, items)
		return 1
	}
	p.done.Add(use - 1)
	for w := 1; w < use; w++ {
		p.start[w-1] <- [2]int{w * items / use, (w + 1) * items / use}
	}
	p.fn(0, 0, items/use)
	p.done.Wait()
	return use
}

// close stops the worker goroutines.
func (p *workerPool) close() {
	for _, ch := range p.start {
		close(ch)
	}
}
