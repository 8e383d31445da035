package pipeline

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestReportCleaningDefaultTargets checks that the report says a dataset
// kept out of the history is no default target (a new column of collapsed
// runs, or with too few models, vanished from a run's targets with nothing
// saying so), and does not say it when the targets were named.
func TestReportCleaningDefaultTargets(t *testing.T) {
	info := &ReportInfo{Config: DefaultConfig(), Dropped: []DroppedDataset{{Dataset: "wsc", Why: "4 fine-tuned models, fewer than 5"}}}
	var b strings.Builder
	writeRunDetails(&b, info)
	const says = "and so out of the default targets"
	if !strings.Contains(b.String(), says) || !strings.Contains(b.String(), "- wsc: 4 fine-tuned models") {
		t.Errorf("default targets: report lacks %q or the dataset:\n%s", says, b.String())
	}
	info.Config.Targets = []string{"wsc"}
	b.Reset()
	writeRunDetails(&b, info)
	if strings.Contains(b.String(), says) {
		t.Errorf("named targets: report says %q:\n%s", says, b.String())
	}
	// A default target all the same (the zoo's reference results name it).
	info.Config.Targets, info.Targets = nil, []string{"wsc"}
	b.Reset()
	writeRunDetails(&b, info)
	if strings.Contains(b.String(), says) {
		t.Errorf("a dropped dataset among the default targets: report says %q:\n%s", says, b.String())
	}
}

// TestDroppedDatasetJSON checks that report.json's dropped_history reads
// back as written, and that the "dataset: why" strings of older runs still
// read (`zoograph report` re-renders them).
func TestDroppedDatasetJSON(t *testing.T) {
	want := []DroppedDataset{{Dataset: "food101", Why: "98% of the models share one accuracy: collapsed runs"}}
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{string(b), `["food101: 98% of the models share one accuracy: collapsed runs"]`} {
		var got []DroppedDataset
		if err := json.Unmarshal([]byte(doc), &got); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s read as %v, want %v", doc, got, want)
		}
	}
}
