package node2vec

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps node2vec a leaf: of zoograph's packages only
// graphlearn, and of other modules only golang.org/x/sys/cpu (CPU
// features for the assembly kernels).
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(dep, "/")
		switch dep {
		case "github.com/zoograph/zoograph/graphlearn/node2vec", "github.com/zoograph/zoograph/graphlearn", "golang.org/x/sys/cpu":
		default:
			if strings.Contains(first, ".") {
				t.Errorf("node2vec depends on %s; want the standard library, graphlearn and golang.org/x/sys/cpu", dep)
			}
		}
	}
}
