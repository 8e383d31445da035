//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// The writers of a zoo (WriteZoo, MergeZoo, MergeParts) each read the
// manifest and the tables they merge with and commit tables made from them;
// two at once would lose one's rows, and one's sweep would remove the
// other's staged files. They take turns.

// lockWrites takes the zoo's write lock, a lock on the directory itself
// (no file to leave behind), waiting while another process or goroutine
// writes the zoo, until ctx is done (then it returns an error that says
// it was waiting for the lock and wraps ctx.Err()); unlock
// releases it. Before it first waits it calls the context's WithLockWait
// callback, if any. The kernel drops the lock of a process that dies, so a
// killed write never leaves the zoo locked.
func lockWrites(ctx context.Context, dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("store: lock zoo %s: %w", dir, err)
	}
	// Polled, not a blocking flock: a blocked flock is deaf to ctx (an
	// interrupt would wait out the other writer, a crawl's commit of
	// minutes or a stopped process's forever).
	told := false
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("store: lock zoo %s: %w", dir, err)
		}
		if onWait := lockWaitHook(ctx); onWait != nil && !told {
			onWait(dir)
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("store: waiting for the write lock of zoo %s (another writer holds it): %w", dir, ctx.Err())
		case <-time.After(wait):
		}
	}
}
