package evaluate

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"
)

// MaxK is the largest k of the top-k metrics.
const MaxK = 5

// MinModels is the smallest number of (accuracy, score) pairs for which
// Compute defines any metric. Below it every metric is undefined (NaN).
const MinModels = 3

// Metric names, as written in the metric column of metrics.parquet.
const (
	MetricPearson = "pearson"
	// MetricPearsonLineage is Pearson within lineage: see WithinLineage.
	MetricPearsonLineage  = "pearson_within_lineage"
	MetricSpearman        = "spearman"
	MetricPearsonWorking  = "pearson_working"
	MetricRegret1         = "regret@1"
	MetricRegret3         = "regret@3"
	MetricKendall         = "kendall"
	MetricWeightedKendall = "weighted_kendall"
)

// HeadlineMetrics are the metrics reports show for every method per
// target: Pearson (the user's metric) and, beside it, how well the scores
// rank the models.
var HeadlineMetrics = []string{MetricPearson, MetricSpearman, MetricPearsonWorking, MetricRegret1, MetricRegret3}

// metricNames lists every reported metric in report order.
var metricNames = []string{
	MetricPearson, MetricPearsonLineage, MetricSpearman, MetricPearsonWorking, MetricRegret1, MetricRegret3,
	MetricKendall, MetricWeightedKendall,
	"top@1", "top@2", "top@3", "top@4", "top@5",
	"rel@1", "rel@2", "rel@3", "rel@4", "rel@5",
	"rrel@1", "rrel@3", "rrel@5",
	"p@1", "p@3", "p@5",
}

// MetricNames returns the name of every metric Evaluate reports, in report
// order: pearson, pearson_within_lineage, spearman, pearson_working,
// regret@1, regret@3, kendall, weighted_kendall, top@1…top@5, rel@1…rel@5,
// rrel@1, rrel@3, rrel@5, p@1, p@3, p@5.
func MetricNames() []string { return slices.Clone(metricNames) }

// ErrLength is returned by Compute when its inputs differ in length.
var ErrLength = errors.New("evaluate: inputs differ in length")

// Values holds every metric of one target: how well scores s_i rank and
// predict the recorded accuracies a_i of the same n models.
//
// With the top-k set K_k = the k models of highest score (all n when k > n;
// ties broken as described on Compute):
//
//	top@k    = max_{i∈K_k} a_i
//	regret@k = max_i a_i − top@k
//	rel@k    = top@k / max_i a_i
//	rrel@k = max(0, (top@k − ā) / (max_i a_i − ā))          ā = (1/n) Σ a_i
//	p@k    = 50/n · (#{a_i < top@k} + #{a_i ≤ top@k} + [#{a_i < top@k} < #{a_i ≤ top@k}])
//
// p@k is scipy's percentileofscore(a, top@k, kind='rank'), in percent.
// Arrays are indexed by k−1. An undefined value is NaN.
type Values struct {
	// N is the number of (accuracy, score) pairs the values were computed
	// on, after pairs with a non-finite accuracy were dropped.
	N int

	Pearson float64
	// PearsonLineage is Pearson within lineage (WithinLineage); NaN when
	// no base-model group is large enough or the models' lineage is unknown.
	PearsonLineage float64
	Spearman       float64
	// PearsonWorking is the Pearson correlation over the pairs whose
	// fine-tune did not fail (see ComputeFlagged and Failure); Working
	// counts those pairs.
	PearsonWorking  float64
	Working         int
	Kendall         float64
	WeightedKendall float64

	Top        [MaxK]float64
	Regret     [MaxK]float64
	Rel        [MaxK]float64
	RRel       [MaxK]float64
	Percentile [MaxK]float64

	// TiedAtK[k−1] reports that the k-th and (k+1)-th highest scores are
	// equal among pairs of different accuracies, so which accuracies make
	// the top-k set depends on the tie-break and top@k, regret@k, rel@k,
	// rrel@k and p@k may differ from another implementation's. (Repeated
	// rows of one model tie harmlessly.)
	TiedAtK [MaxK]bool
}

// Undefined returns Values with every metric NaN, for n pairs.
func Undefined(n int) Values {
	v := Values{N: n}
	nan := math.NaN()
	v.Pearson, v.PearsonLineage, v.Spearman, v.PearsonWorking, v.Kendall, v.WeightedKendall = nan, nan, nan, nan, nan, nan
	for k := range MaxK {
		v.Top[k], v.Regret[k], v.Rel[k], v.RRel[k], v.Percentile[k] = nan, nan, nan, nan, nan
	}
	return v
}

// Metric returns the value of the named metric (see MetricNames) and whether
// the name is known.
func (v Values) Metric(name string) (float64, bool) {
	switch name {
	case MetricPearson:
		return v.Pearson, true
	case MetricPearsonLineage:
		return v.PearsonLineage, true
	case MetricSpearman:
		return v.Spearman, true
	case MetricPearsonWorking:
		return v.PearsonWorking, true
	case MetricKendall:
		return v.Kendall, true
	case MetricWeightedKendall:
		return v.WeightedKendall, true
	}
	prefix, kText, ok := strings.Cut(name, "@")
	if !ok {
		return math.NaN(), false
	}
	k, err := strconv.Atoi(kText)
	if err != nil || k < 1 || k > MaxK {
		return math.NaN(), false
	}
	switch prefix {
	case "top":
		return v.Top[k-1], true
	case "regret":
		return v.Regret[k-1], true
	case "rel":
		return v.Rel[k-1], true
	case "rrel":
		return v.RRel[k-1], true
	case "p":
		return v.Percentile[k-1], true
	}
	return math.NaN(), false
}

// Tied reports whether the named top-k metric depends on how tied scores
// are broken (see Values.TiedAtK). It is false for the correlations.
func (v Values) Tied(name string) bool {
	_, kText, ok := strings.Cut(name, "@")
	if !ok {
		return false
	}
	k, err := strconv.Atoi(kText)
	if err != nil || k < 1 || k > MaxK {
		return false
	}
	return v.TiedAtK[k-1]
}

// Compute returns every metric between recorded accuracies a (actual) and
// predicted scores s (scores) of the same models, counting every fine-tune
// as working (so PearsonWorking equals Pearson); ids names the models and
// may be nil. It is ComputeFlagged with no failed fine-tune.
func Compute(actual, scores []float64, ids []string) (Values, error) {
	return ComputeFlagged(actual, scores, ids, nil)
}

// ComputeFlagged returns every metric between recorded accuracies a
// (actual) and predicted scores s (scores) of the same models; ids names the
// models and may be nil; failed marks the pairs whose fine-tune failed (see
// Failure) and may be nil (none failed).
//
// Pairs whose accuracy is NaN or ±Inf are dropped. Non-finite scores are
// replaced as the TransferGraph evaluation script does: +Inf by twice the
// largest other score, −Inf and NaN by twice the smallest other score
// (pandas semantics: the largest score that is not +Inf, the smallest that is
// not −Inf, NaN skipped). With fewer than MinModels pairs left every metric is
// undefined (NaN); correlations are also undefined when a or s is constant.
//
// The top-k set holds the k models of highest score. Ties are broken by
// model id (ascending), then by position, so the result does not depend on
// input order; TiedAtK flags the k where this choice mattered. The paper took
// the last k entries of numpy's unstable argsort, so its ties fall wherever
// numpy's introsort leaves them, which is not reproducible by design.
//
// The correlations are:
//
//	pearson          = Σ(a_i−ā)(s_i−s̄) / √(Σ(a_i−ā)² Σ(s_i−s̄)²)  (gonum stat.Correlation)
//	spearman         = pearson of the ranks of a and s, ties given their average rank
//	pearson_working  = pearson over the pairs i with failed_i false (NaN below MinModels such pairs)
//	kendall          = (n_c − n_d) / √((n_0 − n_a)(n_0 − n_s))   (tau-b, scipy kendalltau)
//	weighted_kendall = (τ_w(a, s) + τ_w(s, a)) / 2              (scipy weightedtau defaults)
//
// where n_0 = n(n−1)/2 pairs, n_c and n_d the concordant and discordant
// pairs, n_a and n_s the pairs tied in a and in s. τ_w(x, y) ranks the items
// by decreasing lexicographic (x, y), r_i = 0 for the first (among items
// equal in both, the later index ranks first, as scipy's stable lexsort
// reversed), weighs pair (i, j) by w_ij = 1/(r_i+1) + 1/(r_j+1), and is
//
//	τ_w = (W_c − W_d) / √((W − W_x)(W − W_y))
//
// with W the weight of all pairs, W_c and W_d of concordant and discordant
// pairs, and W_x, W_y of pairs tied in x and in y.
func ComputeFlagged(actual, scores []float64, ids []string, failed []bool) (Values, error) {
	if len(actual) != len(scores) || (ids != nil && len(ids) != len(actual)) || (failed != nil && len(failed) != len(actual)) {
		return Undefined(0), fmt.Errorf("%w: %d accuracies, %d scores, %d ids, %d failure flags", ErrLength, len(actual), len(scores), len(ids), len(failed))
	}
	a := make([]float64, 0, len(actual))
	s := make([]float64, 0, len(actual))
	fail := make([]bool, 0, len(actual))
	var id []string
	if ids != nil {
		id = make([]string, 0, len(actual))
	}
	for i, av := range actual {
		if math.IsNaN(av) || math.IsInf(av, 0) {
			continue
		}
		a = append(a, av)
		s = append(s, scores[i])
		fail = append(fail, failed != nil && failed[i])
		if ids != nil {
			id = append(id, ids[i])
		}
	}
	ReplaceNonFinite(s)
	n := len(a)
	if n < MinModels {
		return Undefined(n), nil
	}

	v := Values{N: n, PearsonLineage: math.NaN()}
	v.Pearson = pearson(a, s)
	v.Spearman = pearson(ranks(a), ranks(s))
	v.PearsonWorking, v.Working = pearsonWorking(a, s, fail)
	v.Kendall = kendallTauB(a, s)
	v.WeightedKendall = (weightedRankedTau(a, s) + weightedRankedTau(s, a)) / 2

	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		if c := cmp.Compare(s[j], s[i]); c != 0 {
			return c
		}
		if id != nil {
			return strings.Compare(id[i], id[j])
		}
		return 0
	})

	maxA, meanA := a[0], 0.0
	for _, av := range a {
		maxA = max(maxA, av)
		meanA += av
	}
	meanA /= float64(n)

	best := math.Inf(-1)
	for k := 1; k <= MaxK; k++ {
		if k <= n {
			best = max(best, a[order[k-1]])
			v.TiedAtK[k-1] = k < n && s[order[k-1]] == s[order[k]] && !sameAccuracy(a, s, s[order[k]])
		}
		v.Top[k-1] = best
		v.Regret[k-1] = maxA - best
		v.Rel[k-1] = math.NaN()
		if maxA != 0 {
			v.Rel[k-1] = best / maxA
		}
		v.RRel[k-1] = math.NaN()
		if maxA != meanA {
			v.RRel[k-1] = max(0, (best-meanA)/(maxA-meanA))
		}
		v.Percentile[k-1] = percentileOfScore(a, best)
	}
	return v, nil
}

// sameAccuracy reports whether every pair with score v has one accuracy.
func sameAccuracy(a, s []float64, v float64) bool {
	first := math.NaN()
	for i, x := range s {
		if x != v {
			continue
		}
		if math.IsNaN(first) {
			first = a[i]
		} else if a[i] != first {
			return false
		}
	}
	return true
}

// pearsonWorking is the Pearson correlation of the pairs not flagged as
// failed, NaN when fewer than MinModels remain, and their count.
func pearsonWorking(a, s []float64, failed []bool) (float64, int) {
	var wa, ws []float64
	for i, f := range failed {
		if !f {
			wa = append(wa, a[i])
			ws = append(ws, s[i])
		}
	}
	if len(wa) < MinModels {
		return math.NaN(), len(wa)
	}
	return pearson(wa, ws), len(wa)
}

// MinLineageGroup is the smallest base-model group WithinLineage counts.
const MinLineageGroup = 10

// WithinLineage is Pearson within lineage: the Pearson correlation of
// accuracies a and scores s within each group of models sharing a base
// model (groups[i], "" = unknown, left out) with at least MinLineageGroup
// models, averaged with the groups' sizes as weights:
//
//	r_lineage = Σ_g n_g·r_g / Σ_g n_g
//
// over the groups g whose r_g is defined. Telling one base architecture
// from another is easy; this asks which checkpoint of one base is best.
// NaN when no group counts. Scores must be finite (see ReplaceNonFinite).
func WithinLineage(a, s []float64, groups []string) float64 {
	members := map[string][]int{}
	var order []string
	for i, g := range groups {
		if g == "" || math.IsNaN(a[i]) || math.IsInf(a[i], 0) {
			continue
		}
		if _, ok := members[g]; !ok {
			order = append(order, g)
		}
		members[g] = append(members[g], i)
	}
	var num, den float64
	for _, g := range order {
		idx := members[g]
		if len(idx) < MinLineageGroup {
			continue
		}
		x, y := make([]float64, len(idx)), make([]float64, len(idx))
		for j, i := range idx {
			x[j], y[j] = a[i], s[i]
		}
		if r := pearson(x, y); !math.IsNaN(r) {
			num += float64(len(idx)) * r
			den += float64(len(idx))
		}
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// ReplaceNonFinite replaces, in place, +Inf scores by 2·max and −Inf and NaN
// scores by 2·min, where max is the largest score other than +Inf and NaN and
// min the smallest other than −Inf and NaN. This is the TransferGraph
// evaluation script's replace_all_infinite_value. If every score is
// non-finite, the replacements are themselves non-finite.
func ReplaceNonFinite(s []float64) {
	hi, lo := math.NaN(), math.NaN()
	for _, v := range s {
		if !math.IsNaN(v) && !math.IsInf(v, 1) && (math.IsNaN(hi) || v > hi) {
			hi = v
		}
		if !math.IsNaN(v) && !math.IsInf(v, -1) && (math.IsNaN(lo) || v < lo) {
			lo = v
		}
	}
	for i, v := range s {
		switch {
		case math.IsInf(v, 1):
			s[i] = 2 * hi
		case math.IsInf(v, -1), math.IsNaN(v):
			s[i] = 2 * lo
		}
	}
}

// pearson is the Pearson correlation of x and y, NaN when either is
// constant, clamped to [−1, 1] against rounding.
func pearson(x, y []float64) float64 {
	if constant(x) || constant(y) {
		return math.NaN()
	}
	r := stat.Correlation(x, y, nil)
	return max(-1, min(1, r))
}

func constant(x []float64) bool {
	for _, v := range x[1:] {
		if v != x[0] {
			return false
		}
	}
	return true
}

// ranks returns the 1-based ranks of x in increasing order, tied values
// getting the average of the ranks they span (scipy rankdata 'average').
func ranks(x []float64) []float64 {
	n := len(x)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(x[i], x[j]) })
	r := make([]float64, n)
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && x[order[hi]] == x[order[lo]] {
			hi++
		}
		// Positions lo..hi-1 hold ranks lo+1..hi; their average:
		avg := float64(lo+1+hi) / 2
		for _, i := range order[lo:hi] {
			r[i] = avg
		}
		lo = hi
	}
	return r
}

// kendallTauBPairs is Kendall's tau-b, computed over all pairs exactly as
// scipy's kendalltau combines its counts: (n_0 − n_x − n_y + n_xy − 2 n_d) /
// √(n_0 − n_x) / √(n_0 − n_y), where n_xy counts pairs tied in both. O(n²):
// kendallTauB is the same in O(n log n).
func kendallTauBPairs(x, y []float64) float64 {
	n := len(x)
	var xTies, yTies, bothTies, discordant int64
	for i := range n {
		for j := i + 1; j < n; j++ {
			dx, dy := x[i] == x[j], y[i] == y[j]
			switch {
			case dx && dy:
				xTies++
				yTies++
				bothTies++
			case dx:
				xTies++
			case dy:
				yTies++
			case (x[i] < x[j]) != (y[i] < y[j]):
				discordant++
			}
		}
	}
	total := int64(n) * int64(n-1) / 2
	if xTies == total || yTies == total {
		return math.NaN()
	}
	num := total - xTies - yTies + bothTies - 2*discordant
	tau := float64(num) / math.Sqrt(float64(total-xTies)) / math.Sqrt(float64(total-yTies))
	return max(-1, min(1, tau))
}

// weightedRankedTauPairs is scipy's _weightedrankedtau(x, y, rank=None,
// weigher=1/(r+1), additive=True): the hyperbolically weighted tau with ranks
// taken by decreasing lexicographic (x, y). It sums pair weights directly
// (O(n²)) instead of scipy's merge sort; the sums are the same.
// weightedRankedTau is the same in O(n log n).
func weightedRankedTauPairs(x, y []float64) float64 {
	n := len(x)
	if constant(x) || constant(y) {
		return math.NaN()
	}
	// scipy: perm = lexsort((y, x)), a stable sort by x then y; rank is the
	// inverse of perm reversed, so the largest (x, y) has rank 0.
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	slices.SortStableFunc(perm, func(i, j int) int {
		if c := cmp.Compare(x[i], x[j]); c != 0 {
			return c
		}
		return cmp.Compare(y[i], y[j])
	})
	w := make([]float64, n)
	for pos, i := range perm {
		rank := n - 1 - pos
		w[i] = 1 / float64(rank+1)
	}
	var total, xTies, yTies, bothTies, discordant float64
	for i := range n {
		for j := i + 1; j < n; j++ {
			wij := w[i] + w[j]
			total += wij
			dx, dy := x[i] == x[j], y[i] == y[j]
			if dx {
				xTies += wij
			}
			if dy {
				yTies += wij
			}
			if dx && dy {
				bothTies += wij
			}
			if !dx && !dy && (x[i] < x[j]) != (y[i] < y[j]) {
				discordant += wij
			}
		}
	}
	tau := ((total - (yTies + xTies - bothTies)) - 2*discordant) / math.Sqrt(total-xTies) / math.Sqrt(total-yTies)
	return max(-1, min(1, tau))
}

// percentileOfScore is scipy's percentileofscore(a, score, kind='rank').
func percentileOfScore(a []float64, score float64) float64 {
	var left, right int
	for _, v := range a {
		if v < score {
			left++
		}
		if v <= score {
			right++
		}
	}
	plus1 := 0
	if left < right {
		plus1 = 1
	}
	return float64(left+right+plus1) * (50.0 / float64(len(a)))
}
