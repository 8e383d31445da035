//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLockWaitCancelled: a write waiting for the zoo's write lock (another
// writer holds it: an import, a crawl's commit, a stopped process) ends
// when its context is cancelled, as an interrupted import or crawl must,
// instead of waiting the other writer out; its error says what it was
// waiting for, and the zoo is as it was.
func TestLockWaitCancelled(t *testing.T) {
	tests := []struct {
		name  string
		write func(ctx context.Context, dir string) error
	}{
		{"WriteZoo", func(ctx context.Context, dir string) error {
			return WriteZoo(ctx, dir, benchRows("bench", 0.5, "a/one"), Provenance{Source: "bench"})
		}},
		{"MergeZoo", func(ctx context.Context, dir string) error {
			_, err := MergeZoo(ctx, dir, benchRows("bench", 0.5, "a/one"), Provenance{Source: "bench"})
			return err
		}},
		{"MergeParts", func(ctx context.Context, dir string) error {
			_, err := MergeParts(ctx, dir, mergeModels(nil, nil), Provenance{Source: "merge"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "zoo")
			if err := WriteZoo(t.Context(), dir, crawledZoo(), Provenance{Source: "hub", Command: "crawl"}); err != nil {
				t.Fatal(err)
			}
			// The other writer: a lock on its own descriptor of the
			// directory, as another process takes it.
			other, err := os.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if err := syscall.Flock(int(other.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
				t.Fatal(err)
			}
			before, err := ReadManifest(dir)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- tt.write(ctx, dir) }()
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v, want context.Canceled", err)
				}
				if err != nil && !strings.Contains(err.Error(), "waiting for the write lock of zoo "+dir) {
					t.Errorf("err = %q, want it to say it was waiting for the zoo's write lock", err)
				}
			case <-time.After(30 * time.Second): // a hang, not a timing
				t.Fatalf("%s still waits for the zoo's lock after its context was cancelled", tt.name)
			}
			if after, err := ReadManifest(dir); err != nil || after.Checksum() != before.Checksum() {
				t.Errorf("the cancelled write changed the zoo (err %v)", err)
			}
		})
	}
}
