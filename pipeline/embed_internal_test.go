package pipeline

import (
	"math"
	"testing"

	"github.com/zoograph/zoograph/graphlearn"
)

// TestMetadataHidesReportedAccuracy checks that a row (model, dataset) of
// target t's table does not see the card's reported accuracy of a model
// trained on the row's dataset (the row's label) or on t (t's record), in
// training and test rows alike, and that Without(t) hides it too.
func TestMetadataHidesReportedAccuracy(t *testing.T) {
	d := handData([]string{"child", "target-child", "other"}, []string{"history", "target"})
	d.Models[0].ReportedAccuracy, d.Models[1].ReportedAccuracy, d.Models[2].ReportedAccuracy = 0.91, 0.83, 0.72
	d.sources = [][]int{{0}, {1}, nil}
	d.reportedOn = d.sources // what a card's result may be on: here what it was trained on
	const target = 1
	cases := []struct {
		name   string
		mi, di int
		want   float64
	}{
		{"training row of a model trained on the row's dataset", 0, 0, nan},
		{"test row of a model trained on another dataset", 0, target, 0.91},
		{"training row of a model trained on the target", 1, 0, nan},
		{"test row of a model trained on the target", 1, target, nan},
		{"a model trained on neither", 2, 0, 0.72},
	}
	dst := make([]float64, 16)
	for _, c := range cases {
		if metadataFeatures(dst, d, target, c.mi, c.di); !sameFloat(dst[4], c.want) {
			t.Errorf("%s: reported accuracy %v, want %v", c.name, dst[4], c.want)
		}
	}
	d.acc = newMatrix(len(d.Datasets), len(d.Models), nan)
	d.norm = d.acc
	d.hasHistory = []bool{true, true}
	v := d.Without(target)
	got := []float64{v.Models[0].ReportedAccuracy, v.Models[1].ReportedAccuracy, v.Models[2].ReportedAccuracy}
	if want := []float64{0.91, nan, 0.72}; !sameFloats(got, want) {
		t.Errorf("Without(target): reported accuracies %v, want %v", got, want)
	}
	if d.Models[1].ReportedAccuracy != 0.83 {
		t.Errorf("Without changed the zoo's own model row: %v, want 0.83", d.Models[1].ReportedAccuracy)
	}
	x := nodeFeatures(v, 0, graphOf(v))
	if r := x.At(1, 4); !math.IsNaN(r) {
		t.Errorf("GNN node features of Without(target), inner target history: the target's child reports %v, want NaN", r)
	}
}

// TestNodeFeaturesHideTargetReportedAccuracy checks that a model trained on
// the target does not carry its card's reported accuracy into the GNN: that
// number is the target's record of the model's base, one lineage edge away.
func TestNodeFeaturesHideTargetReportedAccuracy(t *testing.T) {
	d := handData([]string{"child", "other"}, []string{"target", "history"})
	d.Models[0].ReportedAccuracy, d.Models[1].ReportedAccuracy = 0.91, 0.72
	d.sources = [][]int{{0}, {1}}
	d.reportedOn = d.sources // what a card's result may be on: here what it was trained on
	b := graphlearn.NewBuilder()
	tg := &TargetGraph{
		Model:   []int32{b.Node(graphlearn.NodeModel, "child"), b.Node(graphlearn.NodeModel, "other")},
		Dataset: []int32{b.Node(graphlearn.NodeDataset, "target"), b.Node(graphlearn.NodeDataset, "history")},
	}
	tg.Graph = b.Build()
	const reported = 4 // nodeFeatures' column
	x := nodeFeatures(d, 0, tg)
	if v := x.At(int(tg.Model[0]), reported); !math.IsNaN(v) {
		t.Errorf("target 0: the child trained on it reports %v, want NaN", v)
	}
	if v := x.At(int(tg.Model[1]), reported); v != 0.72 {
		t.Errorf("target 0: the other model reports %v, want 0.72", v)
	}
	x = nodeFeatures(d, 1, tg)
	if v := x.At(int(tg.Model[0]), reported); v != 0.91 {
		t.Errorf("target 1: the child reports %v, want 0.91", v)
	}
	if v := x.At(int(tg.Model[1]), reported); !math.IsNaN(v) {
		t.Errorf("target 1: the model trained on it reports %v, want NaN", v)
	}
}

// graphOf returns a graph with one node per model then one per dataset of d,
// in index order.
func graphOf(d *Data) *TargetGraph {
	b := graphlearn.NewBuilder()
	tg := &TargetGraph{}
	for _, m := range d.Models {
		tg.Model = append(tg.Model, b.Node(graphlearn.NodeModel, m.ModelID))
	}
	for _, ds := range d.Datasets {
		tg.Dataset = append(tg.Dataset, b.Node(graphlearn.NodeDataset, ds.DatasetID))
	}
	tg.Graph = b.Build()
	return tg
}
