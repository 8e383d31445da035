package card

import (
	"path"
	"testing"

	"github.com/zoograph/zoograph/store/storetest"
)

// fixturePath returns a path under ../shared/hub-fixtures, skipping (or
// failing under CI) when it is missing.
func fixturePath(tb testing.TB, elem ...string) string {
	tb.Helper()
	return storetest.Shared(tb, path.Join(append([]string{"hub-fixtures"}, elem...)...))
}
