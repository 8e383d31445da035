package regress

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// GBDTOptions configures gradient-boosted trees. The names and meanings follow
// XGBoost's (tree_method=hist, grow_policy=depthwise, objective=reg:squarederror).
type GBDTOptions struct {
	// Trees is the number of boosting rounds, n_estimators (≥ 1).
	Trees int `json:"trees"`
	// MaxDepth is the depth of every tree (≥ 1); a node at this depth is a leaf.
	MaxDepth int `json:"max_depth"`
	// LearningRate is the shrinkage η in (0, 1] applied to every leaf.
	LearningRate float64 `json:"learning_rate"`
	// Lambda is the L2 penalty λ on leaf weights (≥ 0).
	Lambda float64 `json:"lambda"`
	// Alpha is the L1 penalty α on leaf weights (≥ 0).
	Alpha float64 `json:"alpha"`
	// Gamma is the minimum loss reduction γ a split must reach (≥ 0),
	// min_split_loss.
	Gamma float64 `json:"gamma"`
	// MinChildWeight is the minimum hessian sum of each child (≥ 0); for
	// squared error that is a row count.
	MinChildWeight float64 `json:"min_child_weight"`
	// Subsample is the Bernoulli row-sampling rate per tree, in (0, 1].
	Subsample float64 `json:"subsample"`
	// ColsampleByTree is the fraction of features sampled per tree, in (0, 1].
	ColsampleByTree float64 `json:"colsample_by_tree"`
	// MaxBins is the number of quantile bins per feature, in [2, 256];
	// 0 means 256.
	MaxBins int `json:"max_bins"`
	// EarlyStoppingRounds stops FitWithValidation after this many rounds
	// without a lower validation RMSE and keeps the trees up to the best
	// round, also when Trees runs out first. 0 disables it. Fit, which has
	// no validation set, ignores it.
	EarlyStoppingRounds int `json:"early_stopping_rounds"`
	// Workers is the number of goroutines that find the splits of a fit;
	// ≤ 0 means 1. They share every node's histogram pass, a few hundred
	// microseconds of work, so they pay off on idle cores only: a worker
	// the OS deschedules holds its node's pass up, and beside another busy
	// process 2 workers can be slower than 1 (BenchmarkGBDTFit reports
	// wall and CPU time per fit for 1 and GOMAXPROCS workers). Callers that
	// fit many models, like zoograph's pipeline, run whole fits in parallel
	// instead. Binning the features and Predict, which share nothing per
	// node, use up to GOMAXPROCS goroutines when Workers ≤ 0. The fitted
	// model does not depend on it.
	Workers int `json:"workers"`
	// Seed drives row and column sampling.
	Seed uint64 `json:"seed"`
}

// DefaultGBDTOptions returns the TransferGraph paper's settings (500 trees,
// depth 5, η = 0.1, colsample_bytree = 0.8) with XGBoost's defaults for the
// rest: λ = 1, α = 0, γ = 0, min_child_weight = 1, subsample = 1, 256 bins.
func DefaultGBDTOptions() GBDTOptions {
	return GBDTOptions{
		Trees:           500,
		MaxDepth:        5,
		LearningRate:    0.1,
		Lambda:          1,
		MinChildWeight:  1,
		Subsample:       1,
		ColsampleByTree: 0.8,
		MaxBins:         256,
	}
}

// Validate reports the first invalid option, naming its field.
func (o GBDTOptions) Validate() error {
	return firstInvalid("gbdt",
		atLeast("Trees", o.Trees, 1),
		atLeast("MaxDepth", o.MaxDepth, 1),
		inUnit("LearningRate", o.LearningRate),
		finiteNonNeg("Lambda", o.Lambda),
		finiteNonNeg("Alpha", o.Alpha),
		finiteNonNeg("Gamma", o.Gamma),
		finiteNonNeg("MinChildWeight", o.MinChildWeight),
		inUnit("Subsample", o.Subsample),
		inUnit("ColsampleByTree", o.ColsampleByTree),
		maxBins(o.MaxBins),
		atLeast("EarlyStoppingRounds", o.EarlyStoppingRounds, 0),
	)
}

// GBDT is an XGBoost-style gradient-boosted tree ensemble for squared error;
// see the package documentation for the algorithm. The zero value is not
// usable: create one with NewGBDT.
type GBDT struct {
	opt     GBDTOptions
	p       int
	fitted  bool
	base    float64
	ens     ensemble
	valRMSE []float64
}

// NewGBDT returns an unfitted GBDT with the given options; they are checked
// by Fit.
func NewGBDT(opt GBDTOptions) *GBDT { return &GBDT{opt: opt} }

// Fit trains on X (n×p, NaN = missing) and y, for opt.Trees rounds.
func (g *GBDT) Fit(X *mat.Dense, y []float64) error {
	return g.fit(X, y, nil, nil)
}

// FitWithValidation trains like Fit and records the validation RMSE after
// every round. With EarlyStoppingRounds = k > 0 it stops once k rounds pass
// without a new minimum and keeps only the trees up to the best round, so
// Predict uses the best iteration (XGBoost's best_iteration).
func (g *GBDT) FitWithValidation(X *mat.Dense, y []float64, Xval *mat.Dense, yval []float64) error {
	if Xval == nil || Xval.IsEmpty() {
		*g = GBDT{opt: g.opt}
		return fmt.Errorf("%w: validation X has no rows", ErrEmpty)
	}
	return g.fit(X, y, Xval, yval)
}

// Predict returns base_score plus the sum of the tree outputs for each row,
// added in tree order.
func (g *GBDT) Predict(X *mat.Dense) ([]float64, error) {
	n, err := checkPredict(X, g.p, g.fitted, true)
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = g.base
	}
	forRows(n, workerCount(g.opt.Workers), func(lo, hi int) { g.ens.addTo(out, X, lo, hi) })
	return out, nil
}

// PredictStaged returns, for each count k of trees (ascending, each ≥ 1),
// the predictions of the ensemble's first k trees — what Predict returns
// for a model fitted with Trees = k, since a round never reads the rounds
// after it (XGBoost's iteration_range). A count past NumTrees reads them
// all. One pass over the trees serves every count: selecting the number
// of rounds by validation costs one fit, not one per candidate.
func (g *GBDT) PredictStaged(X *mat.Dense, trees []int) ([][]float64, error) {
	n, err := checkPredict(X, g.p, g.fitted, true)
	if err != nil {
		return nil, err
	}
	for i, k := range trees {
		if k < 1 || (i > 0 && k <= trees[i-1]) {
			return nil, fmt.Errorf("gbdt: PredictStaged: tree counts %v: want ascending counts of at least 1", trees)
		}
	}
	out := make([][]float64, len(trees))
	acc := make([]float64, n)
	for i := range acc {
		acc[i] = g.base
	}
	workers, done := workerCount(g.opt.Workers), 0
	for s, k := range trees {
		k = min(k, len(g.ens.roots))
		part := ensemble{nodes: g.ens.nodes, roots: g.ens.roots[done:k]}
		forRows(n, workers, func(lo, hi int) { part.addTo(acc, X, lo, hi) })
		out[s], done = slices.Clone(acc), k
	}
	return out, nil
}

// FeatureImportances returns each feature's share of the total split gain
// (XGBoost's "total_gain", normalised to sum to 1).
func (g *GBDT) FeatureImportances() []float64 {
	if !g.fitted {
		return nil
	}
	return normalise(g.ens.gains(g.p))
}

// NumTrees is the number of trees in the fitted model (fewer than
// opt.Trees after early stopping).
func (g *GBDT) NumTrees() int { return len(g.ens.roots) }

// BaseScore is the constant the boosting starts from: the mean training label.
func (g *GBDT) BaseScore() float64 { return g.base }

// ValidationRMSE returns the validation RMSE after each round run by
// FitWithValidation, including rounds dropped by early stopping.
func (g *GBDT) ValidationRMSE() []float64 { return slices.Clone(g.valRMSE) }

func (g *GBDT) fit(X *mat.Dense, y []float64, Xval *mat.Dense, yval []float64) error {
	*g = GBDT{opt: g.opt}
	if err := g.opt.Validate(); err != nil {
		return err
	}
	n, p, err := checkTrain(X, y, true)
	if err != nil {
		return err
	}
	if Xval != nil {
		nv, err := checkPredict(Xval, p, true, true)
		if err != nil {
			return fmt.Errorf("validation set: %w", err)
		}
		if len(yval) != nv {
			return fmt.Errorf("validation set: %w: X has %d rows but y has %d values", ErrDimension, nv, len(yval))
		}
		if err := checkLabels(yval); err != nil {
			return fmt.Errorf("validation set: %w", err)
		}
	}
	if p > featureGroup*maxItems {
		return fmt.Errorf("%w: X has %d columns, GBDT supports at most %d", ErrDimension, p, featureGroup*maxItems)
	}
	g.p = p
	if constantLabels(y) {
		g.base, g.fitted = y[0], true
		return fmt.Errorf("%w: all %d labels are %v; the model predicts that constant", ErrConstantLabels, n, y[0])
	}
	g.base = mean(y)
	opt := g.opt
	if opt.MaxBins == 0 {
		opt.MaxBins = maxBinLimit
	}
	t := newGBTrainer(opt, newBinned(X, opt.MaxBins, workerCount(opt.Workers)), y, g.base)
	defer t.close()
	t.ens = &g.ens
	if Xval != nil {
		t.setValidation(Xval, yval, g.base)
	}
	t.train()
	g.valRMSE = t.valRMSE
	g.fitted = true
	return nil
}

// kRtEps is XGBoost's floor on a useful split gain.
const kRtEps = 1e-6

// gradSum is a sum of gradients g over n rows. For squared error every
// hessian is 1, so n is also the hessian sum H; keeping it an integer makes
// empty bins and subtracted histograms exact and lets scores use a table of
// 1/(n+λ) instead of divisions.
type gradSum struct {
	g float64
	n int
}

// split is a candidate split of a node: rows with code ≤ bin (and missing
// rows when defaultLeft) go left; left holds the left child's sums.
type split struct {
	gain        float64
	feature     int // -1: no split found
	bin         int
	defaultLeft bool
	left        gradSum
}

var noSplit = split{feature: -1}

// gbParams holds the regularisation that scores splits and leaves.
type gbParams struct {
	alpha    float64
	minChild int       // ⌈min_child_weight⌉, at least 1
	inv      []float64 // inv[h] = 1/(h+λ), h = 0..n
}

func newGBParams(opt GBDTOptions, n int) gbParams {
	q := gbParams{
		alpha:    opt.Alpha,
		minChild: max(1, int(math.Ceil(opt.MinChildWeight))),
		inv:      make([]float64, n+1),
	}
	for h := range q.inv {
		q.inv[h] = 1 / (float64(h) + opt.Lambda)
	}
	return q
}

// softThreshold is T_α(g) = sign(g)·max(|g| − α, 0).
func softThreshold(g, alpha float64) float64 {
	switch {
	case g > alpha:
		return g - alpha
	case g < -alpha:
		return g + alpha
	}
	return 0
}

// score is T_α(G)²/(H+λ), twice the loss reduction of a leaf.
func (q *gbParams) score(s gradSum) float64 {
	g := s.g
	if q.alpha != 0 {
		g = softThreshold(g, q.alpha)
	}
	return g * g * q.inv[s.n]
}

// weight is the optimal leaf weight −T_α(G)/(H+λ), 0 when H < min_child_weight.
func (q *gbParams) weight(s gradSum) float64 {
	if s.n < q.minChild {
		return 0
	}
	return -softThreshold(s.g, q.alpha) * q.inv[s.n]
}

// passJob is one parallel sweep over the tree's features: build the
// histogram of a node's rows into buffer built, optionally turn buffer
// derived (the parent's histogram) into the sibling's by subtraction, and
// find the best split of each.
type passJob struct {
	rows                 []int32
	built, derived       int // histogram buffer ids; derived < 0: none
	builtSum, derivedSum gradSum
	evalBuilt, evalDeriv bool
}

type passResult struct {
	built, derived split
}

// leafRange records the rows rows[lo:hi] that ended in leaf node id.
type leafRange struct {
	lo, hi int
	id     int32
}

// gbTrainer holds the state of one GBDT fit. All buffers are allocated once.
type gbTrainer struct {
	opt  GBDTOptions
	par  gbParams
	bm   *binned
	y    []float64
	pred []float64
	grad []float64 // g_i = ŷ_i − y_i; h_i = 1
	rng  *rand.Rand

	splittable []int // features with ≥ 2 codes
	perm       []int // column-sampling permutation
	feats      []int // this tree's features, ascending

	rows, scratch []int32
	inSample      []bool

	bufs []histBuf // histogram buffers, pooled
	free []int

	ens    *ensemble
	leaves []leafRange

	job     passJob
	results []passResult // per group of featureGroup features
	pool    *workerPool

	// validation
	xval    *mat.Dense
	yval    []float64
	valPred []float64
	valRMSE []float64
}

func newGBTrainer(opt GBDTOptions, bm *binned, y []float64, base float64) *gbTrainer {
	n, p := bm.n, bm.p
	t := &gbTrainer{
		opt:      opt,
		par:      newGBParams(opt, n),
		bm:       bm,
		y:        y,
		pred:     make([]float64, n),
		grad:     make([]float64, n),
		rng:      rand.New(rand.NewPCG(deriveSeed(opt.Seed, 0))),
		perm:     make([]int, p),
		rows:     make([]int32, 0, n),
		scratch:  make([]int32, 0, n),
		inSample: make([]bool, n),
	}
	for i := range t.pred {
		t.pred[i] = base
	}
	for j := range p {
		t.perm[j] = j
		if bm.width(j) >= 2 {
			t.splittable = append(t.splittable, j)
		}
	}
	t.feats = make([]int, 0, p)
	t.results = make([]passResult, (p+featureGroup-1)/featureGroup)
	t.pool = newWorkerPool(max(1, opt.Workers)-1, t.passWork)
	return t
}

func (t *gbTrainer) close() { t.pool.close() }

func (t *gbTrainer) setValidation(X *mat.Dense, y []float64, base float64) {
	t.xval, t.yval = X, y
	t.valPred = make([]float64, len(y))
	for i := range t.valPred {
		t.valPred[i] = base
	}
}

// train runs the boosting rounds and, with early stopping on, truncates the
// model at the best validation round.
func (t *gbTrainer) train() {
	best, bestRMSE := -1, math.Inf(1)
	for round := range t.opt.Trees {
		t.growTree()
		if t.xval == nil {
			continue
		}
		rmse := t.updateValidation()
		t.valRMSE = append(t.valRMSE, rmse)
		if rmse < bestRMSE {
			best, bestRMSE = round, rmse
		}
		if k := t.opt.EarlyStoppingRounds; k > 0 && round-best >= k {
			break
		}
	}
	// With early stopping on, keep the trees up to the best round, also
	// when the rounds ran out before the patience did (as XGBoost predicts
	// with best_iteration either way).
	if t.xval != nil && t.opt.EarlyStoppingRounds > 0 && best+1 < len(t.ens.roots) {
		t.ens.nodes = t.ens.nodes[:t.ens.roots[best+1]]
		t.ens.roots = t.ens.roots[:best+1]
	}
}

func (t *gbTrainer) updateValidation() float64 {
	root := t.ens.roots[len(t.ens.roots)-1]
	var sse float64
	for i := range t.valPred {
		t.valPred[i] += t.ens.leafValue(root, t.xval.RawRowView(i))
		d := t.valPred[i] - t.yval[i]
		sse += d * d
	}
	return math.Sqrt(sse / float64(len(t.valPred)))
}

// growTree adds one tree fitted to the current gradients and updates the
// training predictions.
func (t *gbTrainer) growTree() {
	n := t.bm.n
	for i := range n {
		t.grad[i] = t.pred[i] - t.y[i]
	}
	t.sampleRows()
	t.sampleFeatures()

	sum := gradSum{n: len(t.rows)}
	for _, r := range t.rows {
		sum.g += t.grad[r]
	}
	root := int32(len(t.ens.nodes))
	t.ens.roots = append(t.ens.roots, root)
	t.leaves = t.leaves[:0]
	s, buf := noSplit, -1
	if t.canSplit(sum.n) {
		buf = t.acquire()
		res := t.pass(passJob{rows: t.rows, built: buf, derived: -1, builtSum: sum, evalBuilt: true})
		s = res.built
	}
	t.grow(0, len(t.rows), 0, sum, s, buf)

	for _, lr := range t.leaves {
		v := t.ens.nodes[lr.id].value
		for _, r := range t.rows[lr.lo:lr.hi] {
			t.pred[r] += v
		}
	}
	if len(t.rows) < n {
		for i := range n {
			if !t.inSample[i] {
				t.pred[i] += t.binnedLeafValue(root, i)
			}
		}
	}
}

// sampleRows fills t.rows with the rows of this tree, ascending.
func (t *gbTrainer) sampleRows() {
	if t.opt.Subsample >= 1 { // every row, and no draw: growing reordered them
		if len(t.rows) != t.bm.n {
			t.rows = t.rows[:t.bm.n]
			for i := range t.inSample {
				t.inSample[i] = true
			}
		}
		for i := range t.rows {
			t.rows[i] = int32(i)
		}
		return
	}
	t.rows = t.rows[:0]
	for i := range t.bm.n {
		in := t.opt.Subsample >= 1 || t.rng.Float64() < t.opt.Subsample
		t.inSample[i] = in
		if in {
			t.rows = append(t.rows, int32(i))
		}
	}
}

// sampleFeatures draws ⌊colsample·p⌋ (at least 1) of the p features without
// replacement and keeps the splittable ones, ascending.
func (t *gbTrainer) sampleFeatures() {
	p := t.bm.p
	t.feats = t.feats[:0]
	if t.opt.ColsampleByTree >= 1 {
		t.feats = append(t.feats, t.splittable...)
		return
	}
	k := max(1, int(t.opt.ColsampleByTree*float64(p)+1e-9))
	for i := range k {
		r := i + t.rng.IntN(p-i)
		t.perm[i], t.perm[r] = t.perm[r], t.perm[i]
		if j := t.perm[i]; t.bm.width(j) >= 2 {
			t.feats = append(t.feats, j)
		}
	}
	slices.Sort(t.feats)
}

// canSplit reports whether a node of n rows could have two children that
// each satisfy min_child_weight.
func (t *gbTrainer) canSplit(n int) bool {
	return n >= 2*t.par.minChild && len(t.feats) > 0
}

func (t *gbTrainer) accept(s split) bool {
	return s.feature >= 0 && s.gain > kRtEps && s.gain >= t.opt.Gamma
}

// grow turns the node holding rows[lo:hi], with gradient sums sum and best
// split s (whose histogram is in buffer buf, or -1), into a subtree and
// returns its index. Growth is depth-first; since a node's split depends only
// on its own rows, the tree equals XGBoost's depth-wise one.
func (t *gbTrainer) grow(lo, hi, depth int, sum gradSum, s split, buf int) int32 {
	id := int32(len(t.ens.nodes))
	t.ens.nodes = append(t.ens.nodes, node{feature: -1, left: -1, right: -1})
	if depth >= t.opt.MaxDepth || !t.accept(s) {
		t.release(buf)
		t.ens.nodes[id].value = t.opt.LearningRate * t.par.weight(sum)
		t.leaves = append(t.leaves, leafRange{lo: lo, hi: hi, id: id})
		return id
	}
	mid := t.partition(lo, hi, s)
	lsum := s.left
	rsum := gradSum{sum.g - lsum.g, sum.n - lsum.n}
	ls, rs, lbuf, rbuf := noSplit, noSplit, -1, -1
	lcan := depth+1 < t.opt.MaxDepth && t.canSplit(lsum.n)
	rcan := depth+1 < t.opt.MaxDepth && t.canSplit(rsum.n)
	if lcan || rcan {
		// Build the smaller child's histogram; the parent's buffer becomes
		// the larger child's by subtraction, unless that child is final.
		leftSmall := mid-lo <= hi-mid
		job := passJob{built: t.acquire(), derived: buf,
			builtSum: lsum, derivedSum: rsum, evalBuilt: lcan, evalDeriv: rcan}
		if leftSmall {
			job.rows = t.rows[lo:mid]
		} else {
			job.rows = t.rows[mid:hi]
			job.builtSum, job.derivedSum, job.evalBuilt, job.evalDeriv = rsum, lsum, rcan, lcan
		}
		if !job.evalDeriv {
			t.release(buf)
			job.derived = -1
		}
		res := t.pass(job)
		if leftSmall {
			ls, rs, lbuf, rbuf = res.built, res.derived, job.built, job.derived
		} else {
			ls, rs, lbuf, rbuf = res.derived, res.built, job.derived, job.built
		}
	} else {
		t.release(buf)
	}
	nd := &t.ens.nodes[id]
	nd.feature = int32(s.feature)
	nd.bin = int16(s.bin)
	nd.threshold = t.bm.threshold(s.feature, s.bin)
	nd.defaultLeft = s.defaultLeft
	nd.gain = s.gain
	left := t.grow(lo, mid, depth+1, lsum, ls, lbuf)
	right := t.grow(mid, hi, depth+1, rsum, rs, rbuf)
	t.ens.nodes[id].left, t.ens.nodes[id].right = left, right
	return id
}

// partition reorders rows[lo:hi] stably so the rows going left by s come
// first, and returns the boundary.
func (t *gbTrainer) partition(lo, hi int, s split) int {
	return lo + t.bm.partition(t.rows[lo:hi], t.scratch, s.feature, s.bin, s.defaultLeft)
}

// binnedLeafValue walks the tree rooted at root for training row i using its
// bin codes; it agrees with the raw-value walk by construction of the cuts.
func (t *gbTrainer) binnedLeafValue(root int32, i int) float64 {
	nodes := t.ens.nodes
	k := root
	for {
		nd := &nodes[k]
		if nd.feature < 0 {
			return nd.value
		}
		f := int(nd.feature)
		c := int(t.bm.codes[f*t.bm.n+i])
		left := c <= int(nd.bin)
		if t.bm.missing[f] && c == t.bm.nbins[f] {
			left = nd.defaultLeft
		}
		if left {
			k = nd.left
		} else {
			k = nd.right
		}
	}
}

func (t *gbTrainer) acquire() int {
	if k := len(t.free); k > 0 {
		id := t.free[k-1]
		t.free = t.free[:k-1]
		return id
	}
	t.bufs = append(t.bufs, newHistBuf(t.bm.p))
	return len(t.bufs) - 1
}

func (t *gbTrainer) release(id int) {
	if id >= 0 {
		t.free = append(t.free, id)
	}
}

// featureGroup is how many features a pass handles per work item: their
// histograms are built in one sweep over the rows (buildHist4).
const featureGroup = 4

// pass runs job over the tree's features, in groups of featureGroup claimed
// by the workers, and reduces the groups' best splits in feature order, so
// the result does not depend on which worker ran which group.
func (t *gbTrainer) pass(job passJob) passResult {
	t.job = job
	groups := (len(t.feats) + featureGroup - 1) / featureGroup
	// Each feature costs about a visit per row plus one per bin; below
	// minWork visits a hand-off to the workers costs more than it saves.
	const minWork = 1 << 14
	t.pool.run(groups, len(t.feats)*(len(job.rows)+maxBinLimit) >= minWork)
	best := passResult{built: noSplit, derived: noSplit}
	for _, r := range t.results[:groups] {
		if r.built.gain > best.built.gain {
			best.built = r.built
		}
		if r.derived.gain > best.derived.gain {
			best.derived = r.derived
		}
	}
	return best
}

// passWork runs group g of the current pass: it builds the histograms of
// up to featureGroup features in one sweep over the rows, then derives the
// siblings' and evaluates both children, feature by feature in ascending
// order, keeping the group's best splits in results[g].
func (t *gbTrainer) passWork(g int) {
	res := &t.results[g]
	res.built, res.derived = noSplit, noSplit
	job := &t.job
	built := t.bufs[job.built]
	group := t.feats[g*featureGroup : min((g+1)*featureGroup, len(t.feats))]
	if len(group) == featureGroup {
		var h [featureGroup]*[maxBinLimit]gradSum
		var occ [featureGroup]*[occWords]uint64
		var width [featureGroup]int
		var col [featureGroup][]uint8
		for k, j := range group {
			h[k], occ[k] = built.feature(j)
			width[k], col[k] = t.bm.width(j), t.bm.column(j)
		}
		buildHist4(h, occ, width, col, job.rows, t.grad)
	} else {
		for _, j := range group {
			h, occ := built.feature(j)
			buildHist(h, occ, t.bm.width(j), t.bm.column(j), job.rows, t.grad)
		}
	}
	for _, j := range group {
		t.evalBuilt(j, res)
	}
}

// evalBuilt finishes feature j of the current pass once its histogram is
// built: derive the sibling's by subtraction and find both best splits.
func (t *gbTrainer) evalBuilt(j int, res *passResult) {
	job := &t.job
	nb, miss := t.bm.nbins[j], t.bm.missing[j]
	h, hOcc := t.bufs[job.built].feature(j)
	if job.derived >= 0 {
		d, dOcc := t.bufs[job.derived].feature(j)
		subtractHist(d, dOcc, h, hOcc, t.bm.width(j))
		if job.evalDeriv {
			t.par.evalFeature(d, dOcc, nb, miss, j, job.derivedSum, &res.derived)
		}
	}
	if job.evalBuilt {
		t.par.evalFeature(h, hOcc, nb, miss, j, job.builtSum, &res.built)
	}
}
