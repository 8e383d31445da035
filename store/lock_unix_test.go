//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zoograph/zoograph/store/storetest"
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
			storetest.HoldLock(t, dir) // the other writer
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

// TestLockWaitTold: a write that finds another writer holding the zoo
// calls its context's WithLockWait callback once, with the zoo, before it
// waits (so a command can say why nothing happens), then writes when the
// other lets go; a write that finds the zoo free does not call it.
func TestLockWaitTold(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "zoo")
	if err := WriteZoo(t.Context(), dir, crawledZoo(), Provenance{Source: "hub", Command: "crawl"}); err != nil {
		t.Fatal(err)
	}
	told := make(chan string, 10)
	ctx := WithLockWait(t.Context(), func(dir string) { told <- dir })

	if _, err := MergeZoo(ctx, dir, benchRows("bench", 0.5, "a/one"), Provenance{Source: "bench"}); err != nil {
		t.Fatal(err)
	}
	if len(told) != 0 {
		t.Fatalf("a write of a free zoo called the lock-wait callback (%q)", <-told)
	}

	release := storetest.HoldLock(t, dir)
	done := make(chan error, 1)
	go func() {
		_, err := MergeZoo(ctx, dir, benchRows("bench", 0.6, "a/two"), Provenance{Source: "bench"})
		done <- err
	}()
	select {
	case got := <-told:
		if got != dir {
			t.Errorf("callback told of %q, want %q", got, dir)
		}
	case err := <-done:
		t.Fatalf("the write ended (%v) while another writer held the zoo", err)
	case <-time.After(30 * time.Second): // a hang, not a timing
		t.Fatal("the waiting write never called the lock-wait callback")
	}
	release()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the write still waits after the other writer let go")
	}
	if n := len(told); n != 0 {
		t.Errorf("the callback was called %d more times; want once per write", n)
	}
	tables, _, err := ReadZoo(dir)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range tables.Models {
		found = found || m.ModelID == "a/two"
	}
	if !found {
		t.Error("the write that waited did not land")
	}
}
