package regress

import (
	"testing"

	"github.com/zoograph/zoograph/store/storetest"
)

// TestDeps keeps the package a leaf: it may import the standard library and
// gonum, and nothing else (in particular, nothing of ours).
func TestDeps(t *testing.T) {
	storetest.CheckDeps(t, storetest.Deps{Allow: []string{"gonum.org/v1/gonum/"}})
}
