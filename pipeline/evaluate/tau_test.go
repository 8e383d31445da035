package evaluate

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTauFastMatchesPairs checks the O(n log n) taus against the pairwise
// sums on random cases with many ties, and the constant and tiny cases.
func TestTauFastMatchesPairs(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for trial := range 300 {
		n := 2 + r.IntN(60)
		levels := 1 + r.IntN(8) // few levels: many ties
		x, y := make([]float64, n), make([]float64, n)
		for i := range n {
			x[i] = float64(r.IntN(levels))
			y[i] = float64(r.IntN(levels))
			if trial%3 == 0 {
				y[i] = r.Float64()
			}
		}
		for name, f := range map[string][2]func(x, y []float64) float64{
			"kendall":          {kendallTauB, kendallTauBPairs},
			"weighted kendall": {weightedRankedTau, weightedRankedTauPairs},
		} {
			got, want := f[0](x, y), f[1](x, y)
			if !(math.IsNaN(got) && math.IsNaN(want)) && math.Abs(got-want) > 1e-12 {
				t.Fatalf("trial %d: %s(%v, %v) = %v, pairwise %v", trial, name, x, y, got, want)
			}
		}
	}
}

func BenchmarkTau(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	x, y := make([]float64, 1300), make([]float64, 1300)
	for i := range x {
		x[i], y[i] = r.Float64(), r.Float64()
	}
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			kendallTauB(x, y)
			weightedRankedTau(x, y)
		}
	})
	b.Run("pairs", func(b *testing.B) {
		for b.Loop() {
			kendallTauBPairs(x, y)
			weightedRankedTauPairs(x, y)
		}
	})
}
