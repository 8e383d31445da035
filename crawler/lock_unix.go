//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package crawler

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// flock takes the lock on f, the zoo's lock file at path, without waiting.
func flock(f *os.File, path string) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return fmt.Errorf("%w (%s)", ErrLocked, path)
	}
	if err != nil {
		return fmt.Errorf("crawl: lock %s: %w", path, err)
	}
	return nil
}
