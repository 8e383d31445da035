package hubtest

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultPageSize is the page size of a listing without limit.
const DefaultPageSize = 1000

// maxPageSize caps limit, as the Hub does.
const maxPageSize = 1000

// Options configure a Hub. The zero value is an empty, fault-free,
// unlimited replica.
type Options struct {
	// Token is the one valid bearer token. Requests carrying any other
	// token are refused with 401, as the Hub refuses a bad token even on
	// public calls. "" means no token is valid.
	Token string
	// Zoo is served in addition to repos added with AddModel/AddDataset
	// (an added repo replaces a generated one with the same id).
	Zoo Zoo
	// PageSize is the page size when a listing has no limit (default
	// DefaultPageSize).
	PageSize int
	// Quota is enforced per client (token, else remote IP) and bucket.
	Quota Quota
	// Faults are injected at random, before anything else is checked.
	Faults Faults
	// Latency delays every response.
	Latency time.Duration
	// Seed seeds fault injection.
	Seed uint64
	// ResolveCache makes /resolve/ answer with a relative 307 to
	// /api/resolve-cache/..., which serves the file (as the Hub does for
	// small files).
	ResolveCache bool
}

// Quota is the replica's rate limit: requests per Window in the api
// bucket (/api/...) and the resolvers bucket (/resolve/ and the resolve
// cache). Zero values mean unlimited; with a quota, every response in the
// bucket carries RateLimit and RateLimit-Policy headers and requests over
// the quota get 429 with Retry-After. Windows are fixed, aligned to New;
// use whole seconds (the headers speak seconds).
type Quota struct {
	API       int
	Resolvers int
	Window    time.Duration // default 5 minutes
}

// Faults are per-request probabilities of injected failures.
type Faults struct {
	ServerError float64 // answer 500, 502, 503 or 504
	Reset       float64 // reset the connection before answering
	Truncate    float64 // cut a 200 body off halfway (Content-Length stays full)
}

// Hub is an in-process replica of the Hugging Face Hub HTTP API (see the
// package documentation). It is an http.Handler; it is safe for concurrent
// use, and its repos may be changed while it serves.
type Hub struct {
	opt   Options
	start time.Time

	mu       sync.RWMutex
	models   *collection
	datasets *collection

	rngMu sync.Mutex
	rng   *rand.Rand

	quotaMu sync.Mutex
	windows map[quotaKey]*window

	reqSeq atomic.Uint64

	statsMu sync.Mutex
	stats   Stats
}

// New returns a replica serving opt.Zoo.
func New(opt Options) *Hub {
	if opt.PageSize <= 0 {
		opt.PageSize = DefaultPageSize
	}
	opt.PageSize = min(opt.PageSize, maxPageSize)
	if opt.Quota.Window <= 0 {
		opt.Quota.Window = 5 * time.Minute
	}
	return &Hub{
		opt:      opt,
		start:    time.Now(),
		models:   newCollection(kindModel, opt.Zoo),
		datasets: newCollection(kindDataset, opt.Zoo),
		rng:      rand.New(rand.NewPCG(opt.Seed, opt.Seed^0xda942042e4dd58b5)),
		windows:  map[quotaKey]*window{},
		stats:    Stats{Requests: map[RouteStatus]int64{}},
	}
}

// Start serves h on a fresh 127.0.0.1 port. It returns the base URL and a
// function that shuts the server down.
func (h *Hub) Start() (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("hubtest: listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // returns http.ErrServerClosed on shutdown
	}()
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			_ = srv.Close()
		}
		<-done
	}
	return "http://" + ln.Addr().String(), stop, nil
}

func (h *Hub) coll(k repoKind) *collection {
	if k == kindDataset {
		return h.datasets
	}
	return h.models
}

var (
	hexOID = regexp.MustCompile(`^[0-9a-f]{24}$`)
	hexSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// AddModel adds (or replaces) a model repo. Derived fields are filled in
// (see Repo). It fails on an invalid id, _id or sha.
func (h *Hub) AddModel(r Repo) error { return h.add(kindModel, r) }

// AddDataset adds (or replaces) a dataset repo.
func (h *Hub) AddDataset(r Repo) error { return h.add(kindDataset, r) }

func (h *Hub) add(k repoKind, r Repo) error {
	if !validID(r.ID) {
		return fmt.Errorf("hubtest: invalid repo id %q", r.ID)
	}
	if r.OID != "" && !hexOID.MatchString(r.OID) {
		return fmt.Errorf("hubtest: %s: _id %q is not 24 lowercase hex digits", r.ID, r.OID)
	}
	if r.SHA != "" && !hexSHA.MatchString(r.SHA) {
		return fmt.Errorf("hubtest: %s: sha %q is not 40 lowercase hex digits", r.ID, r.SHA)
	}
	switch r.Gated {
	case "", "auto", "manual":
	default:
		return fmt.Errorf("hubtest: %s: gated must be \"\", \"auto\" or \"manual\"", r.ID)
	}
	c := r.clone()
	c.fillDerived()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.coll(k).put(c)
	return nil
}

// Rename moves model oldID to newID. Requests for oldID (and for ids that
// redirected to oldID) then answer 307 with a relative Location, for the
// API and for /resolve/. The repo keeps its _id.
func (h *Hub) Rename(oldID, newID string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.models.rename(oldID, newID)
}

// UpdateModel changes model id in place through fn (e.g. a new
// LastModified and SHA to simulate a push, Gated, Disabled). fn must not
// change the id. A SHA left unchanged is kept.
func (h *Hub) UpdateModel(id string, fn func(*Repo)) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.models.update(id, fn)
}

// DeleteModel removes model id.
func (h *Hub) DeleteModel(id string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	hd, ok := h.models.find(id)
	if !ok {
		return fmt.Errorf("hubtest: no model %q", id)
	}
	h.models.remove(hd)
	return nil
}

// Model returns a copy of model id, README included.
func (h *Hub) Model(id string) (Repo, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	hd, ok := h.models.find(id)
	if !ok {
		return Repo{}, false
	}
	return *h.models.repo(hd, partAll).clone(), true
}

// Ref identifies a repo of the replica, for checking a crawl against it.
type Ref struct {
	ID           string
	OID          string
	LastModified time.Time
	Private      bool   // listed only for the valid token
	Gated        string // "", "auto", "manual"
	Disabled     bool
}

// Models yields every model repo currently in the replica (private ones
// included; see Ref.Private), in _id order. Changes made while iterating
// may or may not be seen.
func (h *Hub) Models() iter.Seq[Ref] { return h.refs(kindModel) }

// Datasets yields every dataset repo; see Models.
func (h *Hub) Datasets() iter.Seq[Ref] { return h.refs(kindDataset) }

// NumModels is the number of model repos (private included).
func (h *Hub) NumModels() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	c := h.models
	n := c.gen - len(c.shadow)
	for _, r := range c.explicit {
		if r != nil {
			n++
		}
	}
	return n
}

func (h *Hub) refs(k repoKind) iter.Seq[Ref] {
	return func(yield func(Ref) bool) {
		h.mu.RLock()
		c := h.coll(k)
		order := c.order("")
		h.mu.RUnlock()
		for _, hd := range order {
			h.mu.RLock()
			ref, ok := h.ref(c, int(hd))
			h.mu.RUnlock()
			if ok && !yield(ref) {
				return
			}
		}
	}
}

func (h *Hub) ref(c *collection, hd int) (Ref, bool) {
	if hd >= c.gen {
		r := c.explicit[hd-c.gen]
		if r == nil {
			return Ref{}, false
		}
		return Ref{ID: r.ID, OID: r.OID, LastModified: r.LastModified, Private: r.Private, Gated: r.Gated, Disabled: r.Disabled}, true
	}
	if c.shadow[hd] {
		return Ref{}, false
	}
	m := c.zoo.meta(c.kind, hd)
	return Ref{ID: c.zoo.id(c.kind, hd), OID: m.oidHex(), LastModified: m.modified, Private: m.private, Gated: m.gated, Disabled: m.disabled}, true
}

// RouteStatus keys the request counters.
type RouteStatus struct {
	Route  string // e.g. "models.list", "models.detail", "models.resolve", "resolve-cache"
	Status int    // 0 for a reset connection
}

// Stats are the replica's counters.
type Stats struct {
	Requests     map[RouteStatus]int64
	RateLimited  int64 // 429s served
	ServerErrors int64 // injected 5xx
	Resets       int64 // injected connection resets
	Truncations  int64 // injected truncated bodies
}

// Total is the number of requests served.
func (s Stats) Total() int64 {
	var n int64
	for _, v := range s.Requests {
		n += v
	}
	return n
}

// Route sums the requests of one route, any status.
func (s Stats) Route(route string) int64 {
	var n int64
	for k, v := range s.Requests {
		if k.Route == route {
			n += v
		}
	}
	return n
}

// Stats returns a snapshot of the counters.
func (h *Hub) Stats() Stats {
	h.statsMu.Lock()
	defer h.statsMu.Unlock()
	s := h.stats
	s.Requests = maps.Clone(h.stats.Requests)
	return s
}

func (h *Hub) note(fn func(s *Stats)) {
	h.statsMu.Lock()
	fn(&h.stats)
	h.statsMu.Unlock()
}
