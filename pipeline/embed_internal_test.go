package pipeline

import (
	"math"
	"testing"

	"github.com/zoograph/zoograph/graphlearn"
)

// TestMetadataHidesOwnReportedAccuracy checks that a row (model, dataset)
// of a model trained on that dataset does not see its card's reported
// accuracy, a fine-tuning result on the row's dataset itself.
func TestMetadataHidesOwnReportedAccuracy(t *testing.T) {
	d := handData([]string{"child", "other"}, []string{"target"})
	d.Models[0].ReportedAccuracy, d.Models[1].ReportedAccuracy = 0.91, 0.72
	d.sources[0] = []int{0}
	dst := make([]float64, 16)
	if metadataFeatures(dst, d, 0, 0); !math.IsNaN(dst[4]) {
		t.Errorf("the child trained on the row's dataset reports %v, want NaN", dst[4])
	}
	if metadataFeatures(dst, d, 1, 0); dst[4] != 0.72 {
		t.Errorf("the other model reports %v, want 0.72", dst[4])
	}
}

// TestNodeFeaturesHideTargetReportedAccuracy checks that a model trained on
// the target does not carry its card's reported accuracy into the GNN: that
// number is the target's record of the model's base, one lineage edge away.
func TestNodeFeaturesHideTargetReportedAccuracy(t *testing.T) {
	d := handData([]string{"child", "other"}, []string{"target", "history"})
	d.Models[0].ReportedAccuracy, d.Models[1].ReportedAccuracy = 0.91, 0.72
	d.sources = [][]int{{0}, {1}}
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
