// Package storetest holds what the project's tests share: the location of
// the third-party reference data they read, and the check that keeps each
// package's dependencies to its rule. It imports only the standard library,
// so any package's tests, store's own included, may use it.
package storetest

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedEnv names the environment variable that, when set, is the shared
// data directory, in place of ../shared beside the module root.
const SharedEnv = "ZOOGRAPH_SHARED"

// Shared returns the path of rel (slash-separated) inside the shared data
// directory: $ZOOGRAPH_SHARED when set, else ../shared beside the module
// root (the directory holding go.mod). The data is never copied into the
// repository: when it is missing, tb fails under CI (CI set) and skips
// elsewhere.
//
// Go's test cache records the environment variables a test reads but not
// the files it reads outside the module, so a test skipped for want of
// ../shared stays skipped, cached, once the data is there: the skip message
// says to run go test -count=1 (or to set ZOOGRAPH_SHARED, which the cache
// does see).
func Shared(tb testing.TB, rel string) string {
	tb.Helper()
	if dir := os.Getenv(SharedEnv); dir != "" {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if _, err := os.Stat(p); err != nil {
			missing(tb, p)
		}
		return p
	}
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
		tb.Fatalf("shared data not found at %s (CI needs ../shared beside the repository, or %s)", p, SharedEnv)
	}
	tb.Skipf("shared data not found at %s; place the shared data beside the repository (or set %s to it), "+
		"then run go test -count=1 ./...: Go's test cache does not see files outside the module and would repeat this skip", p, SharedEnv)
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
