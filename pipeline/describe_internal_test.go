package pipeline

import (
	"slices"
	"testing"

	"github.com/zoograph/zoograph/store"
)

// TestDescribeDatasetLanguages checks that a zoo dataset's languages, from
// its row and its language: tags, are written as a description's are, so
// that EN in the zoo and en in a description are one language, and an
// empty code is none.
func TestDescribeDatasetLanguages(t *testing.T) {
	d := describeDataset(store.Dataset{DatasetID: "x", Languages: []string{"EN", "en", ""}, Tags: []string{"language:pt_br", "language:fr", "language:-"}})
	if want := []string{"en", "pt-BR", "fr"}; !slices.Equal(d.Languages, want) {
		t.Errorf("languages %q, want %q", d.Languages, want)
	}
}
