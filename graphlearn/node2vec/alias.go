package node2vec

// aliasEntry is one column of an alias table (Walker 1977; Vose 1991): column
// j keeps j with probability thresh/2³² and yields alias otherwise. Sampling
// costs one random number and one memory access, whatever the table size.
type aliasEntry struct {
	thresh uint32
	alias  int32
}

// aliasScratch is reusable working memory for buildAlias.
type aliasScratch struct {
	scaled []float64
	stack  []int32
}

// buildAlias fills dst (len(w) entries) so that sampleAlias returns j with
// probability w[j]/Σw. Weights must be ≥ 0 with a positive sum. It is Vose's
// O(n) construction.
func buildAlias[F float32 | float64](dst []aliasEntry, w []F, s *aliasScratch) {
	n := len(w)
	var sum float64
	for _, x := range w {
		sum += float64(x)
	}
	if cap(s.scaled) < n {
		s.scaled = make([]float64, n)
		s.stack = make([]int32, n)
	}
	scaled, stack := s.scaled[:n], s.stack[:n]
	// small indices grow from the front of stack, large from the back.
	ns, nl := 0, n
	for j, x := range w {
		scaled[j] = float64(x) * float64(n) / sum
		if scaled[j] < 1 {
			stack[ns] = int32(j)
			ns++
		} else {
			nl--
			stack[nl] = int32(j)
		}
	}
	for ns > 0 && nl < n {
		ns--
		sm := stack[ns]
		lg := stack[nl]
		dst[sm] = aliasEntry{thresh: probThresh(scaled[sm]), alias: lg}
		scaled[lg] += scaled[sm] - 1
		if scaled[lg] < 1 {
			nl++
			stack[ns] = lg
			ns++
		}
	}
	// Whatever is left has probability 1 up to rounding.
	for _, j := range stack[:ns] {
		dst[j] = aliasEntry{thresh: 1<<32 - 1, alias: j}
	}
	for _, j := range stack[nl:] {
		dst[j] = aliasEntry{thresh: 1<<32 - 1, alias: j}
	}
}

// probThresh converts a probability in [0, 1] to a 32-bit acceptance threshold.
func probThresh(p float64) uint32 {
	t := p * (1 << 32)
	if t >= 1<<32-1 {
		return 1<<32 - 1
	}
	if t <= 0 {
		return 0
	}
	return uint32(t)
}

// sampleAlias draws an index from a table built by buildAlias: the top 32 bits
// of one random number pick the column, the low 32 bits flip its coin.
func sampleAlias(tab []aliasEntry, r *rng) int {
	x := r.next()
	j := int((x >> 32) * uint64(len(tab)) >> 32)
	e := tab[j]
	// Written as a conditional move: the coin is unpredictable, a branch
	// would mispredict half the time.
	if uint32(x) >= e.thresh {
		j = int(e.alias)
	}
	return j
}
