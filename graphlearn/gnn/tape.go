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
	// gradFrom is the first column whose gradient a backward step reads:
	// the columns before it come from an input without a gradient (the
	// static features beside the learned ones), so matmul skips them.
	gradFrom int
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
	// slab is an arena for the values and gradients of one pass, and
	// tensors one for their headers: reset rewinds both, so that training
	// allocates its buffers in its first epochs rather than in every epoch.
	slab    []float64
	used    int // values asked for since reset, also past the slab's end
	tensors []*tensor
	nt      int // headers handed out since reset
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
	lo := t.used
	t.used += n
	if t.used > len(t.slab) {
		// The slab is too small for this pass: serve this from the heap and
		// let reset size the slab for the next pass.
		return make([]float64, n)
	}
	return t.slab[lo:t.used:t.used]
}

// reset rewinds the arena: every tensor made by the tape so far is dead.
// A pass that outgrew the slab leaves a slab a quarter larger than it
// needed, room for the next pass's held-out edges to vary.
func (t *tape) reset() {
	if t.used > len(t.slab) {
		t.slab = make([]float64, t.used+t.used/4)
	}
	t.used, t.nt = 0, 0
	t.back = t.back[:0]
}

// newTensor returns a zero r×c matrix with a gradient when grad is set.
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
	if t.nt == len(t.tensors) {
		t.tensors = append(t.tensors, new(tensor))
	}
	m := t.tensors[t.nt]
	t.nt++
	*m = tensor{r: r, c: c, v: t.allocDirty(r * c)}
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
	clear(t.back) // let the steps' closures go
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

// add adds x to y, for short vectors: y + 1·x, as axpy(y, 1, x) would.
func add(y, x []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += v
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
//
// Columns of X before x.gradFrom get no gradient: nothing reads it. Each
// element of ∂L/∂W sums over the rows of X in order, whatever the blocks.
func (t *tape) matmul(x, w *tensor) *tensor {
	y := t.out(x.r, w.c, x, w)
	work := x.r * x.c * w.c
	t.p.rows(x.r, work, func(lo, hi int) {
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
			t.p.rows(x.r, work, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					gi, dy := x.grow(i), y.grow(i)
					for k := x.gradFrom; k < x.c; k++ {
						gi[k] += dot(dy, w.row(k))
					}
				}
			})
		}
		if w.g != nil {
			t.p.rows(w.r, work, func(lo, hi int) {
				for i := range x.r {
					dy := y.grow(i)
					for k, xk := range x.row(i)[lo:hi] {
						if xk != 0 {
							axpy(w.grow(lo+k), xk, dy)
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
	y.gradFrom = a.gradFrom
	if a.g == nil {
		y.gradFrom = a.c + b.gradFrom
	}
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
	y.gradFrom = x.gradFrom
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
	t.p.rows(x.r, 2*len(x.v), func(lo, hi int) {
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
		t.p.rows(x.r, 2*len(x.v), func(lo, hi int) {
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
// run in one row-parallel loop like the forward pass.
func (t *tape) spmm(a *adjacency, al, x *tensor) *tensor {
	y := t.out(a.n, x.c, al, x)
	work := a.entries() * x.c
	t.p.rows(a.n, work, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			yi := y.row(i)
			for e := a.off[i]; e < a.off[i+1]; e++ {
				headAxpy(yi, al.row(e), x.row(int(a.src[e])))
			}
		}
	})
	t.record(y, func() {
		t.p.rows(a.n, 2*work, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				dy := y.grow(i)
				var gi []float64
				if x.g != nil {
					gi = x.grow(i)
				}
				for e := a.off[i]; e < a.off[i+1]; e++ {
					src := int(a.src[e])
					if al.g != nil {
						headDots(al.grow(e), dy, x.row(src))
					}
					if gi != nil {
						headAxpy(gi, al.row(int(a.rev[e])), y.grow(src))
					}
				}
			}
		})
	})
	return y
}

// headAxpy adds a[h]·x[h] to y[h] for every head h, x[h] and y[h] the h-th
// of len(a) blocks of their columns. It is axpy head by head, with the
// short blocks of GAT's heads (8 wide by default) added in line.
func headAxpy(y, a, x []float64) {
	c := len(y) / len(a)
	switch {
	case c >= 16:
		for h, ah := range a {
			axpy(y[h*c:(h+1)*c], ah, x[h*c:(h+1)*c])
		}
	case c == 8:
		for h, ah := range a {
			yh, xh := (*[8]float64)(y[h*8:]), (*[8]float64)(x[h*8:])
			yh[0] += ah * xh[0]
			yh[1] += ah * xh[1]
			yh[2] += ah * xh[2]
			yh[3] += ah * xh[3]
			yh[4] += ah * xh[4]
			yh[5] += ah * xh[5]
			yh[6] += ah * xh[6]
			yh[7] += ah * xh[7]
		}
	default:
		x = x[:len(y)]
		for h, ah := range a {
			xh := x[h*c : (h+1)*c]
			yh := y[h*c : (h+1)*c][:len(xh)]
			for k, v := range xh {
				yh[k] += ah * v
			}
		}
	}
}

// headDots adds y[h]·x[h] to d[h] for every head h, the blocks as in
// headAxpy. Each head's sum runs in dot's order; short blocks are summed
// four heads at a time, so that four sums overlap rather than wait on one
// another.
func headDots(d, y, x []float64) {
	c := len(y) / len(d)
	if c >= 16 {
		for h := range d {
			d[h] += dot(y[h*c:(h+1)*c], x[h*c:(h+1)*c])
		}
		return
	}
	h := 0
	for ; h+4 <= len(d); h += 4 {
		x0, x1, x2, x3 := x[h*c:(h+1)*c], x[(h+1)*c:(h+2)*c], x[(h+2)*c:(h+3)*c], x[(h+3)*c:(h+4)*c]
		y0, y1, y2, y3 := y[h*c:(h+1)*c], y[(h+1)*c:(h+2)*c], y[(h+2)*c:(h+3)*c], y[(h+3)*c:(h+4)*c]
		x0, x1, x2, x3 = x0[:c], x1[:c], x2[:c], x3[:c]
		y0, y1, y2, y3 = y0[:c], y1[:c], y2[:c], y3[:c]
		var s0, s1, s2, s3 float64
		for k, v := range x0 {
			s0 += v * y0[k]
			s1 += x1[k] * y1[k]
			s2 += x2[k] * y2[k]
			s3 += x3[k] * y3[k]
		}
		d[h] += s0
		d[h+1] += s1
		d[h+2] += s2
		d[h+3] += s3
	}
	for ; h < len(d); h++ {
		xh := x[h*c : (h+1)*c]
		yh := y[h*c : (h+1)*c][:len(xh)]
		var s float64
		for k, v := range xh {
			s += v * yh[k]
		}
		d[h] += s
	}
}

// attention returns GAT's attention coefficients: for every message
// e = src(e) → i and head h, from the projections L (of the source) and R
// (of the destination), both n×H, and an optional bias per message (the
// log edge weights, or nil),
//
//	S[e,h] = LeakyReLU(L[src(e),h] + R[i,h]) + bias[e],
//	α[e,h] = exp(S[e,h]) / Σ_{e' ∈ in(i)} exp(S[e',h]),
//
// the softmax over every node's incoming messages, head by head. Backward,
// with λ[e,h] the LeakyReLU's slope at e (1 or slope):
//
//	∂L/∂S[e,h] = α[e,h]·(∂L/∂α[e,h] − Σ_{e' ∈ in(i)} α[e',h]·∂L/∂α[e',h]),
//	∂L/∂R[i,h] = Σ_{e ∈ in(i)} λ[e,h]·∂L/∂S[e,h],
//	∂L/∂L[j,h] = Σ_{e ∈ in(j)} λ[rev(e),h]·∂L/∂S[rev(e),h].
//
// One operation rather than four (sum, LeakyReLU, bias, softmax) keeps the
// per-message values of a layer in three E×H buffers instead of eight.
func (t *tape) attention(a *adjacency, l, r *tensor, slope float64, bias []float64) *tensor {
	heads := l.c
	y := t.outDirty(a.entries(), heads, l, r)
	var pre []float64 // L[src(e)] + R[i], for λ; then ∂L/∂S
	if y.g != nil {
		pre = t.allocDirty(len(y.v))
	}
	work := 4 * len(y.v)
	t.p.rows(a.n, work, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			e0, e1 := a.off[i], a.off[i+1]
			s := y.v[e0*heads : e1*heads] // node i's logits
			ri := r.row(i)
			for e := e0; e < e1; e++ {
				se := s[(e-e0)*heads:][:len(ri)]
				for h, v := range l.row(int(a.src[e]))[:len(ri)] {
					se[h] = v + ri[h]
				}
			}
			if pre != nil {
				copy(pre[e0*heads:e1*heads], s)
			}
			for k, v := range s {
				if !(v > 0) {
					s[k] = v * slope
				}
			}
			if bias != nil {
				for e, b := range bias[e0:e1] {
					for h := range heads {
						s[e*heads+h] += b
					}
				}
			}
			softmax(s, heads)
		}
	})
	t.record(y, func() {
		t.p.rows(a.n, work, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				softmaxGrad(pre, y.v, y.g, a.off[i]*heads, a.off[i+1]*heads, heads, slope)
			}
		})
		t.p.rows(a.n, work, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				for e := a.off[i]; e < a.off[i+1]; e++ {
					if r.g != nil {
						add(r.grow(i), pre[e*heads:(e+1)*heads])
					}
					if l.g != nil {
						rev := int(a.rev[e])
						add(l.grow(i), pre[rev*heads:(rev+1)*heads])
					}
				}
			}
		})
	})
	return y
}

// softmaxGrad writes ∂L/∂S for entries [lo, hi) of one node (heads
// interleaved) into pre, which holds the LeakyReLU's inputs, from the
// coefficients α and their gradient dα (see attention).
func softmaxGrad(pre, al, dal []float64, lo, hi, heads int, slope float64) {
	var sum [maxHeads]float64
	for k := lo; k < hi; k += heads {
		for h, v := range al[k : k+heads] {
			sum[h] += v * dal[k+h]
		}
	}
	for e := lo; e < hi; e += heads {
		for h := range heads {
			k := e + h
			ds := al[k] * (dal[k] - sum[h])
			if !(pre[k] > 0) {
				ds *= slope
			}
			pre[k] = ds
		}
	}
}

// softmax turns the logits s of one node's messages, heads interleaved
// (s[e·heads+h]), into their softmax over the messages, head by head, in
// place.
func softmax(s []float64, heads int) {
	var buf [2 * maxHeads]float64
	m, sum := buf[:heads], buf[heads:2*heads]
	for h := range m {
		m[h] = math.Inf(-1)
	}
	for e := 0; e < len(s); e += heads {
		for h, v := range s[e : e+heads] {
			if v > m[h] || v != v { // math.Max, NaN included
				m[h] = v
			}
		}
	}
	for e := 0; e < len(s); e += heads {
		se := s[e : e+heads]
		for h, v := range se {
			x := math.Exp(v - m[h])
			se[h] = x
			sum[h] += x
		}
	}
	for e := 0; e < len(s); e += heads {
		se := s[e : e+heads]
		for h := range se {
			se[h] /= sum[h]
		}
	}
}

// headDot returns, for X with H blocks of C columns and a H×C matrix A, the
// n×H scores Y[i,h] = X[i,h]·A[h] (GAT's attention projections).
func (t *tape) headDot(x, att *tensor) *tensor {
	heads, c := att.r, att.c
	y := t.out(x.r, heads, x, att)
	t.p.rows(x.r, len(x.v), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			headDots(y.row(i), x.row(i), att.v)
		}
	})
	t.record(y, func() {
		if x.g != nil {
			t.p.rows(x.r, len(x.v), func(lo, hi int) {
				for i := lo; i < hi; i++ {
					headAxpy(x.grow(i), y.grow(i), att.v)
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
			zu, zv := z.row(u)[:len(w.v)], z.row(v)[:len(w.v)]
			switch {
			case z.g != nil && w.g != nil: // both in one pass
				gu, gv, gw := z.grow(u)[:len(w.v)], z.grow(v)[:len(w.v)], w.g[:len(w.v)]
				for d, wd := range w.v {
					gu[d] += ds * wd * zv[d]
					gv[d] += ds * wd * zu[d]
					gw[d] += ds * zu[d] * zv[d]
				}
			case z.g != nil:
				gu, gv := z.grow(u)[:len(w.v)], z.grow(v)[:len(w.v)]
				for d, wd := range w.v {
					gu[d] += ds * wd * zv[d]
					gv[d] += ds * wd * zu[d]
				}
			case w.g != nil:
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
