package graphlearn

import (
	"testing"

	"github.com/zoograph/zoograph/store/storetest"
)

// TestDependencies keeps graphlearn a leaf: the standard library and
// nothing else, in particular nothing of zoograph's.
func TestDependencies(t *testing.T) {
	storetest.CheckDeps(t, storetest.Deps{})
}
