//go:build amd64 && !purego

package node2vec

// hasAVX2 reports whether the CPU and OS support AVX2 and FMA, read once.
var hasAVX2 = detectAVX2()

func detectAVX2() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // OS saves XMM and YMM state
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

//go:noescape
func dotAVX2(x, y *float32, n int) float32

//go:noescape
func updateAVX2(acc, out, in *float32, n int, g float32)

//go:noescape
func axpyAVX2(y, x *float32, n int, a float32)

// dot returns Σ x[i]·y[i]; len(y) ≥ len(x).
func dot(x, y []float32) float32 {
	if hasAVX2 && len(x) > 0 {
		_ = y[len(x)-1]
		return dotAVX2(&x[0], &y[0], len(x))
	}
	return dotGo(x, y)
}

// update does acc += g·out, then out += g·in; len(out), len(in) ≥ len(acc).
func update(acc, out, in []float32, g float32) {
	if hasAVX2 && len(acc) > 0 {
		_, _ = out[len(acc)-1], in[len(acc)-1]
		updateAVX2(&acc[0], &out[0], &in[0], len(acc), g)
		return
	}
	updateGo(acc, out, in, g)
}

// axpy does y += a·x; len(x) ≥ len(y).
func axpy(y, x []float32, a float32) {
	if hasAVX2 && len(y) > 0 {
		_ = x[len(y)-1]
		axpyAVX2(&y[0], &x[0], len(y), a)
		return
	}
	axpyGo(y, x, a)
}
