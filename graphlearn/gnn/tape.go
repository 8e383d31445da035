package gnn

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
)

// tensor is a dense row-major matrix on the tape: values v and, when a
// gradient flows to it, the gradient g of the loss with respect to v.
type tensor struct {
	r, c int
	v, g []float64
}

func (m *tensor) row(i int) []float64  { return m.v[i*m.c : (i+1)*m.c : (i+1)*m.c] }
func (m *tensor) grow(i int) []float64 { return m.g[i*m.c : (i+1)*m.c : (i+1)*m.c] }

// tape records the backward step of every operation of a forward pass, so
// that backward can run them in reverse: reverse-mode differentiation over
// the few operations a GNN needs. Every backward step adds into its inputs'
// gradients, so a value used twice receives both contributions.
//
// Row-wise operations run on the tape's pool. Each row is computed by one
// goroutine in a fixed order, and gradients that several rows feed are
// either accumulated row-wise through the adjacency's reverse entries or
// summed serially, so results do not depend on the worker count.
type tape struct {
	p    pool
	grad bool // record backward steps; false for inference
	back []func()
	// slab is an arena for the values and gradients of one pass: reset
	// rewinds it, so that training allocates its buffers once rather than
	// every epoch.
	slab []float64
	used int
}

// alloc returns n zeros from the arena.
func (t *tape) alloc(n int) []float64 {
	s := t.allocDirty(n)
	clear(s)
	return s
}

// allocDirty returns n values from the arena, for a caller that overwrites
// them all.
func (t *tape) allocDirty(n int) []float64 {
	if t.used+n > len(t.slab) {
		// Values already handed out keep the old slab alive until reset.
		t.slab = make([]float64, max(2*len(t.slab), n, 1<<14))
		t.used = 0
	}
	s := t.slab[t.used : t.used+n : t.used+n]
	t.used += n
	return s
}

// reset rewinds the arena: every tensor made by the tape so far is dead.
func (t *tape) reset() {
	t.used = 0
	t.back = t.back[:0]
}

// newMat returns a zero r×c matrix with a gradient when grad is set.
func newTensor(r, c int, grad bool) *tensor {
	m := &tensor{r: r, c: c, v: make([]float64, r*c)}
	if grad {
		m.g = make([]float64, r*c)
	}
	return m
}

// out returns a zero r×c result that needs a gradient when the tape
// records and one of the inputs needs one.
func (t *tape) out(r, c int, in ...*tensor) *tensor {
	m := t.outDirty(r, c, in...)
	clear(m.v)
	return m
}

// outDirty is out for an operation that writes every value of its result:
// the values are left as the arena had them (the gradient is zero).
func (t *tape) outDirty(r, c int, in ...*tensor) *tensor {
	m := &tensor{r: r, c: c, v: t.allocDirty(r * c)}
	if t.grad {
		for _, x := range in {
			if x.g != nil {
				m.g = t.alloc(r * c)
				break
			}
		}
	}
	return m
}

// record adds a backward step for result y, if y needs a gradient.
func (t *tape) record(y *tensor, f func()) {
	if y.g != nil {
		t.back = append(t.back, f)
	}
}

// backward runs the recorded steps in reverse and clears the tape. The
// caller seeds the output's gradient first (1 for a scalar loss).
func (t *tape) backward() {
	for i := len(t.back) - 1; i >= 0; i-- {
		t.back[i]()
	}
	t.back = t.back[:0]
}

// axpy adds a·x to y; dot returns x·y. Long vectors go to gonum's assembly
// kernels; short ones (a GAT head is often 8 wide) stay in Go, where a call
// costs more than the arithmetic.
func axpy(y []float64, a float64, x []float64) {
	if len(x) >= 16 {
		floats.AddScaled(y, a, x)
		return
	}
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

func dot(x, y []float64) float64 {
	if len(x) >= 16 {
		return floats.Dot(x, y)
	}
	y = y[:len(x)]
	var s float64
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// matmul returns Y = X·W for X r×k and W k×c:
//
//	∂L/∂X = ∂L/∂Y · Wᵀ,   ∂L/∂W = Xᵀ · ∂L/∂Y.
func (t *tape) matmul(x, w *tensor) *tensor {
	y := t.out(x.r, w.c, x, w)
	t.p.rows(x.r, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			yi := y.row(i)
			for k, xk := range x.row(i) {
				if xk != 0 {
					axpy(yi, xk, w.row(k))
				}
			}
		}
	})
	t.record(y, func() {
		if x.g != nil {
			t.p.rows(x.r, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					gi, dy := x.grow(i), y.grow(i)
					for k := range gi {
						gi[k] += dot(dy, w.row(k))
					}
				}
			})
		}
		if w.g != nil {
			t.p.rows(w.r, func(lo, hi int) {
				for k := lo; k < hi; k++ {
					gk := w.grow(k)
					for i := range x.r {
						if xk := x.v[i*x.c+k]; xk != 0 {
							axpy(gk, xk, y.grow(i))
						}
					}
				}
			})
		}
	})
	return y
}

// addBias returns Y = X + 1·b for a 1×c row b added to every row of X.
func (t *tape) addBias(x, b *tensor) *tensor {
	y := t.outDirty(x.r, x.c, x, b)
	for i := range x.r {
		yi := y.row(i)
		copy(yi, x.row(i))
		axpy(yi, 1, b.v)
	}
	t.record(y, func() {
		if x.g != nil {
			axpy(x.g, 1, y.g)
		}
		if b.g != nil {
			for i := range y.r {
				axpy(b.g, 1, y.grow(i))
			}
		}
	})
	return y
}

// add returns A + B.
func (t *tape) add(a, b *tensor) *tensor {
	y := t.outDirty(a.r, a.c, a, b)
	copy(y.v, a.v)
	axpy(y.v, 1, b.v)
	t.record(y, func() {
		if a.g != nil {
			axpy(a.g, 1, y.g)
		}
		if b.g != nil {
			axpy(b.g, 1, y.g)
		}
	})
	return y
}

// concat returns [A B], the columns of A then those of B.
func (t *tape) concat(a, b *tensor) *tensor {
	y := t.outDirty(a.r, a.c+b.c, a, b)
	for i := range a.r {
		copy(y.row(i), a.row(i))
		copy(y.row(i)[a.c:], b.row(i))
	}
	t.record(y, func() {
		for i := range a.r {
			if a.g != nil {
				axpy(a.grow(i), 1, y.grow(i)[:a.c])
			}
			if b.g != nil {
				axpy(b.grow(i), 1, y.grow(i)[a.c:])
			}
		}
	})
	return y
}

// gather returns the rows X[idx[0]], X[idx[1]], …; a negative index gives a
// zero row. The backward step scatters serially, in index order, so
// repeated indices accumulate deterministically.
func (t *tape) gather(x *tensor, idx []int32) *tensor {
	y := t.out(len(idx), x.c, x)
	for i, j := range idx {
		if j >= 0 {
			copy(y.row(i), x.row(int(j)))
		}
	}
	t.record(y, func() {
		for i, j := range idx {
			if j >= 0 {
				axpy(x.grow(int(j)), 1, y.grow(i))
			}
		}
	})
	return y
}

// unary applies f elementwise; df(x, f(x)) is its derivative.
func (t *tape) unary(x *tensor, f func(float64) float64, df func(x, y float64) float64) *tensor {
	y := t.outDirty(x.r, x.c, x)
	for i, v := range x.v {
		y.v[i] = f(v)
	}
	t.record(y, func() {
		for i, dy := range y.g {
			x.g[i] += dy * df(x.v[i], y.v[i])
		}
	})
	return y
}

func (t *tape) relu(x *tensor) *tensor {
	return t.unary(x,
		func(v float64) float64 { return max(v, 0) },
		func(v, _ float64) float64 {
			if v > 0 {
				return 1
			}
			return 0
		})
}

// elu is x for x > 0 and eˣ − 1 otherwise; its derivative there is y + 1.
func (t *tape) elu(x *tensor) *tensor {
	return t.unary(x,
		func(v float64) float64 {
			if v > 0 {
				return v
			}
			return math.Expm1(v)
		},
		func(v, y float64) float64 {
			if v > 0 {
				return 1
			}
			return y + 1
		})
}

func (t *tape) leakyReLU(x *tensor, slope float64) *tensor {
	return t.unary(x,
		func(v float64) float64 {
			if v > 0 {
				return v
			}
			return slope * v
		},
		func(v, _ float64) float64 {
			if v > 0 {
				return 1
			}
			return slope
		})
}

func (t *tape) activate(x *tensor, a Activation) *tensor {
	if a == ELU {
		return t.elu(x)
	}
	return t.relu(x)
}

// dropout zeroes each element with probability p and scales the others by
// 1/(1 − p), drawing the mask from rng. p = 0 returns x itself.
func (t *tape) dropout(x *tensor, p float64, rng *rand.Rand) *tensor {
	if p == 0 {
		return x
	}
	y := t.out(x.r, x.c, x)
	mask := t.alloc(len(x.v))
	keep := 1 / (1 - p)
	for i, v := range x.v {
		if rng.Float64() >= p {
			mask[i] = keep
			y.v[i] = v * keep
		}
	}
	t.record(y, func() {
		for i, dy := range y.g {
			x.g[i] += dy * mask[i]
		}
	})
	return y
}

// l2norm divides every row by its Euclidean norm:
//
//	y = x/‖x‖,   ∂L/∂x = (∂L/∂y − y·(y·∂L/∂y))/‖x‖.
//
// A row of norm below 10⁻¹² (in practice a zero row, e.g. a node whose
// activations are all cut by a ReLU) passes unchanged, gradient included:
// x/‖x‖ has no limit there, and dividing by a tiny floor instead (as
// PyTorch's normalize does) sends gradients of order 10¹² into training.
func (t *tape) l2norm(x *tensor) *tensor {
	const eps = 1e-12
	y := t.out(x.r, x.c, x)
	norms := t.alloc(x.r)
	t.p.rows(x.r, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xi := x.row(i)
			norms[i] = math.Sqrt(dot(xi, xi))
			if norms[i] < eps {
				norms[i] = 1
			}
			axpy(y.row(i), 1/norms[i], xi)
		}
	})
	t.record(y, func() {
		t.p.rows(x.r, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				yi, dy, gi := y.row(i), y.grow(i), x.grow(i)
				s := dot(yi, dy) // ≈ 0 for a row passed unchanged
				for k := range gi {
					gi[k] += (dy[k] - yi[k]*s) / norms[i]
				}
			}
		})
	})
	return y
}

// spmm passes messages: for α with one column per head (E×H) and X with H
// blocks of C columns (n×HC), head h of node i receives
//
//	Y[i, h] = Σ_{e ∈ in(i)} α[e,h] · X[src(e), h],
//
// a weighted scatter-sum over the edges into each destination. Backward:
//
//	∂L/∂α[e,h] = ∂L/∂Y[i,h] · X[src(e),h],
//	∂L/∂X[j,h] = Σ_{e ∈ in(j)} α[rev(e),h] · ∂L/∂Y[src(e),h],
//
// the second summing over j's own row through the reverse entries, so both
// steps run row-parallel like the forward pass.
func (t *tape) spmm(a *adjacency, al, x *tensor) *tensor {
	heads := al.c
	c := x.c / heads
	y := t.out(a.n, x.c, al, x)
	t.p.rows(a.n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			yi := y.row(i)
			for e := a.off[i]; e < a.off[i+1]; e++ {
				xs := x.row(int(a.src[e]))
				for h := range heads {
					axpy(yi[h*c:(h+1)*c], al.v[e*heads+h], xs[h*c:(h+1)*c])
				}
			}
		}
	})
	t.record(y, func() {
		if al.g != nil {
			t.p.rows(a.n, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					dy := y.grow(i)
					for e := a.off[i]; e < a.off[i+1]; e++ {
						xs := x.row(int(a.src[e]))
						for h := range heads {
							al.g[e*heads+h] += dot(dy[h*c:(h+1)*c], xs[h*c:(h+1)*c])
						}
					}
				}
			})
		}
		if x.g != nil {
			t.p.rows(a.n, func(lo, hi int) {
				for j := lo; j < hi; j++ {
					gj := x.grow(j)
					for e := a.off[j]; e < a.off[j+1]; e++ {
						dy, r := y.grow(int(a.src[e])), int(a.rev[e])
						for h := range heads {
							axpy(gj[h*c:(h+1)*c], al.v[r*heads+h], dy[h*c:(h+1)*c])
						}
					}
				}
			})
		}
	})
	return y
}

// edgeSum returns, for every message e = src(e) → i and head h, the logit
// S[e,h] = L[src(e),h] + R[i,h] (GAT's a_srcᵀWx_j + a_dstᵀWx_i).
func (t *tape) edgeSum(a *adjacency, l, r *tensor) *tensor {
	heads := l.c
	y := t.outDirty(a.entries(), heads, l, r)
	t.p.rows(a.n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ri := r.row(i)
			for e := a.off[i]; e < a.off[i+1]; e++ {
				ls, ye := l.row(int(a.src[e])), y.row(e)
				for h := range heads {
					ye[h] = ls[h] + ri[h]
				}
			}
		}
	})
	t.record(y, func() {
		t.p.rows(a.n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				for e := a.off[i]; e < a.off[i+1]; e++ {
					if r.g != nil {
						axpy(r.grow(i), 1, y.grow(e))
					}
					if l.g != nil {
						axpy(l.grow(i), 1, y.grow(int(a.rev[e])))
					}
				}
			}
		})
	})
	return y
}

// addRows returns S + c·1ᵀ: c[e] added to every column of row e (GAT's
// log edge weights added to the attention logits of every head).
func (t *tape) addRows(s *tensor, c []float64) *tensor {
	y := t.outDirty(s.r, s.c, s)
	for e := range s.r {
		ye := y.row(e)
		for h, v := range s.row(e) {
			ye[h] = v + c[e]
		}
	}
	t.record(y, func() { axpy(s.g, 1, y.g) })
	return y
}

// softmax normalises the logits S (E×H) over every node's incoming
// messages, head by head:
//
//	α[e,h] = exp(S[e,h]) / Σ_{e' ∈ in(i)} exp(S[e',h]),
//	∂L/∂S[e,h] = α[e,h]·(∂L/∂α[e,h] − Σ_{e' ∈ in(i)} α[e',h]·∂L/∂α[e',h]).
func (t *tape) softmax(a *adjacency, s *tensor) *tensor {
	heads := s.c
	y := t.outDirty(s.r, heads, s)
	t.p.rows(a.n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			e0, e1 := a.off[i], a.off[i+1]
			for h := range heads {
				m := math.Inf(-1)
				for e := e0; e < e1; e++ {
					m = math.Max(m, s.v[e*heads+h])
				}
				var sum float64
				for e := e0; e < e1; e++ {
					x := math.Exp(s.v[e*heads+h] - m)
					y.v[e*heads+h] = x
					sum += x
				}
				for e := e0; e < e1; e++ {
					y.v[e*heads+h] /= sum
				}
			}
		}
	})
	t.record(y, func() {
		t.p.rows(a.n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				e0, e1 := a.off[i], a.off[i+1]
				for h := range heads {
					var sum float64
					for e := e0; e < e1; e++ {
						sum += y.v[e*heads+h] * y.g[e*heads+h]
					}
					for e := e0; e < e1; e++ {
						k := e*heads + h
						s.g[k] += y.v[k] * (y.g[k] - sum)
					}
				}
			}
		})
	})
	return y
}

// headDot returns, for X with H blocks of C columns and a H×C matrix A, the
// n×H scores Y[i,h] = X[i,h]·A[h] (GAT's attention projections).
func (t *tape) headDot(x, att *tensor) *tensor {
	heads, c := att.r, att.c
	y := t.outDirty(x.r, heads, x, att)
	t.p.rows(x.r, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xi := x.row(i)
			for h := range heads {
				y.v[i*heads+h] = dot(xi[h*c:(h+1)*c], att.row(h))
			}
		}
	})
	t.record(y, func() {
		if x.g != nil {
			t.p.rows(x.r, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					gi := x.grow(i)
					for h := range heads {
						axpy(gi[h*c:(h+1)*c], y.g[i*heads+h], att.row(h))
					}
				}
			})
		}
		if att.g != nil {
			for i := range x.r {
				xi := x.row(i)
				for h := range heads {
					axpy(att.grow(h), y.g[i*heads+h], xi[h*c:(h+1)*c])
				}
			}
		}
	})
	return y
}

// headMean averages the H blocks of C columns of X into n×C.
func (t *tape) headMean(x *tensor, heads int) *tensor {
	c := x.c / heads
	y := t.out(x.r, c, x)
	inv := 1 / float64(heads)
	for i := range x.r {
		xi, yi := x.row(i), y.row(i)
		for h := range heads {
			axpy(yi, inv, xi[h*c:(h+1)*c])
		}
	}
	t.record(y, func() {
		for i := range x.r {
			gi, dy := x.grow(i), y.grow(i)
			for h := range heads {
				axpy(gi[h*c:(h+1)*c], inv, dy)
			}
		}
	})
	return y
}

// pairScore is the decoder's bilinear form for pairs (u_k, v_k):
//
//	s_k = Σ_d Z[u_k,d]·w_d·Z[v_k,d],
//	∂L/∂Z[u_k] += ∂L/∂s_k · w ⊙ Z[v_k],   ∂L/∂Z[v_k] += ∂L/∂s_k · w ⊙ Z[u_k],
//	∂L/∂w += Σ_k ∂L/∂s_k · Z[u_k] ⊙ Z[v_k],
//
// with w a 1×D row. The backward step runs serially in pair order, so
// repeated nodes accumulate deterministically.
func (t *tape) pairScore(z, w *tensor, us, vs []int32) *tensor {
	y := t.outDirty(len(us), 1, z, w)
	for k := range us {
		zu, zv := z.row(int(us[k])), z.row(int(vs[k]))
		var s float64
		for d, wd := range w.v {
			s += wd * (zu[d] * zv[d])
		}
		y.v[k] = s
	}
	t.record(y, func() {
		for k := range us {
			ds := y.g[k]
			if ds == 0 {
				continue
			}
			u, v := int(us[k]), int(vs[k])
			zu, zv := z.row(u), z.row(v)
			if z.g != nil {
				gu, gv := z.grow(u), z.grow(v)
				for d, wd := range w.v {
					gu[d] += ds * wd * zv[d]
					gv[d] += ds * wd * zu[d]
				}
			}
			if w.g != nil {
				for d := range w.g {
					w.g[d] += ds * zu[d] * zv[d]
				}
			}
		}
	})
	return y
}

// meanLoss returns the mean of an elementwise loss f of predictions z (m×1)
// against targets y, L = (1/m) Σ f(zᵢ, yᵢ), whose gradient is
// ∂L/∂zᵢ = f′(zᵢ, yᵢ)/m with f′ = df.
func (t *tape) meanLoss(z *tensor, y []float64, f, df func(z, y float64) float64) *tensor {
	l := t.out(1, 1, z)
	m := float64(len(y))
	var sum float64
	for i, v := range z.v {
		sum += f(v, y[i])
	}
	l.v[0] = sum / m
	t.record(l, func() {
		for i, v := range z.v {
			z.g[i] += l.g[0] * df(v, y[i]) / m
		}
	})
	return l
}

// bce returns the mean binary cross-entropy of logits z (m×1) against
// labels y ∈ {0, 1}:
//
//	L = (1/m) Σ softplus(z) − y·z,   ∂L/∂z = (σ(z) − y)/m,
//
// with softplus(z) = log(1 + eᶻ) computed without overflow.
func (t *tape) bce(z *tensor, labels []float64) *tensor {
	return t.meanLoss(z, labels,
		func(z, y float64) float64 { return math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) - y*z },
		func(z, y float64) float64 { return sigmoid(z) - y })
}

// mse returns the mean squared error of predictions p (m×1) against
// targets y: L = (1/m) Σ (p − y)², ∂L/∂p = 2(p − y)/m.
func (t *tape) mse(p *tensor, targets []float64) *tensor {
	return t.meanLoss(p, targets,
		func(p, y float64) float64 { d := p - y; return d * d },
		func(p, y float64) float64 { return 2 * (p - y) })
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
