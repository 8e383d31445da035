package node2vec

import (
	"context"

	"github.com/zoograph/zoograph/graphlearn"
)

// Embed learns node2vec (or node2vec+) embeddings of g: [Walks] then [Train].
// Vector i belongs to node i of g. With opt.Workers = 1 the result is
// bit-for-bit reproducible for a given opt.Seed on a given machine.
func Embed(ctx context.Context, g *graphlearn.Graph, opt Options) (*Embeddings, error) {
	c, err := Walks(ctx, g, opt)
	if err != nil {
		return nil, err
	}
	return Train(ctx, c, g.NumNodes(), opt)
}
