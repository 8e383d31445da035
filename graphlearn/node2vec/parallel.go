package node2vec

import (
	"context"
	"sync"
)

// parallel runs f on workers goroutines and returns the first error; f's ctx
// is cancelled when any f fails.
func parallel(ctx context.Context, workers int, f func(ctx context.Context, worker int) error) error {
	if workers == 1 {
		return f(ctx, 0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for i := range workers {
		wg.Go(func() {
			if err := f(ctx, i); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		})
	}
	wg.Wait()
	return first
}
