package pipeline

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/zoograph/zoograph/pipeline/recycling"
	"github.com/zoograph/zoograph/store/storetest"
)

// TestRecyclingHeadroom measures, on the public model-recycling benchmark,
// how much a cold target's Pearson could gain from knowing which history
// datasets agree with it, and how little the datasets' metadata tells. Per
// target T, over the models with a result on T, it compares
//
//   - history_mean: the mean of the model's z-scored accuracies on the
//     other datasets;
//   - same task ×3: the same mean with the datasets of T's task weighted 3
//     (the best a metadata similarity could hope to say cold);
//   - oracle: the mean weighted by max(0, r)², r the Pearson correlation of
//     each other dataset's z-scores with T's accuracies — it reads the
//     target, so it is a ceiling for history weighting, not a method.
//
// The z-scores and tasks are Clean's (Data.z, Data.meta). The README's "how
// far" paragraph quotes the logged means (go test -run TestRecyclingHeadroom
// -v ./pipeline). The assertions pin the two findings it rests on: the
// oracle is far above the mean, metadata is not.
func TestRecyclingHeadroom(t *testing.T) {
	tables, _, err := recycling.Import(context.Background(), storetest.Shared(t, "model-recycling"), recycling.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := Clean(tables, DefaultConfig().Clean)
	if err != nil {
		t.Fatal(err)
	}
	n := float64(len(d.Datasets))
	var hist, meta, oracle float64
	for T := range d.Datasets {
		rows := d.TargetModels(T)
		y := make([]float64, len(rows))
		for k, mi := range rows {
			y[k] = d.acc[T][mi]
		}
		weighted := func(w []float64) float64 {
			p := make([]float64, len(rows))
			for k, mi := range rows {
				var s, sw float64
				for j, wj := range w {
					if j != T && wj > 0 && !math.IsNaN(d.z[j][mi]) {
						s, sw = s+wj*d.z[j][mi], sw+wj
					}
				}
				p[k] = s / sw
			}
			return stat.Correlation(p, y, nil)
		}
		ones, same, agree := make([]float64, len(d.Datasets)), make([]float64, len(d.Datasets)), make([]float64, len(d.Datasets))
		for j := range d.Datasets {
			ones[j], same[j] = 1, 1
			if task := d.meta[j].task; task != "" && task == d.meta[T].task {
				same[j] = 3
			}
			var zj, yj []float64
			for k, mi := range rows {
				if z := d.z[j][mi]; !math.IsNaN(z) {
					zj, yj = append(zj, z), append(yj, y[k])
				}
			}
			if r := stat.Correlation(zj, yj, nil); r > 0 {
				agree[j] = r * r
			}
		}
		hist += weighted(ones) / n
		meta += weighted(same) / n
		oracle += weighted(agree) / n
	}
	t.Logf("mean Pearson over %d targets: history_mean %.3f, same task ×3 %.3f, oracle agreement %.3f",
		len(d.Datasets), hist, meta, oracle)
	if !(oracle > hist+0.15) {
		t.Errorf("oracle %.3f, want well above history_mean %.3f", oracle, hist)
	}
	if !(meta < hist+0.01) {
		t.Errorf("same-task weighting %.3f, want no gain over history_mean %.3f", meta, hist)
	}
}
