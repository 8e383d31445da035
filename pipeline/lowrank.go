package pipeline

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// A low-rank model of the model × dataset accuracy matrix, for zoos without
// dataset distances. For a row dataset a (the target or a history dataset)
// it is fitted on the history datasets H other than a and the target, so
// nothing recorded on a or the target enters it.
//
// Factors. The standardised accuracies z_b(m), b ∈ H, follow a factor
// model z_b(m) = L_b·u_m + e_b(m), var e_b = ψ_b: the loadings L are the
// principal-component loadings of the agreement (correlation) matrix of H,
// L_k = √λ_k·q_k for the r eigenvalues λ_k > 1 (the Kaiser rule, at most
// maxFactors), and ψ_b = 1 − |L_b|² (at least minUniqueness). A model's
// factor scores are their posterior mean under a N(0, I) prior, over the
// datasets O it has a record on:
//
//	u_m = (L_Oᵀ Ψ_O⁻¹ L_O + I)⁻¹ L_Oᵀ Ψ_O⁻¹ z_O(m)
//
// so a model with few records is shrunk toward the average model.
//
// The row dataset's loading. Under the model the agreement of a with b is
// c_ab = ℓ_a·L_b. Cold, c_ab is the metadata prediction p_ab of the
// agreement model, and ℓ_a its ridge fit: ℓ_a = (LᵀL + I)⁻¹ Lᵀ p_a. Warm, the
// K revealed accuracies y of a (standardised over the K) are a regression
// on the scores, y_m = α + u_m·v + ε, var ε = ψ_a = 1 − |ℓ_a|²; with the
// prior v ~ N(ℓ_a, σ²I), σ² the spread of measured agreements around their
// metadata prediction per unit of loading (resid2 / mean |L_b|²), the
// posterior mean is
//
//	v = (ŨᵀŨ + τI)⁻¹ (Ũᵀỹ + τ·ℓ_a),   τ = ψ_a / σ²
//
// (Ũ, ỹ centred over the revealed models). The prediction for model m is
// u_m·v. What the revealed models' residuals share within a base model is
// its lineage offset, the residuals' sum over the group divided by its size
// plus one (one pseudo-model at offset 0).

// maxFactors caps the rank of the low-rank model.
const maxFactors = 5

// minUniqueness is the smallest uniqueness ψ a dataset gets: no dataset is
// taken as measured without noise.
const minUniqueness = 0.05

// lowRankFeatureNames are the columns lowRankFeatures writes.
var lowRankFeatureNames = []string{"lr_pred", "lr_general", "lr_lineage"}

// lowRank is the low-rank model of one (target, seed) task: one fit per row
// dataset. It is read-only once built.
type lowRank struct {
	d    *Data
	rows []*lowRankRow // per dataset; nil for a dataset that gives no rows
}

type lowRankRow struct {
	hist   []int     // H
	load   []float64 // |H|×r loadings, row major
	invPsi []float64 // 1/ψ_b
	r      int
	v      []float64 // the row dataset's loading (posterior mean when warm)
	// offset[base] is the shrunk lineage offset of a base model's code,
	// from the revealed models (warm only).
	offset map[float64]float64
}

// lowRankFamily is the low-rank features of target t (lowRankFeatures),
// fitted with tg's agreement or, when tg has none, one computed from tg's
// probe and revealed models.
func lowRankFamily(d *Data, t int, tg *TargetGraph) featureFamily {
	agree := tg.agree
	if agree == nil {
		agree = newTargetAgreement(d, t, tg.Probe, tg.Revealed, tg.Seed)
	}
	lr := newLowRank(d, agree)
	return featureFamily{names: lowRankFeatureNames,
		fill: func(dst []float64, mi, di int) { lowRankFeatures(dst, lr, mi, di) }}
}

// newLowRank fits the low-rank model of every row dataset of ta's task.
func newLowRank(d *Data, ta *targetAgreement) *lowRank {
	lr := &lowRank{d: d, rows: make([]*lowRankRow, len(d.Datasets))}
	for a := range d.Datasets {
		if a == ta.t || d.hasHistory[a] {
			lr.rows[a] = fitLowRankRow(d, ta, a)
		}
	}
	return lr
}

func fitLowRankRow(d *Data, ta *targetAgreement, a int) *lowRankRow {
	var hist []int
	for b := range d.Datasets {
		if b != a && b != ta.t && d.hasHistory[b] {
			hist = append(hist, b)
		}
	}
	row, meanLoad2 := factorLoadings(d, hist)
	if row == nil {
		return nil
	}
	if !row.priorLoading(d, ta, a) {
		return nil
	}
	// Warm: the revealed accuracies of a update the loading and give the
	// lineage offsets (targetAgreement.known).
	row.warmUpdate(d, a, ta.known(a), ta.model.resid2/math.Max(meanLoad2, 1e-3))
	return row
}

// factorLoadings returns the factor model of the history datasets hist —
// loadings and uniquenesses, each factor oriented so that its mean loading
// is positive (the first is then the general skill, lr_general, in every
// fit) — and their mean communality; nil with fewer than 2 datasets.
func factorLoadings(d *Data, hist []int) (*lowRankRow, float64) {
	h := len(hist)
	if h < 2 {
		return nil, 0
	}
	c := mat.NewSymDense(h, nil)
	for i, b := range hist {
		c.SetSym(i, i, 1)
		for j := i + 1; j < h; j++ {
			if v := d.agree[b][hist[j]]; !math.IsNaN(v) {
				c.SetSym(i, j, v)
			}
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(c, true) {
		return nil, 0
	}
	vals := eig.Values(nil) // ascending
	var q mat.Dense
	eig.VectorsTo(&q)
	r := 0
	for k := h - 1; k >= 0 && vals[k] > 1 && r < maxFactors; k-- {
		r++
	}
	r = max(r, 1)
	row := &lowRankRow{hist: hist, load: make([]float64, h*r), invPsi: make([]float64, h), r: r}
	for k := range r {
		col := h - 1 - k
		var sum float64
		for i := range h {
			sum += q.At(i, col)
		}
		sign := 1.0
		if sum < 0 {
			sign = -1
		}
		for i := range h {
			row.load[i*r+k] = sign * q.At(i, col) * math.Sqrt(math.Max(vals[col], 0))
		}
	}
	var meanLoad2 float64
	for i := range h {
		var comm float64
		for k := range r {
			comm += row.load[i*r+k] * row.load[i*r+k]
		}
		comm = min(comm, 1-minUniqueness)
		meanLoad2 += comm
		row.invPsi[i] = 1 / (1 - comm)
	}
	return row, meanLoad2 / float64(h)
}

// priorLoading sets the row's loading v to the ridge fit of the metadata
// prediction of a's agreements with the history datasets; false when the
// system is singular.
func (row *lowRankRow) priorLoading(d *Data, ta *targetAgreement, a int) bool {
	r := row.r
	x := make([]float64, nPairFeatures)
	var a2 [maxFactors * maxFactors]float64
	var rhs [maxFactors]float64
	for i, b := range row.hist {
		pairFeatures(d, a, b, x)
		p := ta.model.predictRow(x)
		for k := range r {
			rhs[k] += row.load[i*r+k] * p
			for j := range r {
				a2[k*r+j] += row.load[i*r+k] * row.load[i*r+j]
			}
		}
	}
	for k := range r {
		a2[k*r+k]++
	}
	row.v = make([]float64, r)
	return solveSmall(a2[:r*r], rhs[:r], row.v, r)
}

// warmUpdate turns the row's prior loading into its posterior mean given
// the accuracies on row dataset a of the known models (at least 3 with
// factor scores, else nothing changes), with prior variance sigma2 per
// loading, and sets the lineage offsets from the residuals.
func (row *lowRankRow) warmUpdate(d *Data, a int, known []int, sigma2 float64) {
	r := row.r
	var us [][]float64
	var ys, bases []float64
	u := make([]float64, r)
	for _, mi := range known {
		y := d.acc[a][mi]
		if math.IsNaN(y) || !row.scores(d, mi, u) {
			continue
		}
		us, ys, bases = append(us, slices.Clone(u)), append(ys, y), append(bases, d.base[mi])
	}
	n := len(ys)
	if n < 3 {
		return
	}
	ym, ysd := meanSD(ys)
	if ysd == 0 {
		return
	}
	for i := range ys {
		ys[i] = (ys[i] - ym) / ysd
	}
	um := make([]float64, r)
	for _, ui := range us {
		for k := range r {
			um[k] += ui[k] / float64(n)
		}
	}
	for _, ui := range us {
		for k := range r {
			ui[k] -= um[k]
		}
	}
	var prior2 float64
	for _, l := range row.v {
		prior2 += l * l
	}
	tau := math.Max(1-prior2, minUniqueness) / sigma2
	var a2 [maxFactors * maxFactors]float64
	var rhs [maxFactors]float64
	for i, ui := range us {
		for k := range r {
			rhs[k] += ui[k] * ys[i]
			for j := range r {
				a2[k*r+j] += ui[k] * ui[j]
			}
		}
	}
	for k := range r {
		a2[k*r+k] += tau
		rhs[k] += tau * row.v[k]
	}
	post := make([]float64, r)
	if !solveSmall(a2[:r*r], rhs[:r], post, r) {
		return
	}
	row.v = post
	row.offset = lineageOffsets(us, ys, bases, post)
}

// lineageOffsets returns, per base model code, the residuals of the centred
// revealed accuracies ys from the centred scores us times v, summed over
// the base model's revealed models and divided by their number plus one.
func lineageOffsets(us [][]float64, ys, bases, v []float64) map[float64]float64 {
	sum, cnt := map[float64]float64{}, map[float64]float64{}
	for i, ui := range us {
		if math.IsNaN(bases[i]) {
			continue
		}
		e := ys[i]
		for k, x := range ui {
			e -= x * v[k]
		}
		sum[bases[i]] += e
		cnt[bases[i]]++
	}
	out := make(map[float64]float64, len(sum))
	for b, s := range sum {
		out[b] = s / (cnt[b] + 1)
	}
	return out
}

// scores writes model mi's factor scores into u; false when the model has
// no record on the row's history datasets.
func (row *lowRankRow) scores(d *Data, mi int, u []float64) bool {
	r := row.r
	var a2 [maxFactors * maxFactors]float64
	var rhs [maxFactors]float64
	n := 0
	for i, b := range row.hist {
		z := d.z[b][mi]
		if math.IsNaN(z) {
			continue
		}
		n++
		l := row.load[i*r : (i+1)*r]
		w := row.invPsi[i]
		for k := range r {
			rhs[k] += w * l[k] * z
			for j := range r {
				a2[k*r+j] += w * l[k] * l[j]
			}
		}
	}
	if n == 0 {
		return false
	}
	for k := range r {
		a2[k*r+k]++
	}
	return solveSmall(a2[:r*r], rhs[:r], u[:r], r)
}

// lowRankFeatures writes, for model mi on row dataset a: the low-rank
// prediction u_m·v, the general factor score u_m1 and the lineage offset of
// the model's base model (NaN when cold or unknown). It returns the number
// of columns written.
func lowRankFeatures(dst []float64, lr *lowRank, mi, a int) int {
	for i := range lowRankFeatureNames {
		dst[i] = math.NaN()
	}
	row := lr.rows[a]
	if row == nil {
		return len(lowRankFeatureNames)
	}
	var u [maxFactors]float64
	if !row.scores(lr.d, mi, u[:]) {
		return len(lowRankFeatureNames)
	}
	var p float64
	for k := range row.r {
		p += u[k] * row.v[k]
	}
	dst[0], dst[1] = p, u[0]
	if off, ok := row.offset[lr.d.base[mi]]; ok {
		dst[2] = off
	} else if row.offset != nil {
		dst[2] = 0
	}
	return len(lowRankFeatureNames)
}

// solveSmall solves the r×r system a·x = b (a row major, overwritten, as is
// b) by Gaussian elimination with partial pivoting; false when singular.
func solveSmall(a, b, x []float64, r int) bool {
	for c := range r {
		p := c
		for i := c + 1; i < r; i++ {
			if math.Abs(a[i*r+c]) > math.Abs(a[p*r+c]) {
				p = i
			}
		}
		if math.Abs(a[p*r+c]) < 1e-12 {
			return false
		}
		if p != c {
			for j := range r {
				a[c*r+j], a[p*r+j] = a[p*r+j], a[c*r+j]
			}
			b[c], b[p] = b[p], b[c]
		}
		for i := c + 1; i < r; i++ {
			f := a[i*r+c] / a[c*r+c]
			for j := c; j < r; j++ {
				a[i*r+j] -= f * a[c*r+j]
			}
			b[i] -= f * b[c]
		}
	}
	for i := r - 1; i >= 0; i-- {
		s := b[i]
		for j := i + 1; j < r; j++ {
			s -= a[i*r+j] * x[j]
		}
		x[i] = s / a[i*r+i]
	}
	return true
}

// meanSD returns the mean and the (population) standard deviation of v.
func meanSD(v []float64) (float64, float64) {
	m := mean(v)
	var ss float64
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss / float64(len(v)))
}
