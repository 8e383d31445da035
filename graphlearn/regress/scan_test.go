package regress

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// evalFeatureRef is the textbook scan that evalFeature optimises: every
// candidate bin in order, sequential sums, the XGBoost tie rules.
func evalFeatureRef(q *gbParams, hist *[maxBinLimit]gradSum, nb int, miss bool, j int, tot gradSum, best *split) {
	parent := q.score(tot)
	try := func(l gradSum, b int, defaultLeft bool) {
		r := gradSum{tot.g - l.g, tot.n - l.n}
		if l.n < q.minChild || r.n < q.minChild {
			return
		}
		if gain := q.score(l) + q.score(r) - parent; gain > best.gain {
			*best = split{gain: gain, feature: j, bin: b, defaultLeft: defaultLeft, left: l}
		}
	}
	var l gradSum
	for b := range nb {
		if hist[b].n == 0 {
			continue
		}
		l.g += hist[b].g
		l.n += hist[b].n
		try(l, b, false)
	}
	if !miss || hist[nb].n == 0 {
		return
	}
	l = hist[nb]
	try(l, -1, true)
	for b := range nb - 1 {
		if hist[b].n == 0 {
			continue
		}
		l.g += hist[b].g
		l.n += hist[b].n
		try(l, b, true)
	}
}

// randomHist fills a histogram of nb value bins (plus a missing bin when
// miss) with rows rows of random gradients.
func randomHist(rng *rand.Rand, nb int, miss bool, rows int) (*[maxBinLimit]gradSum, gradSum) {
	var h [maxBinLimit]gradSum
	var tot gradSum
	width := nb
	if miss {
		width++
	}
	for range rows {
		b := rng.IntN(width)
		g := rng.NormFloat64()
		h[b].g += g
		h[b].n++
		tot.g += g
		tot.n++
	}
	return &h, tot
}

// occupancy returns the exact bitmap of the non-empty bins of hist, plus
// extra random empty bins when superset (the bitmap may over-approximate).
func occupancy(rng *rand.Rand, hist *[maxBinLimit]gradSum, width int, superset bool) *[occWords]uint64 {
	var occ [occWords]uint64
	for b := range width {
		if hist[b].n > 0 || (superset && rng.IntN(3) == 0) {
			occ[b>>6] |= 1 << (b & 63)
		}
	}
	return &occ
}

// TestEvalFeatureMatchesReference checks the bitmap scan against the
// textbook scan on random histograms.
func TestEvalFeatureMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for trial := range 3000 {
		nb := 1 + rng.IntN(256)
		miss := rng.IntN(2) == 0 && nb < 256
		rows := 1 + rng.IntN(600)
		if trial%3 == 0 {
			rows = 1 + rng.IntN(20) // sparse
		}
		hist, tot := randomHist(rng, nb, miss, rows)
		opt := DefaultGBDTOptions()
		opt.Lambda = []float64{0, 1, 5}[rng.IntN(3)]
		opt.Alpha = []float64{0, 0, 0.5}[rng.IntN(3)]
		opt.MinChildWeight = float64(rng.IntN(4))
		q := newGBParams(opt, rows)
		width := nb
		if miss {
			width++
		}
		occ := occupancy(rng, hist, width, trial%2 == 0)
		got, want := noSplit, noSplit

		q.evalFeature(hist, occ, nb, miss, 7, tot, &got)
		evalFeatureRef(&q, hist, nb, miss, 7, tot, &want)
		if got != want {
			t.Fatalf("trial %d (nb %d, miss %v, rows %d): got %+v, want %+v", trial, nb, miss, rows, got, want)
		}
	}
}

// TestHistBuildSubtract checks building, clearing and subtracting with
// bitmaps against direct sums, reusing one buffer like the trainer does.
func TestHistBuildSubtract(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	const n = 1000
	for trial := range 200 {
		width := 2 + rng.IntN(255)
		col := make([]uint8, n)
		grad := make([]float64, n)
		for i := range n {
			col[i] = uint8(rng.IntN(width))
			grad[i] = rng.NormFloat64()
		}
		parent := newHistBuf(1)
		child := newHistBuf(1)
		// Dirty the child buffer first: buildHist must clear it.
		ch, cOcc := child.feature(0)
		buildHist(ch, cOcc, width, col, rowRange(0, n), grad)

		split := rng.IntN(n)
		if trial%2 == 0 {
			split = rng.IntN(40) // tiny child: sparse bitmap
		}
		ph, pOcc := parent.feature(0)
		buildHist(ph, pOcc, width, col, rowRange(0, n), grad)
		buildHist(ch, cOcc, width, col, rowRange(0, split), grad)
		subtractHist(ph, pOcc, ch, cOcc, width)

		want := func(lo, hi int) [maxBinLimit]gradSum {
			var h [maxBinLimit]gradSum
			for i := lo; i < hi; i++ {
				h[col[i]].g += grad[i]
				h[col[i]].n++
			}
			return h
		}
		for _, tc := range []struct {
			name string
			h    *[maxBinLimit]gradSum
			occ  *[occWords]uint64
			want [maxBinLimit]gradSum
		}{
			{"child", ch, cOcc, want(0, split)},
			{"sibling", ph, pOcc, want(split, n)},
		} {
			for b := range maxBinLimit {
				got, w := tc.h[b], tc.want[b]
				if got.n != w.n || math.Abs(got.g-w.g) > 1e-9 {
					t.Fatalf("trial %d %s bin %d = %+v, want %+v", trial, tc.name, b, got, w)
				}
				inOcc := tc.occ[b>>6]&(1<<(b&63)) != 0
				if got.n > 0 && !inOcc {
					t.Fatalf("trial %d %s: non-empty bin %d missing from the bitmap", trial, tc.name, b)
				}
				if got.n == 0 && got.g != 0 {
					t.Fatalf("trial %d %s: empty bin %d has g = %v", trial, tc.name, b, got.g)
				}
			}
		}
	}
}

// TestBuildHist4 checks the four-feature build against four single builds.
func TestBuildHist4(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	const n = 1500
	widths := [4]int{256, 2, 100, 255}
	var cols [4][]uint8
	for k := range cols {
		cols[k] = make([]uint8, n)
		for i := range cols[k] {
			cols[k][i] = uint8(rng.IntN(widths[k]))
		}
	}
	grad := make([]float64, n)
	for i := range grad {
		grad[i] = rng.NormFloat64()
	}
	for _, rows := range [][]int32{rowRange(100, n), rowRange(100, 400)} { // dense, sparse
		four, one := newHistBuf(4), newHistBuf(4)
		var h [4]*[maxBinLimit]gradSum
		var occ [4]*[occWords]uint64
		for k := range 4 {
			// Leave stale sums behind to prove the build clears them.
			h[k], occ[k] = four.feature(k)
			buildHist(h[k], occ[k], widths[k], cols[k], rowRange(0, 50), grad)
		}
		buildHist4(h, occ, widths, cols, rows, grad)
		for k := range 4 {
			hw, ow := one.feature(k)
			buildHist(hw, ow, widths[k], cols[k], rows, grad)
			if *h[k] != *hw {
				t.Errorf("%d rows, feature %d: four-feature histogram differs from single build", len(rows), k)
			}
			for b := range widths[k] {
				if h[k][b].n > 0 && occ[k][b>>6]&(1<<(b&63)) == 0 {
					t.Errorf("%d rows, feature %d: non-empty bin %d not in the bitmap", len(rows), k, b)
				}
			}
		}
	}
}

func rowRange(lo, hi int) []int32 {
	r := make([]int32, 0, hi-lo)
	for i := lo; i < hi; i++ {
		r = append(r, int32(i))
	}
	return r
}

func BenchmarkEvalFeature(b *testing.B) {
	for _, rows := range []int{2000, 60} {
		rng := rand.New(rand.NewPCG(3, 4))
		const hists = 64
		type item struct {
			h   *[maxBinLimit]gradSum
			occ *[occWords]uint64
			tot gradSum
		}
		items := make([]item, hists)
		for i := range items {
			items[i].h, items[i].tot = randomHist(rng, 256, false, rows)
			items[i].occ = occupancy(rng, items[i].h, 256, false)
		}
		q := newGBParams(DefaultGBDTOptions(), rows)
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			b.ReportAllocs()
			var best split
			for b.Loop() {
				for _, it := range items {
					best = noSplit
					q.evalFeature(it.h, it.occ, 256, false, 0, it.tot, &best)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*hists), "ns/feature")
		})
	}
}
