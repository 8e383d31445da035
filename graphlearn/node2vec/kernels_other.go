//go:build !amd64 || purego

package node2vec

const hasAVX2 = false

func dot(x, y []float32) float32               { return dotGo(x, y) }
func update(acc, out, in []float32, g float32) { updateGo(acc, out, in, g) }
func axpy(y, x []float32, a float32)           { axpyGo(y, x, a) }
