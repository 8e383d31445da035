package regress

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/zoograph/zoograph/store/storetest"
	"gonum.org/v1/gonum/mat"
)

// benchData returns n training rows of the Friedman #1 problem with 260
// noise features (265 columns), as the paper-sized benchmark; for 2000 rows
// it is the training set of the accuracy tests and of the XGBoost timing in
// testdata/crosscheck.py.
func benchData(n int) (*mat.Dense, []float64) {
	if n == friedmanRows {
		X, y, _, _ := friedmanSplit()
		return X, y
	}
	return friedman1(n, friedmanNoise, 1, rand.New(rand.NewPCG(uint64(n), 1)))
}

// BenchmarkGBDTFit times one fit with the paper's settings (500 trees,
// depth 5, η 0.1, colsample 0.8, 256 bins).
func BenchmarkGBDTFit(b *testing.B) {
	for _, tc := range []struct {
		rows, workers int
	}{
		{2000, 1},
		{2000, runtime.GOMAXPROCS(0)},
		{20000, 1},
		{20000, runtime.GOMAXPROCS(0)},
	} {
		b.Run(fmt.Sprintf("rows=%d/workers=%d", tc.rows, tc.workers), func(b *testing.B) {
			X, y := benchData(tc.rows)
			o := DefaultGBDTOptions()
			o.Workers = tc.workers
			b.ReportAllocs()
			cpu0 := storetest.CPUTime()
			for b.Loop() {
				if err := NewGBDT(o).Fit(X, y); err != nil {
					b.Fatal(err)
				}
			}
			perFit := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(perFit, "s/fit")
			b.ReportMetric(float64(o.Trees)/perFit, "trees/s")
			// CPU time holds steady on a loaded machine where wall time does not.
			if cpu := (storetest.CPUTime() - cpu0).Seconds(); cpu > 0 {
				b.ReportMetric(cpu/float64(b.N), "cpu-s/fit")
			}
		})
	}
}

// BenchmarkGBDTFitNarrow times one fit on a table shaped like a
// model-recycling training table of the pipeline (5,600 rows, 30 columns) at
// the pipeline's settings (500 trees, depth 5, η 0.05), one worker: there
// partitioning a node's rows weighs as much as building its histograms.
func BenchmarkGBDTFitNarrow(b *testing.B) {
	X, y := friedman1(5600, 25, 1, rand.New(rand.NewPCG(7, 1)))
	o := DefaultGBDTOptions()
	o.Workers, o.LearningRate = 1, 0.05
	cpu0 := storetest.CPUTime()
	for b.Loop() {
		if err := NewGBDT(o).Fit(X, y); err != nil {
			b.Fatal(err)
		}
	}
	if cpu := (storetest.CPUTime() - cpu0).Seconds(); cpu > 0 {
		b.ReportMetric(cpu/float64(b.N), "cpu-s/fit")
	}
}

// BenchmarkGBDTPredict measures prediction throughput of a 500-tree model.
func BenchmarkGBDTPredict(b *testing.B) {
	X, y := benchData(2000)
	o := DefaultGBDTOptions()
	g := NewGBDT(o)
	if err := g.Fit(X, y); err != nil {
		b.Fatal(err)
	}
	Xp, _ := benchData(20000)
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			g.opt.Workers = workers
			b.ReportAllocs()
			for b.Loop() {
				if _, err := g.Predict(Xp); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(20000*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkForestFit times the paper's forest (100 trees, depth 5, √p).
func BenchmarkForestFit(b *testing.B) {
	X, y := benchData(2000)
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			o := DefaultForestOptions()
			o.Workers = workers
			b.ReportAllocs()
			for b.Loop() {
				if err := NewForest(o).Fit(X, y); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/fit")
		})
	}
}

// BenchmarkLinearFit times OLS and ridge on 2000 × 265.
func BenchmarkLinearFit(b *testing.B) {
	X, y := benchData(2000)
	for _, opt := range []LinearOptions{{}, {Ridge: 1, Standardize: true}} {
		b.Run(fmt.Sprintf("ridge=%v", opt.Ridge), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := NewLinear(opt).Fit(X, y); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/fit")
		})
	}
}
