//go:build unix

package hub

import "syscall"

// startCPU returns a function reporting the process CPU seconds (user +
// system) used since the call: a rate per CPU second is meaningful on a
// loaded machine where wall-clock rates are not.
func startCPU() func() float64 {
	t0 := cpuSeconds()
	return func() float64 { return cpuSeconds() - t0 }
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
