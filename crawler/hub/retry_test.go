package hub_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
)

const okDetail = `{"_id":"621ffdc136468d709f17b7d7","id":"a/b","downloads":1}`

// scripted serves the given handlers in turn, the last one forever.
func scripted(t *testing.T, steps ...http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		steps[min(i, len(steps)-1)](w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"error":"status %d"}`, code)
	}
}

func body(s string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(s)) }
}

func TestServerErrorsRetriedThenSuccess(t *testing.T) {
	srv, n := scripted(t, status(503), status(502), status(500), status(504), status(408), body(okDetail))
	c := newClient(t, srv.URL, nil)
	m, err := c.Model(context.Background(), "a/b", hub.DetailOptions{})
	if err != nil || m.ID != "a/b" {
		t.Fatalf("%+v, %v", m, err)
	}
	st := c.Stats()
	if n.Load() != 6 || st.Retries != 5 || st.ServerErrors != 5 || st.Requests != 6 {
		t.Errorf("server saw %d requests; stats %+v", n.Load(), st)
	}
}

func TestRetriesExhaustedGiveTypedError(t *testing.T) {
	srv, n := scripted(t, status(500, "X-Request-Id", "Root=1-abc"))
	c := newClient(t, srv.URL, func(o *hub.Options) { o.MaxRetries = 3 })
	_, err := c.Model(context.Background(), "a/b", hub.DetailOptions{})
	var he *hub.Error
	if !errors.Is(err, hub.ErrServer) || !errors.As(err, &he) {
		t.Fatalf("err = %v, want ErrServer", err)
	}
	if he.Status != 500 || he.Attempts != 4 || n.Load() != 4 || he.RequestID != "Root=1-abc" || he.Message != "status 500" {
		t.Errorf("error %+v after %d requests", he, n.Load())
	}
}

func TestPermanentErrorsNotRetried(t *testing.T) {
	for _, code := range []int{400, 401, 403, 404, 409, 422} {
		srv, n := scripted(t, status(code))
		c := newClient(t, srv.URL, nil)
		if _, err := c.Model(context.Background(), "a/b", hub.DetailOptions{}); err == nil {
			t.Errorf("%d: no error", code)
		}
		if n.Load() != 1 {
			t.Errorf("%d: %d requests", code, n.Load())
		}
	}
}

// TestRateLimitHonoured: a 429 with Retry-After, and one with a spent
// RateLimit bucket (r=0;t=1), make the client wait that long once.
func TestRateLimitHonoured(t *testing.T) {
	tests := []struct {
		name string
		hdr  func() []string
	}{
		{"Retry-After", func() []string { return []string{"Retry-After", "1"} }},
		{"RateLimit r=0", func() []string {
			return []string{"RateLimit", `"api";r=0;t=1`, "RateLimit-Policy", `"fixed window";"api";q=500;w=300`}
		}},
		{"Retry-After as HTTP date", func() []string {
			return []string{"Retry-After", time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := scripted(t, func(w http.ResponseWriter, r *http.Request) { status(429, tt.hdr()...)(w, r) }, body(okDetail))
			c := newClient(t, srv.URL, nil)
			start := time.Now()
			if _, err := c.Model(context.Background(), "a/b", hub.DetailOptions{}); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d < 900*time.Millisecond {
				t.Errorf("retried after %v, want about 1s", d)
			}
			if st := c.Stats(); st.RateLimited != 1 || st.Retries != 1 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// TestRateLimitPausesEveryWorker: once the server says the window is
// spent, no worker sends until it resets.
func TestRateLimitPausesEveryWorker(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	var first atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		if first.CompareAndSwap(false, true) {
			w.Header().Set("RateLimit", `"api";r=0;t=1`)
			status(429)(w, r)
			return
		}
		w.Write([]byte(okDetail))
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, nil)
	if _, err := c.Model(context.Background(), "a/b", hub.DetailOptions{}); err != nil {
		t.Fatal(err)
	}
	resumed := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Model(context.Background(), "a/b", hub.DetailOptions{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for _, ts := range times[1:] {
		if ts.Sub(times[0]) < 900*time.Millisecond {
			t.Errorf("a request went %v after the 429, inside the pause", ts.Sub(times[0]))
		}
	}
	_ = resumed
}

// TestRateLimitLongerThanMaxPauseFailsFast: a 429 whose wait is longer
// than any rate-limit window the client waits out (MaxPause) fails at once.
func TestRateLimitLongerThanMaxPauseFailsFast(t *testing.T) {
	srv, n := scripted(t, status(429, "Retry-After", "120"))
	c := newClient(t, srv.URL, func(o *hub.Options) { o.MaxPause = 5 * time.Second })
	start := time.Now()
	_, err := c.Model(context.Background(), "a/b", hub.DetailOptions{})
	var he *hub.Error
	if !errors.Is(err, hub.ErrRateLimited) || !errors.As(err, &he) || he.RetryAfter != 120*time.Second {
		t.Fatalf("err = %v, want ErrRateLimited with RetryAfter 2m", err)
	}
	// Far below the 120 s it must not wait, so a loaded machine passes.
	if d := time.Since(start); d > time.Minute || n.Load() != 1 {
		t.Errorf("took %v and %d requests; want an immediate failure", d, n.Load())
	}
}

// TestCancellationIsPrompt: cancelling the context ends a call at once,
// whether it waits out a long Retry-After or a slow answer.
func TestCancellationIsPrompt(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"during a long Retry-After", status(429, "Retry-After", "30")},
		{"during a slow answer", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
		}},
		{"during a spent RateLimit window", status(503, "RateLimit", `"api";r=0;t=30`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := scripted(t, tt.handler)
			c := newClient(t, srv.URL, func(o *hub.Options) { o.MaxElapsed = time.Minute; o.Timeout = time.Minute })
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			_, err := c.Model(ctx, "a/b", hub.DetailOptions{})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			// Far below the 30 s waits, so a loaded machine passes.
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("returned %v after the start, want promptly after the cancel", d)
			}
		})
	}
	t.Run("deadline shorter than the pacing wait", func(t *testing.T) {
		_, url := startReplica(t, hubtest.Options{Zoo: hubtest.Zoo{Models: 20, Seed: 1}})
		c := newClient(t, url, func(o *hub.Options) { o.Quota = hub.Quota{API: 1, Resolvers: 1, Window: time.Hour} })
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		id := hubtest.Zoo{Models: 20, Seed: 1}.ModelID(15)
		if _, err := c.Model(ctx, id, hub.DetailOptions{}); err != nil {
			t.Fatal(err) // the burst admits one
		}
		_, err := c.Model(ctx, id, hub.DetailOptions{})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want DeadlineExceeded", err)
		}
	})
}

func TestAttemptTimeoutRetried(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	srv, n := scripted(t, hang, body(okDetail))
	c := newClient(t, srv.URL, func(o *hub.Options) { o.Timeout = 150 * time.Millisecond })
	if _, err := c.Model(context.Background(), "a/b", hub.DetailOptions{}); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); n.Load() != 2 || st.NetErrors != 1 || st.Retries != 1 {
		t.Errorf("%d requests, stats %+v", n.Load(), st)
	}
}

// TestFaultyReplicaCrawlIsComplete: with 5xx, connection resets and
// truncated bodies injected, a full listing still yields exactly the
// replica's repos.
func TestFaultyReplicaCrawlIsComplete(t *testing.T) {
	tests := []struct {
		name   string
		faults hubtest.Faults
	}{
		{"server errors", hubtest.Faults{ServerError: 0.3}},
		{"connection resets", hubtest.Faults{Reset: 0.3}},
		{"truncated bodies", hubtest.Faults{Truncate: 0.4}},
		{"all at once", hubtest.Faults{ServerError: 0.15, Reset: 0.15, Truncate: 0.15}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, url := startReplica(t, hubtest.Options{Zoo: hubtest.Zoo{Models: 900, Datasets: 50, Seed: 11}, PageSize: 60, Faults: tt.faults, Seed: 5})
			c := newClient(t, url, func(o *hub.Options) { o.MaxRetries = 20 })
			got, _ := listAll(t, c.ListModels(hub.ListOptions{Sort: "createdAt", Expand: hub.DefaultModelExpand()}))
			ids, dup := sortedUnique(modelIDs(got))
			if dup {
				t.Error("duplicates")
			}
			if diff := cmp.Diff(replicaIDs(h, false, false), ids); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			// Every 5xx and truncation reaches the client; net/http itself
			// retries a GET whose reused connection was reset before any
			// answer, so resets may not.
			hs, cs := h.Stats(), c.Stats()
			seen := hs.ServerErrors + hs.Truncations
			injected := seen + hs.Resets
			if injected == 0 || cs.ServerErrors != hs.ServerErrors || cs.Retries < seen || cs.Retries > injected {
				t.Errorf("replica injected %+v; client stats %+v", hs, cs)
			}
		})
	}
}

func TestBodySizeCap(t *testing.T) {
	_, url := startReplica(t, hubtest.Options{Zoo: hubtest.Zoo{Models: 500, Datasets: 20, Seed: 12}, PageSize: 500})
	c := newClient(t, url, func(o *hub.Options) { o.MaxBodyBytes = 16 << 10 })
	_, err := c.ListModels(hub.ListOptions{Expand: append(hub.DefaultModelExpand(), "cardData")}).Next(context.Background())
	if !errors.Is(err, hub.ErrBodyTooLarge) {
		t.Fatalf("list: err = %v, want ErrBodyTooLarge", err)
	}
	// A detail declares its Content-Length: refused before reading.
	big := strings.Repeat("x", 32<<10)
	srv, n := scripted(t, body(`{"id":"a/b","description":"`+big+`"}`))
	c2 := newClient(t, srv.URL, func(o *hub.Options) { o.MaxBodyBytes = 16 << 10 })
	if _, err := c2.Dataset(context.Background(), "a/b", hub.DetailOptions{}); !errors.Is(err, hub.ErrBodyTooLarge) {
		t.Fatalf("detail: err = %v, want ErrBodyTooLarge", err)
	}
	if c.Stats().Retries != 0 || n.Load() != 1 {
		t.Error("an oversized body was retried")
	}
}

func TestMalformedBodiesFail(t *testing.T) {
	for _, b := range []string{`[{"id":"a/b"},}`, `{"error":"not a list"}`, `[1,2]`, ``} {
		srv, n := scripted(t, body(b))
		c := newClient(t, srv.URL, nil)
		_, err := c.ListModels(hub.ListOptions{}).Next(context.Background())
		if !errors.Is(err, hub.ErrDecode) || n.Load() != 1 {
			t.Errorf("%q: err = %v after %d requests, want ErrDecode at once", b, err, n.Load())
		}
	}
}

func TestUserAgent(t *testing.T) {
	var ua string
	srv, _ := scripted(t, func(w http.ResponseWriter, r *http.Request) {
		ua = r.Header.Get("User-Agent")
		w.Write([]byte(okDetail))
	})
	c := newClient(t, srv.URL, nil)
	c.Model(context.Background(), "a/b", hub.DetailOptions{})
	if ua != "zoograph/dev" {
		t.Errorf("User-Agent %q, want zoograph/dev", ua)
	}
}

// closedPort returns the URL of a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	return url
}

// TestUnreachableEndpoint: against a port nothing listens on, every retry
// is reported (OnRetry, else a log line at info level) and the call gives
// up with an *UnreachableError naming the endpoint and the cause.
func TestUnreachableEndpoint(t *testing.T) {
	url := closedPort(t)
	var logs strings.Builder
	var retries []hub.Retry
	for _, withHook := range []bool{true, false} {
		opt := hub.Options{Endpoint: url, Quota: hub.Quota{Off: true}, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond,
			MaxRetries: 3, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
		if withHook {
			opt.OnRetry = func(r hub.Retry) { retries = append(retries, r) }
		}
		c, err := hub.New(opt)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListModels(hub.ListOptions{Limit: 5}).Next(context.Background())
		var ue *hub.UnreachableError
		if !errors.As(err, &ue) || !errors.Is(err, hub.ErrUnreachable) || ue.Attempts != 4 {
			t.Fatalf("err = %v, want an *UnreachableError after 4 attempts", err)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "cannot reach "+url+": dial tcp") || !strings.Contains(msg, "refused") {
			t.Errorf("message %q: want the endpoint and the cause", msg)
		}
	}
	if len(retries) != 3 || retries[0].Attempt != 1 || retries[2].Attempt != 3 || !strings.Contains(retries[0].Err.Error(), "refused") {
		t.Errorf("OnRetry saw %+v; want attempts 1 to 3, connection refused", retries)
	}
	if n := strings.Count(logs.String(), "level=INFO msg=\"hub retry\""); n != 3 {
		t.Errorf("%d retry lines at info level without OnRetry, want 3:\n%s", n, logs.String())
	}
}

// TestHugeRetryAfterFailsFast: a Retry-After too long to add to the time
// already spent (it saturates at the largest time.Duration) is a wait
// beyond the budget, not an overflow into a wait the call then sleeps out.
func TestHugeRetryAfterFailsFast(t *testing.T) {
	for _, code := range []int{429, 503} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			slow := func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(time.Second) // the time spent that the wait is added to
				status(code, "Retry-After", "99999999999999999")(w, r)
			}
			srv, n := scripted(t, slow)
			c := newClient(t, srv.URL, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := c.Model(ctx, "a/b", hub.DetailOptions{})
			var he *hub.Error
			if !errors.As(err, &he) || he.Status != code || n.Load() != 1 {
				t.Fatalf("err = %v after %d requests, want the server's %d at once", err, n.Load(), code)
			}
		})
	}
}

// TestSpentWindowLongerThanMaxPauseFailsFast: a RateLimit header that
// pauses the bucket for longer than any window (MaxPause; here on a
// success, so no retry of that call judges it) ends the following calls at
// once instead of holding them for the whole pause.
func TestSpentWindowLongerThanMaxPauseFailsFast(t *testing.T) {
	spent := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("RateLimit", `"api";r=0;t=99999999999`)
		body(okDetail)(w, r)
	}
	srv, n := scripted(t, spent, body(okDetail))
	c := newClient(t, srv.URL, nil)
	if _, err := c.Model(context.Background(), "a/b", hub.DetailOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := c.Model(ctx, "a/b", hub.DetailOptions{})
	if !errors.Is(err, hub.ErrRateLimited) || ctx.Err() != nil || n.Load() != 1 {
		t.Fatalf("err = %v after %d requests, want ErrRateLimited at once", err, n.Load())
	}
}
