package evaluate

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the arrows honest: evaluate reads store tables and
// imports nothing else of zoograph's.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	const module = "github.com/zoograph/zoograph/"
	for _, dep := range strings.Fields(string(out)) {
		if !strings.HasPrefix(dep, module) {
			continue
		}
		switch strings.TrimPrefix(dep, module) {
		case "store", "pipeline/evaluate":
		default:
			t.Errorf("evaluate depends on %s", dep)
		}
	}
}
