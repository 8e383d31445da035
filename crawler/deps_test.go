package crawler_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the arrows honest: the crawler builds on store and its own
// sub-packages, never on the pipeline, the graph code or the command, and
// the Hub replica is for tests only.
func TestDeps(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	const mod = "github.com/zoograph/zoograph/"
	allowed := map[string]bool{mod + "crawler": true, mod + "crawler/hub": true, mod + "crawler/card": true, mod + "store": true}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, mod) && !allowed[p] {
			t.Errorf("crawler depends on %s", p)
		}
	}
}
