//go:build !amd64 || purego

package node2vec

const hasAVX2 = false

// dots sets res[k] = in · out[rows[k]], rows of len(in) elements.
func dots(res, in, out []float32, rows []int32) { dotsGo(res, in, out, rows) }

// pairUpdate applies one pair's SGD step; see kernels.go. acc is scratch of
// at least len(in) elements.
func pairUpdate(in, out []float32, rows []int32, gs, acc []float32) {
	pairUpdateGo(in, out, rows, gs, acc)
}

// prefetchRows is a no-op without assembly.
func prefetchRows(out []float32, rows []int32, dim int) {}
