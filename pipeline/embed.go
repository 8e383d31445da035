package pipeline

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/zoograph/zoograph/graphlearn/gnn"
	"github.com/zoograph/zoograph/graphlearn/node2vec"
)

// Embedding is what a graph learner gives the feature table: a vector per
// graph node, every vector of the same length.
type Embedding interface {
	Vector(node int32) []float32
}

// pairScorer is an Embedding that also scores a (model, dataset) pair with
// its trained decoder (the GNN learners): the score becomes a feature.
type pairScorer interface {
	Score(u, v int32) float64
}

// embed learns the embeddings of cfg's learner on tg, the graph of target
// t (nil for learner none): cross-fitted over the history datasets
// (crossFit) when cfg asks for folds.
func embed(ctx context.Context, d *Data, t int, tg *TargetGraph, cfg Config, seed uint64, tm *timings) (Embedding, error) {
	if cfg.Learner == LearnerNone {
		return nil, nil
	}
	t0 := time.Now()
	var (
		emb Embedding
		err error
	)
	if folds := crossFitFolds(cfg); folds > 1 {
		emb, err = crossFit(ctx, d, t, tg, cfg, seed, folds)
	} else {
		emb, err = learn(ctx, d, t, tg, cfg, seed)
	}
	if err != nil {
		return nil, fmt.Errorf("embed (%s): %w", cfg.Learner, err)
	}
	tm.add("embed", time.Since(t0))
	return emb, nil
}

// learn runs cfg's learner on tg, the graph of target t.
func learn(ctx context.Context, d *Data, t int, tg *TargetGraph, cfg Config, seed uint64) (Embedding, error) {
	if cfg.Learner == LearnerGraphSAGE || cfg.Learner == LearnerGAT {
		return trainGNN(ctx, d, t, tg, cfg, seed)
	}
	opt := cfg.Node2Vec
	opt.Plus = cfg.Learner == LearnerNode2VecPlus
	opt.Seed = seed
	opt.Workers = 1 // tasks run in parallel; one worker is bit-for-bit reproducible
	return node2vec.Embed(ctx, tg.Graph, opt)
}

// trainGNN trains GraphSAGE or GAT on tg with the models' and datasets'
// metadata as node features. The edge-regression objective learns the
// normalised accuracy of every history pair but the target's.
func trainGNN(ctx context.Context, d *Data, t int, tg *TargetGraph, cfg Config, seed uint64) (*gnn.Model, error) {
	opt := cfg.GNN
	opt.Arch = gnn.GraphSAGE
	if cfg.Learner == LearnerGAT {
		opt.Arch = gnn.GAT
	}
	opt.Seed, opt.Workers = seed, 1
	var values []gnn.EdgeValue
	if opt.Objective == gnn.EdgeRegression {
		for di := range d.Datasets {
			if di == t || !d.hasHistory[di] {
				continue
			}
			for mi, v := range d.norm[di] {
				if !math.IsNaN(v) {
					values = append(values, gnn.EdgeValue{U: tg.Model[mi], V: tg.Dataset[di], Value: v})
				}
			}
		}
		for _, v := range values {
			if v.V == tg.Dataset[t] {
				return nil, fmt.Errorf("%w: a GNN training value is on the target", ErrLeak)
			}
		}
	}
	return gnn.Train(ctx, tg.Graph, nodeFeatures(d, t, tg), values, opt)
}

// nodeFeatures is the GNN's input: per node, the continuous metadata of a
// model (log parameters, input and output size, log labels, reported
// accuracy, log downloads and likes) or of a dataset (log examples, log
// classes); NaN where unknown or of the other kind. The reported accuracy of
// a model trained on target t is left out: read from its card, it is the
// record t holds for the model's base, one lineage edge away (a view made by
// Data.Without hides it for the datasets it holds out, as a cross-fitting
// fold does).
func nodeFeatures(d *Data, t int, tg *TargetGraph) *mat.Dense {
	const cols = 9
	x := mat.NewDense(tg.Graph.NumNodes(), cols, nil)
	for i := range tg.Graph.NumNodes() {
		row := x.RawRowView(i)
		for j := range row {
			row[j] = math.NaN()
		}
	}
	for mi := range d.Models {
		m := &d.Models[mi]
		row := x.RawRowView(int(tg.Model[mi]))
		row[0], row[1], row[2] = logOrNaN(float64(m.NumParameters)), zeroNaN(float64(m.InputSize)), zeroNaN(float64(m.OutputSize))
		row[3], row[4] = logOrNaN(float64(m.NumLabels)), m.ReportedAccuracy
		if slices.Contains(d.reportedOn[mi], t) {
			row[4] = math.NaN()
		}
		row[5], row[6] = math.Log1p(float64(m.Downloads)), math.Log1p(float64(m.Likes))
	}
	for di := range d.Datasets {
		ds := &d.Datasets[di]
		row := x.RawRowView(int(tg.Dataset[di]))
		row[7], row[8] = logOrNaN(float64(ds.NumExamples)), logOrNaN(float64(ds.NumClasses))
	}
	return x
}
