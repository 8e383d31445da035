package store

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps store a leaf: it imports nothing of zoograph's.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	const module = "github.com/zoograph/zoograph/"
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, module) && dep != module+"store" {
			t.Errorf("store depends on %s", dep)
		}
	}
}
