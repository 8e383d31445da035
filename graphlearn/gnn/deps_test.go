package gnn

import (
	"testing"

	"github.com/zoograph/zoograph/store/storetest"
)

// TestDeps keeps the package pure Go and near a leaf: it may import the
// standard library, gonum and graphlearn, and nothing else (in particular,
// no sibling learner and nothing of the pipeline); no dependency may use
// cgo.
func TestDeps(t *testing.T) {
	storetest.CheckDeps(t, storetest.Deps{
		Allow: []string{"gonum.org/v1/gonum/", "github.com/zoograph/zoograph/graphlearn"},
		NoCgo: true,
	})
}
