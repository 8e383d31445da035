package pipeline

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Dataset similarity without distances. Two datasets are similar when the
// models that do well on one do well on the other: their agreement is the
// Pearson correlation of their accuracies over the models they share. For
// two history datasets it is measured (historyData.agree). For the held-out
// target it cannot be — nothing recorded on it may be used — so it is
// predicted from metadata by a ridge regression fitted on the measured
// agreements of the history datasets other than the target (same task,
// domain, task category, Hub collection, size category, class count). On a
// warm target (Config.Probe = K) the K revealed accuracies measure it
// roughly, and the measurement is shrunk toward the prediction in
// proportion to its noise:
//
//	s = p + g·(r − p),   g = σ² / (σ² + (1 − r²)²/(n − 1))
//
// with p the metadata prediction, r the correlation over the n revealed
// models, σ² the spread of measured agreements around their predictions and
// (1 − r²)²/(n − 1) the sampling variance of a correlation of n points.

// agreementModel predicts the agreement of two datasets from their metadata.
type agreementModel struct {
	coef []float64
	// resid2 is the mean squared residual of the fit: the prior variance σ²
	// of an agreement around its prediction.
	resid2 float64
}

// nPairFeatures is the length of pairFeatures' output.
const nPairFeatures = 8

// agreementRidge is the ridge penalty of the metadata regression on each
// coefficient but the intercept: one pseudo-pair pulling each 0/1 feature's
// effect toward none, so a feature seen in a handful of pairs cannot swing
// the prediction.
const agreementRidge = 1.0

// pairFeatures writes the metadata comparison of datasets a and b: an
// intercept, whether they share a task, a domain, a task category, a Hub
// collection and a size category, the difference of their log class counts
// and whether it is unknown.
func pairFeatures(d *Data, a, b int, x []float64) {
	ma, mb := &d.meta[a], &d.meta[b]
	same := func(u, v string) float64 {
		if u != "" && u == v {
			return 1
		}
		return 0
	}
	x[0] = 1
	x[1] = same(ma.task, mb.task)
	x[2] = same(ma.domain, mb.domain)
	x[3] = same(ma.category, mb.category)
	x[4] = same(ma.hub, mb.hub)
	x[5] = same(ma.size, mb.size)
	x[6], x[7] = 0, 1
	if !math.IsNaN(ma.logClasses) && !math.IsNaN(mb.logClasses) {
		x[6], x[7] = math.Abs(ma.logClasses-mb.logClasses), 0
	}
}

// fitAgreement fits the metadata regression on the measured agreements of
// every pair of history datasets other than t. With too few pairs it
// predicts their mean.
func fitAgreement(d *Data, t int) *agreementModel {
	var xs []float64
	var ys []float64
	x := make([]float64, nPairFeatures)
	for a := range d.Datasets {
		for b := a + 1; b < len(d.Datasets); b++ {
			if a == t || b == t || !d.hasHistory[a] || !d.hasHistory[b] || math.IsNaN(d.agree[a][b]) {
				continue
			}
			pairFeatures(d, a, b, x)
			xs = append(xs, x...)
			ys = append(ys, d.agree[a][b])
		}
	}
	m := &agreementModel{coef: make([]float64, nPairFeatures)}
	n := len(ys)
	if n == 0 {
		m.resid2 = 0.04 // an agreement known to ±0.2: a weak prior
		return m
	}
	if n < 2*nPairFeatures {
		m.coef[0] = mean(ys)
	} else {
		X := mat.NewDense(n, nPairFeatures, xs)
		var xtx mat.Dense
		xtx.Mul(X.T(), X)
		for j := 1; j < nPairFeatures; j++ {
			xtx.Set(j, j, xtx.At(j, j)+agreementRidge)
		}
		var xty mat.VecDense
		xty.MulVec(X.T(), mat.NewVecDense(n, ys))
		var c mat.VecDense
		if err := c.SolveVec(&xtx, &xty); err != nil {
			m.coef[0] = mean(ys)
		} else {
			copy(m.coef, c.RawVector().Data)
		}
	}
	var ss float64
	for i, y := range ys {
		r := y - m.predictRow(xs[i*nPairFeatures:(i+1)*nPairFeatures])
		ss += r * r
	}
	m.resid2 = max(ss/float64(n), 1e-4)
	return m
}

func (m *agreementModel) predictRow(x []float64) float64 {
	var p float64
	for j, c := range m.coef {
		p += c * x[j]
	}
	return max(-1, min(1, p))
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// targetAgreement is the dataset similarity of one (target, seed) task:
// s(a, b) for a row dataset a (the target or a history dataset) and a
// history dataset b other than a and the target.
type targetAgreement struct {
	d     *Data
	t     int
	model *agreementModel
	// k is the number of revealed models per dataset (Config.Probe);
	// revealed are the target's. A history dataset's rows see the same
	// kind of measurement: k of its models drawn with the task's seed.
	k        int
	revealed []int
	seed     uint64
	// rows[a] are row dataset a's similarities, all computed up front so
	// that tasks may share a targetAgreement.
	rows []*agreementRow
	// drawn[a] are history dataset a's revealed models (known), drawn
	// once up front for the same reason: the similarities, the low-rank
	// and collaborative filters and the training rows all read them.
	drawn [][]int
}

type agreementRow struct {
	sim []float64 // s(a, b) per dataset b; NaN where undefined
	w   []float64 // max(0, s)², the history weights
}

func newTargetAgreement(d *Data, t int, k int, revealed []int, seed uint64) *targetAgreement {
	ta := &targetAgreement{d: d, t: t, model: fitAgreement(d, t), k: k, revealed: revealed, seed: seed,
		rows: make([]*agreementRow, len(d.Datasets))}
	if k > 0 {
		ta.drawn = make([][]int, len(d.Datasets))
		for a := range ta.drawn {
			if a != t {
				ta.drawn[a] = revealModels(d, a, k, seed)
			}
		}
	}
	for a := range ta.rows {
		ta.rows[a] = ta.computeRow(a)
	}
	return ta
}

// revealModels draws k of the models with a record on dataset di, seeded by
// seed and the dataset's id, in increasing index order. The draw depends
// only on which models have a record, never on the records.
func revealModels(d *Data, di, k int, seed uint64) []int {
	if k <= 0 {
		return nil
	}
	models := d.TargetModels(di)
	if k >= len(models) {
		return models
	}
	h := fnv.New64a()
	h.Write([]byte(d.Datasets[di].DatasetID))
	r := rand.New(rand.NewPCG(seed, h.Sum64()))
	r.Shuffle(len(models), func(i, j int) { models[i], models[j] = models[j], models[i] })
	out := slices.Clone(models[:k])
	slices.Sort(out)
	return out
}

// row returns the similarities and weights of row dataset a.
func (ta *targetAgreement) row(a int) *agreementRow { return ta.rows[a] }

// known returns the models whose accuracy on dataset a counts as revealed:
// the target's K revealed models, or on a warm run K models of a history
// dataset drawn the same way, so training rows carry the same signal; none
// on a cold run.
func (ta *targetAgreement) known(a int) []int {
	switch {
	case a == ta.t:
		return ta.revealed
	case ta.k > 0:
		return ta.drawn[a]
	}
	return nil
}

func (ta *targetAgreement) computeRow(a int) *agreementRow {
	d := ta.d
	n := len(d.Datasets)
	r := &agreementRow{sim: make([]float64, n), w: make([]float64, n)}
	known := ta.known(a)
	x := make([]float64, nPairFeatures)
	xs, ys := make([]float64, 0, len(known)), make([]float64, 0, len(known))
	for b := range n {
		r.sim[b] = math.NaN()
		if b == a || b == ta.t || !d.hasHistory[b] {
			continue
		}
		pairFeatures(d, a, b, x)
		s := ta.model.predictRow(x)
		xs, ys = xs[:0], ys[:0]
		for _, mi := range known {
			if acc, z := d.acc[a][mi], d.z[b][mi]; !math.IsNaN(acc) && !math.IsNaN(z) {
				xs = append(xs, acc)
				ys = append(ys, z)
			}
		}
		if m := len(xs); m >= 3 {
			if rk := pearsonFinite(xs, ys, 3); !math.IsNaN(rk) {
				v := (1 - rk*rk) * (1 - rk*rk) / float64(m-1)
				g := ta.model.resid2 / (ta.model.resid2 + v)
				s += g * (rk - s)
			}
		}
		r.sim[b] = s
		r.w[b] = max(0, s) * max(0, s)
	}
	return r
}

// history is model mi's agreement-weighted standardised history for row
// dataset a: Σ_b w(a,b)·z_b(m) / Σ_b w(a,b) over the history datasets b
// other than a and the target where m has a record; NaN when the weights
// are all 0.
func (ta *targetAgreement) history(mi, a int) float64 {
	return weightedMean(ta.row(a).w, func(b int) float64 { return ta.d.z[b][mi] })
}

// weightedMean is Σ_b w_b·v(b) / Σ_b w_b over the b with w_b ≠ 0 and v(b)
// not NaN; NaN when there are none.
func weightedMean(w []float64, v func(b int) float64) float64 {
	var num, den float64
	for b, wb := range w {
		if wb == 0 {
			continue
		}
		if x := v(b); !math.IsNaN(x) {
			num += wb * x
			den += wb
		}
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// graphWeight is the weight of the similarity edge between datasets a and
// b in the target's graph: their measured agreement when both are history
// datasets other than the target, the target's similarity s otherwise;
// 0 (no edge) when not positive or undefined.
func (ta *targetAgreement) graphWeight(a, b int) float64 {
	s := ta.graphWeightSigned(a, b)
	if math.IsNaN(s) || s <= 0 {
		return 0
	}
	return s
}

// agreementFeatureNames are the columns agreementFeatures writes.
var agreementFeatureNames = []string{"hist_z_mean", "hist_agree", "source_similarity", "transfer_probe", "model_base"}

// agreementFeatures writes, for model mi on row dataset a: its mean
// standardised accuracy on the history datasets other than a and the
// target (the history_mean baseline), the same weighted by agreement with a
// (targetAgreement.history), the similarity of a to the most similar of the
// datasets the model was trained on (1 when it was trained on a itself;
// NaN when none is known), its probe score and its base model's code. It
// returns the number of columns written.
func agreementFeatures(dst []float64, d *Data, ta *targetAgreement, mi, a int) int {
	var s, n float64
	for b := range d.Datasets {
		if b == a || b == ta.t || !d.hasHistory[b] {
			continue
		}
		if z := d.z[b][mi]; !math.IsNaN(z) {
			s += z
			n++
		}
	}
	dst[0] = math.NaN()
	if n > 0 {
		dst[0] = s / n
	}
	dst[1] = ta.history(mi, a)
	src := math.NaN()
	for _, si := range d.sources[mi] {
		v := 1.0
		if si != a {
			v = ta.graphWeightSigned(a, si)
		}
		if math.IsNaN(src) || v > src {
			src = v
		}
	}
	dst[2] = src
	dst[3] = d.probe[mi]
	dst[4] = d.base[mi]
	return len(agreementFeatureNames)
}

// graphWeightSigned is the similarity of datasets a and b as graphWeight
// measures it, negative values kept; NaN when undefined.
func (ta *targetAgreement) graphWeightSigned(a, b int) float64 {
	d := ta.d
	hist := func(x int) bool { return x != ta.t && d.hasHistory[x] }
	switch {
	case hist(a) && hist(b):
		return d.agree[a][b]
	case hist(b):
		return ta.row(a).sim[b]
	case hist(a):
		return ta.row(b).sim[a]
	}
	return math.NaN()
}
