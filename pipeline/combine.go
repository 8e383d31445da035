package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/mat"
)

// scoreInput is what methodScores scores for one target and seed: the
// target t of d, its graph tg for the seed (built with the config's graph
// settings), the test rows (nil: those Features chooses), the metadata
// regressor's scores meta of the rows metaModels (nil when no setting
// stacks it), and adjust, when not nil, which edits each feature table
// before the fit.
type scoreInput struct {
	d          *Data
	t          int
	tg         *TargetGraph
	seed       uint64
	test       []int
	meta       []float64
	metaModels []int
	adjust     func(*FeatureTable)
}

// methodScores scores in.t's test models with cfg's settings: embed →
// features → fit → blend with the prior → stack the metadata regressor.
// With cfg.members (selection.combine "level" or "level_all") it is the
// equal average of the members' standardised scores, each scored so (a
// model without a score in some member averages the others). Members that differ only in
// tree count, prior, blend or metadata weight share one fit (the staged
// GBDT predictions of fitTableStaged); members of one graph variant
// (learner, weighting, GNN objective) share one embedding and feature
// table, and members of another graph weighting build their own graph
// (memberTables). It returns the scores and the feature table of
// cfg's own learner and weighting.
func methodScores(ctx context.Context, in scoreInput, cfg Config, tm *timings) ([]float64, *FeatureTable, error) {
	if len(cfg.members) == 0 {
		ft, err := methodTable(ctx, in, in.tg, cfg, tm)
		if err != nil {
			return nil, nil, err
		}
		t0 := time.Now()
		scores, err := fitPredict(ft, cfg, in.seed)
		if err != nil {
			return nil, nil, fmt.Errorf("%s regressor: %w", cfg.Method(), err)
		}
		tm.add("train+predict", time.Since(t0))
		if err := finish(scores, ft, cfg.Blend, cfg.Prior, cfg.MetadataWeight, in); err != nil {
			return nil, nil, err
		}
		return scores, ft, nil
	}
	var (
		first, own *FeatureTable
		sum, n     []float64
		mt         = memberTables{graphs: map[string]*TargetGraph{cfg.Graph.Weighting: in.tg}, tables: map[Candidate]*FeatureTable{}}
	)
	for _, g := range fitGroups(cfg.members) {
		c := g.key.apply(cfg)
		ft, err := mt.table(ctx, in, c, tm)
		if err != nil {
			return nil, nil, err
		}
		if first == nil {
			first, own = ft, ft
			sum, n = make([]float64, len(ft.TestModels)), make([]float64, len(ft.TestModels))
		} else if !slices.Equal(ft.TestModels, first.TestModels) {
			return nil, nil, errors.New("combined settings: test models differ between members")
		}
		if c.Learner == cfg.Learner && c.Graph.Weighting == cfg.Graph.Weighting {
			own = ft
		}
		t0 := time.Now()
		preds, err := fitTableStaged(ft, []*mat.Dense{ft.Test}, c, in.seed, g.trees)
		if err != nil {
			return nil, nil, fmt.Errorf("%s regressor: %w", c.Method(), err)
		}
		tm.add("train+predict", time.Since(t0))
		for _, m := range g.members {
			scores := slices.Clone(preds[slices.Index(g.trees, m.GBDTTrees)][0])
			if err := finish(scores, ft, m.Blend, m.Prior, m.MetadataWeight, in); err != nil {
				return nil, nil, err
			}
			for i, z := range zscore(scores) {
				if !math.IsNaN(z) {
					sum[i] += z
					n[i]++
				}
			}
		}
	}
	for i := range sum {
		sum[i] /= n[i] // NaN where no member scored the model
	}
	return sum, own, nil
}

// memberTables are the graphs (by weighting) and feature tables (by graph
// variant: learner, weighting, GNN objective) that methodScores's members
// have needed so far: members that differ only in what their fit reads
// (depth, failure model) share one embedding and table.
type memberTables struct {
	graphs map[string]*TargetGraph
	tables map[Candidate]*FeatureTable
}

// table returns the feature table of cfg's graph variant, building its
// graph (learner none reads in.tg's revealed models alone) and embedding
// it the first time.
func (mt memberTables) table(ctx context.Context, in scoreInput, cfg Config, tm *timings) (*FeatureTable, error) {
	variant := Candidate{Learner: cfg.Learner, Weighting: cfg.Graph.Weighting}
	if cfg.Learner == LearnerGraphSAGE || cfg.Learner == LearnerGAT {
		variant.GNNObjective = cfg.GNN.Objective.String()
	}
	if ft := mt.tables[variant]; ft != nil {
		return ft, nil
	}
	tg := in.tg
	if cfg.Learner != LearnerNone {
		if tg = mt.graphs[cfg.Graph.Weighting]; tg == nil || tg.Graph == nil {
			t0 := time.Now()
			var err error
			if tg, err = graphFor(in.d, in.t, cfg.Graph, cfg.Learner, cfg.Probe, in.seed); err != nil {
				return nil, err
			}
			tg.Seed = in.seed
			mt.graphs[cfg.Graph.Weighting] = tg
			tm.add("graph", time.Since(t0))
		}
	}
	ft, err := methodTable(ctx, in, tg, cfg, tm)
	if err != nil {
		return nil, err
	}
	mt.tables[variant] = ft
	return ft, nil
}

// methodTable embeds in.t's graph tg with cfg's learner and returns the
// feature table, edited by in.adjust.
func methodTable(ctx context.Context, in scoreInput, tg *TargetGraph, cfg Config, tm *timings) (*FeatureTable, error) {
	emb, err := embed(ctx, in.d, in.t, tg, cfg, in.seed, tm)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	ft, err := Features(in.d, in.t, tg, emb, cfg.Features, cfg.Learner, cfg.FeatureOptions, in.test)
	if err != nil {
		return nil, err
	}
	if in.adjust != nil {
		in.adjust(ft)
	}
	tm.add("features", time.Since(t0))
	return ft, nil
}

// finish blends scores (of ft's test rows) with the prior and stacks the
// metadata regressor's scores of in onto them with weight v.
func finish(scores []float64, ft *FeatureTable, blend float64, prior string, v float64, in scoreInput) error {
	blendPrior(scores, ft, blend, prior)
	if v > 0 {
		if in.meta == nil || !slices.Equal(ft.TestModels, in.metaModels) {
			return errors.New("metadata regressor: test models differ from the method's")
		}
		stackMetadata(scores, in.meta, v)
	}
	return nil
}

// fitGroup is a set of members that one fit serves: the same settings but
// for the tree count, prior, blend and metadata weight (key, those zero),
// with the distinct tree counts they read.
type fitGroup struct {
	key     Candidate
	trees   []int
	members []Candidate
}

// fitGroups groups members by what their fit reads, in order of first
// appearance.
func fitGroups(members []Candidate) []fitGroup {
	var out []fitGroup
	for _, m := range members {
		key := fitKey(m)
		i := slices.IndexFunc(out, func(g fitGroup) bool { return g.key == key })
		if i < 0 {
			out = append(out, fitGroup{key: key})
			i = len(out) - 1
		}
		if !slices.Contains(out[i].trees, m.GBDTTrees) {
			out[i].trees = append(out[i].trees, m.GBDTTrees)
		}
		out[i].members = append(out[i].members, m)
	}
	return out
}

// stacksMetadata reports whether cfg's settings, or one of its members,
// stack the metadata regressor.
func (c Config) stacksMetadata() bool {
	return c.MetadataWeight > 0 || slices.ContainsFunc(c.members, func(m Candidate) bool { return m.MetadataWeight > 0 })
}
