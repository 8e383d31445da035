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
		if e.n == 0 {
			occ[c>>6] |= 1 << (c & 63)
		}
		e.g += grad[r]
		e.n++
	}
}

// buildHist4 is buildHist for four features at once on a dense node: one
// pass over the rows loads each row index and gradient once for all four.
func buildHist4(hist [4]*[maxBinLimit]gradSum, occ [4]*[occWords]uint64, width [4]int, col [4][]uint8, rows []int32, grad []float64) {
	for k := range 4 {
		clearHist(hist[k], occ[k], width[k])
	}
	h0, h1, h2, h3 := hist[0], hist[1], hist[2], hist[3]
	c0, c1, c2, c3 := col[0], col[1], col[2], col[3]
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
//
// This is the innermost loop of GBDT training. It first gathers the prefix
// sums of the occupied bins, then scores them in a separate loop, which keeps
// both loops short enough for the compiler to hold their state in registers;
// the α > 0 case goes to the plainer evalFeatureL1.
func (q *gbParams) evalFeature(pre *prefix, hist *[maxBinLimit]gradSum, occ *[occWords]uint64, nb int, miss bool, j int, tot gradSum, best *split) {
	if q.alpha != 0 {
		q.evalFeatureL1(hist, occ, nb, miss, j, tot, best)
		return
	}
	pre.gather(hist, occ, nb, gradSum{})
	gain, k := pre.best(q, tot, best.gain)
	if k >= 0 {
		*best = split{gain: gain, feature: j, bin: int(pre.bin[k]), left: gradSum{pre.g[k], int(pre.n[k])}}
	}
	if !miss || hist[nb].n == 0 {
		return
	}
	m := hist[nb]
	if nr := tot.n - m.n; m.n >= q.minChild && nr >= q.minChild {
		gr := tot.g - m.g
		if gain := m.g*m.g*q.inv[m.n] + gr*gr*q.inv[nr] - q.score(tot); gain > best.gain {
			*best = split{gain: gain, feature: j, bin: -1, defaultLeft: true, left: m}
		}
	}
	pre.gather(hist, occ, nb, m)
	if gain, k := pre.best(q, tot, best.gain); k >= 0 {
		*best = split{gain: gain, feature: j, bin: int(pre.bin[k]), defaultLeft: true, left: gradSum{pre.g[k], int(pre.n[k])}}
	}
}

// prefix holds, for each occupied value bin in ascending order, the left
// child's sums if the split falls after it. It is per-worker scratch.
type prefix struct {
	k   int
	g   [maxBinLimit]float64
	n   [maxBinLimit]int32
	bin [maxBinLimit]uint8
}

// gather accumulates the bitmap's value bins 0..nb-1 onto start.
func (p *prefix) gather(hist *[maxBinLimit]gradSum, occ *[occWords]uint64, nb int, start gradSum) {
	g, n, k := start.g, start.n, 0
	for w := 0; w < occWords && w*64 < nb; w++ {
		word := occ[w] & lowBits(nb-w*64)
		for word != 0 {
			b := w<<6 | bits.TrailingZeros64(word)
			word &= word - 1
			g += hist[b].g
			n += hist[b].n
			p.g[k&(maxBinLimit-1)] = g
			p.n[k&(maxBinLimit-1)] = int32(n)
			p.bin[k&(maxBinLimit-1)] = uint8(b)
			k++
		}
	}
	p.k = k
}

// best returns the highest gain above floor among the gathered candidates
// and its index, or -1 if none beats floor.
func (p *prefix) best(q *gbParams, tot gradSum, floor float64) (float64, int) {
	inv := q.inv
	totG, totN := tot.g, int32(tot.n)
	parent := totG * totG * inv[totN]
	minChild := int32(q.minChild)
	best, at := floor, -1
	for i := range p.k & (maxBinLimit*2 - 1) {
		nl := p.n[i&(maxBinLimit-1)]
		nr := totN - nl
		if nl < minChild || nr < minChild {
			continue
		}
		gl := p.g[i&(maxBinLimit-1)]
		gr := totG - gl
		if gain := gl*gl*inv[nl] + gr*gr*inv[nr] - parent; gain > best {
			best, at = gain, i
		}
	}
	return best, at
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
