package pipeline

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	_ "gonum.org/v1/plot/vg/vgimg" // PNG canvases
	_ "gonum.org/v1/plot/vg/vgsvg" // SVG canvases

	"github.com/zoograph/zoograph/store"
)

// Chart colours (non-premultiplied: plot's color.RGBA is premultiplied).
var (
	colourOurs      = color.NRGBA{R: 31, G: 119, B: 180, A: 255}
	colourOursPaper = color.NRGBA{R: 140, G: 190, B: 230, A: 255}
	colourPaper     = color.NRGBA{R: 255, G: 127, B: 14, A: 255}
	colourBaseline  = color.NRGBA{R: 44, G: 160, B: 44, A: 255}
	colourLogME     = color.NRGBA{R: 127, G: 127, B: 127, A: 255}
	colourPoints    = color.NRGBA{R: 31, G: 119, B: 180, A: 170}
	colourReference = color.NRGBA{R: 148, G: 103, B: 189, A: 255}
)

// renderCharts draws the Pearson bars per target (this run's method in
// each of its protocols, the best of the reference predictions, the
// strongest baseline, LogME and the paper's best published row) and a predicted-vs-actual scatter per target, as SVG and
// PNG, and returns the SVG file names for the report.
func renderCharts(dir string, info *ReportInfo, preds []store.Prediction, ref []store.ReferenceResult) ([]string, error) {
	var files []string
	if ch := pearsonChart(info, ref); ch != nil {
		name, err := ch.save(dir, "pearson_per_target")
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

// barChart is a grouped bar chart: one group per label, one bar per series
// in each group, the legend below the plot.
type barChart struct {
	title, yLabel string
	groups        []string // x labels, in full
	series        []barSeries
}

type barSeries struct {
	label  string // says what the numbers are, protocol included
	colour color.Color
	values []float64 // one per group; NaN: no bar
}

// pearsonChart returns the Pearson-per-target chart of a run, or nil when
// the run has no Pearson summary of its method. Every series names its
// protocol: the run's numbers are in its own protocols, the paper's
// published numbers in the paper's.
func pearsonChart(info *ReportInfo, ref []store.ReferenceResult) *barChart {
	groups := append(append([]string{}, info.Targets...), "_mean", "_weighted_mean")
	labels := append(append([]string{}, info.Targets...), "mean", "weighted mean")
	ch := &barChart{title: "Pearson between predicted and recorded accuracy, per target", yLabel: "Pearson r", groups: labels}
	fromRun := func(protocol, method string) []float64 {
		out := make([]float64, len(groups))
		for i, g := range groups {
			out[i] = math.NaN()
			if m, ok := info.Summary[protocol][method]["pearson"][g]; ok && m.N > 0 {
				out[i] = m.Mean
			}
		}
		return out
	}
	var first string
	for _, protocol := range info.Config.Protocols {
		if info.Summary[protocol][info.Method] == nil {
			continue
		}
		colour := colourOurs
		if first != "" {
			colour = colourOursPaper
		} else {
			first = protocol
		}
		name := info.Method
		if !strings.HasPrefix(name, "zoograph") {
			name = "zoograph " + name
		}
		ch.series = append(ch.series, barSeries{fmt.Sprintf("%s, %s protocol (this run)", name, protocol), colour, fromRun(protocol, info.Method)})
	}
	if first == "" {
		return nil
	}
	ch.series = append(ch.series, comparedSeries(info, first, fromRun)...)
	if name, pub := bestPublished(ref, "pearson"); name != "" {
		vals := make([]float64, len(groups))
		for i, g := range groups {
			vals[i] = math.NaN()
			switch g {
			case "_mean":
				if v, ok := meanOver(pub, info.Targets); ok {
					vals[i] = v
				}
			case "_weighted_mean":
				// Published over the paper's targets: comparable only
				// when the run held out the same ones.
				if v, ok := pub[g]; ok && sameTargets(pub, info.Targets) {
					vals[i] = v
				}
			default:
				if v, ok := pub[g]; ok {
					vals[i] = v
				}
			}
		}
		ch.series = append(ch.series, barSeries{fmt.Sprintf("paper's best published row (%s), paper protocol", name), colourPaper, vals})
	}
	return ch
}

// comparedSeries returns the series the run's method is compared with,
// under its first protocol: the best of the reference predictions
// (someone else's, evaluated here), the strongest baseline of the run, each
// by its mean Pearson over the targets, and LogME, the paper's reference
// baseline. fromRun returns a method's Pearson per group.
func comparedSeries(info *ReportInfo, first string, fromRun func(protocol, method string) []float64) []barSeries {
	var out []barSeries
	strongest := func(keep func(m string) bool) string {
		best, bestV := "", math.Inf(-1)
		for _, m := range sortedKeys(info.Summary[first]) {
			if m == info.Method || !keep(m) {
				continue
			}
			if v := info.Summary[first][m]["pearson"]["_mean"]; v.N > 0 && v.Mean > bestV {
				best, bestV = m, v.Mean
			}
		}
		return best
	}
	isReference := func(m string) bool { return slices.Contains(info.References, m) }
	if other := strongest(isReference); other != "" {
		what := "reference predictions, same models"
		if n := len(info.References); n > 1 {
			what = fmt.Sprintf("the best of %d reference predictions, same models", n)
		}
		out = append(out, barSeries{fmt.Sprintf("%s, %s protocol (%s)", other, first, what), colourReference, fromRun(first, other)})
	}
	best := strongest(func(m string) bool { return !isReference(m) })
	if best != "" {
		out = append(out, barSeries{fmt.Sprintf("%s, %s protocol (strongest baseline of this run)", best, first), colourBaseline, fromRun(first, best)})
	}
	if best != "logme" && info.Summary[first]["logme"] != nil {
		out = append(out, barSeries{fmt.Sprintf("logme, %s protocol (this run)", first), colourLogME, fromRun(first, "logme")})
	}
	return out
}

// sameTargets reports whether the published row pub covers exactly the
// targets (its keys starting with "_" are aggregates).
func sameTargets(pub map[string]float64, targets []string) bool {
	n := 0
	for k := range pub {
		if !strings.HasPrefix(k, "_") {
			n++
		}
	}
	for _, t := range targets {
		if _, ok := pub[t]; !ok {
			return false
		}
	}
	return n == len(targets)
}

// groupWidth is the share of a group's slot (1 on the x axis) its bars
// take; the rest separates the groups.
const groupWidth = 0.8

// bars is the plotter of a barChart: it draws in data coordinates, so the
// bars of group g fill [g − groupWidth/2, g + groupWidth/2] side by side,
// centred over the group's label whatever the canvas size.
type bars struct {
	ch *barChart
	// drawn records the rectangle of every bar drawn, in canvas
	// coordinates, by series then group; tests check the layout with it.
	drawn []barRect
}

type barRect struct {
	series, group int
	rect          vg.Rectangle
}

// slot returns the x range of series s in group g.
func (b *bars) slot(s, g int) (x0, x1 float64) {
	w := groupWidth / float64(len(b.ch.series))
	x0 = float64(g) - groupWidth/2 + float64(s)*w
	return x0, x0 + w
}

func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for s, se := range b.ch.series {
		for g, v := range se.values {
			if math.IsNaN(v) {
				continue
			}
			x0, x1 := b.slot(s, g)
			lo, hi := math.Min(0, v), math.Max(0, v)
			r := vg.Rectangle{Min: vg.Point{X: trX(x0), Y: trY(lo)}, Max: vg.Point{X: trX(x1), Y: trY(hi)}}
			c.FillPolygon(se.colour, c.ClipPolygonXY([]vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}}))
			b.drawn = append(b.drawn, barRect{s, g, r})
		}
	}
}

func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	for _, se := range b.ch.series {
		for _, v := range se.values {
			if !math.IsNaN(v) {
				ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
			}
		}
	}
	return -0.5, float64(len(b.ch.groups)) - 0.5, ymin, ymax
}

// swatch is a legend thumbnail: a filled square of the series' colour.
type swatch struct{ colour color.Color }

func (sw swatch) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	c.FillPolygon(sw.colour, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
}

// chartLayout is where draw put the parts of a chart.
type chartLayout struct {
	plot, legend vg.Rectangle // the plot (axes included) and the legend
	bars         []barRect
	// data is the data area, inside the axes.
	data vg.Rectangle
}

// size returns the chart's width and height: room for every bar and for
// the legend below the plot, its longest label included.
func (ch *barChart) size() (w, h vg.Length) {
	w = vg.Length(math.Max(7, 1.5+0.22*float64(len(ch.groups)*len(ch.series)))) * vg.Inch
	style := plot.NewLegend().TextStyle
	for _, se := range ch.series {
		// where plot's Legend.Draw ends the text, with a margin
		w = max(w, legendXOffs+legendThumbnail+style.Width(" "+se.label)+vg.Points(8))
	}
	return w, 4.5*vg.Inch + ch.legendHeight()
}

// The legend's left offset and thumbnail width.
var (
	legendXOffs     = 0.5 * vg.Inch
	legendThumbnail = vg.Points(12)
)

// legendPadding separates the legend's entries.
var legendPadding = vg.Points(5)

func (ch *barChart) legendHeight() vg.Length {
	size := plot.NewLegend().TextStyle.Font.Size
	return vg.Length(len(ch.series))*(1.2*size+legendPadding) + vg.Points(16)
}

// draw draws the chart on dc: the plot on top, the legend below it, outside
// the axes, so it never covers a bar.
func (ch *barChart) draw(dc draw.Canvas) (chartLayout, error) {
	p := plot.New()
	p.Title.Text = ch.title
	p.Y.Label.Text = ch.yLabel
	b := &bars{ch: ch}
	p.Add(plotter.NewGrid(), b)
	p.NominalX(ch.groups...)
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.Y.Max = math.Max(1, p.Y.Max)

	lh := ch.legendHeight()
	top := draw.Crop(dc, 0, 0, lh, -titleMargin)
	bottom := draw.Crop(dc, 0, 0, 0, -(dc.Max.Y - dc.Min.Y - lh))
	p.Draw(top)

	leg := plot.NewLegend()
	leg.Top, leg.Left = true, true
	leg.XOffs = legendXOffs
	leg.YOffs = -vg.Points(4)
	leg.ThumbnailWidth = legendThumbnail
	leg.Padding = legendPadding
	for _, se := range ch.series {
		leg.Add(se.label, swatch{se.colour})
	}
	leg.Draw(bottom)

	data := p.DataCanvas(top)
	return chartLayout{plot: top.Rectangle, legend: leg.Rectangle(bottom), bars: b.drawn, data: data.Rectangle}, nil
}

// save writes the chart as name.svg and name.png in dir and returns the
// SVG's file name.
func (ch *barChart) save(dir, name string) (string, error) {
	w, h := ch.size()
	for _, ext := range []string{"svg", "png"} {
		c, err := draw.NewFormattedCanvas(w, h, ext)
		if err != nil {
			return "", err
		}
		if _, err := ch.draw(draw.New(c)); err != nil {
			return "", fmt.Errorf("%s.%s: %w", name, ext, err)
		}
		if err := writeCanvas(filepath.Join(dir, name+"."+ext), c); err != nil {
			return "", fmt.Errorf("%s.%s: %w", name, ext, err)
		}
	}
	return name + ".svg", nil
}

func writeCanvas(path string, c io.WriterTo) error {
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return err
	}
	return store.WriteFileAtomic(path, b.Bytes())
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

// titleMargin keeps a plot's title off the top edge of its image.
var titleMargin = vg.Points(6)

// saveBoth writes name.svg and name.png and returns the SVG's file name.
func saveBoth(p *plot.Plot, dir, name string, w, h vg.Length) (string, error) {
	for _, ext := range []string{"svg", "png"} {
		c, err := draw.NewFormattedCanvas(w, h, ext)
		if err != nil {
			return "", err
		}
		p.Draw(draw.Crop(draw.New(c), 0, 0, 0, -titleMargin))
		if err := writeCanvas(filepath.Join(dir, name+"."+ext), c); err != nil {
			return "", fmt.Errorf("%s.%s: %w", name, ext, err)
		}
	}
	return name + ".svg", nil
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
