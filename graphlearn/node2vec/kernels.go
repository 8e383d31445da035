package node2vec

// The skip-gram inner loop is two kernels over the K+1 targets of one
// (centre, context) pair — the context and K negative samples:
//
//	dots:        f_k = in · out[rows[k]]                for every k
//	pairUpdate:  out[rows[k]] += g_k · in               for every k, in order,
//	             in += Σ_k g_k · out[rows[k]]           with each out taken before its own update
//
// Batching all targets of a pair lets the CPU overlap the K+1 independent dot
// products, and lets pairUpdate keep the input gradient in registers instead
// of a buffer (word2vec's neu1e). All dot products of a pair are taken before
// any update: a negative drawn twice sees its pre-pair value in both dot
// products (word2vec would see the first update in the second), which is
// immaterial to SGD.
//
// The kernels run as AVX-512 or AVX2+FMA assembly where the CPU has it
// (kernels_amd64.s) and as the portable, 4-way unrolled Go below otherwise.
// The paths round differently, so bit-for-bit reproducibility holds on one
// machine, not across CPUs.

// dotGo returns Σ x[i]·y[i] over len(x) elements.
func dotGo(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// dotsGo sets res[k] = in · out[rows[k]] for rows of dim = len(in) elements.
func dotsGo(res, in, out []float32, rows []int32) {
	dim := len(in)
	for k, r := range rows {
		res[k] = dotGo(in, out[int(r)*dim:int(r)*dim+dim])
	}
}

// pairUpdateGo is pairUpdate for rows of dim = len(in) elements; acc is
// scratch of at least dim elements.
func pairUpdateGo(in, out []float32, rows []int32, gs []float32, acc []float32) {
	dim := len(in)
	acc = acc[:dim]
	clear(acc)
	for k, r := range rows {
		g := gs[k]
		o := out[int(r)*dim : int(r)*dim+dim]
		i := 0
		for ; i+4 <= dim; i += 4 {
			o0, o1, o2, o3 := o[i], o[i+1], o[i+2], o[i+3]
			acc[i] += g * o0
			acc[i+1] += g * o1
			acc[i+2] += g * o2
			acc[i+3] += g * o3
			o[i] = o0 + g*in[i]
			o[i+1] = o1 + g*in[i+1]
			o[i+2] = o2 + g*in[i+2]
			o[i+3] = o3 + g*in[i+3]
		}
		for ; i < dim; i++ {
			oi := o[i]
			acc[i] += g * oi
			o[i] = oi + g*in[i]
		}
	}
	for i, a := range acc {
		in[i] += a
	}
}
