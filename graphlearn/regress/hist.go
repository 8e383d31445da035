package regress

import "math/bits"

// occWords is the number of words in a 256-bit bin-occupancy set.
const occWords = maxBinLimit / 64

// histBuf holds a gradient histogram of every feature for one node:
// bins[j*256+b] sums the rows whose feature j has code b, and
// occ[j*4:(j+1)*4] is a bitmap that contains every non-empty bin of feature
// j (and maybe some empty ones). Every bin outside the bitmap is zero. Clearing,
// subtracting and scanning visit only the bitmap's bins, so deep nodes, with
// far fewer rows than bins, cost in proportion to their rows.
type histBuf struct {
	bins []gradSum
	occ  []uint64
}

func newHistBuf(p int) histBuf {
	return histBuf{bins: make([]gradSum, p*maxBinLimit), occ: make([]uint64, p*occWords)}
}

// feature returns the histogram and bitmap of feature j.
func (h histBuf) feature(j int) (*[maxBinLimit]gradSum, *[occWords]uint64) {
	return (*[maxBinLimit]gradSum)(h.bins[j*maxBinLimit : (j+1)*maxBinLimit]),
		(*[occWords]uint64)(h.occ[j*occWords : (j+1)*occWords])
}

// buildHist sets hist to the sums of grad over rows by code col[r], for a
// feature with width codes.
func buildHist(hist *[maxBinLimit]gradSum, occ *[occWords]uint64, width int, col []uint8, rows []int32, grad []float64) {
	clearHist(hist, occ, width)
	if len(rows) > 2*width {
		// Nearly every bin will be hit: mark them all rather than pay a
		// branch per row.
		for _, r := range rows {
			e := &hist[col[r]]
			e.g += grad[r]
			e.n++
		}
		for w := range occWords {
			occ[w] = lowBits(width - w*64)
		}
		return
	}
	for _, r := range rows {
		c := col[r]
		e := &hist[c]
		if e.n == 0 {
			occ[c>>6] |= 1 << (c & 63)
		}
		e.g += grad[r]
		e.n++
	}
}

// clearHist zeroes the bins in the bitmap and empties it.
func clearHist(hist *[maxBinLimit]gradSum, occ *[occWords]uint64, width int) {
	var k int
	for _, w := range occ {
		k += bits.OnesCount64(w)
	}
	if k > width/4 {
		clear(hist[:width])
	} else {
		for w, word := range occ {
			for word != 0 {
				hist[w<<6|bits.TrailingZeros64(word)] = gradSum{}
				word &= word - 1
			}
		}
	}
	*occ = [occWords]uint64{}
}

// subtractHist turns d, the parent's histogram, into the sibling's by
// subtracting the child histogram h. Bins that empty are zeroed (dropping
// rounding noise in g) and leave d's bitmap.
func subtractHist(d *[maxBinLimit]gradSum, dOcc *[occWords]uint64, h *[maxBinLimit]gradSum, hOcc *[occWords]uint64) {
	for w, word := range hOcc {
		for word != 0 {
			tz := bits.TrailingZeros64(word)
			word &= word - 1
			b := w<<6 | tz
			e := &d[b]
			e.n -= h[b].n
			e.g -= h[b].g
			if e.n == 0 {
				e.g = 0
				dOcc[w] &^= 1 << tz
			}
		}
	}
}

// lowBits returns a word with the lowest k bits set, k clamped to [0, 64].
func lowBits(k int) uint64 {
	switch {
	case k <= 0:
		return 0
	case k >= 64:
		return ^uint64(0)
	}
	return 1<<k - 1
}

// evalFeature scans the histogram of feature j, with nb value bins (and a
// missing bin nb when miss), for a node with sums tot, and updates best when
// a split beats it. The forward scan sends missing rows right and tries
// "code ≤ b goes left" for ascending b; if the node has missing rows, a
// second scan sends them left, starting with "only missing rows go left".
// A candidate must be strictly better to win, so ties keep the lower
// feature, the forward scan and the lower bin, as in XGBoost. Only the
// bitmap's bins are visited: an empty bin repeats the previous candidate.
func (q *gbParams) evalFeature(hist *[maxBinLimit]gradSum, occ *[occWords]uint64, nb int, miss bool, j int, tot gradSum, best *split) {
	c := scanCtx{inv: q.inv, alpha: q.alpha, minChild: q.minChild, tot: tot,
		parent: q.score(tot), bestGain: best.gain, bestBin: -2}
	c.scan(hist, occ, gradSum{}, nb, false)
	if miss && hist[nb].n > 0 {
		m := hist[nb]
		c.consider(m, -1, true)
		c.scan(hist, occ, m, nb, true)
	}
	if c.bestBin > -2 {
		*best = split{gain: c.bestGain, feature: j, bin: c.bestBin, defaultLeft: c.bestDefaultLeft, left: c.bestLeft}
	}
}

// scanCtx carries a feature's running best through its scans in locals
// rather than behind a pointer.
type scanCtx struct {
	inv             []float64
	alpha           float64
	minChild        int
	tot             gradSum
	parent          float64
	bestGain        float64
	bestBin         int // -2: no improvement
	bestDefaultLeft bool
	bestLeft        gradSum
}

// scan accumulates the value bins 0..nb-1 of the bitmap onto the left sums
// l, in ascending order, considering a split after each.
func (c *scanCtx) scan(hist *[maxBinLimit]gradSum, occ *[occWords]uint64, l gradSum, nb int, defaultLeft bool) {
	for w := 0; w < occWords && w*64 < nb; w++ {
		word := occ[w] & lowBits(nb-w*64)
		for word != 0 {
			b := w<<6 | bits.TrailingZeros64(word)
			word &= word - 1
			e := hist[b]
			l.g += e.g
			l.n += e.n
			c.consider(l, b, defaultLeft)
		}
	}
}

// consider scores the split whose left child has sums l,
//
//	gain = T_α(G_L)²/(H_L+λ) + T_α(G_R)²/(H_R+λ) − T_α(G)²/(H+λ),
//
// if both children have at least min_child_weight rows.
func (c *scanCtx) consider(l gradSum, b int, defaultLeft bool) {
	nr := c.tot.n - l.n
	if l.n < c.minChild || nr < c.minChild {
		return
	}
	gl, gr := l.g, c.tot.g-l.g
	if c.alpha != 0 {
		gl, gr = softThreshold(gl, c.alpha), softThreshold(gr, c.alpha)
	}
	if gain := gl*gl*c.inv[l.n] + gr*gr*c.inv[nr] - c.parent; gain > c.bestGain {
		c.bestGain, c.bestBin, c.bestDefaultLeft, c.bestLeft = gain, b, defaultLeft, l
	}
}
