package regress

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// ForestOptions configures a random forest of CART regression trees. Names
// follow scikit-learn's RandomForestRegressor.
type ForestOptions struct {
	// Trees is the number of trees, n_estimators (1…10⁶).
	Trees int `json:"trees"`
	// MaxDepth limits tree depth; 0 means unlimited (sklearn's None).
	MaxDepth int `json:"max_depth"`
	// MinSamplesLeaf is the minimum number of distinct training rows in a
	// leaf; 0 means 1.
	MinSamplesLeaf int `json:"min_samples_leaf"`
	// MaxFeatures is how many features each split considers: "sqrt"
	// (⌊√p⌋), "log2" (⌊log₂ p⌋), "all" or "" (p), a fraction such as "0.33"
	// (⌊0.33·p⌋), or a count such as "10". At least one.
	MaxFeatures string `json:"max_features"`
	// Bootstrap draws n rows with replacement for each tree; otherwise every
	// tree sees all rows.
	Bootstrap bool `json:"bootstrap"`
	// MaxBins is the number of quantile bins per feature, in [2, 256];
	// 0 means 256. With no more distinct values than bins, splits are the
	// exact CART midpoints.
	MaxBins int `json:"max_bins"`
	// Workers is the number of goroutines growing trees (≤ 0: GOMAXPROCS).
	// The fitted model does not depend on it.
	Workers int `json:"workers"`
	// Seed drives bootstrap and feature sampling; tree t draws from a stream
	// derived from (Seed, t).
	Seed uint64 `json:"seed"`
}

// DefaultForestOptions returns the TransferGraph paper's settings: 100 trees
// of depth 5 with √p features per split, bootstrapped.
func DefaultForestOptions() ForestOptions {
	return ForestOptions{
		Trees:          100,
		MaxDepth:       5,
		MinSamplesLeaf: 1,
		MaxFeatures:    "sqrt",
		Bootstrap:      true,
		MaxBins:        256,
	}
}

// maxForestTrees bounds ForestOptions.Trees: Fit holds every tree before
// it assembles the forest.
const maxForestTrees = 1_000_000

// maxFeatures resolves o.MaxFeatures for p features.
func (o ForestOptions) maxFeatures(p int) (int, error) {
	s := strings.TrimSpace(strings.ToLower(o.MaxFeatures))
	var k int
	switch s {
	case "", "all":
		k = p
	case "sqrt":
		k = int(math.Sqrt(float64(p)))
	case "log2":
		k = int(math.Log2(float64(p)))
	default:
		if strings.ContainsAny(s, ".e") {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || !(f > 0 && f <= 1) {
				return 0, fmt.Errorf("%w: forest: MaxFeatures = %q, want sqrt, log2, all, a fraction in (0, 1] or a count ≥ 1", ErrInvalidOptions, o.MaxFeatures)
			}
			k = int(f * float64(p))
		} else {
			c, err := strconv.Atoi(s)
			if err != nil || c < 1 {
				return 0, fmt.Errorf("%w: forest: MaxFeatures = %q, want sqrt, log2, all, a fraction in (0, 1] or a count ≥ 1", ErrInvalidOptions, o.MaxFeatures)
			}
			k = c
		}
	}
	return max(1, min(k, p)), nil
}

// Validate reports the first invalid option, naming its field.
func (o ForestOptions) Validate() error {
	err := firstInvalid("forest",
		optionCheck{"Trees", o.Trees, o.Trees >= 1 && o.Trees <= maxForestTrees, fmt.Sprintf("in [1, %d]", maxForestTrees)},
		optionCheck{"MaxDepth", o.MaxDepth, o.MaxDepth >= 0, "≥ 0 (0 = unlimited)"},
		atLeast("MinSamplesLeaf", o.MinSamplesLeaf, 0),
		maxBins(o.MaxBins),
	)
	if err != nil {
		return err
	}
	_, err = o.maxFeatures(1)
	return err
}

// Forest is a random forest of CART regression trees grown on quantile bins;
// see the package documentation. Create one with NewForest.
type Forest struct {
	opt    ForestOptions
	p      int
	fitted bool
	ens    ensemble
	imp    []float64
}

// NewForest returns an unfitted forest with the given options; they are
// checked by Fit.
func NewForest(opt ForestOptions) *Forest { return &Forest{opt: opt} }

// Fit grows opt.Trees trees on X (n×p, NaN = missing) and y in parallel.
func (f *Forest) Fit(X *mat.Dense, y []float64) error {
	*f = Forest{opt: f.opt}
	if err := f.opt.Validate(); err != nil {
		return err
	}
	n, p, err := checkTrain(X, y, true)
	if err != nil {
		return err
	}
	mtry, err := f.opt.maxFeatures(p)
	if err != nil {
		return err
	}
	f.p = p
	if constantLabels(y) {
		f.ens = ensemble{nodes: []node{{feature: -1, value: y[0]}}, roots: []int32{0}}
		f.imp, f.fitted = make([]float64, p), true
		return fmt.Errorf("%w: all %d labels are %v; the model predicts that constant", ErrConstantLabels, n, y[0])
	}
	opt := f.opt
	if opt.MaxBins == 0 {
		opt.MaxBins = maxBinLimit
	}
	if opt.MinSamplesLeaf == 0 {
		opt.MinSamplesLeaf = 1
	}
	workers := workerCount(opt.Workers)
	bm := newBinned(X, opt.MaxBins, workers)

	trees := make([][]node, opt.Trees)
	imps := make([][]float64, opt.Trees)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, opt.Trees) {
		wg.Go(func() {
			b := newCartBuilder(bm, y, opt, mtry)
			for {
				t := int(next.Add(1) - 1)
				if t >= opt.Trees {
					return
				}
				trees[t], imps[t] = b.tree(t)
			}
		})
	}
	wg.Wait()

	// Concatenate in tree order and average the per-tree normalised
	// importances, as scikit-learn does.
	f.imp = make([]float64, p)
	for t, nodes := range trees {
		off := int32(len(f.ens.nodes))
		f.ens.roots = append(f.ens.roots, off)
		for _, nd := range nodes {
			if nd.feature >= 0 {
				nd.left += off
				nd.right += off
			}
			f.ens.nodes = append(f.ens.nodes, nd)
		}
		for j, v := range normalise(imps[t]) {
			f.imp[j] += v
		}
	}
	normalise(f.imp)
	f.fitted = true
	return nil
}

// Predict returns the mean of the trees' predictions for each row.
func (f *Forest) Predict(X *mat.Dense) ([]float64, error) {
	n, err := checkPredict(X, f.p, f.fitted, true)
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	k := float64(len(f.ens.roots))
	forRows(n, workerCount(f.opt.Workers), func(lo, hi int) {
		f.ens.addTo(out, X, lo, hi)
		for i := lo; i < hi; i++ {
			out[i] /= k
		}
	})
	return out, nil
}

// FeatureImportances returns the mean decrease in impurity (weighted
// squared error) per feature, each tree's normalised to sum to 1 and then
// averaged, like scikit-learn's feature_importances_.
func (f *Forest) FeatureImportances() []float64 {
	if !f.fitted {
		return nil
	}
	return append([]float64(nil), f.imp...)
}

// cartStat is a weighted sum of targets: weight w (bootstrap multiplicity),
// weighted sum s and count c of distinct rows.
type cartStat struct {
	w, s float64
	c    int
}

// cartSplit is a candidate split: rows with code ≤ bin (and missing rows when
// defaultLeft) go left.
type cartSplit struct {
	improvement float64 // weighted SSE decrease
	feature     int
	bin         int
	defaultLeft bool
}

// cartBuilder grows CART trees; one per worker, reused across trees.
type cartBuilder struct {
	bm      *binned
	y       []float64
	opt     ForestOptions
	mtry    int
	rng     *rand.Rand
	w       []float64 // bootstrap multiplicity per row
	rows    []int32
	scratch []int32
	feats   []int
	hist    [maxBinLimit]cartStat
	nodes   []node
	imp     []float64
}

func newCartBuilder(bm *binned, y []float64, opt ForestOptions, mtry int) *cartBuilder {
	b := &cartBuilder{
		bm:      bm,
		y:       y,
		opt:     opt,
		mtry:    mtry,
		w:       make([]float64, bm.n),
		rows:    make([]int32, 0, bm.n),
		scratch: make([]int32, 0, bm.n),
		feats:   make([]int, bm.p),
	}
	return b
}

// tree grows tree number t and returns its nodes (indices relative to the
// tree) and its unnormalised importances.
func (b *cartBuilder) tree(t int) ([]node, []float64) {
	b.rng = rand.New(rand.NewPCG(deriveSeed(b.opt.Seed, t)))
	n := b.bm.n
	clear(b.w)
	if b.opt.Bootstrap {
		for range n {
			b.w[b.rng.IntN(n)]++
		}
	} else {
		for i := range b.w {
			b.w[i] = 1
		}
	}
	b.rows = b.rows[:0]
	for i, w := range b.w {
		if w > 0 {
			b.rows = append(b.rows, int32(i))
		}
	}
	for j := range b.feats {
		b.feats[j] = j
	}
	b.nodes = make([]node, 0, 64)
	b.imp = make([]float64, b.bm.p)
	b.grow(0, len(b.rows), 0)
	return b.nodes, b.imp
}

func (b *cartBuilder) grow(lo, hi, depth int) int32 {
	var sum cartStat
	pure := true
	y0 := b.y[b.rows[lo]]
	for _, r := range b.rows[lo:hi] {
		sum.w += b.w[r]
		sum.s += b.w[r] * b.y[r]
		pure = pure && b.y[r] == y0
	}
	sum.c = hi - lo
	id := int32(len(b.nodes))
	b.nodes = append(b.nodes, node{feature: -1, left: -1, right: -1, value: sum.s / sum.w})
	if pure || (b.opt.MaxDepth > 0 && depth >= b.opt.MaxDepth) || sum.c < 2*b.opt.MinSamplesLeaf {
		return id
	}
	s, ok := b.bestSplit(lo, hi, sum)
	if !ok {
		return id
	}
	mid := b.partition(lo, hi, s)
	b.imp[s.feature] += s.improvement
	nd := &b.nodes[id]
	nd.feature = int32(s.feature)
	nd.bin = int16(s.bin)
	nd.threshold = b.bm.threshold(s.feature, s.bin)
	nd.defaultLeft = s.defaultLeft
	nd.gain = s.improvement
	left := b.grow(lo, mid, depth+1)
	right := b.grow(mid, hi, depth+1)
	b.nodes[id].left, b.nodes[id].right = left, right
	return id
}

// bestSplit draws features in random order until mtry of them that are not
// constant in the node have been scanned (as scikit-learn does, constant
// features do not count), and returns the split with the largest decrease of
// the weighted squared error,
//
//	Δ = S_L²/W_L + S_R²/W_R − S²/W,
//
// where S and W are the weighted target sums and weights.
func (b *cartBuilder) bestSplit(lo, hi int, sum cartStat) (cartSplit, bool) {
	p := b.bm.p
	best := cartSplit{feature: -1}
	parent := sum.s * sum.s / sum.w
	minLeaf := b.opt.MinSamplesLeaf
	rows := b.rows[lo:hi]
	visited := 0
	for k := 0; k < p && visited < b.mtry; k++ {
		r := k + b.rng.IntN(p-k)
		b.feats[k], b.feats[r] = b.feats[r], b.feats[k]
		j := b.feats[k]
		width := b.bm.width(j)
		if width < 2 {
			continue
		}
		h := &b.hist
		clear(h[:width])
		col := b.bm.column(j)
		for _, r := range rows {
			e := &h[col[r]]
			e.w += b.w[r]
			e.s += b.w[r] * b.y[r]
			e.c++
		}
		nonEmpty := 0
		for _, e := range h[:width] {
			if e.c > 0 {
				nonEmpty++
			}
		}
		if nonEmpty < 2 {
			continue
		}
		visited++
		nb, miss := b.bm.nbins[j], b.bm.missing[j]
		scan := func(start cartStat, from int, defaultLeft bool) {
			l := start
			for bin := from; bin < nb; bin++ {
				if bin >= 0 {
					e := h[bin]
					if e.c == 0 {
						continue
					}
					l.w += e.w
					l.s += e.s
					l.c += e.c
				}
				if l.c < minLeaf {
					continue
				}
				rc := sum.c - l.c
				if rc < minLeaf || rc == 0 {
					break
				}
				rs, rw := sum.s-l.s, sum.w-l.w
				if imp := l.s*l.s/l.w + rs*rs/rw - parent; imp > best.improvement {
					best = cartSplit{improvement: imp, feature: j, bin: bin, defaultLeft: defaultLeft}
				}
			}
		}
		scan(cartStat{}, 0, false)
		if miss && h[nb].c > 0 {
			scan(h[nb], -1, true)
		}
	}
	return best, best.feature >= 0
}

func (b *cartBuilder) partition(lo, hi int, s cartSplit) int {
	return lo + b.bm.partition(b.rows[lo:hi], b.scratch, s.feature, s.bin, s.defaultLeft)
}
