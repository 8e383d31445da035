package transfergraph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/zoograph/zoograph/pipeline/internal/csvscan"
)

// ErrNotFound reports that a file of the experiment directory does not exist
// (a missing local file or an HTTP 404).
var ErrNotFound = errors.New("not found")

// maxBodyBytes bounds the size of one file read from a source; the largest
// published file is under 1 MiB.
var maxBodyBytes int64 = 256 << 20

// HTTP retry policy for transient failures (network errors, 429, 5xx).
var (
	httpAttempts   = 3
	httpRetryDelay = 500 * time.Millisecond
	maxRetryAfter  = 30 * time.Second
)

const userAgent = "zoograph (transfergraph importer; +https://github.com/zoograph/zoograph)"

// source reads the files of one experiment directory by their names
// relative to it ("records.csv", "result_analysis/p@1_correlation.csv").
type source interface {
	// read returns the whole file. A missing file is an error that wraps
	// ErrNotFound. Errors name the path or URL.
	read(ctx context.Context, name string) ([]byte, error)
	// location names a file for messages: a path or a URL.
	location(name string) string
}

// newSource returns the source for src: an http(s) base URL or a local
// directory.
func newSource(src string, client *http.Client) (source, error) {
	if src == "" {
		return nil, errors.New("no source: want a directory or an http(s) URL")
	}
	if i := strings.Index(src, "://"); i > 0 {
		u, err := url.Parse(src)
		if err == nil && u.User != nil || err != nil && strings.Contains(src, "@") {
			// Never quoted: the URL is recorded in the zoo's provenance
			// and printed, and user info may be a password or a token.
			return nil, errors.New("source URL must not carry credentials (user info before the host): serve the files without them, or import a local copy")
		}
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", src, err)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return nil, fmt.Errorf("source %q: unsupported scheme %q (want a directory, http or https)", src, u.Scheme)
		}
		if u.Host == "" {
			return nil, fmt.Errorf("source %q: URL has no host", src)
		}
		if client == nil {
			client = defaultClient()
		}
		return &httpSource{base: u, client: client}, nil
	}
	info, err := os.Stat(src)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("source directory %s: %w", src, ErrNotFound)
		}
		return nil, fmt.Errorf("source directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("source %s is not a directory", src)
	}
	return dirSource(src), nil
}

// dirSource reads files from a local directory.
type dirSource string

func (d dirSource) location(name string) string {
	return filepath.Join(string(d), filepath.FromSlash(name))
}

func (d dirSource) read(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := csvscan.ReadFile(d.location(name), maxBodyBytes, "a file of the benchmark")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return data, err
}

// httpSource reads files below a base URL.
type httpSource struct {
	base   *url.URL
	client *http.Client
}

func defaultClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = 15 * time.Second
	tr.ResponseHeaderTimeout = 60 * time.Second
	tr.MaxIdleConnsPerHost = 4
	return &http.Client{Transport: tr, Timeout: 5 * time.Minute}
}

func (h *httpSource) location(name string) string {
	return h.base.JoinPath(strings.Split(name, "/")...).String()
}

// statusError is an HTTP response other than 200.
type statusError struct {
	url        string
	code       int
	retryAfter time.Duration
}

func (e *statusError) Error() string {
	return fmt.Sprintf("GET %s: %d %s", e.url, e.code, http.StatusText(e.code))
}

func (e *statusError) Is(target error) bool {
	return target == ErrNotFound && (e.code == http.StatusNotFound || e.code == http.StatusGone)
}

func (e *statusError) transient() bool {
	return e.code == http.StatusTooManyRequests || e.code >= 500
}

// read fetches one file, retrying transient failures with backoff.
func (h *httpSource) read(ctx context.Context, name string) ([]byte, error) {
	u := h.location(name)
	delay := httpRetryDelay
	for attempt := 1; ; attempt++ {
		data, err := h.get(ctx, u)
		if err == nil {
			return data, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("GET %s: %w", u, ctx.Err())
		}
		wait, retry := delay, false
		var se *statusError
		switch {
		case errors.As(err, &se):
			retry = se.transient()
			if se.retryAfter > wait {
				wait = min(se.retryAfter, maxRetryAfter)
			}
		case errors.Is(err, errTooLarge):
		default: // network error
			retry = true
		}
		if !retry || attempt >= httpAttempts {
			return nil, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("GET %s: %w", u, ctx.Err())
		case <-t.C:
		}
		delay *= 2
	}
}

var errTooLarge = errors.New("body too large")

func (h *httpSource) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, err // *url.Error names the method and URL
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		se := &statusError{url: u, code: resp.StatusCode}
		if s := resp.Header.Get("Retry-After"); s != "" {
			if n, err := strconv.Atoi(s); err == nil && n >= 0 {
				se.retryAfter = time.Duration(n) * time.Second
			}
		}
		return nil, se
	}
	if resp.ContentLength > maxBodyBytes {
		return nil, fmt.Errorf("GET %s: %w: Content-Length %d exceeds %d bytes", u, errTooLarge, resp.ContentLength, maxBodyBytes)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading body: %w", u, err)
	}
	if int64(len(data)) > maxBodyBytes {
		return nil, fmt.Errorf("GET %s: %w: more than %d bytes", u, errTooLarge, maxBodyBytes)
	}
	return data, nil
}

// discard is the logger used when Options.Logger is nil.
func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
