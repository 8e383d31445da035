package csvscan

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadFile: a file within the limit reads whole; one over it is refused
// naming it and the limit; a directory or a missing file is the
// *fs.PathError, which names the path once.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "models.csv")
	if err := os.WriteFile(path, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadFile(path, 8, "a test file"); err != nil || string(got) != "a,b\n1,2\n" {
		t.Errorf("ReadFile within the limit = %q, %v", got, err)
	}
	for _, tt := range []struct {
		limit int64
		want  string
	}{{7, "is larger than 7 bytes: not a test file"}, {1 << 20, ""}} {
		_, err := ReadFile(path, tt.limit, "a test file")
		if tt.want == "" {
			if err != nil {
				t.Errorf("limit %d: %v", tt.limit, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("limit %d: err = %v, want one naming %s and %q", tt.limit, err, path, tt.want)
		}
	}
	if got := size(256 << 20); got != "256 MiB" {
		t.Errorf("size(256 MiB) = %q", got)
	}
	for _, p := range []string{dir, filepath.Join(dir, "missing.csv")} {
		_, err := ReadFile(p, 8, "a test file")
		var pe *fs.PathError
		if !errors.As(err, &pe) || strings.Count(err.Error(), p) != 1 {
			t.Errorf("ReadFile(%s): err = %v, want an *fs.PathError naming it once", p, err)
		}
	}
}
