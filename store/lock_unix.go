//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// The writers of a zoo (WriteZoo, MergeZoo, MergeParts) each read the
// manifest and the tables they merge with and commit tables made from them;
// two at once would lose one's rows, and one's sweep would remove the
// other's staged files. They take turns.

// lockWrites takes the zoo's write lock, a lock on the directory itself
// (no file to leave behind), waiting while another process or goroutine
// writes the zoo; unlock releases it. The kernel drops the lock of a process
// that dies, so a killed write never leaves the zoo locked.
func lockWrites(dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("store: lock zoo %s: %w", dir, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("store: lock zoo %s: %w", dir, err)
	}
	return func() { f.Close() }, nil
}
