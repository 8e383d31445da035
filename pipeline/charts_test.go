package pipeline

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/zoograph/zoograph/store"
)

// chartRun is the report of a run with both protocols, three targets (one
// with a long name), a baseline stronger than LogME, one that is negative
// or missing, and the paper's published rows.
func chartRun() (*ReportInfo, []store.ReferenceResult) {
	targets := []string{"caltech101", "smallnorb_label_elevation", "svhn"}
	cell := func(vals ...float64) map[string]map[string]MeanSD {
		m := map[string]MeanSD{}
		var sum float64
		for i, t := range targets {
			if !math.IsNaN(vals[i]) {
				m[t] = MeanSD{Mean: vals[i], N: 5}
			}
			sum += vals[i]
		}
		m["_mean"] = MeanSD{Mean: sum / 3, N: 5}
		m["_weighted_mean"] = MeanSD{Mean: sum / 3, N: 5}
		return map[string]map[string]MeanSD{"pearson": m}
	}
	info := &ReportInfo{
		Method:  "node2vec+gbdt",
		Config:  Config{Protocols: []string{"clean", "paper"}},
		Targets: targets,
		Summary: map[string]map[string]map[string]map[string]MeanSD{
			"clean": {
				"node2vec+gbdt": cell(0.95, 0.90, 0.73),
				"metadata":      cell(0.95, 0.93, 0.79),
				"logme":         cell(0.48, 0.39, 0.41),
				"downloads":     cell(-0.2, math.NaN(), 0.1),
			},
			"paper": {"node2vec+gbdt": cell(0.94, 0.90, 0.70)},
		},
	}
	var ref []store.ReferenceResult
	for t, v := range map[string]float64{"caltech101": 0.946, "smallnorb_label_elevation": 0.907, "svhn": 0.812, "dtd": 0.85, "_weighted_mean": 0.808} {
		ref = append(ref, chartRef("xgb_node2vec", t, v))
	}
	ref = append(ref, chartRef("LogME", "svhn", 0.4))
	return info, ref
}

func chartRef(method, target string, v float64) store.ReferenceResult {
	return store.ReferenceResult{Source: "tg", Method: method, Metric: "pearson", Target: target, Value: v}
}

// TestPearsonChartText checks what the chart says: full target names, the
// protocol of every series, the run's strongest baseline and the paper's
// published row named as paper protocol.
func TestPearsonChartText(t *testing.T) {
	info, ref := chartRun()
	dir := t.TempDir()
	if _, err := renderCharts(dir, info, nil, ref); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "pearson_per_target.svg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		">smallnorb_label_elevation<",
		">zoograph node2vec+gbdt, clean protocol (this run)<",
		">zoograph node2vec+gbdt, paper protocol (this run)<",
		">metadata, clean protocol (strongest baseline of this run)<",
		">logme, clean protocol (this run)<",
		">paper&#39;s best published row (xgb_node2vec), paper protocol<",
	} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("the chart's SVG lacks the text %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "pearson_per_target.png")); err != nil {
		t.Error(err)
	}
}

// TestPearsonChartLayout checks where the bars and the legend are drawn:
// each bar over its own group's label, no two bars overlapping, every bar
// inside the axes, the legend outside them.
func TestPearsonChartLayout(t *testing.T) {
	info, ref := chartRun()
	ch := pearsonChart(info, ref)
	if got, want := len(ch.series), 5; got != want {
		t.Fatalf("%d series, want %d (ours in 2 protocols, metadata, logme, paper)", got, want)
	}
	// The paper's weighted mean is over targets this run did not hold out
	// (dtd): no bar. Its mean is over the run's targets.
	paper := ch.series[4].values
	if !math.IsNaN(paper[4]) || math.Abs(paper[3]-(0.946+0.907+0.812)/3) > 1e-12 {
		t.Errorf("paper's mean %v, weighted mean %v: want the mean over the run's targets and no weighted mean", paper[3], paper[4])
	}

	w, h := ch.size()
	lay, err := ch.draw(draw.New(vgimg.New(w, h)))
	if err != nil {
		t.Fatal(err)
	}
	groups := len(ch.groups)
	slotW := (lay.data.Max.X - lay.data.Min.X) / vg.Length(groups)
	const eps = 0.01
	drawn := map[[2]int]bool{}
	for i, b := range lay.bars {
		drawn[[2]int{b.series, b.group}] = true
		r := b.rect
		lo := lay.data.Min.X + vg.Length(b.group)*slotW
		if r.Min.X < lo-eps || r.Max.X > lo+slotW+eps {
			t.Errorf("bar of series %d, group %s spans x %.1f..%.1f, outside its group's slot %.1f..%.1f",
				b.series, ch.groups[b.group], r.Min.X, r.Max.X, lo, lo+slotW)
		}
		if r.Min.Y < lay.data.Min.Y-eps || r.Max.Y > lay.data.Max.Y+eps {
			t.Errorf("bar of series %d, group %s spans y %.1f..%.1f, outside the axes %.1f..%.1f",
				b.series, ch.groups[b.group], r.Min.Y, r.Max.Y, lay.data.Min.Y, lay.data.Max.Y)
		}
		for _, o := range lay.bars[i+1:] {
			if overlap(r, o.rect) {
				t.Errorf("bars (%d, %s) and (%d, %s) overlap", b.series, ch.groups[b.group], o.series, ch.groups[o.group])
			}
		}
	}
	// One bar per known value: downloads' missing svhn value draws none.
	for s, se := range ch.series {
		for g, v := range se.values {
			if drawn[[2]int{s, g}] == math.IsNaN(v) {
				t.Errorf("series %d, group %s: value %v, drawn %v", s, ch.groups[g], v, drawn[[2]int{s, g}])
			}
		}
	}
	if overlap(lay.legend, lay.plot) {
		t.Errorf("legend %v overlaps the plot %v", lay.legend, lay.plot)
	}
	if lay.legend.Min.Y < 0 || lay.legend.Max.X > w {
		t.Errorf("legend %v leaves the %v × %v canvas", lay.legend, w, h)
	}
}

func overlap(a, b vg.Rectangle) bool {
	const eps = 0.01
	return a.Min.X < b.Max.X-eps && b.Min.X < a.Max.X-eps && a.Min.Y < b.Max.Y-eps && b.Min.Y < a.Max.Y-eps
}

// TestPearsonChartReference checks that reference predictions (someone
// else's, evaluated in the run) get a series of their own, named as such,
// are never called the run's strongest baseline, and that the legend fits
// the canvas with their long names.
func TestPearsonChartReference(t *testing.T) {
	info, ref := chartRun()
	const other = "xgb_homo_SAGEConv_all_normalize_without_transfer"
	clean := info.Summary["clean"]
	clean[other] = map[string]map[string]MeanSD{"pearson": {"_mean": {Mean: 0.99, N: 1}, "svhn": {Mean: 0.99, N: 1}}}
	clean["lr_node2vec"] = map[string]map[string]MeanSD{"pearson": {"_mean": {Mean: 0.5, N: 1}}}
	info.References = []string{"lr_node2vec", other}
	ch := pearsonChart(info, ref)
	var labels []string
	for _, se := range ch.series {
		labels = append(labels, se.label)
	}
	for _, want := range []string{
		other + ", clean protocol (the best of 2 reference predictions, same models)",
		"metadata, clean protocol (strongest baseline of this run)",
	} {
		if !slices.Contains(labels, want) {
			t.Errorf("series %q, want one labelled %q", labels, want)
		}
	}
	w, _ := ch.size()
	// plot's Legend.Draw writes a label from its left offset, past the
	// thumbnail and a space (its Rectangle does not say where).
	style := plot.NewLegend().TextStyle
	for _, l := range labels {
		if right := legendXOffs + legendThumbnail + style.Rectangle(" ").Max.X + style.Width(l); right > w {
			t.Errorf("legend label %q ends at %v, past the %v wide canvas", l, right, w)
		}
	}
}
