package node2vec

import "math/bits"

// rng is SplitMix64 (Steele, Lea & Flood, OOPSLA 2014): one add and two
// multiplies per 64-bit output, passes BigCrush, and seeds cheaply, so every
// walk and every worker gets its own stream. Streams are derived from the
// user's seed with [stream], which makes results independent of scheduling.
type rng struct{ s uint64 }

const golden = 0x9e3779b97f4a7c15

func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// Stream domains keep the streams of different purposes apart.
const (
	domainPerm uint64 = iota + 1
	domainWalk
	domainInit
	domainTrain
)

// stream returns the generator for stream index i of a domain under seed.
func stream(seed, domain, i uint64) rng {
	return rng{s: mix64(mix64(seed^domain*golden) + i*golden)}
}

func (r *rng) next() uint64 {
	r.s += golden
	return mix64(r.s)
}

// intn returns a uniform int in [0, n) for 0 < n < 2³², by Lemire's
// multiply-shift on the top 32 bits (bias below n/2³², negligible here).
func (r *rng) intn(n int) int {
	return int((r.next() >> 32) * uint64(n) >> 32)
}

// float64 returns a uniform float64 in [0, 1).
func (r *rng) float64() float64 {
	return float64(r.next()>>11) * (1.0 / (1 << 53))
}

// uint64n returns a uniform uint64 in [0, n) without bias, for shuffles.
func (r *rng) uint64n(n uint64) uint64 {
	hi, lo := bits.Mul64(r.next(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.next(), n)
		}
	}
	return hi
}
