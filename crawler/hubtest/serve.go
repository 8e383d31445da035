package hubtest

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// request is the per-request state the handlers share.
type request struct {
	route    string
	authed   bool
	ident    string // quota identity
	truncate bool   // fault: cut the body off
}

// recorder captures the status for the counters.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// ServeHTTP answers one request of the Hub API.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt := parseRoute(r.URL.EscapedPath())
	rec := &recorder{ResponseWriter: w}
	st := &request{route: rt.name}
	defer func() {
		h.note(func(s *Stats) { s.Requests[RouteStatus{st.route, rec.status}]++ })
	}()

	hd := w.Header()
	hd.Set("X-Request-Id", h.requestID())

	if r.Method != http.MethodGet {
		hd.Set("Allow", "GET")
		writeError(rec, http.StatusMethodNotAllowed, "", "Method not allowed")
		return
	}
	if h.opt.Latency > 0 {
		t := time.NewTimer(h.opt.Latency)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	if h.injectFault(rec, st) {
		return
	}

	switch auth := r.Header.Get("Authorization"); {
	case auth == "":
		st.ident = remoteIP(r)
	case h.opt.Token != "" && auth == "Bearer "+h.opt.Token:
		st.authed, st.ident = true, "token"
	default:
		writeError(rec, http.StatusUnauthorized, "", "Invalid credentials in Authorization header")
		return
	}

	if rt.bucket != "" && !h.admit(rec, st, rt.bucket) {
		return
	}

	switch _, op, _ := strings.Cut(rt.name, "."); {
	case op == "list":
		h.list(rec, r, st, rt.kind)
	case op == "detail":
		h.detail(rec, r, st, rt.kind, rt)
	case op == "resolve", rt.name == "resolve-cache":
		h.resolve(rec, r, st, rt.kind, rt)
	default:
		writeError(rec, http.StatusNotFound, "", "Sorry, we can't find the page you are looking for.")
	}
}

// route is a parsed request path.
type route struct {
	name   string
	bucket string // "api", "resolvers" or "" (not rate limited)
	kind   repoKind
	id     string
	rev    string // unescaped
	file   string
	// rest is the escaped path after the id of a resolve (e.g.
	// "/resolve/main/README.md"), kept for rename redirects.
	rest string
}

// parseRoute maps an escaped path to a route. Path segments are
// unescaped one by one, so a revision like refs%2Fpr%2F5 stays one segment.
// A detail is served at the current head only (the crawler asks for no
// other revision).
func parseRoute(p string) route {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	// un unescapes segments and joins them with slashes.
	un := func(segs ...string) string {
		out := make([]string, len(segs))
		for i, s := range segs {
			v, err := url.PathUnescape(s)
			if err != nil {
				v = "\x00" // never a valid id or revision
			}
			out[i] = v
		}
		return strings.Join(out, "/")
	}
	switch {
	case len(segs) >= 2 && segs[0] == "api" && (segs[1] == "models" || segs[1] == "datasets"):
		k := kindModel
		if segs[1] == "datasets" {
			k = kindDataset
		}
		if len(segs) == 2 {
			return route{name: k.plural() + ".list", bucket: "api", kind: k}
		}
		if len(segs) > 4 {
			return route{name: "unknown", bucket: "api"}
		}
		return route{name: k.plural() + ".detail", bucket: "api", kind: k, id: un(segs[2:]...)}
	case len(segs) >= 6 && segs[0] == "api" && segs[1] == "resolve-cache":
		// /api/resolve-cache/{models|datasets}/{id...}/{commit}/{file}
		k := kindModel
		if segs[2] == "datasets" {
			k = kindDataset
		}
		rest := segs[3:]
		n := len(rest)
		if n < 3 || n > 4 {
			return route{name: "unknown", bucket: "api"}
		}
		return route{name: "resolve-cache", bucket: "resolvers", kind: k, id: un(rest[:n-2]...),
			rev: un(rest[n-2]), file: un(rest[n-1])}
	case len(segs) >= 1 && segs[0] == "api":
		return route{name: "unknown", bucket: "api"}
	}
	// /{id}/resolve/{rev}/{file} and /datasets/{id}/resolve/{rev}/{file}
	k := kindModel
	if segs[0] == "datasets" {
		k = kindDataset
		segs = segs[1:]
	}
	for i, s := range segs {
		if s == "resolve" && i >= 1 && i <= 2 && len(segs) >= i+3 {
			return route{name: k.plural() + ".resolve", bucket: "resolvers", kind: k,
				id: un(segs[:i]...), rev: un(segs[i+1]), file: un(segs[i+2:]...),
				rest: "/" + strings.Join(segs[i:], "/")}
		}
	}
	return route{name: "unknown"}
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// requestID is an X-Request-Id in the Hub's (AWS trace id) form.
func (h *Hub) requestID() string {
	return fmt.Sprintf("Root=1-%08x-%024x", uint32(time.Now().Unix()), h.reqSeq.Add(1))
}

// injectFault draws the request's fault. It reports whether the request
// was answered (or dropped) by it.
func (h *Hub) injectFault(w *recorder, st *request) bool {
	f := h.opt.Faults
	if f.ServerError <= 0 && f.Reset <= 0 && f.Truncate <= 0 {
		return false
	}
	h.rngMu.Lock()
	reset := h.rng.Float64() < f.Reset
	serverErr := h.rng.Float64() < f.ServerError
	code := []int{500, 502, 503, 504}[h.rng.IntN(4)]
	st.truncate = h.rng.Float64() < f.Truncate
	h.rngMu.Unlock()
	switch {
	case reset:
		// Counted before the reset: the client may read the stats as
		// soon as its connection drops.
		if resetConn(w, func() { h.note(func(s *Stats) { s.Resets++ }) }) {
			return true
		}
		serverErr, code = true, http.StatusBadGateway
	}
	if serverErr {
		h.note(func(s *Stats) { s.ServerErrors++ })
		writeError(w, code, "", http.StatusText(code))
		return true
	}
	return false
}

// resetConn drops the connection with a TCP reset, calling taken once the
// connection is taken over and before it drops. It reports whether it did.
func resetConn(w http.ResponseWriter, taken func()) bool {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return false // HTTP/2: the connection cannot be taken over
	}
	taken()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	return conn.Close() == nil
}

// writeBody writes a 200 body of content type ctype, or half of it when
// the truncation fault hit: under the full Content-Length, so the server
// closes the connection and the client reads an unexpected EOF.
func (h *Hub) writeBody(w *recorder, st *request, ctype string, body []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if st.truncate && len(body) > 1 {
		h.note(func(s *Stats) { s.Truncations++ })
		body = body[:len(body)/2]
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// writeError answers an error the way the Hub does: X-Error-Code,
// X-Error-Message and a JSON body {"error": message}.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	hd := w.Header()
	if code != "" {
		hd.Set("X-Error-Code", code)
	}
	if msg != "" {
		hd.Set("X-Error-Message", msg)
	}
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Del("ETag")
	body := marshal(object{"error": msg})
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// redirect answers a rename: 307, relative Location, text/plain body.
func redirect(w http.ResponseWriter, location string) {
	hd := w.Header()
	hd.Set("Location", location)
	hd.Set("Vary", "Origin, Accept")
	hd.Set("Content-Type", "text/plain; charset=utf-8")
	body := "Temporary Redirect. Redirecting to " + location
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusTemporaryRedirect)
	_, _ = w.Write([]byte(body))
}

// Error answers of the Hub.
func notFound(w http.ResponseWriter, st *request) {
	// Anonymous callers cannot tell missing from private: 401.
	status := http.StatusNotFound
	if !st.authed {
		status = http.StatusUnauthorized
	}
	writeError(w, status, "RepoNotFound", "Repository not found")
}

func gated(w http.ResponseWriter, st *request, k repoKind, id string) {
	if !st.authed {
		writeError(w, http.StatusUnauthorized, "GatedRepo",
			fmt.Sprintf("Access to %s %s is restricted. You must have access to it and be authenticated to access it. Please log in.", k, id))
		return
	}
	writeError(w, http.StatusForbidden, "GatedRepo",
		fmt.Sprintf("Access to %s %s is restricted and you are not in the authorized list. Visit https://huggingface.co/%s to ask for access.", k, id, id))
}

// --- rate limiting ---

type quotaKey struct {
	bucket string
	ident  string
}

type window struct {
	index int64
	used  int
}

// admit counts the request against its bucket's fixed window and answers
// 429 when the window is spent. Every answer in a limited bucket carries
// RateLimit and RateLimit-Policy.
func (h *Hub) admit(w http.ResponseWriter, st *request, bucket string) bool {
	q := h.opt.Quota.API
	if bucket == "resolvers" {
		q = h.opt.Quota.Resolvers
	}
	if q <= 0 {
		return true
	}
	win := h.opt.Quota.Window
	elapsed := time.Since(h.start)
	idx := int64(elapsed / win)
	reset := win - elapsed%win
	resetSec := int64((reset + time.Second - 1) / time.Second)
	winSec := int64((win + time.Second - 1) / time.Second)

	h.quotaMu.Lock()
	k := quotaKey{bucket, st.ident}
	cur := h.windows[k]
	if cur == nil || cur.index != idx {
		cur = &window{index: idx}
		h.windows[k] = cur
	}
	ok := cur.used < q
	if ok {
		cur.used++
	}
	remaining := q - cur.used
	h.quotaMu.Unlock()

	hd := w.Header()
	hd.Set("RateLimit", fmt.Sprintf(`"%s";r=%d;t=%d`, bucket, remaining, resetSec))
	hd.Set("RateLimit-Policy", fmt.Sprintf(`"fixed window";"%s";q=%d;w=%d`, bucket, q, winSec))
	if ok {
		return true
	}
	h.note(func(s *Stats) { s.RateLimited++ })
	hd.Set("Retry-After", strconv.FormatInt(resetSec, 10))
	writeError(w, http.StatusTooManyRequests, "",
		fmt.Sprintf("You have exceeded the %q rate limit (%d requests per %s). Retry after %d seconds.", bucket, q, win, resetSec))
	return false
}
