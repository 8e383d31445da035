package regress

import (
	"sync"

	"gonum.org/v1/gonum/mat"
)

// node is one node of a binary regression tree stored in a flat slice.
// A split node sends x to left when x[feature] < threshold, to right when
// x[feature] ≥ threshold, and to the defaultLeft side when x[feature] is NaN.
type node struct {
	threshold   float64
	value       float64 // leaf output (already shrunk by η for GBDT)
	gain        float64 // split gain, for feature importances
	feature     int32   // -1 for a leaf
	left, right int32   // absolute indices into the ensemble's node slice
	bin         int16   // split bin: code ≤ bin goes left (training-time form)
	defaultLeft bool
}

// ensemble is a list of trees sharing one node slice; tree t is rooted at
// nodes[roots[t]] and uses nodes[roots[t]:roots[t+1]].
type ensemble struct {
	nodes []node
	roots []int32
}

// leafValue walks the tree rooted at root for the raw feature row x.
func (e *ensemble) leafValue(root int32, x []float64) float64 {
	nodes := e.nodes
	i := root
	for {
		nd := &nodes[i]
		if nd.feature < 0 {
			return nd.value
		}
		v := x[nd.feature]
		switch {
		case v < nd.threshold:
			i = nd.left
		case v >= nd.threshold:
			i = nd.right
		case nd.defaultLeft: // NaN
			i = nd.left
		default:
			i = nd.right
		}
	}
}

// predictBlock is how many rows addTo walks through one tree before moving
// to the next: the tree's nodes stay in L1 while the block's rows (2 KiB
// each at 265 features) stay in L2. Walking each row through all trees
// instead re-fetches every tree from memory for every row (1.7× slower on
// a 500-tree model).
const predictBlock = 128

// addTo adds to out[i], for rows lo ≤ i < hi of X, the leaf value of every
// tree, in tree order.
func (e *ensemble) addTo(out []float64, X *mat.Dense, lo, hi int) {
	var rows [predictBlock][]float64
	for b0 := lo; b0 < hi; b0 += predictBlock {
		block := rows[:min(predictBlock, hi-b0)]
		for k := range block {
			block[k] = X.RawRowView(b0 + k)
		}
		acc := out[b0 : b0+len(block)]
		for _, root := range e.roots {
			for k, x := range block {
				acc[k] += e.leafValue(root, x)
			}
		}
	}
}

// gains sums split gains per feature.
func (e *ensemble) gains(p int) []float64 {
	g := make([]float64, p)
	for _, nd := range e.nodes {
		if nd.feature >= 0 {
			g[nd.feature] += nd.gain
		}
	}
	return g
}

// forRows calls fn on contiguous row ranges covering [0, n), in parallel on up
// to workers goroutines when n is large enough to pay for them.
func forRows(n, workers int, fn func(lo, hi int)) {
	const minRowsPerWorker = 256
	workers = max(1, min(workers, n/minRowsPerWorker))
	if workers == 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { fn(w*n/workers, (w+1)*n/workers) })
	}
	wg.Wait()
}
