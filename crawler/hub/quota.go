package hub

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultWindow is the length of the Hub's fixed rate-limit window.
const DefaultWindow = 5 * time.Minute

// Quota is the client-side pacing budget: requests per Window for each of
// the Hub's rate-limit buckets. "api" counts every /api/ call
// (listings, details); "resolvers" counts /resolve/ downloads (cards).
//
// The zero Quota means "the Hub's default for the token state"
// (DefaultQuota); otherwise a bucket with a count of 0 is not paced. Off
// disables client-side pacing, though 429 answers and RateLimit headers
// are still honoured. The pacer admits at most the quota in any window:
// a small burst, then (quota - burst) per window.
type Quota struct {
	API       int           // requests per Window in the api bucket
	Resolvers int           // requests per Window in the resolvers bucket
	Window    time.Duration // 0 means DefaultWindow
	Off       bool          // no client-side pacing
}

// DefaultQuota returns the Hub's published quotas: anonymous 500 api /
// 3000 resolver requests per 5 minutes, a free account 1000 / 5000.
func DefaultQuota(hasToken bool) Quota {
	if hasToken {
		return Quota{API: 1000, Resolvers: 5000, Window: DefaultWindow}
	}
	return Quota{API: 500, Resolvers: 3000, Window: DefaultWindow}
}

// ParseQuota parses a --quota flag value: "" (the defaults for the token
// state), "none" (no client-side pacing), or comma-separated key=value pairs
// with keys api, resolvers (positive integers: requests per window) and
// window (a Go duration, default 5m). Keys not given keep their defaults,
// e.g. "api=2500" with a token is api 2500, resolvers 5000 per 5 minutes.
func ParseQuota(s string, hasToken bool) (Quota, error) {
	q := DefaultQuota(hasToken)
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "":
		return q, nil
	case "none", "off":
		return Quota{Off: true}, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return Quota{}, fmt.Errorf("quota %q: want key=value, got %q", s, kv)
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		switch k {
		case "api", "resolvers":
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return Quota{}, fmt.Errorf("quota %q: %s must be a positive integer, got %q", s, k, v)
			}
			if k == "api" {
				q.API = n
			} else {
				q.Resolvers = n
			}
		case "window":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return Quota{}, fmt.Errorf("quota %q: window must be a positive duration, got %q", s, v)
			}
			q.Window = d
		default:
			return Quota{}, fmt.Errorf("quota %q: unknown key %q (want api, resolvers or window)", s, k)
		}
	}
	return q, nil
}

// bucket is one of the Hub's rate-limit buckets.
type bucket int

const (
	bucketAPI bucket = iota
	bucketResolvers
	numBuckets
)

var bucketNames = [numBuckets]string{"api", "resolvers"}

func (b bucket) String() string { return bucketNames[b] }

func bucketByName(name string) (bucket, bool) {
	for b, n := range bucketNames {
		if strings.ToLower(name) == n {
			return bucket(b), true
		}
	}
	return 0, false
}

// bucketForPath: /resolve/ downloads (and the resolve cache they redirect
// to) count as resolvers, everything else as api.
func bucketForPath(path string) bucket {
	if strings.Contains(path, "/resolve/") || strings.Contains(path, "/api/resolve-cache/") {
		return bucketResolvers
	}
	return bucketAPI
}

// pacer holds the client-side pacing of each bucket: a token bucket that
// never lets more than the quota through in any window (rate (N-b)/W, burst
// b), plus a pause set when the server says the window is spent (429 or
// RateLimit r=0), which every worker waits out.
type pacer struct {
	b       [numBuckets]pacerBucket
	clock   clock
	onPause func(Pause) // told once per pause, before it is waited out
}

type pacerBucket struct {
	lim *rate.Limiter // nil: no client-side pacing

	mu        sync.Mutex
	until     time.Time // server-imposed pause
	announced time.Time // the end of the pause told to onPause, as it was pushed on
	quota     int       // configured requests per window (0: none)
	win       time.Duration
}

func newPacer(q Quota, clk clock, onPause func(Pause)) *pacer {
	p := &pacer{clock: clk, onPause: onPause}
	if q.Off {
		return p
	}
	w := q.Window
	if w <= 0 {
		w = DefaultWindow
	}
	for b, n := range [numBuckets]int{q.API, q.Resolvers} {
		if n > 0 {
			p.b[b].lim = newLimiter(n, w)
			p.b[b].quota, p.b[b].win = n, w
		}
	}
	return p
}

// newLimiter returns a limiter that admits at most n requests in any
// interval of length w: burst b plus rate (n-b)/w.
func newLimiter(n int, w time.Duration) *rate.Limiter { return rate.NewLimiter(pacing(n, w)) }

// pacing is the rate and burst of newLimiter(n, w).
func pacing(n int, w time.Duration) (rate.Limit, int) {
	b := min(max(n/20, 1), 10)
	if n <= b { // a quota of 1: the best a token bucket can do
		return rate.Limit(float64(n) / w.Seconds()), b
	}
	return rate.Limit(float64(n-b) / w.Seconds()), b
}

// errPauseTooLong reports a server pause of a bucket longer than any
// rate-limit window (Options.MaxPause).
type errPauseTooLong struct {
	b        bucket
	d, limit time.Duration
}

func (e errPauseTooLong) Error() string {
	return fmt.Sprintf("the Hub paused %s requests for %s, longer than a rate-limit window (a call waits out at most %s)",
		e.b, e.d.Round(time.Second), e.limit.Round(time.Second))
}

func (e errPauseTooLong) Unwrap() error { return ErrRateLimited }

// wait blocks until a request in bucket b may go: first any server pause
// (a spent window), told to onPause once, then the token bucket. It
// returns how long it waited out pauses, which are the quota and not the
// call's retrying. A pause longer than maxPause fails at once
// (errPauseTooLong): no window is that long.
func (p *pacer) wait(ctx context.Context, b bucket, maxPause time.Duration) (paused time.Duration, err error) {
	pb := &p.b[b]
	for {
		now := p.clock.Now()
		pb.mu.Lock()
		until := pb.until
		d := until.Sub(now)
		// Once per pause: workers that meet it later are not news, nor
		// are the 429s of requests in flight when the window was spent,
		// which push its end on by their rounding and jitter (a second or
		// more) while the told pause still runs: it is the same window.
		var announce bool
		if d > 0 && d <= maxPause {
			announce = !now.Before(pb.announced)
			pb.announced = until // pauses only move on: until >= announced
		}
		pb.mu.Unlock()
		if d <= 0 {
			break
		}
		if d > maxPause {
			return paused, errPauseTooLong{b, d, maxPause}
		}
		if announce && p.onPause != nil {
			p.onPause(Pause{Bucket: b.String(), Until: until, Wait: d})
		}
		if err := p.clock.Sleep(ctx, d); err != nil {
			return paused, err
		}
		paused += d
	}
	if pb.lim != nil {
		if err := pb.lim.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return paused, ctx.Err()
			}
			// The limiter refuses up front when the wait would pass the
			// deadline; report it as the deadline it is.
			return paused, fmt.Errorf("%w: %v", context.DeadlineExceeded, err)
		}
	}
	return paused, nil
}

// pause makes every request in bucket b wait until t.
func (p *pacer) pause(b bucket, t time.Time) {
	pb := &p.b[b]
	pb.mu.Lock()
	if t.After(pb.until) {
		pb.until = t
	}
	pb.mu.Unlock()
}

// adopt lowers the client-side rate of bucket b when the server's policy
// (RateLimit-Policy q per w) is stricter than the configured quota, so a
// crawl configured too generously does not march into 429s. It never
// raises the rate; with pacing off it does nothing.
func (p *pacer) adopt(b bucket, q int, w time.Duration) {
	pb := &p.b[b]
	if pb.lim == nil || q <= 0 || w <= 0 {
		return
	}
	pb.mu.Lock()
	defer pb.mu.Unlock()
	if float64(q)/w.Seconds() >= float64(pb.quota)/pb.win.Seconds() {
		return
	}
	limit, burst := pacing(q, w)
	pb.lim.SetBurst(burst)
	pb.lim.SetLimit(limit)
	pb.quota, pb.win = q, w
}

// rateLimit is one item of a RateLimit header (IETF
// draft-ietf-httpapi-ratelimit-headers v9): `"api";r=0;t=55`.
type rateLimit struct {
	name      string
	remaining int64 // r
	reset     time.Duration
}

// rateLimitPolicy is one item of RateLimit-Policy:
// `"fixed window";"api";q=500;w=300`.
type rateLimitPolicy struct {
	names  []string
	quota  int
	window time.Duration
}

// sfItem is one item of a header list as the RateLimit headers write it:
// its bare members (quotes trimmed) and its integer parameters.
type sfItem struct {
	names  []string
	params map[string]int64
}

// parseItems splits a header value into items at commas and members at
// semicolons. Negative or malformed parameters are left out.
func parseItems(v string) []sfItem {
	var out []sfItem
	for _, item := range strings.Split(v, ",") {
		it := sfItem{params: map[string]int64{}}
		for _, part := range strings.Split(item, ";") {
			k, val, found := strings.Cut(strings.TrimSpace(part), "=")
			n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
			switch {
			case !found:
				it.names = append(it.names, strings.Trim(k, `"`))
			case err == nil && n >= 0:
				it.params[strings.TrimSpace(k)] = n
			}
		}
		out = append(out, it)
	}
	return out
}

// parseRateLimit parses a RateLimit header value; items without r are
// skipped, unknown parameters ignored.
func parseRateLimit(v string) []rateLimit {
	var out []rateLimit
	for _, it := range parseItems(v) {
		if r, ok := it.params["r"]; ok && len(it.names) > 0 {
			out = append(out, rateLimit{name: it.names[0], remaining: r, reset: secondsDuration(it.params["t"])})
		}
	}
	return out
}

// parseRateLimitPolicy parses RateLimit-Policy; items without a positive
// quota and window are skipped.
func parseRateLimitPolicy(v string) []rateLimitPolicy {
	var out []rateLimitPolicy
	for _, it := range parseItems(v) {
		q, w := it.params["q"], it.params["w"]
		if q > 0 && w > 0 && q <= math.MaxInt32 && w <= math.MaxInt32 {
			out = append(out, rateLimitPolicy{names: it.names, quota: int(q), window: secondsDuration(w)})
		}
	}
	return out
}

// secondsDuration converts whole seconds, saturating instead of
// overflowing.
func secondsDuration(n int64) time.Duration {
	const maxSec = int64(math.MaxInt64 / int64(time.Second))
	return time.Duration(min(n, maxSec)) * time.Second
}

// parseRetryAfter reads Retry-After as delta-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return secondsDuration(n), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true // a date in the past: now
	}
	return 0, false
}

// serverWait extracts the wait the server asks for: the reset time of a
// spent RateLimit bucket (r=0) first, then Retry-After. The bucket is the
// one the header names, else the request's.
func serverWait(h http.Header, reqBucket bucket, now time.Time) (wait time.Duration, b bucket, ok bool) {
	b = reqBucket
	for _, rl := range parseRateLimit(h.Get("RateLimit")) {
		if rl.remaining != 0 {
			continue
		}
		if nb, known := bucketByName(rl.name); known {
			b = nb
		}
		return rl.reset, b, true
	}
	if d, ok := parseRetryAfter(h.Get("Retry-After"), now); ok {
		return d, b, true
	}
	return 0, b, false
}

// clock is the time a Client reads and waits on: the wall clock, or a
// test's fake one, so that a 5-minute window is tested without waiting it.
// The token bucket of Quota pacing keeps the wall clock.
type clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done (then it returns ctx.Err()).
	Sleep(ctx context.Context, d time.Duration) error
}

type wallClock struct{}

func (wallClock) Now() time.Time                                   { return time.Now() }
func (wallClock) Sleep(ctx context.Context, d time.Duration) error { return sleep(ctx, d) }

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
