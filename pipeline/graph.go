package pipeline

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/zoograph/zoograph/graphlearn"
)

// TargetGraph is the model–dataset graph of one held-out target, with the
// node ids of every model and dataset.
type TargetGraph struct {
	Graph   *graphlearn.Graph
	Model   []int32 // node id of Data.Models[i]
	Dataset []int32 // node id of Data.Datasets[i]
	// FinetuneEdges counts the history edges and NegativePairs the
	// negative pairs, for the report.
	FinetuneEdges, NegativePairs int
	// Revealed are the models whose accuracy on the target a warm task
	// reveals (BuildWarmGraph), in increasing index order; Probe and Seed
	// are the task's reveal count and seed. Nil, 0 and 0 on a cold target.
	Revealed []int
	Probe    int
	Seed     uint64

	// agree is the dataset similarity of zoos without distances.
	agree *targetAgreement
}

// BuildGraph builds the graph for target t (a dataset index) following the
// paper (research §2) with undirected, weighted edges:
//
//   - fine-tuning history of every dataset but t: a pair whose normalised
//     accuracy is above cfg.PositiveThreshold is an edge weighted by that
//     value, the others are negative pairs;
//   - trained-on edges from model metadata (source datasets), weight 1;
//   - dataset–dataset similarity, weight (d_max − d)/(d_max − d_min) over
//     the known pairs, optionally only each dataset's k most similar;
//   - LogME transfer edges (z-scored per dataset, positive above 0.5), never
//     on t;
//   - lineage edges between a model and its base models, weight 1.
//
// Without dataset distances, the similarity edges come from the agreement
// of accuracies (see targetAgreement.graphWeight). Trained-on edges join a
// model to the datasets of its source_datasets and those its repo id names
// (see sourcesFromID); a base model that is no model row of the zoo gets a
// node of its own.
//
// Nothing recorded on t enters: BuildGraph returns an error if it would.
func BuildGraph(d *Data, t int, cfg GraphConfig) (*TargetGraph, error) {
	return buildGraph(d, t, cfg, 0, 0)
}

// BuildWarmGraph builds the graph of a warm target: as BuildGraph, plus the
// fine-tuning edges and negative pairs of k models of t drawn with seed
// (TargetGraph.Revealed), their accuracies min-max normalised among
// themselves. Nothing else recorded on t enters.
func BuildWarmGraph(d *Data, t int, cfg GraphConfig, k int, seed uint64) (*TargetGraph, error) {
	return buildGraph(d, t, cfg, k, seed)
}

// graphFor returns the target graph that learner needs for target t with
// k models revealed by seed: BuildWarmGraph's, or for learner none, which
// reads no graph, featureTarget's, which is what Features reads of it.
func graphFor(d *Data, t int, cfg GraphConfig, learner Learner, k int, seed uint64) (*TargetGraph, error) {
	if learner == LearnerNone {
		return featureTarget(d, t, k, seed), nil
	}
	return BuildWarmGraph(d, t, cfg, k, seed)
}

// featureTarget is BuildWarmGraph's target graph without the graph: the
// revealed models, reveal count, seed and dataset agreement that Features
// reads, equal to the built graph's, and no Graph, node ids or edge counts.
// It serves the tables that read no embedding (learner none, the metadata
// regressor), which then skip building a graph of thousands of nodes that
// nothing walks.
func featureTarget(d *Data, t, k int, seed uint64) *TargetGraph {
	tg := &TargetGraph{Revealed: revealModels(d, t, k, seed), Probe: k, Seed: seed}
	tg.agree = newTargetAgreement(d, t, k, tg.Revealed, seed)
	return tg
}

// unrevealed returns models (modified in place) without those tg reveals
// on its target.
func (tg *TargetGraph) unrevealed(models []int) []int {
	return slices.DeleteFunc(models, func(mi int) bool {
		_, revealed := slices.BinarySearch(tg.Revealed, mi)
		return revealed
	})
}

// revealedOn returns the models that a warm task reveals on history
// dataset di of d (targetAgreement.known): those tg's agreement drew for
// its task when it was drawn on d with tg's reveal count and seed (a cold
// graph serving every seed keeps its first seed's, and reveals none), else
// a draw of their own.
func (tg *TargetGraph) revealedOn(d *Data, di int) []int {
	if ta := tg.agree; ta != nil && ta.d == d && ta.k == tg.Probe && ta.seed == tg.Seed && di != ta.t {
		return ta.known(di)
	}
	return revealModels(d, di, tg.Probe, tg.Seed)
}

func buildGraph(d *Data, t int, cfg GraphConfig, k int, seed uint64) (*TargetGraph, error) {
	b := graphlearn.NewBuilder()
	tg := featureTarget(d, t, k, seed)
	tg.Model, tg.Dataset = make([]int32, len(d.Models)), make([]int32, len(d.Datasets))
	for i, ds := range d.Datasets {
		tg.Dataset[i] = b.Node(graphlearn.NodeDataset, ds.DatasetID)
	}
	for i, m := range d.Models {
		tg.Model[i] = b.Node(graphlearn.NodeModel, m.ModelID)
	}
	if err := addFinetunes(b, d, t, tg, cfg); err != nil {
		return nil, err
	}
	if err := addRevealed(b, d, t, tg, cfg.PositiveThreshold); err != nil {
		return nil, err
	}
	if cfg.TrainedOn {
		if err := addTrainedOn(b, d, tg); err != nil {
			return nil, err
		}
	}
	if cfg.Similarity {
		add := addSimilarity
		if !d.hasDistances {
			add = addAgreementSimilarity
		}
		if err := add(b, d, tg, cfg.SimilarityNeighbours); err != nil {
			return nil, err
		}
	}
	if cfg.Transfer {
		if err := addTransfer(b, d, t, tg); err != nil {
			return nil, err
		}
	}
	if cfg.Lineage {
		if err := addLineage(b, d, tg); err != nil {
			return nil, err
		}
	}
	tg.Graph = b.Build()
	if err := checkGraphLeak(d, t, tg); err != nil {
		return nil, err
	}
	return tg, nil
}

// addFinetunes adds the fine-tuning history of every history dataset but t:
// a finetune edge weighted by the pair's edge value (edgeValues) where it is
// above cfg.PositiveThreshold, a negative pair where it is at most that.
// Pairs without a value get neither; tg counts both kinds.
func addFinetunes(b *graphlearn.Builder, d *Data, t int, tg *TargetGraph, cfg GraphConfig) error {
	for di := range d.Datasets {
		if di == t || !d.hasHistory[di] {
			continue
		}
		for mi, v := range edgeValues(d, di, cfg.Weighting) {
			if math.IsNaN(v) {
				continue
			}
			if v > cfg.PositiveThreshold {
				if err := b.AddEdge(tg.Model[mi], tg.Dataset[di], graphlearn.EdgeFinetune, v); err != nil {
					return fmt.Errorf("graph: %w", err)
				}
				tg.FinetuneEdges++
			} else {
				if err := b.AddNegative(tg.Model[mi], tg.Dataset[di]); err != nil {
					return fmt.Errorf("graph: %w", err)
				}
				tg.NegativePairs++
			}
		}
	}
	return nil
}

// addTrainedOn adds a trained-on edge (weight 1) from every model to each of
// its training datasets (d.sources). Nothing here is recorded by fine-tuning
// on any dataset, so the target's edges stay.
func addTrainedOn(b *graphlearn.Builder, d *Data, tg *TargetGraph) error {
	for mi := range d.Models {
		for _, di := range d.sources[mi] {
			if err := b.AddEdge(tg.Model[mi], tg.Dataset[di], graphlearn.EdgeTrainedOn, 1); err != nil {
				return fmt.Errorf("graph: %w", err)
			}
		}
	}
	return nil
}

// addTransfer adds a transfer edge (weight 1) for every pair whose LogME
// score is at least 0.5 standard deviations above its dataset's mean, on
// every dataset but t. A zoo without LogME scores gets none.
func addTransfer(b *graphlearn.Builder, d *Data, t int, tg *TargetGraph) error {
	logme := d.scores["logme"]
	if logme == nil {
		return nil
	}
	for di := range d.Datasets {
		if di == t {
			continue
		}
		for mi, z := range zscores(logme[di]) {
			if !math.IsNaN(z) && z >= 0.5 {
				if err := b.AddEdge(tg.Model[mi], tg.Dataset[di], graphlearn.EdgeTransfer, 1); err != nil {
					return fmt.Errorf("graph: %w", err)
				}
			}
		}
	}
	return nil
}

// addLineage adds a lineage edge (weight 1) from every model to each of its
// base models: the base's node when the zoo has it (never the model
// itself), else a new model node for it.
func addLineage(b *graphlearn.Builder, d *Data, tg *TargetGraph) error {
	for mi, m := range d.Models {
		for _, base := range m.BaseModels {
			node, ok := int32(0), false
			if bi, known := d.modelIdx[base]; known {
				node, ok = tg.Model[bi], bi != mi
			} else if base != "" {
				node, ok = b.Node(graphlearn.NodeModel, base), true
			}
			if !ok {
				continue
			}
			if err := b.AddEdge(tg.Model[mi], node, graphlearn.EdgeLineage, 1); err != nil {
				return fmt.Errorf("graph: %w", err)
			}
		}
	}
	return nil
}

// edgeValues returns the value of each model's fine-tuning result on
// dataset di that the graph compares with the positive threshold and uses as
// the edge weight (NaN: no record):
//
//   - WeightMinMax: the accuracy min-max normalised within di. On a dataset
//     where a few runs collapsed, almost every other model lands near 1:
//     the edges say which models were fine-tuned, hardly how well.
//   - WeightQuantile: the accuracy's mid-rank quantile (r − ½)/n within di
//     (ties share their mean rank), so the threshold splits the models by
//     how well they did relative to the others, whatever the spread of the
//     accuracies, and the edge weight grows with the rank.
func edgeValues(d *Data, di int, weighting string) []float64 {
	if weighting != WeightQuantile {
		return d.norm[di]
	}
	return quantiles(d.acc[di])
}

// quantiles returns the mid-rank quantile of every finite value of v (NaN
// stays NaN); tied values share their mean rank.
func quantiles(v []float64) []float64 {
	var idx []int
	for i, x := range v {
		if !math.IsNaN(x) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	out := make([]float64, len(v))
	for i := range out {
		out[i] = math.NaN()
	}
	n := float64(len(idx))
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && v[idx[j]] == v[idx[i]] {
			j++
		}
		q := float64(i+j) / 2 / n // the block's mean 1-based rank (i+1+j)/2, minus ½, over n
		for _, k := range idx[i:j] {
			out[k] = q
		}
		i = j
	}
	return out
}

// addSimilarity adds the dataset–dataset edges: weight 1 − d min-max
// rescaled over all known pairs (paper §2.4); pairs at the maximum distance
// get weight 0 and no edge.
func addSimilarity(b *graphlearn.Builder, d *Data, tg *TargetGraph, k int) error {
	n := len(d.Datasets)
	lo, hi := math.Inf(1), math.Inf(-1)
	for a := range n {
		for c := a + 1; c < n; c++ {
			if v := d.dist[a][c]; !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if !(hi > lo) {
		return nil
	}
	// Nearer is more similar; unknown distances are no candidates.
	keep := mutualKNN(n, k, func(a, c int) float64 { return -d.dist[a][c] })
	for a := range n {
		for c := a + 1; c < n; c++ {
			v := d.dist[a][c]
			if math.IsNaN(v) || !keep(a, c) {
				continue
			}
			if w := (hi - v) / (hi - lo); w > 0 {
				if err := b.AddEdge(tg.Dataset[a], tg.Dataset[c], graphlearn.EdgeSimilar, w); err != nil {
					return fmt.Errorf("graph: %w", err)
				}
			}
		}
	}
	return nil
}

// checkGraphLeak verifies that no fine-tuning edge or negative pair touches
// the target but those of its revealed models: the leave-one-dataset-out
// guarantee, asserted in code.
func checkGraphLeak(d *Data, t int, tg *TargetGraph) error {
	node := tg.Dataset[t]
	revealed := map[int32]bool{}
	for _, mi := range tg.Revealed {
		revealed[tg.Model[mi]] = true
	}
	nbrs, _ := tg.Graph.Neighbors(node)
	kinds := tg.Graph.EdgeKinds(node)
	for i, v := range nbrs {
		if tg.Graph.Kind(v) == graphlearn.NodeModel && kinds[i].Has(graphlearn.EdgeFinetune) && !revealed[v] {
			return fmt.Errorf("%w: graph of %s has a fine-tuning edge to %s", ErrLeak, d.Datasets[t].DatasetID, tg.Graph.Key(v))
		}
	}
	for _, v := range tg.Graph.Negatives(node) {
		if !revealed[v] {
			return fmt.Errorf("%w: graph of %s has a negative pair on the target with %s", ErrLeak, d.Datasets[t].DatasetID, tg.Graph.Key(v))
		}
	}
	return nil
}

// addRevealed adds the fine-tuning edges and negative pairs of the target's
// revealed models, their accuracies min-max normalised among themselves
// (normalising over all of the target's models would use the others').
func addRevealed(b *graphlearn.Builder, d *Data, t int, tg *TargetGraph, threshold float64) error {
	if len(tg.Revealed) < 2 {
		return nil
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, mi := range tg.Revealed {
		lo, hi = math.Min(lo, d.acc[t][mi]), math.Max(hi, d.acc[t][mi])
	}
	if !(hi > lo) {
		return nil
	}
	for _, mi := range tg.Revealed {
		v := (d.acc[t][mi] - lo) / (hi - lo)
		var err error
		if v > threshold {
			err = b.AddEdge(tg.Model[mi], tg.Dataset[t], graphlearn.EdgeFinetune, v)
			tg.FinetuneEdges++
		} else {
			err = b.AddNegative(tg.Model[mi], tg.Dataset[t])
			tg.NegativePairs++
		}
		if err != nil {
			return fmt.Errorf("graph: %w", err)
		}
	}
	return nil
}

// mutualKNN returns keep(a, c) for n datasets: whether c is among a's k
// highest-scored datasets or a among c's (every pair when k ≤ 0). A
// dataset's candidates are the others whose score is not NaN; equal scores
// keep index order.
func mutualKNN(n, k int, score func(a, c int) float64) func(a, c int) bool {
	if k <= 0 {
		return func(a, c int) bool { return true }
	}
	nearest := make([]map[int]bool, n)
	for a := range n {
		cand := make([]int, 0, n)
		for c := range n {
			if c != a && !math.IsNaN(score(a, c)) {
				cand = append(cand, c)
			}
		}
		slices.SortStableFunc(cand, func(i, j int) int { return cmp.Compare(score(a, j), score(a, i)) })
		nearest[a] = map[int]bool{}
		for _, c := range cand[:min(k, len(cand))] {
			nearest[a][c] = true
		}
	}
	return func(a, c int) bool { return nearest[a][c] || nearest[c][a] }
}

// addAgreementSimilarity adds the dataset–dataset edges of a zoo without
// distances, weighted by targetAgreement.graphWeight, optionally only each
// dataset's k most similar.
func addAgreementSimilarity(b *graphlearn.Builder, d *Data, tg *TargetGraph, k int) error {
	n := len(d.Datasets)
	w := newMatrix(n, n, 0)
	for a := range n {
		for c := a + 1; c < n; c++ {
			w[a][c] = tg.agree.graphWeight(a, c)
			w[c][a] = w[a][c]
		}
	}
	keep := mutualKNN(n, k, func(a, c int) float64 {
		if w[a][c] > 0 {
			return w[a][c]
		}
		return math.NaN() // no similarity: no candidate
	})
	for a := range n {
		for c := a + 1; c < n; c++ {
			if w[a][c] > 0 && keep(a, c) {
				if err := b.AddEdge(tg.Dataset[a], tg.Dataset[c], graphlearn.EdgeSimilar, w[a][c]); err != nil {
					return fmt.Errorf("graph: %w", err)
				}
			}
		}
	}
	return nil
}

// zscores standardises the finite values of v; NaN stays NaN, and so do
// all values when they cannot be standardised (fewer than two, or equal).
func zscores(v []float64) []float64 { return standardize(v, math.NaN()) }
