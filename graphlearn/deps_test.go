package graphlearn

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps graphlearn a leaf: the standard library and
// nothing else, in particular nothing of zoograph's.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(dep, "/")
		if dep != "github.com/zoograph/zoograph/graphlearn" && strings.Contains(first, ".") {
			t.Errorf("graphlearn depends on %s; want only the standard library", dep)
		}
	}
}
