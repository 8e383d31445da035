package store

import (
	"testing"

	"github.com/zoograph/zoograph/store/storetest"
)

// TestDependencies keeps store a leaf: it imports nothing of zoograph's.
func TestDependencies(t *testing.T) {
	storetest.CheckDeps(t, storetest.Deps{ModuleOnly: true})
}
