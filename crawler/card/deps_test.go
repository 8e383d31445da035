package card

import (
	"testing"

	"github.com/zoograph/zoograph/store/storetest"
)

// TestNoZoographImports keeps the package a leaf: it imports nothing of
// zoograph's (the crawler converts its output into store rows).
func TestNoZoographImports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	storetest.CheckDeps(t, storetest.Deps{ModuleOnly: true})
}
