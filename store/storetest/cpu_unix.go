//go:build unix

package storetest

import (
	"syscall"
	"time"
)

// CPUTime is the CPU time (user and system) the process has used, 0 where
// it cannot be read. Rates per CPU second hold steady on a loaded machine
// where wall-clock rates do not; benchmarks report both.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
