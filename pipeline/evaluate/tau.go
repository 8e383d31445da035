package evaluate

import (
	"cmp"
	"math"
	"slices"
)

// The rank correlations in O(n log n): the same sums as kendallTauBPairs and
// weightedRankedTauPairs (which visit every pair, O(n²)), grouped by ties
// and with the discordant pairs counted by a Fenwick tree. A target of 1,300
// models has 845K pairs; every (method, seed, target) evaluates four taus.

// tauOrder returns the indices of x and y sorted by x, then y, then index
// (scipy's stable lexsort((y, x))), the indices sorted by y, and the dense
// rank of every y.
func tauOrder(x, y []float64) (perm, byY, yRank []int, nRanks int) {
	n := len(x)
	perm = make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	byY = slices.Clone(perm)
	slices.SortFunc(perm, func(i, j int) int {
		if c := cmp.Compare(x[i], x[j]); c != 0 {
			return c
		}
		if c := cmp.Compare(y[i], y[j]); c != 0 {
			return c
		}
		return i - j
	})
	slices.SortFunc(byY, func(i, j int) int {
		if c := cmp.Compare(y[i], y[j]); c != 0 {
			return c
		}
		return i - j
	})
	yRank = make([]int, n)
	for k, i := range byY {
		if k > 0 && y[i] != y[byY[k-1]] {
			nRanks++
		}
		yRank[i] = nRanks
	}
	return perm, byY, yRank, nRanks + 1
}

// fenwick accumulates counts and weights by y rank.
type fenwick struct{ count, weight []float64 }

func newFenwick(n int) *fenwick {
	return &fenwick{count: make([]float64, n+1), weight: make([]float64, n+1)}
}

func (f *fenwick) add(rank int, w float64) {
	for i := rank + 1; i < len(f.count); i += i & -i {
		f.count[i]++
		f.weight[i] += w
	}
}

// upTo returns the count and weight of the ranks ≤ rank.
func (f *fenwick) upTo(rank int) (c, w float64) {
	for i := rank + 1; i > 0; i -= i & -i {
		c += f.count[i]
		w += f.weight[i]
	}
	return c, w
}

// tauSums returns, for pair weight w_i + w_j (w nil: every pair weighs 1),
// the weight of all pairs, of the pairs tied in x, in y and in both, and of
// the discordant pairs. Processing in (x, y) order, the earlier items with a
// greater y than item j all have a smaller x: the pairs tied in x come in
// increasing y.
func tauSums(x, y, w []float64, perm, byY, yRank []int, nRanks int) (total, xTies, yTies, bothTies, discordant float64) {
	n := len(x)
	weight := func(i int) float64 {
		if w == nil {
			return 0.5 // w_i + w_j = 1
		}
		return w[i]
	}
	var sumW float64
	for i := range n {
		sumW += weight(i)
	}
	total = float64(n-1) * sumW
	// groupSum adds (size − 1)·Σw over each run of equal keys in order.
	groupSum := func(order []int, same func(a, b int) bool) float64 {
		var out, s float64
		first := 0
		for k, i := range order {
			if k > 0 && !same(order[first], i) {
				out += float64(k-first-1) * s
				first, s = k, 0
			}
			s += weight(i)
		}
		return out + float64(n-first-1)*s
	}
	xTies = groupSum(perm, func(a, b int) bool { return x[a] == x[b] })
	bothTies = groupSum(perm, func(a, b int) bool { return x[a] == x[b] && y[a] == y[b] })
	yTies = groupSum(byY, func(a, b int) bool { return y[a] == y[b] })

	f := newFenwick(nRanks)
	var seen, seenW float64
	for _, j := range perm {
		c, cw := f.upTo(yRank[j])
		greater, greaterW := seen-c, seenW-cw
		discordant += greaterW + greater*weight(j)
		f.add(yRank[j], weight(j))
		seen++
		seenW += weight(j)
	}
	return total, xTies, yTies, bothTies, discordant
}

func hasNaN(v []float64) bool {
	return slices.ContainsFunc(v, math.IsNaN)
}

// kendallTauB is Kendall's tau-b as scipy's kendalltau combines its counts:
// (n_0 − n_x − n_y + n_xy − 2 n_d) / √(n_0 − n_x) / √(n_0 − n_y), n_0 the
// pairs, n_x, n_y and n_xy those tied in x, in y and in both, n_d the
// discordant ones.
func kendallTauB(x, y []float64) float64 {
	if hasNaN(x) || hasNaN(y) {
		return kendallTauBPairs(x, y)
	}
	perm, byY, yRank, nRanks := tauOrder(x, y)
	total, xt, yt, both, disc := tauSums(x, y, nil, perm, byY, yRank, nRanks)
	if xt == total || yt == total {
		return math.NaN()
	}
	tau := (total - xt - yt + both - 2*disc) / math.Sqrt(total-xt) / math.Sqrt(total-yt)
	return max(-1, min(1, tau))
}

// weightedRankedTau is scipy's _weightedrankedtau(x, y, rank=None,
// weigher=1/(r+1), additive=True): the hyperbolically weighted tau with ranks
// taken by decreasing lexicographic (x, y); see weightedRankedTauPairs.
func weightedRankedTau(x, y []float64) float64 {
	if hasNaN(x) || hasNaN(y) {
		return weightedRankedTauPairs(x, y)
	}
	n := len(x)
	if constant(x) || constant(y) {
		return math.NaN()
	}
	perm, byY, yRank, nRanks := tauOrder(x, y)
	w := make([]float64, n)
	for pos, i := range perm {
		w[i] = 1 / float64(n-pos) // rank n−1−pos, weight 1/(rank+1)
	}
	total, xt, yt, both, disc := tauSums(x, y, w, perm, byY, yRank, nRanks)
	tau := ((total - (yt + xt - both)) - 2*disc) / math.Sqrt(total-xt) / math.Sqrt(total-yt)
	return max(-1, min(1, tau))
}
