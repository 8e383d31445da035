package pipeline

import (
	"encoding/json"
	"slices"
	"strings"
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

// TestDescriptionLanguageField: a description's languages are written in
// JSON (rank --json) under the name a description file gives them, the Hub
// card's language, so that the output reads back as a description.
func TestDescriptionLanguageField(t *testing.T) {
	d, err := ParseDescription([]byte("name: mine\nmodality: text\ntask: text-classification\nlanguage: [en, fr]\n"), "mine.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(d)
	if err != nil || !strings.Contains(string(b), `"language":["en","fr"]`) {
		t.Fatalf("%s, %v: want the languages under \"language\"", b, err)
	}
}

// TestDescribeDatasetSubtask: an imported benchmark's task: tag and the
// Hub's task_ids: tag are a zoo dataset's subtask (the first one given),
// and no longer words of its domain.
func TestDescribeDatasetSubtask(t *testing.T) {
	for _, tc := range []struct {
		tags []string
		want string
	}{
		{[]string{"task:natural language inference", "domain:news"}, "natural language inference"},
		{[]string{"task_ids:natural-language-inference", "task_ids:multi-input-text-classification"}, "natural-language-inference"},
		{[]string{"domain:news"}, ""},
	} {
		d := describeDataset(store.Dataset{DatasetID: "x", Tags: tc.tags})
		if d.Subtask != tc.want || slices.Contains(d.Tags, tc.want) {
			t.Errorf("tags %q: subtask %q (tags %q), want %q", tc.tags, d.Subtask, d.Tags, tc.want)
		}
	}
}

// TestParseDatasetMetaTask: the agreement model's task of a dataset is an
// imported benchmark's task: tag or a crawled dataset's task_ids: tag,
// compared in one notation, so that the two name one task alike.
func TestParseDatasetMetaTask(t *testing.T) {
	a := parseDatasetMeta(store.Dataset{DatasetID: "a", Tags: []string{"task:natural language inference"}})
	b := parseDatasetMeta(store.Dataset{DatasetID: "b", Tags: []string{"task_ids:natural-language-inference", "task_ids:other"}})
	c := parseDatasetMeta(store.Dataset{DatasetID: "c", Tags: []string{"domain:news"}})
	if a.task != "natural language inference" || b.task != a.task || c.task != "" {
		t.Errorf("tasks %q, %q, %q; want the first two equal, the third empty", a.task, b.task, c.task)
	}
}
