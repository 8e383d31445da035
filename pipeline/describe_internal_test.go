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

// TestNearestName checks the dataset a mistyped target name is taken for:
// one spelling away, or a typo away when that is a single dataset.
func TestNearestName(t *testing.T) {
	ids := []string{"glue/sst2", "dtd", "cifar10", "cifar100", "rotten_tomatoes", "tweet_ev_hate", "tweet_ev_irony"}
	for _, c := range []struct{ name, want string }{
		{"glue_sst2", "glue/sst2"},
		{"DTD", "dtd"},
		{"dtdd", "dtd"},
		{"rotten-tomatoes", "rotten_tomatoes"},
		{"roten_tomatos", "rotten_tomatoes"},
		{"cifar1000", "cifar100"},
		{"cifar10x", ""}, // cifar10 and cifar100 one typo away alike
		{"tweet_ev_hat", "tweet_ev_hate"},
		{"tweet_ev_xxxx", ""}, // more than two typos
		{"imagenet", ""},
		{"ab", ""},
	} {
		if got := nearestName(c.name, ids); got != c.want {
			t.Errorf("nearestName(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}
