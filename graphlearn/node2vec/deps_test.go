package node2vec

import (
	"testing"

	"github.com/zoograph/zoograph/store/storetest"
)

// TestDependencies keeps node2vec a leaf: of zoograph's packages only
// graphlearn, and of other modules only golang.org/x/sys/cpu (CPU
// features for the assembly kernels).
func TestDependencies(t *testing.T) {
	storetest.CheckDeps(t, storetest.Deps{Allow: []string{"github.com/zoograph/zoograph/graphlearn", "golang.org/x/sys/cpu"}})
}
