package pipeline_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"
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
// The README's "how far" paragraph quotes the logged means (go test -run
// TestRecyclingHeadroom -v ./pipeline). The assertions pin the two findings
// it rests on: the oracle is far above the mean, metadata is not.
func TestRecyclingHeadroom(t *testing.T) {
	tables := recyclingBenchmark(t)
	var datasets []string
	task := map[string]string{}
	for _, d := range tables.Datasets {
		datasets = append(datasets, d.DatasetID)
		for _, tag := range d.Tags {
			if v, ok := strings.CutPrefix(tag, "task:"); ok {
				task[d.DatasetID] = v
			}
		}
	}
	slices.Sort(datasets)
	col := map[string]int{}
	for j, d := range datasets {
		col[d] = j
	}
	row := map[string]int{}
	var acc [][]float64
	for _, f := range tables.Finetunes {
		if math.IsNaN(f.Accuracy) {
			continue
		}
		i, ok := row[f.ModelID]
		if !ok {
			i = len(acc)
			row[f.ModelID] = i
			acc = append(acc, nanRow(len(datasets)))
		}
		acc[i][col[f.DatasetID]] = f.Accuracy
	}
	z := zScores(acc, len(datasets))
	var hist, meta, oracle float64
	for T := range datasets {
		var y []float64
		var rows []int
		for i := range acc {
			if !math.IsNaN(acc[i][T]) {
				y, rows = append(y, acc[i][T]), append(rows, i)
			}
		}
		weighted := func(w []float64) float64 {
			p := make([]float64, len(rows))
			for k, i := range rows {
				var s, n float64
				for j, wj := range w {
					if j != T && wj > 0 && !math.IsNaN(z[i][j]) {
						s, n = s+wj*z[i][j], n+wj
					}
				}
				p[k] = s / n
			}
			return stat.Correlation(p, y, nil)
		}
		ones, same, agree := make([]float64, len(datasets)), make([]float64, len(datasets)), make([]float64, len(datasets))
		for j := range datasets {
			ones[j], same[j] = 1, 1
			if task[datasets[j]] != "" && task[datasets[j]] == task[datasets[T]] {
				same[j] = 3
			}
			var zj, yj []float64
			for k, i := range rows {
				if !math.IsNaN(z[i][j]) {
					zj, yj = append(zj, z[i][j]), append(yj, y[k])
				}
			}
			if r := stat.Correlation(zj, yj, nil); r > 0 {
				agree[j] = r * r
			}
		}
		hist += weighted(ones) / float64(len(datasets))
		meta += weighted(same) / float64(len(datasets))
		oracle += weighted(agree) / float64(len(datasets))
	}
	t.Logf("mean Pearson over %d targets: history_mean %.3f, same task ×3 %.3f, oracle agreement %.3f",
		len(datasets), hist, meta, oracle)
	if !(oracle > hist+0.15) {
		t.Errorf("oracle %.3f, want well above history_mean %.3f", oracle, hist)
	}
	if !(meta < hist+0.01) {
		t.Errorf("same-task weighting %.3f, want no gain over history_mean %.3f", meta, hist)
	}
}

// nanRow returns n NaNs.
func nanRow(n int) []float64 {
	r := make([]float64, n)
	for j := range r {
		r[j] = math.NaN()
	}
	return r
}

// zScores standardises every column of acc over its finite values.
func zScores(acc [][]float64, cols int) [][]float64 {
	z := make([][]float64, len(acc))
	for i := range z {
		z[i] = nanRow(cols)
	}
	for j := range cols {
		var v []float64
		for i := range acc {
			if !math.IsNaN(acc[i][j]) {
				v = append(v, acc[i][j])
			}
		}
		mean, sd := stat.PopMeanStdDev(v, nil)
		for i := range acc {
			if !math.IsNaN(acc[i][j]) {
				z[i][j] = (acc[i][j] - mean) / sd
			}
		}
	}
	return z
}
