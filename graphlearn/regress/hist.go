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

// denseRows is the node size above which every bin of a feature is likely
// hit, so builds mark the whole bitmap instead of tracking bins row by row.
const denseRows = 2 * maxBinLimit

// buildHist sets hist to the sums of grad over rows by code col[r], for a
// feature with width codes.
func buildHist(hist *[maxBinLimit]gradSum, occ *[occWords]uint64, width int, col []uint8, rows []int32, grad []float64) {
	clearHist(hist, occ, width)
	if len(rows) > denseRows {
		for _, r := range rows {
			e := &hist[col[r]]
			e.g += grad[r]
			e.n++
		}
		markAll(occ, width)
		return
	}
	for _, r := range rows {
		c := col[r]
		e := &hist[c]
		e.g += grad[r]
		e.n++
		occ[c>>6] |= 1 << (c & 63) // unconditional: cheaper than a branch
	}
}

// buildHist4 is buildHist for four features at once: one pass over the rows
// loads each row index and gradient once for all four.
func buildHist4(hist [4]*[maxBinLimit]gradSum, occ [4]*[occWords]uint64, width [4]int, col [4][]uint8, rows []int32, grad []float64) {
	for k := range 4 {
		clearHist(hist[k], occ[k], width[k])
	}
	h0, h1, h2, h3 := hist[0], hist[1], hist[2], hist[3]
	c0, c1, c2, c3 := col[0], col[1], col[2], col[3]
	if len(rows) > denseRows {
		for _, r := range rows {
			g := grad[r]
			e := &h0[c0[r]]
			e.g += g
			e.n++
			e = &h1[c1[r]]
			e.g += g
			e.n++
			e = &h2[c2[r]]
			e.g += g
			e.n++
			e = &h3[c3[r]]
			e.g += g
			e.n++
		}
		for k := range 4 {
			markAll(occ[k], width[k])
		}
		return
	}
	o0, o1, o2, o3 := occ[0], occ[1], occ[2], occ[3]
	for _, r := range rows {
		g := grad[r]
		c := c0[r]
		e := &h0[c]
		e.g += g
		e.n++
		o0[c>>6] |= 1 << (c & 63)
		c = c1[r]
		e = &h1[c]
		e.g += g
		e.n++
		o1[c>>6] |= 1 << (c & 63)
		c = c2[r]
		e = &h2[c]
		e.g += g
		e.n++
		o2[c>>6] |= 1 << (c & 63)
		c = c3[r]
		e = &h3[c]
		e.g += g
		e.n++
		o3[c>>6] |= 1 << (c & 63)
	}
}

// markAll puts the first width bins in the bitmap.
func markAll(occ *[occWords]uint64, width int) {
	for w := range occWords {
		occ[w] = lowBits(width - w*64)
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
// subtracting the child histogram h (over all bins when h is dense, else
// over h's bitmap; bins outside it are zero). Bins that empty are zeroed
// (dropping rounding noise in g) and leave d's bitmap.
func subtractHist(d *[maxBinLimit]gradSum, dOcc *[occWords]uint64, h *[maxBinLimit]gradSum, hOcc *[occWords]uint64, width int) {
	if isDense(hOcc, width) {
		for b := range width {
			n := d[b].n - h[b].n
			g := d[b].g - h[b].g
			if n == 0 {
				g = 0
				dOcc[b>>6] &^= 1 << (b & 63)
			}
			d[b] = gradSum{g, n}
		}
		return
	}
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
//
// This is the innermost loop of GBDT training. The scans keep only the
// running sums and the best gain in registers and record a new best through
// an out-of-line call, which the compiler turns into the tightest loop; a
// dense bitmap is scanned bin by bin without bit tricks. The α > 0 case
// goes to the plainer evalFeatureL1.
func (q *gbParams) evalFeature(hist *[maxBinLimit]gradSum, occ *[occWords]uint64, nb int, miss bool, j int, tot gradSum, best *split) {
	if q.alpha != 0 {
		q.evalFeatureL1(hist, occ, nb, miss, j, tot, best)
		return
	}
	c := scanState{inv: q.inv, totG: tot.g, totN: tot.n, minChild: q.minChild, maxLeft: tot.n - q.minChild, bin: -2}
	c.parent = tot.g * tot.g * q.inv[tot.n]
	dense := isDense(occ, nb)
	bestGain := best.gain
	if dense {
		bestGain = c.scanAll(hist, nb, gradSum{}, bestGain)
	} else {
		bestGain = c.scan(hist, occ, nb, gradSum{}, bestGain)
	}
	if miss && hist[nb].n > 0 {
		m := hist[nb]
		if m.n >= c.minChild && m.n <= c.maxLeft {
			gr := tot.g - m.g
			if gain := m.g*m.g*q.inv[m.n] + gr*gr*q.inv[tot.n-m.n] - c.parent; gain > bestGain {
				bestGain, c.bin, c.left, c.defaultLeft = gain, -1, m, true
			}
		}
		c.missLeft = true
		if dense {
			bestGain = c.scanAll(hist, nb, m, bestGain)
		} else {
			bestGain = c.scan(hist, occ, nb, m, bestGain)
		}
	}
	if c.bin > -2 {
		*best = split{gain: bestGain, feature: j, bin: c.bin, defaultLeft: c.defaultLeft, left: c.left}
	}
}

// isDense reports whether the bitmap holds at least 3/4 of the first n bins,
// when a plain loop over all of them (empty bins are harmless repeats) beats
// iterating over set bits.
func isDense(occ *[occWords]uint64, n int) bool {
	var k int
	for w, word := range occ {
		k += bits.OnesCount64(word & lowBits(n-w*64))
	}
	return 4*k >= 3*n
}

// scanState holds a feature scan's constants and, in memory, its best
// candidate so far; only the running sums and the best gain live in
// registers through the loops.
type scanState struct {
	inv                     []float64
	totG, parent            float64
	totN, minChild, maxLeft int
	missLeft                bool
	bin                     int // best bin; -2: none
	left                    gradSum
	defaultLeft             bool
}

// scan accumulates the bitmap's value bins 0..nb-1 onto l in ascending
// order and scores a split after each, returning the best gain above
// bestGain (recording its bin in s).
func (s *scanState) scan(hist *[maxBinLimit]gradSum, occ *[occWords]uint64, nb int, l gradSum, bestGain float64) float64 {
	inv, totG, totN, parent, minChild, maxLeft := s.inv, s.totG, s.totN, s.parent, s.minChild, s.maxLeft
	lg, ln := l.g, l.n
	for w := 0; w < occWords && w*64 < nb; w++ {
		word := occ[w] & lowBits(nb-w*64)
		for word != 0 {
			b := w<<6 | bits.TrailingZeros64(word)
			word &= word - 1
			lg += hist[b].g
			ln += hist[b].n
			if ln < minChild || ln > maxLeft {
				continue
			}
			gr := totG - lg
			if gain := lg*lg*inv[ln] + gr*gr*inv[totN-ln] - parent; gain > bestGain {
				bestGain = gain
				s.record(b, lg, ln)
			}
		}
	}
	return bestGain
}

// scanAll is scan over every value bin, for dense bitmaps.
func (s *scanState) scanAll(hist *[maxBinLimit]gradSum, nb int, l gradSum, bestGain float64) float64 {
	inv, totG, totN, parent, minChild, maxLeft := s.inv, s.totG, s.totN, s.parent, s.minChild, s.maxLeft
	lg, ln := l.g, l.n
	for b, e := range hist[:nb] {
		lg += e.g
		ln += e.n
		if ln < minChild || ln > maxLeft {
			continue
		}
		gr := totG - lg
		if gain := lg*lg*inv[ln] + gr*gr*inv[totN-ln] - parent; gain > bestGain {
			bestGain = gain
			s.record(b, lg, ln)
		}
	}
	return bestGain
}

// record notes a new best candidate. It is kept out of line so that the
// scan loops hold no best-candidate state in registers.
//
//go:noinline
func (s *scanState) record(b int, lg float64, ln int) {
	s.bin, s.left, s.defaultLeft = b, gradSum{lg, ln}, s.missLeft
}

// evalFeatureL1 is evalFeature with the soft-thresholded scores of α > 0,
//
//	gain = T_α(G_L)²/(H_L+λ) + T_α(G_R)²/(H_R+λ) − T_α(G)²/(H+λ).
func (q *gbParams) evalFeatureL1(hist *[maxBinLimit]gradSum, occ *[occWords]uint64, nb int, miss bool, j int, tot gradSum, best *split) {
	parent := q.score(tot)
	consider := func(l gradSum, b int, defaultLeft bool) {
		r := gradSum{tot.g - l.g, tot.n - l.n}
		if l.n < q.minChild || r.n < q.minChild {
			return
		}
		if gain := q.score(l) + q.score(r) - parent; gain > best.gain {
			*best = split{gain: gain, feature: j, bin: b, defaultLeft: defaultLeft, left: l}
		}
	}
	scan := func(l gradSum, defaultLeft bool) {
		for w := 0; w < occWords && w*64 < nb; w++ {
			word := occ[w] & lowBits(nb-w*64)
			for word != 0 {
				b := w<<6 | bits.TrailingZeros64(word)
				word &= word - 1
				l.g += hist[b].g
				l.n += hist[b].n
				consider(l, b, defaultLeft)
			}
		}
	}
	scan(gradSum{}, false)
	if miss && hist[nb].n > 0 {
		consider(hist[nb], -1, true)
		scan(hist[nb], true)
	}
}
