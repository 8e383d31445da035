package regress

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the package a leaf: it may import the standard library and
// gonum, and nothing else (in particular, nothing of ours).
func TestDeps(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const self = "github.com/zoograph/zoograph/graphlearn/regress"
	for _, pkg := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(pkg, "/")
		switch {
		case pkg == self, !strings.Contains(first, "."), strings.HasPrefix(pkg, "gonum.org/v1/gonum/"):
		default:
			t.Errorf("depends on %s; want only the standard library and gonum", pkg)
		}
	}
}
