package hub_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the arrows honest: the API client is a leaf that
// imports nothing of zoograph's (in particular, not storage).
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/zoograph/zoograph/") && dep != "github.com/zoograph/zoograph/crawler/hub" {
			t.Errorf("crawler/hub imports %s", dep)
		}
	}
}
