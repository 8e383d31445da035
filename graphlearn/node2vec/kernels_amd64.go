//go:build amd64 && !purego

package node2vec

import "golang.org/x/sys/cpu"

// hasAVX2 reports whether the CPU and OS support AVX2 and FMA; hasAVX512
// whether they also support AVX-512F (golang.org/x/sys/cpu checks that the
// OS saves the vector state too).
var (
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasAVX512 = hasAVX2 && cpu.X86.HasAVX512F
)

// dotsAVX2 sets res[j] = Σ_{i<dim} in[i]·out[rows[j]·dim + i] for j < k;
// dim is a positive multiple of 8, rowStride the row length in elements.
//
//go:noescape
func dotsAVX2(res, in, out *float32, rows *int32, k, dim, rowStride int)

// pairUpdateAVX2 is pairUpdate over the first dim elements of each row; dim
// is a positive multiple of 8, rowStride the row length in elements, k ≥ 1.
//
//go:noescape
func pairUpdateAVX2(in, out *float32, rows *int32, gs *float32, k, dim, rowStride int)

// dotsAVX512 and pairUpdateAVX512 are the AVX2 kernels with 16-lane
// registers; dim is a positive multiple of 16.
//
//go:noescape
func dotsAVX512(res, in, out *float32, rows *int32, k, dim, rowStride int)

//go:noescape
func pairUpdateAVX512(in, out *float32, rows *int32, gs *float32, k, dim, rowStride int)

// Kernel levels, from portable Go up to the widest vectors the CPU has.
const (
	levelGo = iota
	levelAVX2
	levelAVX512
)

// kernelLevel is the level dots and pairUpdate use.
var kernelLevel = func() int {
	switch {
	case hasAVX512:
		return levelAVX512
	case hasAVX2:
		return levelAVX2
	}
	return levelGo
}()

// dots sets res[k] = in · out[rows[k]], rows of len(in) elements. The caller
// guarantees that every row lies within out.
func dots(res, in, out []float32, rows []int32) { dotsAt(kernelLevel, res, in, out, rows) }

// pairUpdate applies one pair's SGD step; see kernels.go. acc is scratch of
// at least len(in) elements (used by the Go kernel only). The caller
// guarantees that every row lies within out.
func pairUpdate(in, out []float32, rows []int32, gs, acc []float32) {
	pairUpdateAt(kernelLevel, in, out, rows, gs, acc)
}

// vectorPrefix returns the kernel level to run on rows of dim elements and
// the prefix d of each row the assembly covers, blocks of 8 lanes; Go does
// the rest. AVX-512 runs only where its blocks of 16 cover the same prefix,
// AVX2 otherwise.
func vectorPrefix(level, dim int) (int, int) {
	d := dim &^ 7
	if level == levelAVX512 && dim&^15 != d {
		level = levelAVX2
	}
	return level, d
}

// dotsAt is dots with the kernel of the given level: the assembly covers
// the longest prefix of each row that its vector width divides, Go the rest.
func dotsAt(level int, res, in, out []float32, rows []int32) {
	dim := len(in)
	level, d := vectorPrefix(level, dim)
	if level == levelGo || d == 0 || len(rows) == 0 {
		dotsGo(res, in, out, rows)
		return
	}
	_ = res[len(rows)-1]
	if level == levelAVX512 {
		dotsAVX512(&res[0], &in[0], &out[0], &rows[0], len(rows), d, dim)
	} else {
		dotsAVX2(&res[0], &in[0], &out[0], &rows[0], len(rows), d, dim)
	}
	if d < dim {
		for k, r := range rows {
			res[k] += dotGo(in[d:], out[int(r)*dim+d:int(r)*dim+dim])
		}
	}
}

// pairUpdateAt is pairUpdate with the kernel of the given level.
func pairUpdateAt(level int, in, out []float32, rows []int32, gs, acc []float32) {
	dim := len(in)
	level, d := vectorPrefix(level, dim)
	if level == levelGo || d == 0 || len(rows) == 0 {
		pairUpdateGo(in, out, rows, gs, acc)
		return
	}
	_ = gs[len(rows)-1]
	if level == levelAVX512 {
		pairUpdateAVX512(&in[0], &out[0], &rows[0], &gs[0], len(rows), d, dim)
	} else {
		pairUpdateAVX2(&in[0], &out[0], &rows[0], &gs[0], len(rows), d, dim)
	}
	for i := d; i < dim; i++ {
		var a float32
		for k, r := range rows {
			o := &out[int(r)*dim+i]
			a += gs[k] * *o
			*o += gs[k] * in[i]
		}
		in[i] += a
	}
}

//go:noescape
func prefetchRowsAsm(out *float32, rows *int32, k, rowBytes int)

// prefetchRows asks the CPU to bring rows of out (dim elements each) into
// the cache. It only hints; it never faults. PREFETCHT0 is SSE, so it needs
// no feature check.
func prefetchRows(out []float32, rows []int32, dim int) {
	if len(rows) > 0 && len(out) > 0 {
		prefetchRowsAsm(&out[0], &rows[0], len(rows), 4*dim)
	}
}
