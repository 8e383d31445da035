package gnn

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the package pure Go and near a leaf: it may import the
// standard library, gonum and graphlearn, and nothing else (in particular,
// no sibling learner and nothing of the pipeline); no dependency may use
// cgo.
func TestDeps(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	out, err := exec.Command(gobin, "list", "-deps", "-f", "{{.ImportPath}} {{len .CgoFiles}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const (
		self  = "github.com/zoograph/zoograph/graphlearn/gnn"
		graph = "github.com/zoograph/zoograph/graphlearn"
	)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, cgo, _ := strings.Cut(line, " ")
		first, _, _ := strings.Cut(pkg, "/")
		switch {
		case pkg == self, pkg == graph, !strings.Contains(first, "."), strings.HasPrefix(pkg, "gonum.org/v1/gonum/"):
		default:
			t.Errorf("depends on %s; want only the standard library, gonum and graphlearn", pkg)
		}
		if cgo != "0" {
			t.Errorf("dependency %s has %s cgo files; want pure Go", pkg, cgo)
		}
	}
}
