package gnn

import (
	"encoding/binary"
	"math/rand/v2"
)

// Stream domains keep the random streams of different purposes apart.
const (
	domainInit uint64 = iota + 1
	domainEpoch
	domainDropout
)

// stream returns the generator for stream i of a domain under seed:
// ChaCha8 keyed by (seed, domain, i), so streams are independent and each
// epoch's choices depend on the seed and the epoch only.
func stream(seed, domain, i uint64) *rand.Rand {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[0:], seed)
	binary.LittleEndian.PutUint64(key[8:], domain)
	binary.LittleEndian.PutUint64(key[16:], i)
	copy(key[24:], "zoo/gnn!")
	return rand.New(rand.NewChaCha8(key))
}
