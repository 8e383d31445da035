package hub

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseRateLimit(t *testing.T) {
	tests := []struct {
		in   string
		want []rateLimit
	}{
		{`"api";r=0;t=55`, []rateLimit{{"api", 0, 55 * time.Second}}},
		{`"api";r=499;t=300, "resolvers";r=0;t=12`, []rateLimit{{"api", 499, 300 * time.Second}, {"resolvers", 0, 12 * time.Second}}},
		{`api; r=3; t=4`, []rateLimit{{"api", 3, 4 * time.Second}}},
		{`"api";t=4`, nil},
		{`"api";r=x;t=4`, nil},
		{`"api";r=-1;t=4`, nil},
		{``, nil},
		{`;;;,,,`, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, parseRateLimit(tt.in), cmp.AllowUnexported(rateLimit{})); diff != "" {
			t.Errorf("parseRateLimit(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseRateLimitPolicy(t *testing.T) {
	got := parseRateLimitPolicy(`"fixed window";"api";q=500;w=300`)
	want := []rateLimitPolicy{{names: []string{"fixed window", "api"}, quota: 500, window: 300 * time.Second}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(rateLimitPolicy{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := parseRateLimitPolicy(`"api";q=0;w=300`); len(got) != 0 {
		t.Errorf("zero quota accepted: %+v", got)
	}
}

func TestServerWait(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := http.Header{}
	if _, _, ok := serverWait(h, bucketAPI, now); ok {
		t.Error("no headers: a wait")
	}
	h.Set("Retry-After", "7")
	if d, b, ok := serverWait(h, bucketResolvers, now); !ok || d != 7*time.Second || b != bucketResolvers {
		t.Errorf("Retry-After: %v %v %v", d, b, ok)
	}
	h.Set("RateLimit", `"api";r=0;t=20`)
	if d, b, ok := serverWait(h, bucketResolvers, now); !ok || d != 20*time.Second || b != bucketAPI {
		t.Errorf("RateLimit wins and names its bucket: %v %v %v", d, b, ok)
	}
	h.Set("RateLimit", `"api";r=5;t=20`)
	if d, _, _ := serverWait(h, bucketAPI, now); d != 7*time.Second {
		t.Errorf("a bucket with requests left is no wait: %v", d)
	}
	h.Set("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat))
	h.Del("RateLimit")
	if d, _, _ := serverWait(h, bucketAPI, now); d != 90*time.Second {
		t.Errorf("HTTP date: %v", d)
	}
	h.Set("Retry-After", "soon")
	if _, _, ok := serverWait(h, bucketAPI, now); ok {
		t.Error("garbage Retry-After accepted")
	}
}

func TestLimiterNeverExceedsQuota(t *testing.T) {
	for _, q := range []int{1, 7, 40, 500, 5000} {
		lim := newLimiter(q, time.Minute)
		// Count what a limiter admits within one window starting full.
		start := time.Unix(0, 0)
		n := 0
		for i := 0; i < 2*q+20; i++ {
			at := start.Add(time.Duration(i) * time.Minute / time.Duration(2*q+20))
			if lim.AllowN(at, 1) {
				n++
			}
		}
		if n > q+1 || (q > 20 && n < q*9/10) {
			t.Errorf("quota %d: %d admitted in one window", q, n)
		}
	}
}

func FuzzHeaderParsers(f *testing.F) {
	f.Add(`"api";r=0;t=55`, `"fixed window";"api";q=500;w=300`, "120")
	f.Fuzz(func(t *testing.T, rl, policy, retryAfter string) {
		for _, r := range parseRateLimit(rl) {
			if r.remaining < 0 || r.reset < 0 {
				t.Fatalf("%q: %+v", rl, r)
			}
		}
		for _, p := range parseRateLimitPolicy(policy) {
			if p.quota <= 0 || p.window <= 0 {
				t.Fatalf("%q: %+v", policy, p)
			}
		}
		if d, ok := parseRetryAfter(retryAfter, time.Now()); ok && d < 0 {
			t.Fatalf("%q: %v", retryAfter, d)
		}
	})
}
