package regress

import (
	"encoding/csv"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// friedmanDir, when set, makes TestWriteFriedmanCSV write the Friedman #1
// train and test sets there for the cross-check in testdata/crosscheck.py.
var friedmanDir = flag.String("friedman.dir", "", "write Friedman #1 train.csv and test.csv to this directory")

// Friedman #1 as used throughout the tests: 5 informative features, 260
// uniform noise features, noise σ = 1.
const (
	friedmanRows  = 2000
	friedmanNoise = 260
	friedmanSeed  = 1
)

// friedman1 draws n rows of Friedman's #1 benchmark (Friedman 1991),
//
//	y = 10 sin(π x₁x₂) + 20 (x₃ − ½)² + 10 x₄ + 5 x₅ + ε,   ε ~ N(0, σ²),
//
// with x ~ U(0,1)^(5+noiseFeatures), the informative features first.
func friedman1(n, noiseFeatures int, sigma float64, rng *rand.Rand) (*mat.Dense, []float64) {
	p := 5 + noiseFeatures
	X := mat.NewDense(n, p, nil)
	y := make([]float64, n)
	for i := range n {
		row := X.RawRowView(i)
		for j := range row {
			row[j] = rng.Float64()
		}
		y[i] = 10*math.Sin(math.Pi*row[0]*row[1]) + 20*(row[2]-0.5)*(row[2]-0.5) +
			10*row[3] + 5*row[4] + sigma*rng.NormFloat64()
	}
	return X, y
}

// friedmanSplit returns the standard 2000-row train and 2000-row test sets.
func friedmanSplit() (Xtr *mat.Dense, ytr []float64, Xte *mat.Dense, yte []float64) {
	rng := rand.New(rand.NewPCG(friedmanSeed, 0))
	Xtr, ytr = friedman1(friedmanRows, friedmanNoise, 1, rng)
	Xte, yte = friedman1(friedmanRows, friedmanNoise, 1, rng)
	return Xtr, ytr, Xte, yte
}

// friedmanMissing is friedmanSplit with 20% of x₁ and x₄ (two informative
// features) set to NaN at random in both sets.
func friedmanMissing() (Xtr *mat.Dense, ytr []float64, Xte *mat.Dense, yte []float64) {
	Xtr, ytr, Xte, yte = friedmanSplit()
	rng := rand.New(rand.NewPCG(9, 9))
	for _, X := range []*mat.Dense{Xtr, Xte} {
		n, _ := X.Dims()
		for i := range n {
			for _, j := range []int{0, 3} {
				if rng.Float64() < 0.2 {
					X.Set(i, j, math.NaN())
				}
			}
		}
	}
	return Xtr, ytr, Xte, yte
}

// r2 is the coefficient of determination of pred for y.
func r2(t testing.TB, r Regressor, X *mat.Dense, y []float64) float64 {
	t.Helper()
	pred, err := r.Predict(X)
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	return stat.RSquaredFrom(pred, y, nil)
}

// TestWriteFriedmanCSV writes the Friedman data for the Python cross-check:
//
//	go test -run TestWriteFriedmanCSV -friedman.dir=/tmp/fr ./graphlearn/regress
//	/usr/bin/python3 graphlearn/regress/testdata/crosscheck.py /tmp/fr
func TestWriteFriedmanCSV(t *testing.T) {
	if *friedmanDir == "" {
		t.Skip("set -friedman.dir to write the cross-check data")
	}
	Xtr, ytr, Xte, yte := friedmanSplit()
	write := func(name string, X *mat.Dense, y []float64) {
		f, err := os.Create(filepath.Join(*friedmanDir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		w := csv.NewWriter(f)
		n, p := X.Dims()
		rec := make([]string, p+1)
		for i := range n {
			rec[0] = strconv.FormatFloat(y[i], 'g', -1, 64)
			for j := range p {
				rec[j+1] = strconv.FormatFloat(X.At(i, j), 'g', -1, 64)
			}
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
		}
		w.Flush()
		if err := w.Error(); err != nil {
			t.Fatal(err)
		}
	}
	write("train.csv", Xtr, ytr)
	write("test.csv", Xte, yte)
	Xtr, ytr, Xte, yte = friedmanMissing()
	write("train_missing.csv", Xtr, ytr)
	write("test_missing.csv", Xte, yte)
}

// mustFit fits r on X and y, failing t if Fit does.
func mustFit(t testing.TB, r Regressor, X *mat.Dense, y []float64) {
	t.Helper()
	if err := r.Fit(X, y); err != nil {
		t.Fatal(err)
	}
}

// fitPredict fits r on X and y and returns its predictions for Xp, failing t
// if Fit or Predict does.
func fitPredict(t testing.TB, r Regressor, X *mat.Dense, y []float64, Xp *mat.Dense) []float64 {
	t.Helper()
	mustFit(t, r, X, y)
	pred, err := r.Predict(Xp)
	if err != nil {
		t.Fatal(err)
	}
	return pred
}
