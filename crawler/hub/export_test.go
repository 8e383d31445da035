package hub

import (
	"context"
	"time"
)

// NextLink is nextLink for the external test package.
var NextLink = nextLink

// SetClock makes the Client that New builds from o read the time from now
// and wait with sleep: a test's fake clock.
func SetClock(o *Options, now func() time.Time, sleep func(context.Context, time.Duration) error) {
	o.clock = funcClock{now, sleep}
}

type funcClock struct {
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

func (f funcClock) Now() time.Time                                   { return f.now() }
func (f funcClock) Sleep(ctx context.Context, d time.Duration) error { return f.sleep(ctx, d) }
