package node2vec

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/zoograph/zoograph/graphlearn"
	"github.com/zoograph/zoograph/graphlearn/internal/graphtest"
)

// plantedPartition returns a stochastic block model: blocks × size dataset
// nodes, each intra-block pair joined with probability pIn and each
// inter-block pair with probability pOut, unit weights. block[i] is node i's
// block.
func plantedPartition(t testing.TB, blocks, size int, pIn, pOut float64, seed uint64) (g *graphlearn.Graph, block []int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	b := graphlearn.NewBuilder()
	n := blocks * size
	for i := range n {
		b.Node(graphlearn.NodeDataset, "n"+strconv.Itoa(i))
		block = append(block, i/size)
	}
	for u := range n {
		for v := u + 1; v < n; v++ {
			p := pOut
			if block[u] == block[v] {
				p = pIn
			}
			if rng.Float64() < p {
				graphtest.MustAddEdge(t, b, int32(u), int32(v), graphlearn.EdgeSimilar, 1)
			}
		}
	}
	return b.Build(), block
}

// paperGraph mimics the TransferGraph image graph for one target (research
// notes §2.7): 185 models and 69 datasets; about 1,970 model–dataset
// fine-tune edges with normalised accuracy in (0.5, 1] over 13 fine-tune
// datasets, a trained-on edge per model, about 220 negative pairs, and
// 2,345 dataset–dataset similarity edges (all pairs but one).
func paperGraph(t testing.TB, seed uint64) *graphlearn.Graph {
	t.Helper()
	const models, datasets, finetuneDatasets = 185, 69, 13
	rng := rand.New(rand.NewPCG(seed, 11))
	b := graphlearn.NewBuilder()
	ds := make([]int32, datasets)
	for i := range ds {
		ds[i] = b.Node(graphlearn.NodeDataset, "dataset-"+strconv.Itoa(i))
	}
	for i := range models {
		m := b.Node(graphlearn.NodeModel, "model-"+strconv.Itoa(i))
		for _, d := range ds[:finetuneDatasets] {
			switch u := rng.Float64(); {
			case u < 0.82:
				graphtest.MustAddEdge(t, b, m, d, graphlearn.EdgeFinetune, 0.5+rng.Float64()/2)
			case u < 0.91:
				if err := b.AddNegative(m, d); err != nil {
					t.Fatal(err)
				}
			}
		}
		src := ds[finetuneDatasets+rng.IntN(datasets-finetuneDatasets)]
		graphtest.MustAddEdge(t, b, m, src, graphlearn.EdgeTrainedOn, 0.5+rng.Float64()/2)
	}
	for i := range ds {
		for j := i + 1; j < len(ds); j++ {
			if i == 0 && j == 1 {
				continue // the farthest pair gets weight 0 and no edge
			}
			graphtest.MustAddEdge(t, b, ds[i], ds[j], graphlearn.EdgeSimilar, 0.01+rng.Float64())
		}
	}
	return b.Build()
}

// randomGraph returns n dataset nodes and m random edges (duplicates merged)
// with weights in [0.1, 1.1).
func randomGraph(t testing.TB, n, m int, seed uint64) *graphlearn.Graph {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 13))
	b := graphlearn.NewBuilder()
	for i := range n {
		b.Node(graphlearn.NodeDataset, strconv.Itoa(i))
	}
	for range m {
		u, v := int32(rng.IntN(n)), int32(rng.IntN(n))
		if u == v {
			continue
		}
		graphtest.MustAddEdge(t, b, u, v, graphlearn.EdgeSimilar, 0.1+rng.Float64())
	}
	return b.Build()
}
