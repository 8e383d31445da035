//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package crawler

import (
	"fmt"
	"os"
)

// zooLock: on systems without flock the lock file only marks the zoo; two
// crawls of one zoo at once are not detected.
type zooLock struct{ f *os.File }

func lockZoo(path string) (*zooLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("crawl: lock: %w", err)
	}
	return &zooLock{f: f}, nil
}

func (l *zooLock) release() { l.f.Close() }
