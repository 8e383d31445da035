package pipeline

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/zoograph/zoograph/store"
)

func TestSolveSmall(t *testing.T) {
	tests := []struct {
		name string
		a, b []float64
		want []float64
		ok   bool
	}{
		{"identity", []float64{1, 0, 0, 1}, []float64{2, 3}, []float64{2, 3}, true},
		{"pivot", []float64{0, 2, 1, 1}, []float64{4, 3}, []float64{1, 2}, true},
		{"3x3", []float64{4, 1, 0, 1, 3, 1, 0, 1, 2}, []float64{6, 10, 8}, []float64{1, 2, 3}, true},
		{"singular", []float64{1, 2, 2, 4}, []float64{1, 2}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := len(tt.b)
			x := make([]float64, r)
			ok := solveSmall(append([]float64(nil), tt.a...), append([]float64(nil), tt.b...), x, r)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			for i := range tt.want {
				if math.Abs(x[i]-tt.want[i]) > 1e-12 {
					t.Fatalf("x = %v, want %v", x, tt.want)
				}
			}
		})
	}
}

// plantedFactors is a zoo whose accuracies follow two factors: ten history
// datasets load on a general skill g and, half of them, on a second skill
// s; the target "odd" loads on g and against s, so that it disagrees with
// the average dataset.
func plantedFactors(seed uint64) *store.Tables {
	r := rand.New(rand.NewPCG(seed, 2))
	t := &store.Tables{}
	type ds struct {
		id   string
		g, s float64
	}
	var sets []ds
	for i := range 10 {
		sets = append(sets, ds{fmt.Sprintf("d%02d", i), 0.7, 0.6 * float64(i%2)})
	}
	sets = append(sets, ds{"odd", 0.5, -0.8})
	for _, d := range sets {
		t.Datasets = append(t.Datasets, store.Dataset{DatasetID: d.id, TaskCategories: []string{"text-classification"},
			NumClasses: 2, Source: "test"})
	}
	for i := range 300 {
		id := fmt.Sprintf("org/m%03d", i)
		g, s := r.NormFloat64(), r.NormFloat64()
		t.Models = append(t.Models, store.Model{ModelID: id, BaseModels: []string{fmt.Sprintf("base%d", i%3)},
			ReportedAccuracy: math.NaN(), Source: "test"})
		for _, d := range sets {
			z := d.g*g + d.s*s + 0.4*r.NormFloat64()
			t.Finetunes = append(t.Finetunes, store.Finetune{ModelID: id, DatasetID: d.id,
				Accuracy: 0.7 + 0.05*z, Method: "full", Source: "test"})
		}
	}
	return t
}

// TestLowRankPlanted checks that the low-rank model finds the planted
// structure: cold it predicts the target like the average dataset, warm
// the revealed accuracies turn its loading toward the target's own, and
// the prediction on the other models follows.
func TestLowRankPlanted(t *testing.T) {
	zoo := plantedFactors(3)
	d, err := Clean(zoo, DefaultConfig().Clean)
	if err != nil {
		t.Fatal(err)
	}
	target, _ := d.DatasetIndex("odd")
	pearson := func(k int) float64 {
		revealed := revealModels(d, target, k, 1)
		lr := newLowRank(d, newTargetAgreement(d, target, k, revealed, 1))
		if lr.rows[target] == nil || lr.rows[target].r < 2 {
			t.Fatalf("K = %d: the target's fit found %v factors, want the 2 planted", k, lr.rows[target])
		}
		var pred, actual []float64
		buf := make([]float64, len(lowRankFeatureNames))
		for _, mi := range d.TargetModels(target) {
			lowRankFeatures(buf, lr, mi, target)
			pred, actual = append(pred, buf[0]), append(actual, d.acc[target][mi])
		}
		return stat.Correlation(pred, actual, nil)
	}
	// The prior is calibrated on the history datasets, which agree with
	// each other far more than with the target: 30 revealed models move the
	// loading part of the way, 200 most of it.
	cold, warm, warmer := pearson(0), pearson(30), pearson(200)
	t.Logf("Pearson with the target's accuracies: cold %.3f, 30 revealed %.3f, 200 revealed %.3f", cold, warm, warmer)
	if !(warm > cold+0.2) || !(warmer > warm) || !(warmer > 0.8) {
		t.Errorf("Pearson cold %.3f, 30 revealed %.3f, 200 revealed %.3f: want each above the one before (by 0.2 for 30) and above 0.8 with 200",
			cold, warm, warmer)
	}
}
