package pipeline

import (
	"math"
	"testing"

	"github.com/zoograph/zoograph/store"
)

// cfMatrix is a hand-built zoo of five datasets — four of history, h0–h3,
// and the target T (index 4) — and five models with standardised
// accuracies z on the history:
//
//	m0  1 −1  1 −1   (skill 0)
//	m1 −1  1 −1  1   (skill 0, the mirror of m0)
//	m2  2  0  2  0   (skill 1, moves with m0, against m1)
//	m3  ½  ½  ½  ½   (skill ½, constant: correlated with no one)
//	m4  —  —  —  —   (no history)
//
// and accuracies 0.9 (m0) and 0.7 (m1) on T, the two revealed models.
func cfMatrix() *Data {
	prof := [][]float64{{1, -1, 1, -1}, {-1, 1, -1, 1}, {2, 0, 2, 0}, {0.5, 0.5, 0.5, 0.5}, nan4()}
	d := &Data{Datasets: make([]store.Dataset, 5), hasHistory: []bool{true, true, true, true, true}}
	d.z = make([][]float64, 5)
	d.acc = make([][]float64, 5)
	for b := range 5 {
		d.z[b] = make([]float64, len(prof))
		d.acc[b] = make([]float64, len(prof))
		for m, p := range prof {
			d.z[b][m], d.acc[b][m] = math.NaN(), math.NaN()
			if b < 4 {
				d.z[b][m] = p[b]
				d.acc[b][m] = 0.8 + 0.1*p[b]
			}
		}
	}
	d.acc[4][0], d.acc[4][1] = 0.9, 0.7
	return d
}

func nan4() []float64 { return []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()} }

func TestCFPredictor(t *testing.T) {
	d := cfMatrix()
	revealed := []int{0, 1}
	known := func(a int) []int {
		if a == 4 {
			return revealed
		}
		return nil
	}
	cf := newCFModel(d, 4, known)
	// The revealed accuracies standardise to y = (1, −1); the neighbours'
	// skills are 0, so their deviations are (1, −1). m2's correlation with
	// m0 is 1 over n = 4 datasets, shrunk to 4/14; with m1 it is −1,
	// weight 0.
	w := (4.0 / 14) * (4.0 / 14)
	tests := []struct {
		name       string
		model      int
		pred, mass float64
	}{
		{"follows its neighbour", 2, 1 + w*1/(w+cfPrior), w},
		{"own record never a neighbour", 0, 0, 0},
		{"no similar neighbour: its skill", 3, 0.5, 0},
		{"no history", 4, math.NaN(), 0},
	}
	dst := make([]float64, len(cfFeatureNames))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cf.features(dst, tt.model, 4)
			if !closeOrNaN(dst[0], tt.pred) || !closeOrNaN(dst[1], tt.mass) {
				t.Fatalf("cf = (%v, %v), want (%v, %v)", dst[0], dst[1], tt.pred, tt.mass)
			}
		})
	}
	// A history dataset with nothing revealed on it has no filter.
	cf.features(dst, 2, 0)
	if !math.IsNaN(dst[0]) || !math.IsNaN(dst[1]) {
		t.Fatalf("cold row: cf = %v, want NaN", dst)
	}
}

// TestCFHistoryRow checks a training row: on history dataset h0 the
// filter reveals h0's own models, and its profiles leave out h0 and the
// target, so the correlation is over h1–h3 (n = 3).
func TestCFHistoryRow(t *testing.T) {
	d := cfMatrix()
	cf := newCFModel(d, 4, func(a int) []int {
		if a == 0 {
			return []int{0, 1}
		}
		return nil
	})
	row := cf.rows[0]
	if row == nil || len(row.hist) != 3 || row.hist[0] != 1 {
		t.Fatalf("row of h0: %+v, want history h1–h3", row)
	}
	// On h1–h3: m0 = (−1, 1, −1) with skill −⅓, m1 = (1, −1, 1) skill ⅓,
	// m2 = (0, 2, 0) correlated 1 with m0. y on h0 standardises to (1, −1).
	dst := make([]float64, 2)
	cf.features(dst, 2, 0)
	w := (3.0 / 13) * (3.0 / 13)
	want := 2.0/3 + w*(1+1.0/3)/(w+cfPrior)
	if math.Abs(dst[0]-want) > 1e-12 || math.Abs(dst[1]-w) > 1e-12 {
		t.Fatalf("cf = %v, want (%v, %v)", dst, want, w)
	}
}

func closeOrNaN(got, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) < 1e-12
}
