package hub_test

import (
	"testing"

	"github.com/zoograph/zoograph/store/storetest"
)

// TestDependencies keeps the arrows honest: the API client is a leaf that
// imports nothing of zoograph's (in particular, not storage).
func TestDependencies(t *testing.T) {
	storetest.CheckDeps(t, storetest.Deps{ModuleOnly: true})
}
