package pipeline

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/zoograph/zoograph/store"
)

// Chart colours (non-premultiplied: plot's color.RGBA is premultiplied).
var (
	colourOurs   = color.NRGBA{R: 31, G: 119, B: 180, A: 255}
	colourPaper  = color.NRGBA{R: 255, G: 127, B: 14, A: 255}
	colourLogME  = color.NRGBA{R: 127, G: 127, B: 127, A: 255}
	colourPoints = color.NRGBA{R: 31, G: 119, B: 180, A: 170}
)

// renderCharts draws the Pearson bars per target (ours vs the paper's best
// published row vs LogME) and a predicted-vs-actual scatter per target, as
// SVG and PNG, and returns the SVG file names for the report.
func renderCharts(dir string, info *ReportInfo, preds []store.Prediction, ref []store.ReferenceResult) ([]string, error) {
	var files []string
	var protocol string
	if len(info.Config.Protocols) > 0 { // report.json may be hand-edited
		protocol = info.Config.Protocols[0]
	}
	s := info.Summary[protocol]
	if s != nil && s[info.Method] != nil {
		name, err := pearsonBars(dir, info, s, ref, protocol)
		if err != nil {
			return nil, err
		}
		files = append(files, name)
	}
	for _, t := range info.Targets {
		name, err := scatter(dir, info, preds, t)
		if err != nil {
			return nil, err
		}
		if name != "" {
			files = append(files, name)
		}
	}
	return files, nil
}

func pearsonBars(dir string, info *ReportInfo, s map[string]map[string]map[string]MeanSD, ref []store.ReferenceResult, protocol string) (string, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Pearson per target (%s protocol)", protocol)
	p.Y.Label.Text = "Pearson r"
	p.Y.Min, p.Y.Max = math.Min(0, p.Y.Min), 1
	labels := append(shortNames(info.Targets), "mean")
	pubName, pub := bestPublished(ref, "pearson")

	type barSeries struct {
		label  string
		colour color.Color
		value  func(t string) float64
	}
	series := []barSeries{
		{info.Method, colourOurs, func(t string) float64 { return s[info.Method]["pearson"][t].Mean }},
	}
	if pubName != "" {
		series = append(series, barSeries{"paper: " + pubName, colourPaper, func(t string) float64 {
			if t == "_mean" {
				v, ok := meanOver(pub, info.Targets)
				if !ok {
					return math.NaN()
				}
				return v
			}
			if v, ok := pub[t]; ok {
				return v
			}
			return math.NaN()
		}})
	}
	if s["logme"] != nil {
		series = append(series, barSeries{"LogME", colourLogME, func(t string) float64 { return s["logme"]["pearson"][t].Mean }})
	}
	width := vg.Points(float64(60) / float64(len(series)+1) * 2)
	for i, se := range series {
		vals := make(plotter.Values, 0, len(labels))
		for _, t := range append(append([]string{}, info.Targets...), "_mean") {
			v := se.value(t)
			if math.IsNaN(v) {
				v = 0
			}
			vals = append(vals, v)
		}
		bars, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return "", err
		}
		bars.Color = se.colour
		bars.LineStyle.Width = 0
		bars.Offset = width * vg.Length(float64(i)-float64(len(series)-1)/2)
		p.Add(bars)
		p.Legend.Add(se.label, bars)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.NominalX(labels...)
	p.X.Tick.Label.Rotation = math.Pi / 5
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.Add(plotter.NewGrid())
	w := vg.Length(math.Max(6, 0.9*float64(len(labels)))) * vg.Inch
	return saveBoth(p, dir, "pearson_per_target", w, 4.5*vg.Inch)
}

func scatter(dir string, info *ReportInfo, preds []store.Prediction, target string) (string, error) {
	var pts plotter.XYs
	seed := int64(info.Config.Seed)
	for _, pr := range preds {
		if pr.Target == target && pr.Method == info.Method && pr.Seed == seed && !math.IsNaN(pr.Actual) {
			pts = append(pts, plotter.XY{X: pr.Predicted, Y: pr.Actual})
		}
	}
	if len(pts) == 0 {
		return "", nil
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: predicted vs recorded (seed %d)", target, seed)
	p.X.Label.Text = "predicted score"
	p.Y.Label.Text = "recorded accuracy"
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return "", err
	}
	sc.GlyphStyle.Shape = draw.CircleGlyph{}
	sc.GlyphStyle.Color = colourPoints
	sc.GlyphStyle.Radius = vg.Points(2.5)
	p.Add(plotter.NewGrid(), sc)
	return saveBoth(p, dir, "scatter_"+fileSafe(target), 5*vg.Inch, 4*vg.Inch)
}

// saveBoth writes name.svg and name.png and returns the SVG's file name.
func saveBoth(p *plot.Plot, dir, name string, w, h vg.Length) (string, error) {
	for _, ext := range []string{".svg", ".png"} {
		if err := p.Save(w, h, filepath.Join(dir, name+ext)); err != nil {
			return "", fmt.Errorf("%s%s: %w", name, ext, err)
		}
	}
	return name + ".svg", nil
}

func shortNames(targets []string) []string {
	out := make([]string, len(targets))
	for i, t := range targets {
		out[i] = strings.TrimPrefix(strings.ReplaceAll(t, "smallnorb_label_", "smallnorb_"), "tweet_eval/")
	}
	return out
}

func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}
