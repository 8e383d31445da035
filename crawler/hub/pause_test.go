package hub_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
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

// stepClock is time the test moves: a Sleep lasts until the test has
// advanced the clock past its end (or ctx ends it), so several calls can
// be caught asleep in one pause.
type stepClock struct {
	mu       sync.Mutex
	now      time.Time
	sleepers map[chan struct{}]time.Time
	asleep   chan struct{} // one value per Sleep begun
}

func newStepClock(now time.Time) *stepClock {
	return &stepClock{now: now, sleepers: map[chan struct{}]time.Time{}, asleep: make(chan struct{}, 16)}
}

func (s *stepClock) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

func (s *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	s.mu.Lock()
	woken := make(chan struct{})
	s.sleepers[woken] = s.now.Add(d)
	s.mu.Unlock()
	s.asleep <- struct{}{}
	select {
	case <-woken:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		delete(s.sleepers, woken)
		s.mu.Unlock()
		return ctx.Err()
	}
}

func (s *stepClock) advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.now.Add(d)
	for woken, end := range s.sleepers {
		if !end.After(s.now) {
			close(woken)
			delete(s.sleepers, woken)
		}
	}
}

// TestRateLimitPauseToldOncePerWindow: when the window is spent, the
// requests in flight all come back 429, each a little later than the one
// before, with the reset in whole seconds (299.1 s left reads t=300) and
// each worker's wait carrying its own jitter (under MinWait/2). They all
// wait out the same window, which is told once, not once per worker whose
// reset lands a second later than the one told. Seeds vary the jitter.
func TestRateLimitPauseToldOncePerWindow(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		var n atomic.Int32
		arrived := make(chan struct{}, 2)
		release := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			i := int(n.Add(1)) - 1
			if i >= 2 {
				body(okDetail)(w, r)
				return
			}
			arrived <- struct{}{}
			<-release[i]
			status(429, "RateLimit", `"api";r=0;t=300`)(w, r)
		}))
		clk := newStepClock(time.Date(2026, 12, 7, 22, 0, 0, 0, time.UTC))
		var mu sync.Mutex
		var pauses []hub.Pause
		c := newClient(t, srv.URL, func(o *hub.Options) {
			hub.SetClock(o, clk.Now, clk.Sleep)
			o.MinWait, o.MaxWait, o.Seed = hub.DefaultMinWait, hub.DefaultMaxWait, seed
			o.OnPause = func(p hub.Pause) {
				mu.Lock()
				pauses = append(pauses, p)
				mu.Unlock()
			}
		})
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				_, err := c.Model(context.Background(), "a/b", hub.DetailOptions{})
				errs <- err
			}()
		}
		<-arrived
		<-arrived
		close(release[0])
		<-clk.asleep // the first worker waits out the window
		clk.advance(900 * time.Millisecond)
		close(release[1])
		<-clk.asleep // and so does the second
		clk.advance(10 * time.Minute)
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		}
		srv.Close()
		if len(pauses) != 1 {
			t.Errorf("seed %d: told of %d pauses, want 1: %+v", seed, len(pauses), pauses)
		}
	}
}
