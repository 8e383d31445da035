package hub

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors. Every error a Client method returns for an HTTP status is
// an *Error whose Unwrap yields one (or two) of these, so callers branch with
// errors.Is and read details with errors.As.
var (
	// ErrNotFound: the repository, revision or file does not exist, or (for
	// an anonymous caller) is private: the Hub answers 401 RepoNotFound for
	// both, so they cannot be told apart.
	ErrNotFound = errors.New("hub: not found")
	// ErrRevisionNotFound: the revision does not exist (also ErrNotFound).
	ErrRevisionNotFound = errors.New("hub: revision not found")
	// ErrEntryNotFound: the file (e.g. README.md) does not exist at the
	// revision (also ErrNotFound).
	ErrEntryNotFound = errors.New("hub: entry not found")
	// ErrGated: the repository's files are gated and the caller has no
	// access (anonymous: 401, token without approval: 403). Metadata of a
	// gated repository is public; only /resolve/ is refused.
	ErrGated = errors.New("hub: gated repository")
	// ErrDisabled: the repository was disabled by the Hub (403).
	ErrDisabled = errors.New("hub: repository disabled")
	// ErrUnauthorized: the token was rejected (401 "Invalid credentials in
	// Authorization header"); the Hub refuses even public calls then.
	ErrUnauthorized = errors.New("hub: invalid credentials")
	// ErrForbidden: any other 403.
	ErrForbidden = errors.New("hub: forbidden")
	// ErrBadRequest: 400, e.g. an unknown expand key or a bad parameter.
	ErrBadRequest = errors.New("hub: bad request")
	// ErrRateLimited: 429 after the retries ran out (or a pause longer
	// than a rate-limit window, Options.MaxPause, was demanded);
	// *Error.RetryAfter says how long.
	ErrRateLimited = errors.New("hub: rate limited")
	// ErrServer: 5xx or 408 after the retry budget ran out.
	ErrServer = errors.New("hub: server error")
	// ErrUnexpectedStatus: any other status the client does not understand.
	ErrUnexpectedStatus = errors.New("hub: unexpected status")
)

// Errors that are not HTTP statuses.
var (
	// ErrInvalidRepoID: a repository id failed ValidateRepoID; nothing was sent.
	ErrInvalidRepoID = errors.New("hub: invalid repo id")
	// ErrInvalidOptions: options that cannot be sent (e.g. a snake_case
	// sort key, a negative limit, a cursor URL for another listing).
	ErrInvalidOptions = errors.New("hub: invalid options")
	// ErrInsecureToken: a token would travel over plain http to a host that
	// is not loopback. New refuses such a configuration.
	ErrInsecureToken = errors.New("hub: refusing to send a token over plain http to a non-loopback host")
	// ErrBodyTooLarge: a response body exceeded Options.MaxBodyBytes.
	ErrBodyTooLarge = errors.New("hub: response body too large")
	// ErrDecode: a 2xx response body was not the JSON the API promises.
	ErrDecode = errors.New("hub: malformed response body")
	// ErrTooManyRedirects: more than maxRedirects hops.
	ErrTooManyRedirects = errors.New("hub: too many redirects")
	// ErrUnreachable: no attempt of a call got an answer from the
	// endpoint (connection refused, unknown host, timeouts); an
	// *UnreachableError says more.
	ErrUnreachable = errors.New("hub: endpoint unreachable")
)

// UnreachableError reports a call that gave up without any answer from the
// endpoint. It unwraps to ErrUnreachable and to the last attempt's error.
type UnreachableError struct {
	Endpoint string        // the client's endpoint
	Attempts int           // attempts made
	Elapsed  time.Duration // from the first attempt to giving up
	Err      error         // the last attempt's error
}

func (e *UnreachableError) Error() string {
	cause := e.Err
	var op *net.OpError
	if errors.As(cause, &op) {
		cause = op // "dial tcp 127.0.0.1:9: connect: connection refused", without the URL
	}
	return fmt.Sprintf("cannot reach %s: %v (%d attempts in %s)", e.Endpoint, cause, e.Attempts, e.Elapsed.Round(100*time.Millisecond))
}

func (e *UnreachableError) Unwrap() []error { return []error{ErrUnreachable, e.Err} }

// Error is an HTTP error answered by the Hub (or the last one, when retries
// ran out). It unwraps to the matching sentinel.
type Error struct {
	Status     int           // HTTP status code
	Code       string        // X-Error-Code, e.g. "RepoNotFound", "GatedRepo"
	Message    string        // X-Error-Message, else the body's "error" field
	URL        string        // the request URL (never carries credentials)
	RequestID  string        // X-Request-Id, for reports to the Hub
	RetryAfter time.Duration // server-requested wait (Retry-After or RateLimit t), 0 if none
	Attempts   int           // attempts made, including the one that produced this error

	kind []error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hub: %d %s", e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.URL != "" {
		fmt.Fprintf(&b, " [GET %s]", e.URL)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Unwrap returns the sentinel(s) the status maps to, so errors.Is works.
func (e *Error) Unwrap() []error { return e.kind }

// Hub error codes and messages the client recognises; the official Python
// client (huggingface_hub) matches the same header values.
const (
	codeRepoNotFound     = "RepoNotFound"
	codeRevisionNotFound = "RevisionNotFound"
	codeEntryNotFound    = "EntryNotFound"
	codeGatedRepo        = "GatedRepo"
	msgBadCredentials    = "Invalid credentials in Authorization header"
	msgDisabled          = "Access to this resource is disabled."
)

// classify maps a status and the X-Error-* headers to sentinels, in the
// order the Python client uses: RevisionNotFound, EntryNotFound, GatedRepo,
// disabled, bad credentials, RepoNotFound (any other 401 or 404), 400, 403,
// 429, 5xx/408.
func classify(status int, code, msg string) []error {
	switch {
	case code == codeRevisionNotFound:
		return []error{ErrRevisionNotFound, ErrNotFound}
	case code == codeEntryNotFound:
		return []error{ErrEntryNotFound, ErrNotFound}
	case code == codeGatedRepo:
		return []error{ErrGated}
	case status == http.StatusForbidden && msg == msgDisabled:
		return []error{ErrDisabled}
	case status == http.StatusUnauthorized && msg == msgBadCredentials:
		return []error{ErrUnauthorized}
	case code == codeRepoNotFound, status == http.StatusUnauthorized, status == http.StatusNotFound:
		return []error{ErrNotFound}
	case status == http.StatusBadRequest:
		return []error{ErrBadRequest}
	case status == http.StatusForbidden:
		return []error{ErrForbidden}
	case status == http.StatusTooManyRequests:
		return []error{ErrRateLimited}
	case status >= 500, status == http.StatusRequestTimeout:
		return []error{ErrServer}
	default:
		return []error{ErrUnexpectedStatus}
	}
}

// transientStatus reports whether a status is worth retrying.
func transientStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}
