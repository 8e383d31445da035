package card

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoZoographImports keeps the package a leaf: it imports nothing of
// zoograph's (the crawler converts its output into store rows).
func TestNoZoographImports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const self = "github.com/zoograph/zoograph/crawler/card"
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/zoograph/zoograph/") && pkg != self {
			t.Errorf("%s imports %s; it must import nothing of zoograph's", self, pkg)
		}
	}
}
