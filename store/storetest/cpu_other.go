//go:build !unix

package storetest

import "time"

// CPUTime is 0 where the process CPU time cannot be read.
func CPUTime() time.Duration { return 0 }
