package hub

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/go-resty/resty/v2"
)

// maxRedirects bounds the redirect hops of one call (renames, resolve
// cache); the Hub uses one or two.
const maxRedirects = 10

// Client is a typed client of the Hub HTTP API. It is safe for concurrent
// use by Options.Workers goroutines; one Client should serve a whole crawl
// so that connections and pacing are shared.
type Client struct {
	opt  Options
	base *url.URL // endpoint; Path has no trailing slash
	rc   *resty.Client
	hc   *http.Client
	pace *pacer
	log  *slog.Logger

	rngMu sync.Mutex
	rng   *rand.Rand

	n counters
}

type counters struct {
	requests, retries, rateLimited, serverErrors, netErrors,
	redirects, bytes atomic.Int64
}

// Stats are a Client's counters since New, for a crawl summary.
type Stats struct {
	Requests     int64 // HTTP requests sent: every attempt and redirect hop
	Retries      int64 // attempts repeated after a transient failure
	RateLimited  int64 // 429 answers received
	ServerErrors int64 // 5xx and 408 answers received
	NetErrors    int64 // connection failures, timeouts, truncated bodies
	Redirects    int64 // redirect hops followed
	Bytes        int64 // response body bytes read (after decompression)
}

// Stats returns a snapshot of the counters.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:     c.n.requests.Load(),
		Retries:      c.n.retries.Load(),
		RateLimited:  c.n.rateLimited.Load(),
		ServerErrors: c.n.serverErrors.Load(),
		NetErrors:    c.n.netErrors.Load(),
		Redirects:    c.n.redirects.Load(),
		Bytes:        c.n.bytes.Load(),
	}
}

// New returns a Client for opt. It fails on a malformed endpoint, a
// malformed token, or a token that would travel over plain http to a host
// that is not loopback (ErrInsecureToken).
func New(opt Options) (*Client, error) {
	opt = opt.withDefaults()
	base, err := ParseEndpoint(opt.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("hub: endpoint %w", err)
	}
	if opt.Token != "" {
		if err := checkToken(opt.Token); err != nil {
			return nil, fmt.Errorf("hub: %w", err)
		}
		if base.Scheme == "http" && !isLoopback(base.Hostname()) {
			return nil, fmt.Errorf("%w (%s)", ErrInsecureToken, base.Host)
		}
	}
	tr := opt.Transport
	if tr == nil {
		tr = newTransport(opt.Workers)
	}
	hc := &http.Client{
		Transport: tr,
		// Redirects are followed by Client.do, one hop at a time, so that
		// renames are recorded, hops are paced and the token is attached
		// per hop only to the endpoint's origin.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	rc := resty.NewWithClient(hc).
		SetLogger(restyLogger{opt.Logger}).
		SetHeader("User-Agent", "zoograph/"+moduleVersion())
	c := &Client{
		opt:  opt,
		base: base,
		rc:   rc,
		hc:   hc,
		log:  opt.Logger,
		rng:  rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)),
	}
	c.pace = newPacer(opt.Quota, opt.clock, c.announcePause)
	return c, nil
}

// announcePause tells of a rate-limit pause that calls are about to wait
// out: to OnPause, else the log.
func (c *Client) announcePause(p Pause) {
	level := slog.LevelInfo
	if c.opt.OnPause != nil {
		c.opt.OnPause(p)
		level = slog.LevelDebug
	}
	c.log.LogAttrs(context.Background(), level, "hub rate limited: waiting for the window to reset",
		slog.String("bucket", p.Bucket), slog.Duration("wait", p.Wait.Round(time.Second)), slog.Time("until", p.Until))
}

// Endpoint returns the base URL the client talks to.
func (c *Client) Endpoint() string { return c.base.String() }

// Close releases idle connections. The Client stays usable.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// ParseEndpoint parses the endpoint New talks to, or says why New would refuse
// it, never quoting it: a mistyped endpoint may hold the token.
func ParseEndpoint(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	switch {
	case strings.Contains(s, "@"): // user info, or a token pasted before the host
		return nil, errors.New("must not carry credentials; give the token separately")
	case err != nil:
		return nil, fmt.Errorf("not a URL (e.g. %s)", DefaultEndpoint)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("not an http or https URL (e.g. %s)", DefaultEndpoint)
	case u.Host == "":
		return nil, fmt.Errorf("no host (e.g. %s)", DefaultEndpoint)
	case u.RawQuery != "" || u.Fragment != "":
		return nil, errors.New("must not have a query or fragment")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}

func newTransport(workers int) *http.Transport {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          2 * workers,
		MaxIdleConnsPerHost:   workers, // everything goes to one host
		IdleConnTimeout:       90 * time.Second,
		ReadBufferSize:        64 << 10, // listing pages are large: fewer reads
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// url returns the endpoint joined with an escaped path and raw query.
func (c *Client) url(escapedPath, rawQuery string) *url.URL {
	u := *c.base
	p := c.base.EscapedPath() + escapedPath
	if pp, err := url.PathUnescape(p); err == nil {
		u.Path, u.RawPath = pp, p
	} else {
		u.Path, u.RawPath = p, ""
	}
	u.RawQuery = rawQuery
	return &u
}

// call is one logical API call: a GET that may be redirected and retried.
type call struct {
	url    *url.URL
	accept string
	// handle consumes a final response (2xx). It may run once per
	// attempt, so it must reset whatever it fills. A read error of the body
	// makes the attempt transient; a decode error is permanent.
	handle func(r *response) error

	hops []*url.URL // redirect targets followed, in order (filled by do)
}

// response is what a handler sees.
type response struct {
	status int
	header http.Header
	body   io.Reader
	url    *url.URL
}

type outcomeKind int

const (
	outcomeDone outcomeKind = iota
	outcomeRetry
	outcomeRedirect
)

type outcome struct {
	kind outcomeKind
	err  error
	next *url.URL // redirect target

	status     int           // HTTP status of a retryable answer, 0 for network errors
	unanswered bool          // the request got no HTTP answer
	wait       time.Duration // server-requested wait
	hasWait    bool
	bucket     bucket // bucket the wait applies to
}

// Pause describes a rate-limit pause of a bucket, the Hub's window spent,
// that calls are about to wait out (Options.OnPause).
type Pause struct {
	Bucket string        // "api" or "resolvers"
	Until  time.Time     // when the window resets
	Wait   time.Duration // from now until then
}

// Retry describes an attempt that failed and is about to be repeated
// (Options.OnRetry).
type Retry struct {
	URL     string        // the request, credentials never included
	Attempt int           // the attempt that failed, from 1
	Wait    time.Duration // before the next attempt
	Err     error         // why it failed
}

// do runs a call: pacing, one attempt at a time, redirects, and the retry
// loop with backoff, server-requested waits, a retry budget and ctx.
// Rate-limit pauses are waited out apart from the budget (MaxPause).
func (c *Client) do(ctx context.Context, cl *call) error {
	clk := c.opt.clock
	start := clk.Now()
	var paused time.Duration // waiting out rate-limit windows, not retrying
	elapsed := func() time.Duration { return clk.Now().Sub(start) - paused }
	cur := cl.url
	attempts, retries := 0, 0
	answered := false // some attempt got an HTTP answer
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("hub: GET %s: %w", cur.Redacted(), err)
		}
		b := bucketForPath(cur.Path)
		p, err := c.pace.wait(ctx, b, c.opt.MaxPause)
		paused += p
		if err != nil {
			return fmt.Errorf("hub: GET %s: %w", cur.Redacted(), err)
		}
		attempts++
		out := c.attempt(ctx, cl, cur, b)
		answered = answered || !out.unanswered
		switch out.kind {
		case outcomeDone:
			var he *Error
			if errors.As(out.err, &he) {
				he.Attempts = attempts
			}
			return out.err
		case outcomeRedirect:
			if len(cl.hops) >= maxRedirects {
				return fmt.Errorf("%w: GET %s", ErrTooManyRedirects, cl.url.Redacted())
			}
			c.n.redirects.Add(1)
			cl.hops = append(cl.hops, out.next)
			cur = out.next
			continue
		}

		// outcomeRetry
		retries++
		wait := out.wait
		if !out.hasWait {
			wait = c.backoff(retries)
		} else if j := c.jitter(c.opt.MinWait / 2); wait <= math.MaxInt64-j {
			wait += j
		}
		limited := out.status == http.StatusTooManyRequests
		giveUp := ""
		switch {
		case retries > c.opt.MaxRetries:
			giveUp = "retries exhausted"
		case limited && wait > c.opt.MaxPause:
			giveUp = "rate-limit pause longer than a window"
		case !limited && wait > c.opt.MaxElapsed-elapsed():
			// Not elapsed+wait: a server's wait may be near the largest
			// Duration, and the sum would wrap to a short one.
			giveUp = "retry budget exhausted"
		}
		if giveUp != "" {
			var he *Error
			switch {
			case errors.As(out.err, &he):
				he.Attempts = attempts
				return out.err
			case !answered:
				return &UnreachableError{Endpoint: c.base.Redacted(), Attempts: attempts, Elapsed: clk.Now().Sub(start), Err: out.err}
			}
			return fmt.Errorf("hub: %s after %d attempts: %w", giveUp, attempts, out.err)
		}
		c.n.retries.Add(1)
		level := slog.LevelInfo
		if c.opt.OnRetry != nil {
			c.opt.OnRetry(Retry{URL: cur.Redacted(), Attempt: attempts, Wait: wait, Err: out.err})
			level = slog.LevelDebug
		}
		c.log.LogAttrs(ctx, level, "hub retry", slog.Int("attempt", attempts),
			slog.Duration("wait", wait.Round(time.Millisecond)), slog.String("error", out.err.Error()))
		if limited {
			// The window is spent for everyone: pause the whole bucket
			// rather than only this worker; the pacer waits it out, and
			// says so, at the top of the loop.
			c.pace.pause(out.bucket, clk.Now().Add(wait))
			continue
		}
		if err := clk.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("hub: GET %s: %w", cur.Redacted(), err)
		}
	}
}

// attempt sends one request and classifies what came back.
func (c *Client) attempt(ctx context.Context, cl *call, u *url.URL, b bucket) outcome {
	actx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()

	req := c.rc.R().SetContext(actx).SetDoNotParseResponse(true)
	if cl.accept != "" {
		req.SetHeader("Accept", cl.accept)
	}
	// The token goes to the endpoint's origin only: a redirect or a Link
	// to any other host (or scheme) travels without it.
	if c.opt.Token != "" && sameOrigin(u, c.base) {
		req.SetHeader("Authorization", "Bearer "+c.opt.Token)
	}
	c.n.requests.Add(1)
	resp, err := req.Execute(http.MethodGet, u.String())
	if err != nil {
		if resp != nil && resp.RawResponse != nil && resp.RawResponse.Body != nil {
			resp.RawResponse.Body.Close()
		}
		return c.transportOutcome(ctx, u, err)
	}
	raw := resp.RawResponse
	body := raw.Body
	defer drainClose(body)
	if sameOrigin(u, c.base) { // another host's limits are not the Hub's
		c.observe(raw.Header, b)
	}

	status := raw.StatusCode
	switch {
	case status >= 300 && status < 400:
		loc := raw.Header.Get("Location")
		next, err := u.Parse(loc)
		if loc == "" || err != nil || (next.Scheme != "http" && next.Scheme != "https") {
			return outcome{err: &Error{Status: status, Message: "redirect without a usable Location", URL: u.Redacted(),
				RequestID: raw.Header.Get("X-Request-Id"), kind: []error{ErrUnexpectedStatus}}}
		}
		next.User = nil
		return outcome{kind: outcomeRedirect, next: next}

	case status >= 200 && status < 300:
		if raw.ContentLength > c.opt.MaxBodyBytes {
			return outcome{err: fmt.Errorf("%w: GET %s: Content-Length %d > %d", ErrBodyTooLarge, u.Redacted(), raw.ContentLength, c.opt.MaxBodyBytes)}
		}
		br := &bodyReader{r: body, max: c.opt.MaxBodyBytes, bytes: &c.n.bytes}
		err := cl.handle(&response{status: status, header: raw.Header, body: br, url: u})
		switch {
		case err == nil:
			return outcome{}
		case ctx.Err() != nil:
			return outcome{err: fmt.Errorf("hub: GET %s: %w", u.Redacted(), ctx.Err())}
		case errors.Is(err, ErrBodyTooLarge):
			return outcome{err: fmt.Errorf("GET %s: %w", u.Redacted(), err)}
		case br.err != nil || errors.Is(err, io.ErrUnexpectedEOF):
			// The body broke off (reset, timeout, truncation): transient.
			c.n.netErrors.Add(1)
			return outcome{kind: outcomeRetry, err: fmt.Errorf("hub: GET %s: reading body: %w", u.Redacted(), err)}
		default:
			return outcome{err: fmt.Errorf("GET %s: %w", u.Redacted(), err)}
		}

	default:
		e := newHTTPError(raw, u, body)
		if !transientStatus(status) {
			return outcome{err: e}
		}
		if status == http.StatusTooManyRequests {
			c.n.rateLimited.Add(1)
		} else {
			c.n.serverErrors.Add(1)
		}
		wait, wb, ok := serverWait(raw.Header, b, c.opt.clock.Now())
		e.RetryAfter = wait
		return outcome{kind: outcomeRetry, err: e, status: status, wait: wait, hasWait: ok, bucket: wb}
	}
}

// transportOutcome classifies an error from sending a request.
func (c *Client) transportOutcome(ctx context.Context, u *url.URL, err error) outcome {
	if ctx.Err() != nil {
		return outcome{err: fmt.Errorf("hub: GET %s: %w", u.Redacted(), ctx.Err())}
	}
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	if errors.As(err, &certErr) || errors.As(err, &recErr) {
		return outcome{err: fmt.Errorf("hub: GET %s: %w", u.Redacted(), err)}
	}
	// Everything else (refused, reset, EOF before the headers, an attempt
	// timeout) may heal. net/http's *url.Error repeats the URL; keep its
	// cause.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	c.n.netErrors.Add(1)
	return outcome{kind: outcomeRetry, unanswered: true, err: fmt.Errorf("hub: GET %s: %w", u.Redacted(), err)}
}

// observe applies RateLimit headers: a spent bucket (r=0) pauses that
// bucket for t, and a server policy stricter than the configured quota
// lowers the client-side rate.
func (c *Client) observe(h http.Header, reqBucket bucket) {
	if v := h.Get("RateLimit"); v != "" {
		now := c.opt.clock.Now()
		for _, rl := range parseRateLimit(v) {
			if rl.remaining != 0 || rl.reset <= 0 {
				continue
			}
			b := reqBucket
			if nb, ok := bucketByName(rl.name); ok {
				b = nb
			}
			c.pace.pause(b, now.Add(rl.reset))
		}
	}
	if v := h.Get("RateLimit-Policy"); v != "" {
		for _, p := range parseRateLimitPolicy(v) {
			b := reqBucket
			for _, n := range p.names {
				if nb, ok := bucketByName(n); ok {
					b = nb
				}
			}
			c.pace.adopt(b, p.quota, p.window)
		}
	}
}

// maxErrorBody caps how much of an error body is read for its message.
const maxErrorBody = 64 << 10

func newHTTPError(raw *http.Response, u *url.URL, body io.Reader) *Error {
	e := &Error{
		Status:    raw.StatusCode,
		Code:      raw.Header.Get("X-Error-Code"),
		Message:   raw.Header.Get("X-Error-Message"),
		URL:       u.Redacted(),
		RequestID: raw.Header.Get("X-Request-Id"),
	}
	if e.Message == "" {
		e.Message = errorBodyMessage(body)
	}
	e.kind = classify(e.Status, e.Code, e.Message)
	// The server's words end up on the user's terminal, inside the error.
	e.Code, e.Message = escapeControls(e.Code), escapeControls(e.Message)
	return e
}

// escapeControls escapes the control characters (C0, DEL, C1) and bidi
// controls of s, as Go quotes them (\x1b, \u202e).
func escapeControls(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isControl(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }

// errorBodyMessage extracts {"error": "..."} (or a list of strings, or
// OAuth's error_description) from an error body.
func errorBodyMessage(body io.Reader) string {
	b, err := io.ReadAll(io.LimitReader(body, maxErrorBody))
	if err != nil || len(b) == 0 {
		return ""
	}
	var v struct {
		Error       json.RawMessage `json:"error"`
		Description string          `json:"error_description"`
	}
	if json.Unmarshal(b, &v) != nil {
		return ""
	}
	if v.Description != "" {
		return clip(v.Description, 500)
	}
	var s string
	if json.Unmarshal(v.Error, &s) == nil {
		return clip(s, 500)
	}
	var list []string
	if json.Unmarshal(v.Error, &list) == nil {
		return clip(strings.Join(list, "; "), 500)
	}
	return ""
}

func (c *Client) backoff(retry int) time.Duration {
	d := c.opt.MinWait
	for i := 1; i < retry && d < c.opt.MaxWait; i++ {
		d *= 2
	}
	d = min(d, c.opt.MaxWait)
	// Equal jitter: half fixed, half random, so workers spread out.
	return d/2 + c.jitter(d/2)
}

func (c *Client) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	c.rngMu.Lock()
	defer c.rngMu.Unlock()
	return time.Duration(c.rng.Int64N(int64(d)))
}

// bodyReader caps a response body and remembers the first read error, so
// that a broken-off body (retry) is told apart from a malformed one (fail).
type bodyReader struct {
	r     io.Reader
	n     int64
	max   int64
	err   error
	bytes *atomic.Int64
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if rem := b.max - b.n + 1; int64(len(p)) > rem {
		p = p[:rem]
	}
	k, err := b.r.Read(p)
	b.n += int64(k)
	b.bytes.Add(int64(k))
	if b.n > b.max {
		b.err = fmt.Errorf("%w (more than %d bytes)", ErrBodyTooLarge, b.max)
		return k - int(b.n-b.max), b.err
	}
	if err != nil && err != io.EOF {
		b.err = err
	}
	return k, err
}

// drainClose reads a little of what is left so the connection can be
// reused, then closes the body.
func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 256<<10))
	_ = body.Close()
}

// restyLogger routes resty's own log lines to slog at debug level.
type restyLogger struct{ l *slog.Logger }

func (r restyLogger) Errorf(format string, v ...any) { r.logf(format, v...) }
func (r restyLogger) Warnf(format string, v ...any)  { r.logf(format, v...) }
func (r restyLogger) Debugf(format string, v ...any) { r.logf(format, v...) }

func (r restyLogger) logf(format string, v ...any) {
	r.l.Debug("resty: " + fmt.Sprintf(format, v...))
}
