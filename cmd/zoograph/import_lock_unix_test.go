//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zoograph/zoograph/store"
	"github.com/zoograph/zoograph/store/storetest"
)

// TestImportInterruptedWaitingForLock: an import whose zoo another writer
// holds (a crawl's commit, a stopped process) waits its turn; Ctrl-C then
// ends it at once, exit 130, the zoo as it was, instead of waiting the
// other writer out.
func TestImportInterruptedWaitingForLock(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"transfergraph", []string{"import", "transfergraph", importTextFixture}},
		{"model-recycling", []string{"import", "model-recycling", "../../pipeline/recycling/testdata/good"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zoo := filepath.Join(t.TempDir(), "zoo")
			if err := store.WriteZoo(t.Context(), zoo, &store.Tables{Models: []store.Model{{ModelID: "org/m", Source: "hub"}}}, store.Provenance{Source: "hub"}); err != nil {
				t.Fatal(err)
			}
			before, err := store.ReadManifest(zoo)
			if err != nil {
				t.Fatal(err)
			}
			storetest.HoldLock(t, zoo) // the other writer's lock

			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var stdout, stderr bytes.Buffer
			done := make(chan int, 1)
			go func() { done <- run(ctx, append(tt.args, "--out", zoo), &stdout, &stderr) }()
			hang := time.After(30 * time.Second) // a hang, not a timing
			// Interrupt once the import has read its files and waits for
			// the lock, not before.
			for !waitingForLock() {
				select {
				case code := <-done:
					t.Fatalf("the import ended (exit %d) while another writer held the zoo; stderr:\n%s", code, stderr.String())
				case <-hang:
					t.Fatal("the import never waited for the zoo's lock")
				case <-time.After(time.Millisecond):
				}
			}
			cancel()
			select {
			case code := <-done:
				if code != exitInterrupted || !strings.Contains(stderr.String(), "zoograph import: interrupted") {
					t.Errorf("exit %d, stderr:\n%s\nwant exit %d, interrupted", code, stderr.String(), exitInterrupted)
				}
				if want := "holds zoo " + zoo + ": waiting for it to finish"; !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr:\n%s\nwant it to say the import waits for another writer (%q)", stderr.String(), want)
				}
			case <-hang:
				t.Fatal("the import still waits for the zoo's lock after Ctrl-C")
			}
			if after, err := store.ReadManifest(zoo); err != nil || after.Checksum() != before.Checksum() {
				t.Errorf("the interrupted import changed the zoo (err %v)", err)
			}
		})
	}
}

// waitingForLock reports whether a goroutine of this process waits for a
// zoo's write lock.
func waitingForLock() bool {
	buf := make([]byte, 1<<20)
	return bytes.Contains(buf[:runtime.Stack(buf, true)], []byte("store.lockWrites("))
}
