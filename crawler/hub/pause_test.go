package hub_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zoograph/zoograph/crawler/hub"
)

// fakeClock is time that passes only when the client sleeps: a 5-minute
// window is waited out at once, and the test reads how long it was.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.slept += d
	return nil
}

func (f *fakeClock) total() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.slept
}

// spentWindow is the Hub's answer when its 5-minute api window is spent.
func spentWindow(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("RateLimit", `"api";r=0;t=300`)
		w.Header().Set("RateLimit-Policy", `"fixed window";"api";q=500;w=300`)
		if code == http.StatusOK {
			body(okDetail)(w, r)
			return
		}
		status(code)(w, r)
	}
}

// TestRateLimitWindowsWaitedOut: a scheduled crawl that meets the Hub's
// 5-minute window waits it out, as often as it meets it and however short
// its retry budget (MaxElapsed is 10 s here: before, a pause longer than
// what was left of the budget failed the call at once), says so once per
// pause, and goes on; Ctrl-C ends the wait; an absurd reset still fails at
// once. Time is a fake clock: the windows pass when the client sleeps.
func TestRateLimitWindowsWaitedOut(t *testing.T) {
	tests := []struct {
		name      string
		steps     []http.HandlerFunc
		calls     int
		onPause   bool // an OnPause callback, else the log is read
		cancel    bool // the callback cancels the call (Ctrl-C)
		wantErr   error
		requests  int32
		pauses    int
		wantSlept time.Duration // about: the jitter adds under a millisecond
	}{
		{name: "two windows spent by 429s", steps: []http.HandlerFunc{spentWindow(429), spentWindow(429), body(okDetail)},
			calls: 1, onPause: true, requests: 3, pauses: 2, wantSlept: 600 * time.Second},
		{name: "a window spent on a success, waited out by the next call", steps: []http.HandlerFunc{spentWindow(200), body(okDetail)},
			calls: 3, onPause: true, requests: 3, pauses: 1, wantSlept: 300 * time.Second},
		{name: "logged without OnPause", steps: []http.HandlerFunc{spentWindow(429), body(okDetail)},
			calls: 1, requests: 2, pauses: 1, wantSlept: 300 * time.Second},
		{name: "interrupted while waiting", steps: []http.HandlerFunc{spentWindow(429), body(okDetail)},
			calls: 1, onPause: true, cancel: true, wantErr: context.Canceled, requests: 1, pauses: 1},
		{name: "an absurd reset fails at once", steps: []http.HandlerFunc{status(429, "RateLimit", `"api";r=0;t=99999999`), body(okDetail)},
			calls: 1, onPause: true, wantErr: hub.ErrRateLimited, requests: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := scripted(t, tt.steps...)
			start := time.Date(2026, 12, 7, 22, 0, 0, 0, time.UTC)
			fc := &fakeClock{now: start}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var pauses []hub.Pause
			var logs bytes.Buffer
			c := newClient(t, srv.URL, func(o *hub.Options) {
				hub.SetClock(o, fc.Now, fc.Sleep)
				o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
				if tt.onPause {
					o.OnPause = func(p hub.Pause) {
						pauses = append(pauses, p)
						if tt.cancel {
							cancel()
						}
					}
				}
			})
			var err error
			for range tt.calls {
				if _, err = c.Model(ctx, "a/b", hub.DetailOptions{}); err != nil {
					break
				}
			}
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := n.Load(); got != tt.requests {
				t.Errorf("%d requests, want %d", got, tt.requests)
			}
			if got := fc.total(); got < tt.wantSlept || got > tt.wantSlept+time.Second {
				t.Errorf("slept %v, want %v", got, tt.wantSlept)
			}
			told := len(pauses)
			if !tt.onPause {
				told = strings.Count(logs.String(), `level=INFO msg="hub rate limited: waiting for the window to reset" bucket=api wait=5m0s`)
			}
			if told != tt.pauses {
				t.Errorf("told of %d pauses, want %d: %+v\n%s", told, tt.pauses, pauses, logs.String())
			}
			for _, p := range pauses {
				if at := p.Until.Add(-p.Wait); p.Bucket != "api" || p.Wait < 300*time.Second || p.Wait > 301*time.Second || at.Before(start) || at.After(fc.Now()) {
					t.Errorf("pause %+v, want the api bucket until its reset, 300 s on", p)
				}
			}
		})
	}
}
