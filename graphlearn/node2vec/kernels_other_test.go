//go:build !amd64 || purego

package node2vec

// kernelVariants lists every kernel this build can run, so tests cover each.
func kernelVariants() []kernelSet {
	return []kernelSet{{"go", dotsGo, pairUpdateGo}}
}
