package node2vec

// The skip-gram inner loop spends its time in three vector kernels over
// d-dimensional float32 rows. dot, update and axpy dispatch to AVX2+FMA
// assembly where the CPU has it (kernels_amd64.s) and to the portable,
// 4-way unrolled Go below otherwise. The two paths round differently, so
// bit-for-bit reproducibility holds on one machine, not across CPUs.

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

// updateGo does acc += g·out, then out += g·in, element by element, so acc
// sees out's old value. It is one negative-sampling step: acc collects the
// input vector's gradient while the output vector moves.
func updateGo(acc, out, in []float32, g float32) {
	out = out[:len(acc)]
	in = in[:len(acc)]
	i := 0
	for ; i+4 <= len(acc); i += 4 {
		o0, o1, o2, o3 := out[i], out[i+1], out[i+2], out[i+3]
		acc[i] += g * o0
		acc[i+1] += g * o1
		acc[i+2] += g * o2
		acc[i+3] += g * o3
		out[i] = o0 + g*in[i]
		out[i+1] = o1 + g*in[i+1]
		out[i+2] = o2 + g*in[i+2]
		out[i+3] = o3 + g*in[i+3]
	}
	for ; i < len(acc); i++ {
		o := out[i]
		acc[i] += g * o
		out[i] = o + g*in[i]
	}
}

// axpyGo does y += a·x over len(y) elements.
func axpyGo(y, x []float32, a float32) {
	x = x[:len(y)]
	i := 0
	for ; i+4 <= len(y); i += 4 {
		y[i] += a * x[i]
		y[i+1] += a * x[i+1]
		y[i+2] += a * x[i+2]
		y[i+3] += a * x[i+3]
	}
	for ; i < len(y); i++ {
		y[i] += a * x[i]
	}
}
