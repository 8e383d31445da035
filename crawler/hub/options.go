package hub

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"
)

// DefaultEndpoint is the public Hub.
const DefaultEndpoint = "https://huggingface.co"

// Defaults of Options' zero values.
const (
	DefaultTimeout      = 60 * time.Second
	DefaultMaxRetries   = 8
	DefaultMinWait      = time.Second
	DefaultMaxWait      = 30 * time.Second
	DefaultMaxElapsed   = 10 * time.Minute
	DefaultMaxPause     = DefaultWindow + time.Minute
	DefaultMaxBodyBytes = 64 << 20
	DefaultWorkers      = 8
)

// Options configure a Client. The zero value talks to DefaultEndpoint
// anonymously with the Hub's anonymous quota.
type Options struct {
	// Endpoint is the Hub's base URL (scheme, host, optional path prefix);
	// "" means DefaultEndpoint. See EndpointFromEnv.
	Endpoint string
	// Token is sent as "Authorization: Bearer" to Endpoint's origin only:
	// never to another host, never logged. New refuses a token over plain
	// http unless the host is loopback. See TokenFromEnv.
	Token string
	// Quota paces requests per bucket; the zero value means
	// DefaultQuota(Token != ""). See ParseQuota.
	Quota Quota
	// Workers is how many goroutines will call the Client at once; it
	// sizes the connection pool. Default DefaultWorkers.
	Workers int
	// Timeout bounds one attempt (connect, headers and body). Default
	// DefaultTimeout.
	Timeout time.Duration
	// MaxRetries bounds retries of one call (attempts = MaxRetries+1);
	// 0 means DefaultMaxRetries, negative means no retries.
	MaxRetries int
	// MinWait and MaxWait bound the exponential backoff (with jitter)
	// between retries that the server gave no wait for. Defaults
	// DefaultMinWait, DefaultMaxWait.
	MinWait, MaxWait time.Duration
	// MaxElapsed bounds the total time one call may spend retrying,
	// waits included but the rate-limit pauses it waits out (see MaxPause);
	// a server-requested wait that would pass it ends the call at once with
	// the server's error. Default DefaultMaxElapsed.
	MaxElapsed time.Duration
	// MaxPause bounds one rate-limit pause a call waits out: the Hub's
	// fixed window spent (a RateLimit header with r=0 pauses the bucket
	// until its reset, t seconds; a 429 pauses it for its wait). Such a
	// pause is the quota, not a failure: it does not count against
	// MaxElapsed, so a scheduled crawl waits out as many 5-minute windows as
	// it meets (each 429 is still a retry, bounded by MaxRetries); it is
	// logged once, or reported to OnPause, and ctx ends it. A pause longer
	// than MaxPause, longer than any window (an absurd reset), ends the call
	// at once with ErrRateLimited. Default DefaultMaxPause, the Hub's window
	// and a minute.
	MaxPause time.Duration
	// MaxBodyBytes caps every response body. Default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Transport replaces the default pooled *http.Transport (tests).
	Transport http.RoundTripper
	// Logger receives retry and rate-limit events; nil discards them. Each
	// retry is logged at info level ("hub retry", with the error and the
	// wait), or at debug level when OnRetry reports it.
	Logger *slog.Logger
	// OnRetry, when set, is called before each wait between two attempts
	// of a call, from the goroutine making the call; it must be quick. A
	// command draws a line per retry with it on a terminal.
	OnRetry func(Retry)
	// OnPause, when set, is called once per rate-limit pause of a bucket
	// (see MaxPause) before the calls wait it out, from the goroutine of
	// the first call that waits; it must be quick. Without it the pause is
	// logged at info level ("hub rate limited"), with it at debug level.
	OnPause func(Pause)
	// Seed seeds the backoff jitter.
	Seed uint64

	clock clock // nil: the wall clock; tests set a fake one
}

func (o Options) withDefaults() Options {
	if o.Endpoint == "" {
		o.Endpoint = DefaultEndpoint
	}
	if o.Quota == (Quota{}) {
		o.Quota = DefaultQuota(o.Token != "")
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	} else if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	if o.MinWait <= 0 {
		o.MinWait = DefaultMinWait
	}
	if o.MaxWait <= 0 {
		o.MaxWait = DefaultMaxWait
	}
	o.MaxWait = max(o.MaxWait, o.MinWait)
	if o.MaxElapsed <= 0 {
		o.MaxElapsed = DefaultMaxElapsed
	}
	if o.MaxPause <= 0 {
		o.MaxPause = DefaultMaxPause
	}
	if o.clock == nil {
		o.clock = wallClock{}
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// moduleVersion is the main module's version from the build info, "dev"
// for a development build.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
	}
	return "dev"
}

// EndpointFromEnv returns HF_ENDPOINT (trailing slashes trimmed) or
// DefaultEndpoint. A command's --endpoint flag takes precedence over it.
func EndpointFromEnv() string {
	if v := strings.TrimRight(strings.TrimSpace(os.Getenv("HF_ENDPOINT")), "/"); v != "" {
		return v
	}
	return DefaultEndpoint
}

// maxTokenFile caps a token file; tokens are a few dozen bytes.
const maxTokenFile = 4 << 10

// TokenFromEnv returns the Hub token: the contents of tokenFile when it is
// not "" (a --token-file flag), else HF_TOKEN, else the legacy
// HUGGING_FACE_HUB_TOKEN, else the file named by HF_TOKEN_PATH, else ""
// (anonymous). Surrounding white space is trimmed. Errors never include the
// token.
func TokenFromEnv(tokenFile string) (string, error) {
	if tokenFile != "" {
		return readTokenFile(tokenFile)
	}
	for _, k := range []string{"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"} {
		if v := strings.TrimSpace(os.Getenv(k)); v != "" {
			if err := checkToken(v); err != nil {
				return "", fmt.Errorf("%s: %w", k, err)
			}
			return v, nil
		}
	}
	if p := strings.TrimSpace(os.Getenv("HF_TOKEN_PATH")); p != "" {
		return readTokenFile(p)
	}
	return "", nil
}

func readTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return "", fmt.Errorf("token file %s: %w", path, err)
	}
	if len(b) > maxTokenFile {
		return "", fmt.Errorf("token file %s: larger than %d bytes", path, maxTokenFile)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("token file %s: empty", path)
	}
	if err := checkToken(tok); err != nil {
		return "", fmt.Errorf("token file %s: %w", path, err)
	}
	return tok, nil
}

// checkToken rejects values that cannot be a bearer token (and would
// corrupt a header).
func checkToken(tok string) error {
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c <= ' ' || c >= 0x7f {
			return fmt.Errorf("token contains a blank, control or non-ASCII byte at offset %d", i)
		}
	}
	return nil
}
