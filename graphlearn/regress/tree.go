package regress

import "sync"

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

// sum returns the sum of the leaf values of all trees for row x.
func (e *ensemble) sum(x []float64) float64 {
	var s float64
	for _, r := range e.roots {
		s += e.leafValue(r, x)
	}
	return s
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
