package node2vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refPair computes one pair's update in float64, sequentially over targets,
// with every dot product taken before any update (the kernels' contract).
func refPair(in, out []float32, rows []int32, gs []float32) (dotsWant []float64, inWant, outWant []float64) {
	dim := len(in)
	outWant = make([]float64, len(out))
	for i, x := range out {
		outWant[i] = float64(x)
	}
	for _, r := range rows {
		var s float64
		for i := range dim {
			s += float64(in[i]) * float64(out[int(r)*dim+i])
		}
		dotsWant = append(dotsWant, s)
	}
	acc := make([]float64, dim)
	for k, r := range rows {
		for i := range dim {
			o := outWant[int(r)*dim+i]
			acc[i] += float64(gs[k]) * o
			outWant[int(r)*dim+i] = o + float64(gs[k])*float64(in[i])
		}
	}
	for i := range dim {
		inWant = append(inWant, float64(in[i])+acc[i])
	}
	return dotsWant, inWant, outWant
}

// kernelSet is one implementation of the pair kernels.
type kernelSet struct {
	name       string
	dots       func(res, in, out []float32, rows []int32)
	pairUpdate func(in, out []float32, rows []int32, gs, acc []float32)
}

func TestKernelsMatchReference(t *testing.T) {
	sets := append(kernelVariants(), kernelSet{"dispatch", dots, pairUpdate})
	t.Logf("kernels: %d variants, AVX2 %v", len(sets)-1, hasAVX2)
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 9
	for _, ks := range sets {
		for _, dim := range []int{1, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 40, 48, 64, 100, 128, 130, 136, 200} {
			for _, rows := range [][]int32{{4}, {0, 8}, {2, 5, 1, 7, 3, 6}, {3, 3, 1, 3}} {
				t.Run(fmt.Sprintf("%s/dim=%d/rows=%v", ks.name, dim, rows), func(t *testing.T) {
					in := make([]float32, dim)
					out := make([]float32, n*dim)
					for i := range in {
						in[i] = float32(rng.NormFloat64())
					}
					for i := range out {
						out[i] = float32(rng.NormFloat64())
					}
					gs := make([]float32, len(rows))
					for i := range gs {
						gs[i] = float32(rng.NormFloat64() * 0.1)
					}
					dotsWant, inWant, outWant := refPair(in, out, rows, gs)
					// Duplicate rows see their own earlier updates in
					// pairUpdate, so compare dots first, then the update.
					res := make([]float32, len(rows))
					ks.dots(res, in, out, rows)
					tol := 1e-5 * float64(dim)
					for k := range rows {
						if math.Abs(float64(res[k])-dotsWant[k]) > tol {
							t.Errorf("dots[%d] = %v, want %v", k, res[k], dotsWant[k])
						}
					}
					acc := make([]float32, dim)
					ks.pairUpdate(in, out, rows, gs, acc)
					for i := range in {
						if math.Abs(float64(in[i])-inWant[i]) > 1e-4 {
							t.Fatalf("in[%d] = %v, want %v", i, in[i], inWant[i])
						}
					}
					for i := range out {
						if math.Abs(float64(out[i])-outWant[i]) > 1e-4 {
							t.Fatalf("out[%d] = %v, want %v", i, out[i], outWant[i])
						}
					}
				})
			}
		}
	}
}

func TestAliasSampling(t *testing.T) {
	tests := []struct {
		name string
		w    []float64
	}{
		{"uniform", []float64{1, 1, 1, 1}},
		{"skewed", []float64{10, 1, 0.1, 5, 3}},
		{"with zeros", []float64{0, 2, 0, 1, 0}},
		{"single", []float64{7}},
	}
	// Critical values of χ² at significance 1e-4, by degrees of freedom.
	crit := []float64{0, 15.14, 18.42, 21.11, 23.51, 25.74}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab := make([]aliasEntry, len(tc.w))
			buildAlias(tab, tc.w, &aliasScratch{})
			r := stream(1, 99, 0)
			const draws = 200_000
			counts := make([]float64, len(tc.w))
			for range draws {
				counts[sampleAlias(tab, &r)]++
			}
			var sum float64
			for _, x := range tc.w {
				sum += x
			}
			var chi2 float64
			df := -1
			for i, x := range tc.w {
				want := draws * x / sum
				if want == 0 {
					if counts[i] != 0 {
						t.Errorf("index %d has weight 0 but was drawn %v times", i, counts[i])
					}
					continue
				}
				chi2 += (counts[i] - want) * (counts[i] - want) / want
				df++
			}
			if df > 0 && chi2 > crit[df] {
				t.Errorf("χ² = %.2f with %d df exceeds %.2f: counts %v for weights %v", chi2, df, crit[df], counts, tc.w)
			}
		})
	}
}
