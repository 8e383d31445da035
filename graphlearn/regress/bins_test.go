package regress

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func column(vals ...float64) *mat.Dense { return mat.NewDense(len(vals), 1, vals) }

func TestBinnedSmall(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name      string
		vals      []float64
		maxBins   int
		wantCuts  []float64
		wantCodes []uint8
		wantMiss  bool
	}{
		{
			name:      "distinct values get midpoints",
			vals:      []float64{3, 1, 2, 1, 3},
			maxBins:   256,
			wantCuts:  []float64{1.5, 2.5},
			wantCodes: []uint8{2, 0, 1, 0, 2},
		},
		{
			name:      "constant feature has one bin",
			vals:      []float64{7, 7, 7},
			maxBins:   256,
			wantCuts:  nil,
			wantCodes: []uint8{0, 0, 0},
		},
		{
			name:      "missing values take the code after the value bins",
			vals:      []float64{nan, 0, 10, nan},
			maxBins:   256,
			wantCuts:  []float64{5},
			wantCodes: []uint8{2, 0, 1, 2},
			wantMiss:  true,
		},
		{
			name:      "all missing",
			vals:      []float64{nan, nan},
			maxBins:   256,
			wantCuts:  nil,
			wantCodes: []uint8{1, 1},
			wantMiss:  true,
		},
		{
			name:      "quantile bins when values outnumber bins",
			vals:      []float64{1, 2, 3, 4, 5, 6, 7, 8},
			maxBins:   4,
			wantCuts:  []float64{2.5, 4.5, 6.5},
			wantCodes: []uint8{0, 0, 1, 1, 2, 2, 3, 3},
		},
		{
			name:      "ties move a quantile cut to the next value boundary",
			vals:      []float64{1, 1, 1, 1, 1, 1, 2, 3},
			maxBins:   4,
			wantCuts:  []float64{1.5, 2.5},
			wantCodes: []uint8{0, 0, 0, 0, 0, 0, 1, 2},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBinned(column(tc.vals...), tc.maxBins, 1)
			if got := b.cuts[0]; !slices.Equal(got, tc.wantCuts) {
				t.Errorf("cuts = %v, want %v", got, tc.wantCuts)
			}
			if got := b.column(0); !slices.Equal(got, tc.wantCodes) {
				t.Errorf("codes = %v, want %v", got, tc.wantCodes)
			}
			if got := b.missing[0]; got != tc.wantMiss {
				t.Errorf("missing = %v, want %v", got, tc.wantMiss)
			}
		})
	}
}

// TestBinnedThresholdAgrees checks the invariant the trees rely on: for every
// split bin b, "code ≤ b" and "x < threshold(b)" select the same rows, so
// training (on codes) and prediction (on raw values) route rows alike.
func TestBinnedThresholdAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	const n = 3000
	X := mat.NewDense(n, 4, nil)
	for i := range n {
		X.Set(i, 0, rng.NormFloat64())                // continuous
		X.Set(i, 1, float64(rng.IntN(20)))            // few distinct values
		X.Set(i, 2, math.Round(rng.ExpFloat64()*100)) // heavy ties
		v := rng.Float64()
		if rng.IntN(5) == 0 {
			v = math.NaN()
		}
		X.Set(i, 3, v) // missing
	}
	for _, workers := range []int{1, 3} {
		b := newBinned(X, 256, workers)
		for j := range 4 {
			if b.width(j) > maxBinLimit {
				t.Fatalf("feature %d: width %d > %d", j, b.width(j), maxBinLimit)
			}
			if !slices.IsSorted(b.cuts[j]) {
				t.Fatalf("feature %d: cuts not sorted", j)
			}
			col := b.column(j)
			for bin := -1; bin < b.nbins[j]; bin++ {
				thr := b.threshold(j, bin)
				for i := range n {
					x := X.At(i, j)
					if math.IsNaN(x) {
						if int(col[i]) != b.nbins[j] {
							t.Fatalf("feature %d row %d: NaN has code %d, want %d", j, i, col[i], b.nbins[j])
						}
						continue
					}
					if byCode, byValue := int(col[i]) <= bin, x < thr; byCode != byValue {
						t.Fatalf("feature %d bin %d row %d (x=%v, code %d, thr %v): code says %v, value says %v",
							j, bin, i, x, col[i], thr, byCode, byValue)
					}
				}
			}
		}
		if got, want := b.nbins[1], 20; got != want {
			t.Errorf("20 distinct values: nbins = %d, want %d", got, want)
		}
		if got, want := b.nbins[0], 256; got != want {
			t.Errorf("continuous feature: nbins = %d, want %d", got, want)
		}
		if got, want := b.nbins[3], 255; got != want {
			t.Errorf("feature with missing values: nbins = %d, want %d", got, want)
		}
	}
}

// TestBinnedQuantilesBalanced checks that quantile bins hold similar counts.
func TestBinnedQuantilesBalanced(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, bins = 25600, 256
	X := mat.NewDense(n, 1, nil)
	for i := range n {
		X.Set(i, 0, rng.NormFloat64())
	}
	b := newBinned(X, bins, 1)
	counts := make([]int, b.nbins[0])
	for _, c := range b.column(0) {
		counts[c]++
	}
	for bin, c := range counts {
		if c < n/bins-2 || c > n/bins+2 {
			t.Errorf("bin %d holds %d rows, want about %d", bin, c, n/bins)
		}
	}
}
