package evaluate

import (
	"testing"

	"github.com/zoograph/zoograph/store/storetest"
)

// TestDependencies keeps the arrows honest: evaluate reads store tables,
// and files through pipeline's bounded reader, and imports nothing else of
// zoograph's.
func TestDependencies(t *testing.T) {
	storetest.CheckDeps(t, storetest.Deps{ModuleOnly: true, Allow: []string{
		"github.com/zoograph/zoograph/store",
		"github.com/zoograph/zoograph/pipeline/internal/csvscan",
	}})
}
