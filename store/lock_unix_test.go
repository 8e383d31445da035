//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestMergePartsLockWaitCancelled: a merge waiting for the zoo's write
// lock (another writer holds it: an import, a stopped process) ends when
// its context is cancelled, as an interrupted crawl's commit must, instead
// of waiting the other writer out.
func TestMergePartsLockWaitCancelled(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "zoo")
	if err := WriteZoo(dir, crawledZoo(), Provenance{Source: "hub", Command: "crawl"}); err != nil {
		t.Fatal(err)
	}
	unlock, err := lockWrites(context.Background(), dir) // the other writer
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	before, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := MergeParts(ctx, dir, mergeModels(nil, nil), Provenance{Source: "merge"})
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second): // a hang, not a timing
		t.Fatal("MergeParts still waits for the zoo's lock after its context was cancelled")
	}
	if after, err := ReadManifest(dir); err != nil || after.Checksum() != before.Checksum() {
		t.Errorf("the cancelled merge changed the zoo (err %v)", err)
	}
}
