// Package storetest holds what the project's tests share: the location of
// the third-party reference data they read.
package storetest

import (
	"os"
	"path/filepath"
	"testing"
)

// Shared returns the path of rel (slash-separated) inside the shared data
// directory, ../shared beside the module root (the directory holding
// go.mod). The data is never copied into the repository: when it is
// missing, tb fails under CI (CI set) and skips elsewhere.
func Shared(tb testing.TB, rel string) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(filepath.Dir(dir), "shared", filepath.FromSlash(rel))
			if _, err := os.Stat(p); err != nil {
				missing(tb, p)
			}
			return p
		}
		if filepath.Dir(dir) == dir {
			missing(tb, "../shared/"+rel+" (no go.mod above "+wd+")")
			return ""
		}
	}
}

func missing(tb testing.TB, p string) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("shared data not found at %s (CI needs ../shared beside the repository)", p)
	}
	tb.Skipf("shared data not found at %s; place the shared data beside the repository to run this test", p)
}

// SharedFiles reads the files of the shared data directory rel whose names
// match pattern (path.Match syntax), keyed by name. No match fails tb.
func SharedFiles(tb testing.TB, rel, pattern string) map[string][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(Shared(tb, rel), pattern))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no shared files match %s/%s: %v", rel, pattern, err)
	}
	out := make(map[string][]byte, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}
