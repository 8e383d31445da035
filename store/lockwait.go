package store

import "context"

// lockWaitKey is the context key of WithLockWait's callback.
type lockWaitKey struct{}

// WithLockWait returns a copy of ctx that carries onWait: when a write of
// a zoo (WriteZoo, MergeZoo, MergeParts) under that context finds another
// writer holding the zoo's lock, it calls onWait once, with the zoo's
// directory, before it waits its turn, so that a command can tell its
// user why nothing happens (as net/http/httptrace carries its hooks).
func WithLockWait(ctx context.Context, onWait func(dir string)) context.Context {
	return context.WithValue(ctx, lockWaitKey{}, onWait)
}

// lockWaitHook returns the callback WithLockWait put in ctx, or nil.
func lockWaitHook(ctx context.Context) func(dir string) {
	f, _ := ctx.Value(lockWaitKey{}).(func(dir string))
	return f
}
