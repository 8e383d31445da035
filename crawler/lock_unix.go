//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package crawler

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// zooLock is an advisory lock on a zoo, held for the whole crawl. The
// kernel drops it when the process dies, so a killed crawl never leaves a
// stale lock behind.
type zooLock struct{ f *os.File }

func lockZoo(path string) (*zooLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("crawl: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s)", ErrLocked, path)
		}
		return nil, fmt.Errorf("crawl: lock %s: %w", path, err)
	}
	return &zooLock{f: f}, nil
}

func (l *zooLock) release() { l.f.Close() }
