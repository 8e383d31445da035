package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"slices"
)

// Cross-fitted graph features.
//
// The graph of target t holds the fine-tuning results of every history
// dataset, weighted by accuracy. An embedding learned on it encodes, for a
// training row (m, D), the very result the row is labelled with: the edge
// m–D is in the graph. A test row (m, t) never has its edge. The regressor
// then learns to trust the affinity of m and D far more than it deserves on
// the target. Cross-fitting removes the mismatch, as out-of-fold target
// encoding does: the history datasets are split into folds, one embedding
// is learned per fold on the graph without that fold's results, a training
// row of dataset D reads its affinity from the embedding of D's fold — in
// which D, like t, has no result — and a test row averages the folds.

// crossFitted is an embedding learned once per fold of the history
// datasets. As an Embedding it is its first fold's.
type crossFitted struct {
	folds []Embedding
	group []int // per dataset: its fold, −1 for t and datasets without history
}

func (c *crossFitted) Vector(node int32) []float32 { return c.folds[0].Vector(node) }

// forRow returns the embeddings a row on dataset di reads: its fold's for a
// history dataset, every fold's for the target.
func (c *crossFitted) forRow(di int) []Embedding {
	if g := c.group[di]; g >= 0 {
		return c.folds[g : g+1]
	}
	return c.folds
}

// crossFitFolds returns the number of folds cfg cross-fits its graph
// features over: 0 for one embedding. The raw embedding columns need one
// coordinate system, so the paper feature set and raw embeddings get one
// embedding.
func crossFitFolds(cfg Config) int {
	if cfg.Features == FeaturesPaper || cfg.FeatureOptions.RawEmbeddings || cfg.FeatureOptions.CrossFitFolds < 2 {
		return 0
	}
	return cfg.FeatureOptions.CrossFitFolds
}

// crossFit learns one embedding per fold of t's history datasets
// (foldGroups), each on the view of d that holds the fold's datasets out
// as it holds t out (Data.Without): their fine-tuning edges, the
// similarities derived from their accuracies and the card results on them
// are all out of the fold's graph. With fewer than two history datasets
// there is nothing to cross-fit, and one embedding is learned on tg; there
// are never more folds than history datasets. On a warm run the fold's
// datasets show none of their K revealed records in its graph, where t
// shows its K: the fold is the cold version of the target's situation.
func crossFit(ctx context.Context, d *Data, t int, tg *TargetGraph, cfg Config, seed uint64, folds int) (Embedding, error) {
	group, folds := foldGroups(d, t, folds, seed)
	if folds < 2 {
		return learn(ctx, d, t, tg, cfg, seed)
	}
	c := &crossFitted{group: group}
	for g := range folds {
		view := d
		for di, gi := range c.group {
			if gi == g {
				view = view.Without(di)
			}
		}
		fg, err := BuildWarmGraph(view, t, cfg.Graph, tg.Probe, tg.Seed)
		if err != nil {
			return nil, err
		}
		if fg.Graph.NumNodes() != tg.Graph.NumNodes() || !slices.Equal(fg.Model, tg.Model) || !slices.Equal(fg.Dataset, tg.Dataset) {
			return nil, fmt.Errorf("cross-fit fold %d: its graph numbers the nodes differently", g)
		}
		emb, err := learn(ctx, view, t, fg, cfg, seed)
		if err != nil {
			return nil, fmt.Errorf("cross-fit fold %d: %w", g, err)
		}
		c.folds = append(c.folds, emb)
	}
	return c, nil
}

// foldGroups deals the history datasets of target t (every dataset with
// history but t) into folds, in the order of a hash of the seed and the
// dataset id, so that the folds are balanced and a dataset's fold depends
// only on the seed and the set of history datasets (paired inner folds of
// nested selection, which hold out the same two datasets, agree). It
// returns each dataset's fold, −1 for the others, and the number of folds:
// at most folds, never more than the history datasets.
func foldGroups(d *Data, t, folds int, seed uint64) ([]int, int) {
	group := make([]int, len(d.Datasets))
	var hist []int
	key := make([]uint64, len(d.Datasets))
	for di := range d.Datasets {
		group[di] = -1
		if di == t || !d.hasHistory[di] {
			continue
		}
		h := fnv.New64a()
		fmt.Fprintf(h, "%d/%s", seed, d.Datasets[di].DatasetID)
		key[di] = h.Sum64()
		hist = append(hist, di)
	}
	slices.SortFunc(hist, func(a, b int) int {
		return cmp.Or(cmp.Compare(key[a], key[b]), cmp.Compare(d.Datasets[a].DatasetID, d.Datasets[b].DatasetID))
	})
	folds = min(folds, len(hist))
	for k, di := range hist {
		group[di] = k % folds
	}
	return group, folds
}
