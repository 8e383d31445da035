//go:build unix

package gnn

import "syscall"

// cpuSeconds returns the user + system CPU time of this process so far, so
// benchmarks can report throughput per CPU-second, which a busy shared
// machine distorts less than per wall-second.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
