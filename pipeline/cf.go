package pipeline

import "math"

// Item-based collaborative filtering over models, for warm targets of zoos
// without distances. The dataset is the "user", the models are the "items":
// a candidate model m is predicted on row dataset a (the target or a
// history dataset) from the K models whose accuracy on a is revealed
// (targetAgreement.known), weighted by how alike m and each of them behave
// on the history datasets H other than a and the target.
//
// Baseline. Each model's general skill is h_m, the mean of its
// standardised accuracies z_b(m) over b ∈ H (the history_mean baseline).
// The revealed accuracies y_j are standardised over the revealed models.
//
// Similarity. The similarity of m and a revealed model j is the Pearson
// correlation r of their profiles z_b(·) over the n datasets of H where both
// have a record, shrunk by the number of those datasets (Koren's shrunk
// correlation):
//
//	s = r · n / (n + cfShrink)
//
// and its weight is max(0, s)², the kernel the agreement weights use.
//
// Prediction. The neighbours' deviations from their own skill, weighted,
// with one pseudo-neighbour of weight cfPrior at deviation 0, so that with
// no similar neighbour the prediction falls back to m's skill:
//
//	cf(m) = h_m + Σ_j w_j (y_j − h_j) / (Σ_j w_j + cfPrior)
//
// A model never serves as its own neighbour, so a history dataset's
// training row of a revealed model does not see its own label. Cold
// (K = 0) there is no family at all.
//
// Both constants were fixed before any run, from the scale of the history
// (about 20 datasets), not from results: cfShrink = 10 makes a correlation
// over ten shared datasets count half; cfPrior = 0.25 is the weight of one
// neighbour correlated at 0.5.
const (
	cfShrink = 10.0
	cfPrior  = 0.25
)

// cfFeatureNames are the columns cfFeatures writes: the prediction and the
// neighbours' weight mass Σ_j w_j (how much the prediction is worth).
var cfFeatureNames = []string{"cf_revealed", "cf_mass"}

// cfModel is the collaborative filter of one (target, seed) task: one row
// per row dataset, read-only once built.
type cfModel struct {
	d    *Data
	rows []*cfRow // nil for a dataset that gives no rows or has < 2 revealed
}

type cfRow struct {
	hist  []int       // H
	known []int       // the revealed models with a record on the row dataset
	dev   []float64   // y_j − h_j per revealed model
	prof  [][]float64 // prof[j][i] = z_{hist[i]}(known[j]) (NaN when none)
}

// cfFamily is the collaborative-filtering features of target t
// (cfFeatures), from tg's agreement's revealed models or, when tg has
// none, one computed from tg's probe and revealed models.
func cfFamily(d *Data, t int, tg *TargetGraph) featureFamily {
	agree := tg.agree
	if agree == nil {
		agree = newTargetAgreement(d, t, tg.Probe, tg.Revealed, tg.Seed)
	}
	cf := newCFModel(d, agree.t, agree.known)
	return featureFamily{names: cfFeatureNames,
		fill: func(dst []float64, mi, di int) { cf.features(dst, mi, di) }}
}

// newCFModel builds the filter of target t, known(a) giving the models
// revealed on row dataset a.
func newCFModel(d *Data, t int, known func(a int) []int) *cfModel {
	cf := &cfModel{d: d, rows: make([]*cfRow, len(d.Datasets))}
	for a := range d.Datasets {
		if a == t || d.hasHistory[a] {
			cf.rows[a] = newCFRow(d, t, a, known(a))
		}
	}
	return cf
}

func newCFRow(d *Data, t, a int, known []int) *cfRow {
	row := &cfRow{}
	for b := range d.Datasets {
		if b != a && b != t && d.hasHistory[b] {
			row.hist = append(row.hist, b)
		}
	}
	var ys []float64
	for _, mi := range known {
		if y := d.acc[a][mi]; !math.IsNaN(y) {
			row.known = append(row.known, mi)
			ys = append(ys, y)
		}
	}
	if len(ys) < 2 || len(row.hist) < 3 {
		return nil
	}
	ym, ysd := meanSD(ys)
	if ysd == 0 {
		return nil
	}
	row.dev = make([]float64, len(ys))
	row.prof = make([][]float64, len(ys))
	for j, mi := range row.known {
		row.prof[j] = row.profile(d, mi)
		h := nanMean(row.prof[j])
		if math.IsNaN(h) {
			h = 0 // no history: the average model
		}
		row.dev[j] = (ys[j]-ym)/ysd - h
	}
	return row
}

// profile returns model mi's standardised accuracies on the row's history
// datasets (NaN where it has none).
func (row *cfRow) profile(d *Data, mi int) []float64 {
	p := make([]float64, len(row.hist))
	for i, b := range row.hist {
		p[i] = d.z[b][mi]
	}
	return p
}

// features writes cf_revealed and cf_mass for model mi on row dataset a;
// NaN when the row has no filter or the model no history.
func (cf *cfModel) features(dst []float64, mi, a int) {
	dst[0], dst[1] = math.NaN(), math.NaN()
	row := cf.rows[a]
	if row == nil {
		return
	}
	dst[0], dst[1] = row.predict(row.profile(cf.d, mi), mi)
}

// predict returns the filter's prediction for model mi of profile p, and
// the neighbours' weight mass; NaN prediction when mi has no history.
func (row *cfRow) predict(p []float64, mi int) (float64, float64) {
	h := nanMean(p)
	if math.IsNaN(h) {
		return math.NaN(), 0
	}
	var num, mass float64
	for j, mj := range row.known {
		if mj == mi {
			continue
		}
		r, n := pearsonN(p, row.prof[j])
		if n < 3 || math.IsNaN(r) {
			continue
		}
		s := max(0, r*float64(n)/(float64(n)+cfShrink))
		w := s * s
		num += w * row.dev[j]
		mass += w
	}
	return h + num/(mass+cfPrior), mass
}

// pearsonN is the Pearson correlation of x and y over the indices where
// both are finite, and the number of those; NaN when either is constant.
func pearsonN(x, y []float64) (float64, int) {
	var n, sx, sy, sxx, syy, sxy float64
	for i, a := range x {
		b := y[i]
		if math.IsNaN(a) || math.IsNaN(b) {
			continue
		}
		n++
		sx += a
		sy += b
		sxx += a * a
		syy += b * b
		sxy += a * b
	}
	if n < 2 {
		return math.NaN(), int(n)
	}
	vx, vy := sxx-sx*sx/n, syy-sy*sy/n
	if vx <= 0 || vy <= 0 {
		return math.NaN(), int(n)
	}
	return (sxy - sx*sy/n) / math.Sqrt(vx*vy), int(n)
}

// nanMean is the mean of the finite values of v; NaN when there are none.
func nanMean(v []float64) float64 {
	var s, n float64
	for _, x := range v {
		if !math.IsNaN(x) {
			s += x
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / n
}
