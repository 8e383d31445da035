package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/zoograph/zoograph/graphlearn/node2vec"
)

// Embedding is what a graph learner gives the feature table: a vector per
// graph node, every vector of the same length.
type Embedding interface {
	Vector(node int32) []float32
}

// embed learns the embeddings of cfg's learner on tg (nil for learner none).
func embed(ctx context.Context, tg *TargetGraph, cfg Config, seed uint64, tm *timings) (Embedding, error) {
	if cfg.Learner == LearnerNone {
		return nil, nil
	}
	t0 := time.Now()
	opt := cfg.Node2Vec
	opt.Plus = cfg.Learner == LearnerNode2VecPlus
	opt.Seed = seed
	opt.Workers = 1 // tasks run in parallel; one worker is bit-for-bit reproducible
	emb, err := node2vec.Embed(ctx, tg.Graph, opt)
	if err != nil {
		return nil, fmt.Errorf("embed: %w", err)
	}
	tm.add("embed", time.Since(t0))
	return emb, nil
}
