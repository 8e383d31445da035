package crawler_test

import (
	"testing"

	"github.com/zoograph/zoograph/store/storetest"
)

// TestDeps keeps the arrows honest: the crawler builds on store and its own
// sub-packages, never on the pipeline, the graph code or the command, and
// the Hub replica is for tests only.
func TestDeps(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	storetest.CheckDeps(t, storetest.Deps{ModuleOnly: true, Allow: []string{
		"github.com/zoograph/zoograph/crawler/hub",
		"github.com/zoograph/zoograph/crawler/card",
		"github.com/zoograph/zoograph/store",
	}})
}
