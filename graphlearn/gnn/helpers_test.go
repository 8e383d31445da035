package gnn

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/zoograph/zoograph/graphlearn"
	"github.com/zoograph/zoograph/graphlearn/internal/graphtest"
	"gonum.org/v1/gonum/mat"
)

// zoo is a planted model zoo the size of the TransferGraph image benchmark.
// Model m has a latent vector a_m ∈ R^k and a quality q_m, dataset d a
// latent b_d; the true normalised accuracy of m on d is
//
//	v*(m,d) = q_m + a_m·b_d/√k,
//
// and a recorded one is v*(m,d) + ε, ε ~ N(0, noise²). Features are noisy
// views of the latents with values missing at random; dataset–dataset
// similarity edges come from the latent distance, lineage edges join
// models with near latents.
type zoo struct {
	g       *graphlearn.Graph
	x       *mat.Dense
	models  []int32 // node ids
	dataset []int32
	truth   map[[2]int32]float64 // v*(m,d) for every pair
	value   map[[2]int32]float64 // recorded value of the fine-tuned pairs
	tuned   [][2]int32           // fine-tuned (model, dataset) pairs, in the graph
	held    [][2]int32           // fine-tuned pairs held out of graph and supervision
}

type zooConfig struct {
	models, datasets int
	tuned            int     // fine-tuned (model, dataset) pairs
	heldOut          float64 // fraction of them held out
	holdDatasets     int     // hold out every pair of the first holdDatasets datasets instead
	noise            float64 // sd of ε
	lineage          int
	seed             uint64
}

func imageSize(seed uint64) zooConfig {
	return zooConfig{models: 185, datasets: 70, tuned: 2000, heldOut: 0.2, noise: 0.15, lineage: 300, seed: seed}
}

const latent = 4

// plantedZoo builds the zoo. Pairs recorded above the median value are
// finetune edges weighted by the value (rescaled into (0, 1]); the others
// are negative pairs, as the pipeline's graph does with normalised
// accuracy above ½.
func plantedZoo(t testing.TB, c zooConfig) *zoo {
	t.Helper()
	rng := rand.New(rand.NewPCG(c.seed, 99))
	b := graphlearn.NewBuilder()
	z := &zoo{truth: map[[2]int32]float64{}, value: map[[2]int32]float64{}}
	a := make([][]float64, c.models)
	q := make([]float64, c.models)
	bd := make([][]float64, c.datasets)
	vec := func() []float64 {
		v := make([]float64, latent)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	for i := range c.datasets {
		z.dataset = append(z.dataset, b.Node(graphlearn.NodeDataset, "d"+strconv.Itoa(i)))
		bd[i] = vec()
	}
	for i := range c.models {
		z.models = append(z.models, b.Node(graphlearn.NodeModel, "m"+strconv.Itoa(i)))
		a[i], q[i] = vec(), 0.5*rng.NormFloat64()
	}
	for mi, m := range z.models {
		for di, d := range z.dataset {
			var s float64
			for k := range latent {
				s += a[mi][k] * bd[di][k]
			}
			z.truth[[2]int32{m, d}] = q[mi] + s/math.Sqrt(latent)
		}
	}

	// Features: 12 model columns (latents, quality, 7 noise columns), then
	// 10 dataset columns (latents, 6 noise columns); 10% of values missing,
	// and 5% of the nodes with no features at all.
	const mcols, dcols = 12, 10
	z.x = mat.NewDense(c.models+c.datasets, mcols+dcols, nil)
	for i := range c.models + c.datasets {
		for j := range mcols + dcols {
			z.x.Set(i, j, math.NaN())
		}
	}
	featureless := func() bool { return rng.Float64() < 0.05 }
	set := func(row, col int, v float64) {
		if rng.Float64() >= 0.1 {
			z.x.Set(row, col, v+0.3*rng.NormFloat64())
		}
	}
	for mi, m := range z.models {
		if featureless() {
			continue
		}
		for k := range latent {
			set(int(m), k, a[mi][k])
		}
		set(int(m), latent, q[mi])
		for j := latent + 1; j < mcols; j++ {
			set(int(m), j, rng.NormFloat64())
		}
	}
	for di, d := range z.dataset {
		if featureless() {
			continue
		}
		for k := range latent {
			set(int(d), mcols+k, bd[di][k])
		}
		for j := mcols + latent; j < mcols+dcols; j++ {
			set(int(d), j, rng.NormFloat64())
		}
	}

	// Fine-tuned pairs, drawn without replacement.
	all := make([][2]int32, 0, c.models*c.datasets)
	for _, m := range z.models {
		for _, d := range z.dataset {
			all = append(all, [2]int32{m, d})
		}
	}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	var vals []float64
	for _, p := range all[:c.tuned] {
		v := z.truth[p] + c.noise*rng.NormFloat64()
		z.value[p] = v
		vals = append(vals, v)
	}
	slices.Sort(vals)
	lo, med, hi := vals[0], vals[len(vals)/2], vals[len(vals)-1]
	for _, p := range all[:c.tuned] {
		held := rng.Float64() < c.heldOut
		if c.holdDatasets > 0 {
			held = p[1] < z.dataset[c.holdDatasets]
		}
		if held {
			z.held = append(z.held, p)
			continue
		}
		z.tuned = append(z.tuned, p)
		if v := z.value[p]; v > med {
			graphtest.MustAddEdge(t, b, p[0], p[1], graphlearn.EdgeFinetune, (v-lo)/(hi-lo))
		} else if err := b.AddNegative(p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}

	// Similarity of every dataset pair, from the latent distance.
	for i := range c.datasets {
		for j := i + 1; j < c.datasets; j++ {
			var d2 float64
			for k := range latent {
				d2 += (bd[i][k] - bd[j][k]) * (bd[i][k] - bd[j][k])
			}
			if w := math.Exp(-d2 / (2 * latent)); w > 0.01 {
				graphtest.MustAddEdge(t, b, z.dataset[i], z.dataset[j], graphlearn.EdgeSimilar, w)
			}
		}
	}
	// Lineage: each of c.lineage random models to its nearest model.
	for range c.lineage {
		mi := rng.IntN(c.models)
		best, bestD := -1, math.Inf(1)
		for mj := range c.models {
			var d2 float64
			for k := range latent {
				d2 += (a[mi][k] - a[mj][k]) * (a[mi][k] - a[mj][k])
			}
			if mj != mi && d2 < bestD {
				best, bestD = mj, d2
			}
		}
		graphtest.MustAddEdge(t, b, z.models[mi], z.models[best], graphlearn.EdgeLineage, 1)
	}
	z.g = b.Build()
	return z
}

// values returns the recorded values of the supervision pairs.
func (z *zoo) values() []EdgeValue {
	out := make([]EdgeValue, 0, len(z.tuned))
	for _, p := range z.tuned {
		out = append(out, EdgeValue{U: p[0], V: p[1], Value: z.value[p]})
	}
	return out
}

// rsquared returns 1 − Σ(y − p)²/Σ(y − ȳ)².
func rsquared(y, p []float64) float64 {
	var mean float64
	for _, v := range y {
		mean += v
	}
	mean /= float64(len(y))
	var ss, st float64
	for i := range y {
		ss += (y[i] - p[i]) * (y[i] - p[i])
		st += (y[i] - mean) * (y[i] - mean)
	}
	return 1 - ss/st
}
