package pipeline

import (
	"math"
	"slices"
	"testing"

	"github.com/zoograph/zoograph/store"
)

// TestReportedOn checks which datasets of a zoo a model's declared training
// dataset names for its reported accuracy (deriveReportedOn): the dataset
// itself, any case, with or without its owner, and its configs — never
// another dataset that merely shares a prefix.
func TestReportedOn(t *testing.T) {
	ids := []string{"cifar10", "cifar100", "glue/mrpc", "glue/sst2", "nyu-mll/glue/rte", "superglue/rte", "poolrf2001/mask"}
	tests := []struct {
		declared string
		want     []string
	}{
		{"glue", []string{"glue/mrpc", "glue/sst2", "nyu-mll/glue/rte"}},
		{"nyu-mll/glue", []string{"glue/mrpc", "glue/sst2", "nyu-mll/glue/rte"}},
		{"GLUE", []string{"glue/mrpc", "glue/sst2", "nyu-mll/glue/rte"}},
		{"glue/mrpc", []string{"glue/mrpc"}},
		{"cifar10", []string{"cifar10"}},
		{"uoft-cs/CIFAR100", []string{"cifar100"}},
		{"poolrf2001/facemask", nil},
		{"imagenet", nil},
	}
	for _, tt := range tests {
		t.Run(tt.declared, func(t *testing.T) {
			tables := &store.Tables{Models: []store.Model{{ModelID: "m", SourceDatasets: []string{tt.declared}, ReportedAccuracy: 0.9}}}
			for _, id := range ids {
				tables.Datasets = append(tables.Datasets, store.Dataset{DatasetID: id})
				tables.Finetunes = append(tables.Finetunes, store.Finetune{ModelID: "m", DatasetID: id, Accuracy: 0.5, Method: "full"})
			}
			d, err := Clean(tables, DefaultConfig().Clean)
			if err != nil {
				t.Fatal(err)
			}
			var got []string // among ids: the declared dataset is a dataset of the zoo too
			for _, di := range d.reportedOn[0] {
				if id := d.Datasets[di].DatasetID; slices.Contains(ids, id) {
					got = append(got, id)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("declared %q: reported on %v, want %v", tt.declared, got, tt.want)
			}
			for _, di := range d.reportedOn[0] {
				if v := d.Without(di).Models[0].ReportedAccuracy; !math.IsNaN(v) {
					t.Errorf("declared %q: the view without %s shows the reported accuracy %v", tt.declared, d.Datasets[di].DatasetID, v)
				}
			}
		})
	}
}
