//go:build amd64 && !purego

package node2vec

// kernelVariants lists every kernel this CPU can run, so tests cover each.
func kernelVariants() []kernelSet {
	vs := []kernelSet{{"go", dotsGo, pairUpdateGo}}
	for _, l := range []struct {
		name  string
		level int
	}{{"avx2", levelAVX2}, {"avx512", levelAVX512}} {
		if l.level > kernelLevel {
			continue
		}
		vs = append(vs, kernelSet{
			l.name,
			func(res, in, out []float32, rows []int32) { dotsAt(l.level, res, in, out, rows) },
			func(in, out []float32, rows []int32, gs, acc []float32) {
				pairUpdateAt(l.level, in, out, rows, gs, acc)
			},
		})
	}
	return vs
}
