//go:build !unix

package gnn

// cpuSeconds is unavailable here; benchmarks then skip per-CPU metrics.
func cpuSeconds() float64 { return 0 }
