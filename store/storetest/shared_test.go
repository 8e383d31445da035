package storetest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records Skipf and Fatalf instead of
// stopping the test (so the caller goes on after them).
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()                        {}
func (r *recorder) Skipf(format string, a ...any)  { r.skipped = fmt.Sprintf(format, a...) }
func (r *recorder) Fatalf(format string, a ...any) { r.failed = fmt.Sprintf(format, a...) }

func TestSharedEnv(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "transfergraph", "image"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CI", "")
	t.Setenv(SharedEnv, dir)
	r := &recorder{TB: t}
	if got, want := Shared(r, "transfergraph/image"), filepath.Join(dir, "transfergraph", "image"); got != want || r.skipped != "" {
		t.Errorf("Shared with %s set: %q (skipped %q), want %q", SharedEnv, got, r.skipped, want)
	}

	// Missing data: the skip says how to make go test run the test again,
	// since Go's test cache does not see files outside the module.
	r = &recorder{TB: t}
	Shared(r, "no/such/data")
	for _, want := range []string{filepath.Join(dir, "no", "such", "data"), "go test -count=1", SharedEnv} {
		if !strings.Contains(r.skipped, want) {
			t.Errorf("skip message %q lacks %q", r.skipped, want)
		}
	}
	t.Setenv("CI", "true")
	r = &recorder{TB: t}
	Shared(r, "no/such/data")
	if r.failed == "" {
		t.Errorf("under CI: no failure (skipped %q)", r.skipped)
	}
}
