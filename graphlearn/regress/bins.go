package regress

import (
	"math"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// maxBinLimit is the most codes a uint8 can hold: value bins plus, for a
// feature with missing values, one missing bin.
const maxBinLimit = 256

// binned is a feature matrix quantised once before tree growing.
//
// Feature j has nbins[j] value bins with codes 0..nbins[j]-1; bin b holds the
// values x with cuts[j][b-1] ≤ x < cuts[j][b] (cuts[j][-1] = -∞,
// cuts[j][nbins-1] = +∞), so "code ≤ b" and "x < cuts[j][b]" select the same
// rows. A feature that had NaN in training gets one more code, nbins[j], for
// missing, and at most maxBinLimit-1 value bins.
type binned struct {
	n, p    int
	codes   []uint8     // column-major: codes[j*n+i]
	nbins   []int       // value bins per feature
	missing []bool      // feature had NaN; code nbins[j] means missing
	cuts    [][]float64 // nbins[j]-1 strictly increasing cut points
}

// width is the number of codes feature j uses.
func (b *binned) width(j int) int {
	if b.missing[j] {
		return b.nbins[j] + 1
	}
	return b.nbins[j]
}

// threshold is the raw-value form of the split "code ≤ bin goes left": a row
// goes left iff x < threshold. bin = -1 sends no value left (only missing
// ones, with a default-left split); bin = nbins-1 sends every value left.
func (b *binned) threshold(j, bin int) float64 {
	switch {
	case bin < 0:
		return math.Inf(-1)
	case bin >= len(b.cuts[j]):
		return math.Inf(1)
	}
	return b.cuts[j][bin]
}

// column returns the codes of feature j.
func (b *binned) column(j int) []uint8 { return b.codes[j*b.n : (j+1)*b.n] }

// newBinned quantises X (n×p, NaN = missing, no ±Inf) into at most maxBins
// value bins per feature, spreading features over workers. The result does
// not depend on workers.
func newBinned(X *mat.Dense, maxBins, workers int) *binned {
	n, p := X.Dims()
	b := &binned{
		n:       n,
		p:       p,
		codes:   make([]uint8, n*p),
		nbins:   make([]int, p),
		missing: make([]bool, p),
		cuts:    make([][]float64, p),
	}
	raw := X.RawMatrix()
	workers = min(workers, p)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var vals, distinct []float64
			var first []int
			for j := w * p / workers; j < (w+1)*p/workers; j++ {
				vals = vals[:0]
				for i := range n {
					if v := raw.Data[i*raw.Stride+j]; !math.IsNaN(v) {
						vals = append(vals, v)
					}
				}
				limit := maxBins
				if len(vals) < n {
					b.missing[j] = true
					limit = min(maxBins, maxBinLimit-1)
				}
				slices.Sort(vals)
				var cuts []float64
				cuts, distinct, first = quantileCuts(vals, limit, distinct, first)
				b.cuts[j] = cuts
				b.nbins[j] = len(cuts) + 1
				col := b.column(j)
				for i := range n {
					v := raw.Data[i*raw.Stride+j]
					if math.IsNaN(v) {
						col[i] = uint8(b.nbins[j])
						continue
					}
					col[i] = uint8(binOf(cuts, v))
				}
			}
		})
	}
	wg.Wait()
	return b
}

// quantileCuts returns at most maxBins-1 strictly increasing cut points for
// the sorted values s. With k ≤ maxBins distinct values it cuts midway
// between consecutive ones, one bin per value (as exact CART would); with
// more, it cuts at the distinct-value boundary at or after each
// (b/maxBins)-quantile, b = 1..maxBins-1, giving bins of near-equal counts.
// distinct and first are scratch buffers, returned for reuse.
func quantileCuts(s []float64, maxBins int, distinct []float64, first []int) (cuts, d []float64, f []int) {
	d, f = distinct[:0], first[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			d = append(d, v)
			f = append(f, i)
		}
	}
	k := len(d)
	if k <= 1 {
		return nil, d, f
	}
	if k <= maxBins {
		cuts = make([]float64, k-1)
		for i := range cuts {
			cuts[i] = midpoint(d[i], d[i+1])
		}
		return cuts, d, f
	}
	m := len(s)
	cuts = make([]float64, 0, maxBins-1)
	for b := 1; b < maxBins; b++ {
		idx := b * m / maxBins
		// First distinct value starting at or after position idx.
		i, _ := slices.BinarySearch(f, idx)
		if i == 0 {
			continue
		}
		if i >= k {
			break
		}
		c := midpoint(d[i-1], d[i])
		if len(cuts) == 0 || c > cuts[len(cuts)-1] {
			cuts = append(cuts, c)
		}
	}
	return cuts, d, f
}

// midpoint returns a value c with a < c ≤ b, halfway when representable.
func midpoint(a, b float64) float64 {
	c := a + (b-a)/2
	if !(c > a && c <= b) {
		return b
	}
	return c
}

// binOf returns the number of cuts ≤ x, the bin code of x.
func binOf(cuts []float64, x float64) int {
	lo, hi := 0, len(cuts)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if cuts[mid] <= x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// partition reorders rows stably so the rows a split on feature j at bin
// goes left come first (missing values go left when defaultLeft), and
// returns how many went left. scratch needs room for len(rows) rows.
//
// The loop has no branch on the split: each row is written to both sides
// and only the side it belongs to advances (rows[k] is never ahead of the
// row being read), so a split that sends rows left and right at random
// costs no mispredicted branch per row.
func (b *binned) partition(rows, scratch []int32, j, bin int, defaultLeft bool) int {
	col := b.column(j)
	// lefts[c] is 1 when code c goes left: the value bins up to bin (−1:
	// none), and the missing code nbins[j] when defaultLeft.
	var lefts [maxBinLimit]uint8
	for c := range min(bin+1, maxBinLimit) {
		lefts[c] = 1
	}
	if b.missing[j] && defaultLeft {
		lefts[b.nbins[j]] = 1
	}
	scratch = scratch[:len(rows)]
	k, m := 0, 0
	for _, r := range rows {
		l := int(lefts[col[r]])
		rows[k] = r
		scratch[m] = r
		k += l
		m += 1 - l
	}
	copy(rows[k:], scratch[:m])
	return k
}
