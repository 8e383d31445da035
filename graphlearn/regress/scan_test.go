package regress

import (
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

func BenchmarkEvalFeature(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	const hists = 64
	type item struct {
		h   *[maxBinLimit]gradSum
		tot gradSum
	}
	items := make([]item, hists)
	for i := range items {
		items[i].h, items[i].tot = randomHist(rng, 256, false, 100+rng.IntN(2000))
	}
	q := newGBParams(DefaultGBDTOptions(), 5000)
	for _, tc := range []struct {
		name string
		fn   func(*gbParams, *[maxBinLimit]gradSum, int, bool, int, gradSum, *split)
	}{
		{"fast", (*gbParams).evalFeature},
		{"ref", evalFeatureRef},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, it := range items {
					best := noSplit
					tc.fn(&q, it.h, 256, false, 0, it.tot, &best)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*hists*256), "ns/bin")
		})
	}
}
