package pipeline

import (
	"math"
	"os"
	"testing"

	"github.com/zoograph/zoograph/store"
)

func TestCFDiag(t *testing.T) {
	dir := os.Getenv("CFDIAG_ZOO")
	if dir == "" {
		t.Skip()
	}
	tables, _, err := store.ReadZoo(dir)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Clean(tables, DefaultConfig().Clean)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{5, 10} {
		var sums [4]float64
		var n float64
		for ti := range d.Datasets {
			if !d.hasHistory[ti] {
				continue
			}
			for seed := uint64(1); seed <= 5; seed++ {
				rev := revealModels(d, ti, k, seed)
				ta := newTargetAgreement(d, ti, k, rev, seed)
				cf := newCFModel(d, ti, ta.known)
				lr := newLowRank(d, ta)
				var ys, c, l, h, m []float64
				dst := make([]float64, 5)
				for _, mi := range d.TargetModels(ti) {
					skip := false
					for _, r := range rev {
						skip = skip || r == mi
					}
					if skip {
						continue
					}
					ys = append(ys, d.acc[ti][mi])
					cf.features(dst, mi, ti)
					c = append(c, dst[0])
					m = append(m, dst[1])
					lowRankFeatures(dst, lr, mi, ti)
					l = append(l, dst[0])
					agreementFeatures(dst, d, ta, mi, ti)
					h = append(h, dst[0])
				}
				sums[0] += nz(pearsonFinite(ys, c, 3))
				sums[1] += nz(pearsonFinite(ys, l, 3))
				sums[2] += nz(pearsonFinite(ys, h, 3))
				sums[3] += mean(m)
				n++
			}
		}
		t.Logf("K=%d: pearson cf %.3f lr %.3f hist %.3f mean mass %.3f (%v tasks)", k, sums[0]/n, sums[1]/n, sums[2]/n, sums[3]/n, n)
	}
}

func nz(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return x
}
