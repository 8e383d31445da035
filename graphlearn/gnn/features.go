package gnn

import (
	"fmt"
	"math"

	"github.com/zoograph/zoograph/graphlearn"
	"gonum.org/v1/gonum/mat"
)

// inputs turns the caller's feature matrix into the first layer's static
// input, n × F′:
//
//   - every column with at least one value, z-scored over its present values
//     (a constant column becomes 0), missing values (NaN) set to 0 — the
//     column mean;
//   - for every column with a missing value, an indicator column: 1 where
//     the value is missing, 0 elsewhere;
//   - one-hot columns for the node kind (model, dataset).
//
// It also reports which nodes have no feature at all (every value missing,
// or x nil): those get learned input vectors when Options.LearnedDim > 0.
func inputs(g *graphlearn.Graph, x mat.Matrix) (static *tensor, featureless []bool, err error) {
	n := g.NumNodes()
	featureless = make([]bool, n)
	var cols [][]float64 // prepared columns
	if x == nil {
		for i := range featureless {
			featureless[i] = true
		}
	} else {
		r, c := x.Dims()
		if r != n {
			return nil, nil, fmt.Errorf("%w: feature matrix has %d rows, want one per node (%d)", ErrInput, r, n)
		}
		present := make([]int, n) // present values per row
		var indicators [][]float64
		for j := range c {
			col := make([]float64, n)
			var sum, sq float64
			var have int
			for i := range n {
				v := x.At(i, j)
				switch {
				case math.IsNaN(v):
					continue
				case math.IsInf(v, 0):
					return nil, nil, fmt.Errorf("%w: feature row %d (%v %q), column %d is %v; want a finite value or NaN for missing",
						ErrInput, i, g.Kind(int32(i)), g.Key(int32(i)), j, v)
				}
				col[i] = v
				sum += v
				have++
				present[i]++
			}
			if have == 0 {
				continue // nothing to learn from, not even missingness
			}
			mean := sum / float64(have)
			for i := range n {
				if v := x.At(i, j); !math.IsNaN(v) {
					sq += (v - mean) * (v - mean)
				}
			}
			sd := math.Sqrt(sq / float64(have))
			if math.IsInf(mean, 0) || math.IsInf(sd, 0) {
				// Sums of squares overflow well before the values do.
				return nil, nil, fmt.Errorf("%w: feature column %d is too large to standardise (mean %v, standard deviation %v); rescale it",
					ErrInput, j, mean, sd)
			}
			var ind []float64
			if have < n {
				ind = make([]float64, n)
			}
			for i := range n {
				switch {
				case math.IsNaN(x.At(i, j)):
					col[i] = 0
					ind[i] = 1
				case sd > 0:
					col[i] = (col[i] - mean) / sd
				default:
					col[i] = 0
				}
			}
			cols = append(cols, col)
			if ind != nil {
				indicators = append(indicators, ind)
			}
		}
		cols = append(cols, indicators...)
		for i := range n {
			featureless[i] = present[i] == 0
		}
	}
	kinds := 1
	for i := range int32(n) {
		kinds = max(kinds, int(g.Kind(i))+1)
	}
	static = newTensor(n, len(cols)+kinds, false)
	for i := range n {
		row := static.row(i)
		for j, col := range cols {
			row[j] = col[i]
		}
		row[len(cols)+int(g.Kind(int32(i)))] = 1
	}
	return static, featureless, nil
}
