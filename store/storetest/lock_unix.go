//go:build unix

package storetest

import (
	"os"
	"syscall"
	"testing"
)

// HoldLock takes the exclusive lock on zoo directory dir that a writer
// takes, on a descriptor of its own, as another process would, and
// returns what releases it (also called at the test's end).
func HoldLock(tb testing.TB, dir string) (release func()) {
	tb.Helper()
	f, err := os.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		tb.Fatal(err)
	}
	released := false
	release = func() {
		if !released {
			released = true
			f.Close() // closing the only descriptor releases the lock
		}
	}
	tb.Cleanup(release)
	return release
}
