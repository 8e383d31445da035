package regress

import "sync/atomic"

// workerPool runs the parallel sweeps of a GBDT fit. A sweep ("pass") is a
// number of work items that the caller and the helper goroutines claim one
// at a time from a shared counter, so that a helper the OS has descheduled —
// common on a shared machine — delays a pass by at most the item it holds,
// and one that never woke up delays it not at all. The pool neither spawns
// goroutines nor allocates per pass. Which goroutine runs which item is
// left to chance, so fn must write each item's result to its own slot.
type workerPool struct {
	fn func(item int)
	// word packs the pass generation (bits 40..63), the item count
	// (20..39) and the next unclaimed item (0..19); claiming is a CAS on it,
	// so a helper still holding an old generation can never claim.
	word     atomic.Uint64
	done     atomic.Int64 // items of the current pass finished
	gen      uint64
	wake     []chan struct{} // one per helper, capacity 1
	finished chan struct{}   // capacity 1; a helper that finishes the last item signals
}

const (
	itemBits = 20
	itemMask = 1<<itemBits - 1
	genShift = 2 * itemBits
	// maxItems is the most items a pass can have.
	maxItems = itemMask
)

// newWorkerPool starts helpers goroutines (the caller is the other worker).
func newWorkerPool(helpers int, fn func(item int)) *workerPool {
	p := &workerPool{fn: fn, finished: make(chan struct{}, 1)}
	for range helpers {
		ch := make(chan struct{}, 1)
		p.wake = append(p.wake, ch)
		go func() {
			for range ch {
				gen := p.word.Load() >> genShift
				p.work(gen, true)
			}
		}()
	}
	return p
}

// work claims and runs items of pass gen until none is left. A helper
// signals when it finishes the pass's last item.
func (p *workerPool) work(gen uint64, helper bool) {
	for {
		v := p.word.Load()
		items, next := int(v>>itemBits&itemMask), int(v&itemMask)
		if v>>genShift != gen || next >= items {
			return
		}
		if !p.word.CompareAndSwap(v, v+1) {
			continue
		}
		p.fn(next)
		if p.done.Add(1) == int64(items) && helper {
			select {
			case p.finished <- struct{}{}:
			default: // a token is already waiting; the caller re-checks done
			}
		}
	}
}

// run executes fn(0..items-1), spread over the caller and the helpers when
// parallel is set, and returns when all items are done. It must not be
// called concurrently with itself.
func (p *workerPool) run(items int, parallel bool) {
	if items > maxItems {
		panic("regress: workerPool: too many items") // callers bound items by the feature count
	}
	if !parallel || len(p.wake) == 0 || items <= 1 {
		for i := range items {
			p.fn(i)
		}
		return
	}
	p.gen = (p.gen + 1) & (1<<(64-genShift) - 1)
	p.done.Store(0)
	p.word.Store(p.gen<<genShift | uint64(items)<<itemBits) // publishes the pass
	for _, ch := range p.wake {
		select {
		case ch <- struct{}{}:
		default: // already awake or about to be
		}
	}
	p.work(p.gen, false)
	for p.done.Load() < int64(items) {
		<-p.finished // may be stale from an earlier pass: loop and re-check
	}
}

// close stops the helper goroutines.
func (p *workerPool) close() {
	for _, ch := range p.wake {
		close(ch)
	}
}
