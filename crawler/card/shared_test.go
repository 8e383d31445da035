package card

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDir returns the team's shared data directory, ../shared beside the
// repository root (the directory holding go.mod). When it is missing the
// test fails under CI (env CI set) and is skipped otherwise.
func sharedDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			missingShared(tb, "no go.mod above the test's working directory")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if fi, err := os.Stat(shared); err != nil || !fi.IsDir() {
		missingShared(tb, "shared data directory "+shared+" not found")
	}
	return shared
}

// fixturePath returns a path under ../shared/hub-fixtures, skipping (or
// failing under CI) when it is missing.
func fixturePath(tb testing.TB, elem ...string) string {
	tb.Helper()
	p := filepath.Join(append([]string{sharedDir(tb), "hub-fixtures"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		missingShared(tb, "hub fixture "+p+" not found")
	}
	return p
}

func missingShared(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("%s (required when CI is set)", why)
	}
	tb.Skipf("%s; skipping (set up ../shared beside the repository to run this test)", why)
}
