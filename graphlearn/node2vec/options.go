package node2vec

import (
	"errors"
	"fmt"
	"math"
	"runtime"
)

var (
	// ErrOptions is wrapped by every error that reports an invalid [Options] field.
	ErrOptions = errors.New("node2vec: invalid options")
	// ErrDiverged reports that training produced non-finite vectors, which a
	// too large LearningRate can cause.
	ErrDiverged = errors.New("node2vec: training diverged")
)

// Options configures walks ([Walks]) and skip-gram training ([Train]). Start
// from [DefaultOptions] and change fields; the zero Options is not valid.
type Options struct {
	// Dim is the embedding dimension d ≥ 1.
	Dim int `json:"dim"`
	// WalkLength is the number of nodes in a walk (so WalkLength−1 steps), ≥ 2.
	// A walk from a node without neighbours stops after its first node.
	WalkLength int `json:"walk_length"`
	// WalksPerNode is the number of walks started from every node, ≥ 1.
	WalksPerNode int `json:"walks_per_node"`
	// Window is the maximum skip-gram context distance c, 1…2²⁰. As in word2vec,
	// each centre draws its window b uniformly from 1…Window and pairs with the
	// nodes at distance ≤ b on both sides.
	Window int `json:"window"`
	// Negative is the number k of negative samples per positive pair, 1…1024.
	Negative int `json:"negative"`
	// Epochs is the number of skip-gram passes over the walk corpus, ≥ 1. The
	// walks are sampled once (as in the node2vec reference code), not per epoch.
	Epochs int `json:"epochs"`
	// Workers is the number of goroutines for walks and training; 0 means
	// runtime.GOMAXPROCS(0). With one worker, training is bit-for-bit
	// reproducible for a given Seed on a given machine; with more, workers
	// update shared vectors without locks (Hogwild!) and results vary slightly
	// from run to run. Walks are reproducible for any number of workers. On
	// small graphs (a few thousand nodes) extra workers mostly fight over the
	// same cache lines; prefer one worker per embedding and run embeddings in
	// parallel.
	Workers int `json:"workers"`

	// P is the return parameter p > 0: the unnormalised weight of stepping
	// back to the previous node is w/p.
	P float64 `json:"p"`
	// Q is the in-out parameter q > 0: the weight of stepping to a node not
	// adjacent to the previous node is w/q.
	Q float64 `json:"q"`
	// Plus selects node2vec+ (Liu, Hirn & Krishnan, Bioinformatics 2023): the
	// in-out bias also depends on edge weights, see the package documentation.
	// On a graph whose edges all have the same weight it equals node2vec.
	Plus bool `json:"plus"`
	// Gamma is node2vec+'s noise-threshold parameter γ: an edge (u,x) is loose
	// for u when w(u,x) < max(0, mean_u + γ·sd_u) of u's edge weights. The
	// reference implementation's default is 0.
	Gamma float64 `json:"gamma"`

	// LearningRate is the initial SGD step size η₀ > 0. It decays linearly
	// with the fraction of training done, as in word2vec, down to
	// MinLearningRate.
	LearningRate float64 `json:"learning_rate"`
	// MinLearningRate is the floor of the step size, 0 ≤ MinLearningRate ≤
	// LearningRate.
	MinLearningRate float64 `json:"min_learning_rate"`
	// GraphNegatives is the probability, in [0, 1], that a negative sample for
	// centre u is drawn uniformly from u's negative pairs in the graph instead
	// of from the unigram^0.75 distribution; centres without negative pairs
	// always use the unigram distribution. 0 turns graph negatives off.
	GraphNegatives float64 `json:"graph_negatives"`

	// Seed determines every random choice: walk order, walks, initial vectors,
	// windows and negative samples.
	Seed uint64 `json:"seed"`
}

// DefaultOptions returns the settings of the TransferGraph paper's node2vec
// (Li et al., arXiv 2404.03988): 128 dimensions, 10 walks of 10 nodes per
// node, a context of 10, p = q = 1; plus word2vec's skip-gram defaults
// (5 negatives, η from 0.025 down to 0.0001·0.025).
//
// Epochs is 10, which matches the paper's training budget rather than its
// epoch count. The paper's code (a modified PyG Node2Vec) trains 50 epochs,
// but each epoch draws one window per walk and pairs only the walk's first
// node with the 9 others: 9 positive pairs per walk and epoch, 450 in all.
// Here every node of a walk is a centre, and a 10-node walk with Window 10
// and word2vec's shrinking window yields Σ_{d=1}^{9} 2(10−d)(11−d)/10 = 66
// pairs per pass, so 7 passes match the paper's count; 10 leave a margin.
func DefaultOptions() Options {
	return Options{
		Dim:             128,
		WalkLength:      10,
		WalksPerNode:    10,
		Window:          10,
		Negative:        5,
		Epochs:          10,
		Workers:         runtime.GOMAXPROCS(0),
		P:               1,
		Q:               1,
		LearningRate:    0.025,
		MinLearningRate: 0.025 * 1e-4,
	}
}

// Upper bounds that keep sizes within int32 ids and sane memory.
const (
	maxDim          = 1 << 16
	maxWalkLength   = 1 << 20
	maxWalksPerNode = 1 << 20
	maxWindow       = 1 << 20 // a walk's length bounds the useful window anyway
	maxNegative     = 1 << 10 // a worker's batch holds 256·(Negative+1) targets
)

// Validate reports the first invalid field (ErrOptions).
func (o Options) Validate() error {
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("%w: %s = %v, want %s", ErrOptions, field, v, want)
	}
	positiveFinite := func(x float64) bool { return x > 0 && !math.IsInf(x, 1) }
	switch {
	case o.Dim < 1 || o.Dim > maxDim:
		return bad("Dim", o.Dim, fmt.Sprintf("1…%d", maxDim))
	case o.WalkLength < 2 || o.WalkLength > maxWalkLength:
		return bad("WalkLength", o.WalkLength, fmt.Sprintf("2…%d", maxWalkLength))
	case o.WalksPerNode < 1 || o.WalksPerNode > maxWalksPerNode:
		return bad("WalksPerNode", o.WalksPerNode, fmt.Sprintf("1…%d", maxWalksPerNode))
	case o.Window < 1 || o.Window > maxWindow:
		return bad("Window", o.Window, fmt.Sprintf("1…%d", maxWindow))
	case o.Negative < 1 || o.Negative > maxNegative:
		return bad("Negative", o.Negative, fmt.Sprintf("1…%d", maxNegative))
	case o.Epochs < 1:
		return bad("Epochs", o.Epochs, "≥ 1")
	case o.Workers < 0:
		return bad("Workers", o.Workers, "≥ 0 (0 = GOMAXPROCS)")
	case !positiveFinite(o.P):
		return bad("P", o.P, "finite and > 0")
	case !positiveFinite(o.Q):
		return bad("Q", o.Q, "finite and > 0")
	case math.IsNaN(o.Gamma) || math.IsInf(o.Gamma, 0):
		return bad("Gamma", o.Gamma, "finite")
	case !positiveFinite(o.LearningRate):
		return bad("LearningRate", o.LearningRate, "finite and > 0")
	case !(o.MinLearningRate >= 0 && o.MinLearningRate <= o.LearningRate):
		return bad("MinLearningRate", o.MinLearningRate, fmt.Sprintf("in [0, LearningRate = %v]", o.LearningRate))
	case !(o.GraphNegatives >= 0 && o.GraphNegatives <= 1):
		return bad("GraphNegatives", o.GraphNegatives, "in [0, 1]")
	}
	return nil
}

// workers returns the effective worker count, at most limit (≥ 1).
func (o Options) workers(limit int) int {
	w := o.Workers
	if w == 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return max(1, min(w, limit))
}
