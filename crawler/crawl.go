package crawler

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/zoograph/zoograph/crawler/card"
	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/store"
)

// Crawl lists the Hub's models or datasets into the zoo opt.Out: the
// tables models, evals and cards (KindModels) or datasets and cards
// (KindDatasets). It checkpoints as it goes, so a crawl that was killed
// continues with opt.Resume; at the end it merges what it found into the
// zoo's tables (new rows replace old ones of the same repo) and removes its
// state. It returns when the crawl is committed, fails, or ctx is done; the
// error then wraps ctx.Err(). The Summary is non-nil whenever the crawl got
// as far as listing, also on error.
func Crawl(ctx context.Context, opt Options) (*Summary, error) {
	orig := opt
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	_, statErr := os.Stat(opt.Out)
	created := errors.Is(statErr, fs.ErrNotExist)
	if err := os.MkdirAll(filepath.Join(opt.Out, StateDir), 0o755); err != nil {
		return nil, fmt.Errorf("crawl: %w", err)
	}
	lock, err := lockZoo(filepath.Join(opt.Out, StateDir, lockFile))
	if err != nil {
		return nil, err
	}
	defer lock.release()

	c := &crawl{opt: opt, log: opt.Logger, client: opt.Client, dir: filepath.Join(opt.Out, StateDir, string(opt.Kind)), start: start,
		anonymous: opt.Client == nil && opt.Token == ""}
	if c.client == nil {
		endpoint := opt.Endpoint
		if endpoint == "" {
			endpoint = hub.EndpointFromEnv()
		}
		c.client, err = hub.New(hub.Options{Endpoint: endpoint, Token: opt.Token, Quota: opt.Quota, Workers: opt.Workers + 1, Logger: opt.Logger})
		if err != nil {
			return nil, fmt.Errorf("crawl: %w", err)
		}
		defer c.client.Close()
	}
	if err := c.open(orig); err != nil { // the checkpoint's endpoint is the client's
		if _, serr := os.Stat(filepath.Join(c.dir, stateFile)); errors.Is(serr, fs.ErrNotExist) {
			// No checkpoint, before or now (e.g. a zoo whose manifest does
			// not read): leave nothing behind.
			c.removeState()
			if created {
				os.Remove(opt.Out)
			}
		}
		return nil, err
	}
	c.stats0 = c.client.Stats()
	c.listed0 = c.st.Counts.Listed

	err = c.run(ctx)
	sum := c.summary(err, ctx.Err() != nil)
	if err != nil {
		if c.st.Phase == phaseListing && len(c.st.Parts) == 0 {
			// Nothing stored: nothing to resume either, and nothing left
			// behind (the directory goes too if this crawl made it).
			c.removeState()
			if created {
				os.Remove(opt.Out)
			}
		}
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return sum, err
	}
	return sum, nil
}

// crawl is one run of Crawl.
type crawl struct {
	opt       Options
	log       *slog.Logger
	client    *hub.Client
	dir       string // the crawl state directory
	st        *state
	start     time.Time
	resumed   bool
	anonymous bool // no token: skip README fetches of gated repos
	stats0    hub.Stats

	listed0 int64 // repos listed by earlier runs, for this run's rate

	// mu guards st while the listing runs: the flusher updates it, the
	// writer reads it for progress reports.
	mu      sync.Mutex
	lastLog time.Time
}

// open loads, discards or creates the checkpoint.
func (c *crawl) open(orig Options) error {
	st, err := loadState(c.dir)
	if err != nil && !c.opt.Restart {
		return err
	}
	switch {
	case st != nil && c.opt.Restart, err != nil:
		c.log.Info("crawl: discarding the interrupted crawl", "dir", c.dir)
		if err := os.RemoveAll(c.dir); err != nil {
			return fmt.Errorf("crawl: %w", err)
		}
		st = nil
	case st != nil && !c.opt.Resume && st.Phase == phaseListing && len(st.Parts) == 0:
		c.log.Info("crawl: discarding an interrupted crawl that stored nothing", "dir", c.dir)
		st = nil
	case st != nil && !c.opt.Resume:
		return fmt.Errorf("%w: %s (started %s, %d repos stored)", ErrStateExists, c.dir,
			st.StartedAt.Format(time.RFC3339), st.Counts.Repos)
	}
	if st != nil {
		orig.Endpoint = c.client.Endpoint() // as saved
		if err := checkResume(st.Query, orig); err != nil {
			return err
		}
		if err := sweepState(c.dir, st, c.repoTable()); err != nil {
			return err
		}
		c.resumed, st.Query.Endpoint = true, orig.Endpoint // a checkpoint before the field has none
		st.Runs++
		c.st = st
		c.log.Info("crawl: resuming", "kind", st.Query.Kind, "phase", st.Phase, "pages", st.Counts.Pages, "repos", st.Counts.Repos, "parts", len(st.Parts))
		return st.save(c.dir)
	}

	m, err := store.ReadManifest(c.opt.Out)
	if err != nil && !errors.Is(err, store.ErrNotZoo) {
		return err
	}
	q, err := newQuery(c.opt, m)
	if err != nil {
		return err
	}
	q.Endpoint = c.client.Endpoint()
	// Whatever is in the state directory without a checkpoint is debris.
	if err := os.RemoveAll(c.dir); err != nil {
		return fmt.Errorf("crawl: %w", err)
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return fmt.Errorf("crawl: %w", err)
	}
	c.st = &state{Format: stateFormat, ID: newCrawlID(), Query: q, StartedAt: c.opt.Now().UTC(), Phase: phaseListing, Runs: 1}
	mode := "a full crawl"
	if !q.Since.IsZero() {
		mode = "an incremental crawl of what changed since " + q.Since.Format(time.RFC3339)
		c.log.Info("crawl: incremental", "kind", q.Kind, "since", q.Since.Format(time.RFC3339))
	}
	if c.opt.Resume { // asked to continue, it runs another crawl: say which
		c.log.Warn("crawl: nothing to resume: no interrupted crawl of " + string(q.Kind) + " in " + c.opt.Out + "; running " + mode + " instead")
	}
	return c.st.save(c.dir)
}

// newQuery builds the query of a new crawl: the options, and for an
// incremental crawl the cut-off (Since, else the watermark of the zoo's
// last complete crawl with the same signature).
func newQuery(opt Options, m *store.Manifest) (query, error) {
	q := query{
		Kind: opt.Kind, Filter: opt.Filter, Search: opt.Search, Author: opt.Author,
		Sort: opt.Sort, Limit: opt.Limit, Cards: opt.Cards, Details: opt.Details,
		Expand: slices.Clone(opt.Expand), PageSize: opt.PageSize, Full: opt.Full,
	}
	since, prev := opt.Since, watermarkOf(m, q)
	if since.IsZero() && !opt.Full && (q.Sort == "" || q.Sort == SortLastModified) {
		since = prev
	}
	// What changed between the zoo's watermark and a later cut-off is not
	// listed: the crawl leaves the zoo's watermark where it was.
	q.Gap = since.After(prev)
	if !since.IsZero() {
		if q.Sort != "" && q.Sort != SortLastModified {
			return q, fmt.Errorf("crawl: an incremental crawl (since %s) lists by %s, not by %s",
				since.Format(time.RFC3339), SortLastModified, q.Sort)
		}
		q.Sort = SortLastModified
		q.Since = since.UTC()
	}
	if q.Sort == "" {
		q.Sort = SortCreated
	}
	// Deduplication (newest wins) and watermarks need lastModified.
	if !slices.Contains(q.Expand, "lastModified") {
		q.Expand = append(q.Expand, "lastModified")
	}
	return q, nil
}

// checkResume refuses to resume a crawl with query options that differ
// from the saved ones; options left at their zero value take the saved
// value.
func checkResume(saved query, o Options) error {
	var diff []string
	for _, f := range []struct {
		name    string
		differs bool
	}{
		{"kind", o.Kind != saved.Kind},
		{"filter", len(o.Filter) > 0 && !slices.Equal(o.Filter, saved.Filter)},
		{"search", o.Search != "" && o.Search != saved.Search},
		{"author", o.Author != "" && o.Author != saved.Author},
		{"sort", o.Sort != "" && o.Sort != saved.Sort},
		{"limit", o.Limit != 0 && o.Limit != saved.Limit},
		{"since", !o.Since.IsZero() && !o.Since.Equal(saved.Since)},
		{"cards", o.Cards && !saved.Cards},
		{"details", o.Details && !saved.Details},
		{"endpoint", saved.Endpoint != "" && o.Endpoint != saved.Endpoint},
		{"expand", len(o.Expand) > 0 && !slices.Equal(o.Expand, saved.Expand[:min(len(saved.Expand), len(o.Expand))])},
	} {
		if f.differs {
			diff = append(diff, f.name)
		}
	}
	if len(diff) > 0 {
		return fmt.Errorf("%w: %v (restart the crawl, or resume it without them)", ErrStateMismatch, diff)
	}
	return nil
}

func (c *crawl) repoTable() string {
	if c.opt.Kind == KindDatasets {
		return store.TableDatasets
	}
	return store.TableModels
}

// run drives the phases from wherever the checkpoint left them.
func (c *crawl) run(ctx context.Context) error {
	if c.st.Phase == phaseListing {
		if err := c.list(ctx); err != nil {
			return err
		}
	}
	if c.st.Phase == phaseCompacting {
		if err := c.commit(ctx); err != nil {
			return err
		}
	}
	// Committed: the zoo holds everything; the state can go.
	return c.removeState()
}

// removeState removes the crawl state, checkpoint first, so a crash in
// between leaves only debris a new crawl sweeps, and leaves no empty
// .crawl behind (the lock file goes with it).
func (c *crawl) removeState() error {
	if err := os.Remove(filepath.Join(c.dir, stateFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("crawl: remove crawl state: %w", err)
	}
	if err := os.RemoveAll(c.dir); err != nil {
		return fmt.Errorf("crawl: remove crawl state: %w", err)
	}
	parent := filepath.Join(c.opt.Out, StateDir)
	if entries, err := os.ReadDir(parent); err == nil && len(entries) == 1 && entries[0].Name() == lockFile {
		os.Remove(filepath.Join(parent, lockFile))
		os.Remove(parent)
	}
	return nil
}

// pageJob is one listing page on its way to the writer: its repos are
// converted (and their details and cards fetched) by pool tasks; done is
// closed when the last task finishes.
type pageJob struct {
	no        int64
	next      string // cursor after this page
	last      bool   // no page follows
	stop      string
	crawledAt time.Time

	models   []hub.ModelInfo
	datasets []hub.DatasetInfo
	rows     []repoRows       // one per repo, converted from models or datasets
	dropped  map[string]int64 // repos left out of the page, by reason (invalid_item, invalid_id)

	pending atomic.Int64
	done    chan struct{}
}

// repoRows is what one listed repo becomes.
type repoRows struct {
	key     string         // deduplication key: the Hub's _id, else the id
	id      string         // model_id or dataset_id
	lm      time.Time      // last modified: the newest wins
	model   *store.Model   // KindModels
	dataset *store.Dataset // KindDatasets
	evals   []store.Eval
	card    *store.Card
	detail  bool
	notes   []note // skips and failures of this repo's fetches
	dead    bool   // replaced by a newer row of the same repo in the buffer
	ok      bool   // converted (false: the task was cancelled)
}

// note is one skipped or failed fetch.
type note struct {
	fail  bool
	class string
}

// list runs the listing's goroutines (the package doc's Concurrency).
func (c *crawl) list(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	var pool errgroup.Group
	pool.SetLimit(c.opt.Workers)
	// Two pages queued for the writer keep the workers busy across page
	// boundaries while bounding memory.
	jobs := make(chan *pageJob, 2)
	g.Go(func() error {
		defer close(jobs)
		return c.lister(gctx, &pool, jobs)
	})
	g.Go(func() error { return c.writer(gctx, jobs) })
	err := g.Wait()
	pool.Wait() // tasks end promptly once gctx is done
	return err
}

func (c *crawl) listOptions() hub.ListOptions {
	q := c.st.Query
	size := q.PageSize
	if q.Limit > 0 && q.Limit < size {
		size = q.Limit
	}
	return hub.ListOptions{
		Search: q.Search, Author: q.Author, Filter: q.Filter,
		Sort: q.Sort, Limit: size, Expand: q.Expand,
	}
}

// lister fetches pages in order and hands them to the writer and the pool.
func (c *crawl) lister(ctx context.Context, pool *errgroup.Group, jobs chan<- *pageJob) error {
	st := c.st
	var pager *hub.Pager
	switch {
	case st.Cursor != "" && c.opt.Kind == KindDatasets:
		pager = c.client.ResumeDatasets(st.Cursor)
	case st.Cursor != "":
		pager = c.client.ResumeModels(st.Cursor)
	case c.opt.Kind == KindDatasets:
		pager = c.client.ListDatasets(c.listOptions())
	default:
		pager = c.client.ListModels(c.listOptions())
	}
	listed, no := st.Counts.Listed, st.Counts.Pages
	q := st.Query
	size := c.listOptions().Limit
	for {
		// Fetch the page after this one while this one is decoded, unless
		// the listing may stop here: at the limit, or at an incremental
		// crawl's cut-off, which only the page shows.
		pager.SetPrefetch(q.Since.IsZero() && (q.Limit == 0 || listed+int64(size) < int64(q.Limit)))
		page, err := pager.Next(ctx)
		if errors.Is(err, io.EOF) {
			// Only when a resumed cursor was already the end.
			page, err = hub.Page{}, nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("crawl: list %s page %d: %w", c.opt.Kind, no+1, err)
		}
		no++
		job := c.newJob(no, page, &listed)
		select {
		case jobs <- job:
		case <-ctx.Done():
			return ctx.Err()
		}
		c.submit(ctx, pool, job)
		if job.last {
			return nil
		}
	}
}

// newJob cuts a page at the watermark and the limit.
func (c *crawl) newJob(no int64, page hub.Page, listed *int64) *pageJob {
	q := c.st.Query
	job := &pageJob{no: no, next: page.NextURL, crawledAt: c.opt.Now().UTC(), done: make(chan struct{})}
	keep := func(id string, lm time.Time) bool {
		if job.stop != "" {
			return false
		}
		if !q.Since.IsZero() && (lm.IsZero() || lm.Before(q.Since)) {
			job.stop = stopWatermark
			return false
		}
		if q.Limit > 0 && *listed >= int64(q.Limit) {
			job.stop = stopLimit
			return false
		}
		if id == "" {
			job.drop("invalid_item")
			return false
		}
		if err := hub.ValidateRepoID(id); err != nil {
			// Never a row: rank, or a user's script, would take the id at
			// face value.
			c.log.Warn("crawl: listing item with an invalid id left out", "error", err)
			job.drop("invalid_id")
			return false
		}
		*listed++
		return true
	}
	// Filter in place, in listing order (keep counts and cuts).
	if c.opt.Kind == KindDatasets {
		job.datasets = slices.DeleteFunc(page.Datasets, func(d hub.DatasetInfo) bool { return !keep(d.ID, d.LastModified) })
	} else {
		job.models = slices.DeleteFunc(page.Models, func(m hub.ModelInfo) bool { return !keep(m.ID, m.LastModified) })
	}
	job.rows = make([]repoRows, len(job.models)+len(job.datasets))
	if job.stop == "" && q.Limit > 0 && *listed >= int64(q.Limit) {
		job.stop = stopLimit
	}
	if job.stop == "" && page.NextURL == "" {
		job.stop = stopEnd
	}
	job.last = job.stop != ""
	return job
}

func (job *pageJob) drop(reason string) {
	if job.dropped == nil {
		job.dropped = map[string]int64{}
	}
	job.dropped[reason]++
}

// convertChunk is how many repos one pool task converts when nothing is
// fetched per repo.
const convertChunk = 256

// submit queues the page's tasks on the pool. Every task counts down
// job.pending, also when ctx is done, so the writer never waits forever.
func (c *crawl) submit(ctx context.Context, pool *errgroup.Group, job *pageJob) {
	n := len(job.rows)
	perRepo := c.st.Query.Cards || c.st.Query.Details
	tasks := n
	if !perRepo {
		tasks = (n + convertChunk - 1) / convertChunk
	}
	if tasks == 0 {
		close(job.done)
		return
	}
	job.pending.Store(int64(tasks))
	finish := func() {
		if job.pending.Add(-1) == 0 {
			close(job.done)
		}
	}
	for t := 0; t < tasks; t++ {
		lo, hi := t, t+1
		if !perRepo {
			lo, hi = t*convertChunk, min(n, (t+1)*convertChunk)
		}
		pool.Go(func() error {
			defer finish()
			for i := lo; i < hi; i++ {
				if ctx.Err() != nil {
					return nil
				}
				c.repo(ctx, job, i)
			}
			return nil
		})
	}
}

// repo converts repo i of job, fetching its detail and card as configured.
// Failures are noted on the repo, never returned: one bad repo does not
// stop a crawl.
func (c *crawl) repo(ctx context.Context, job *pageJob, i int) {
	r := &job.rows[i]
	if c.opt.Kind == KindDatasets {
		c.dataset(ctx, job, r, &job.datasets[i])
		job.datasets[i] = hub.DatasetInfo{} // free the API shape early
	} else {
		c.model(ctx, job, r, &job.models[i])
		job.models[i] = hub.ModelInfo{}
	}
	r.ok = ctx.Err() == nil
}

func (c *crawl) model(ctx context.Context, job *pageJob, r *repoRows, m *hub.ModelInfo) {
	q := c.st.Query
	if q.Details {
		// baseModels is detail-only: a listing's expand never has it.
		d, err := c.client.Model(ctx, m.ID, hub.DetailOptions{Expand: append(slices.Clone(q.Expand), "baseModels")})
		if err == nil {
			m = d
			r.detail = true
		} else {
			c.noteErr(r, "detail", m.ID, err)
		}
	}
	meta, _ := card.FromCardData(m.CardData) // fails only on Go types JSON never decodes to
	source := EvalSourceCardData
	if q.Cards {
		if md := c.readme(ctx, job, r, "model", &m.RepoInfo); md != nil {
			meta, source = md, EvalSourceCard
		}
	}
	c.noteShape(r, m.ID, meta)
	row := ModelRow(m, meta, job.crawledAt)
	r.model = &row
	r.evals = EvalRows(m.ID, meta.ModelIndex, source)
	r.id, r.lm, r.key = m.ID, r.model.LastModified, dedupeKey(m.OID, m.ID)
}

func (c *crawl) dataset(ctx context.Context, job *pageJob, r *repoRows, d *hub.DatasetInfo) {
	q := c.st.Query
	if q.Details {
		dd, err := c.client.Dataset(ctx, d.ID, hub.DetailOptions{Expand: q.Expand})
		if err == nil {
			d = dd
			r.detail = true
		} else {
			c.noteErr(r, "detail", d.ID, err)
		}
	}
	var meta *card.Metadata
	if q.Cards {
		meta = c.readme(ctx, job, r, "dataset", &d.RepoInfo)
	}
	if meta == nil && d.CardData != nil {
		meta, _ = card.FromCardData(d.CardData)
	}
	c.noteShape(r, d.ID, meta)
	row := DatasetRow(d, meta, job.crawledAt)
	r.dataset = &row
	r.id, r.lm, r.key = d.ID, r.dataset.LastModified, dedupeKey(d.OID, d.ID)
}

// noteShape notes card metadata left out for its shape (a model-index
// that is a mapping, a result without a task, ...), with the reasons.
func (c *crawl) noteShape(r *repoRows, id string, md *card.Metadata) {
	if md != nil && len(md.Warnings) > 0 {
		r.notes = append(r.notes, note{class: "card_odd_shape"})
		c.log.Debug("crawl: card metadata left out", "repo", id, "reasons", md.Warnings)
	}
}

// readme fetches the README of repo (of repoType "model" or "dataset")
// into r's card row and returns its metadata: nil when it was not fetched
// (noted on r) or its front matter is invalid.
func (c *crawl) readme(ctx context.Context, job *pageJob, r *repoRows, repoType string, repo *hub.RepoInfo) *card.Metadata {
	if cls := c.cardSkip(repo); cls != "" {
		r.notes = append(r.notes, note{class: cls})
		return nil
	}
	fetch := c.client.ModelCard
	if repoType == "dataset" {
		fetch = c.client.DatasetCard
	}
	cd, err := fetch(ctx, repo.ID)
	if err != nil {
		c.noteErr(r, "card", repo.ID, err)
		if errors.Is(err, hub.ErrEntryNotFound) {
			// No README now: a row without a fetch time takes the zoo's card
			// in the merge (mergeSpec) and is not stored.
			r.card = &store.Card{RepoType: repoType, RepoID: repo.ID}
		}
		return nil
	}
	row := CardRow(repoType, cd, job.crawledAt)
	row.RepoID = repo.ID // the row belongs to the repo listed
	r.card = &row
	md, err := card.Parse(cd.Text, card.DefaultOptions())
	if err != nil {
		r.notes = append(r.notes, note{fail: true, class: "card_invalid"})
		c.log.Debug("crawl: card front matter", "repo", repo.ID, "error", err)
		return nil
	}
	return md
}

// cardSkip says why a repo's README is not fetched, or "".
func (c *crawl) cardSkip(repo *hub.RepoInfo) string {
	switch {
	case repo.Disabled:
		return "disabled"
	case repo.Gated != hub.NotGated && c.anonymous:
		return "gated"
	case repo.Private && c.anonymous:
		return "private"
	}
	return ""
}

// noteErr records a failed fetch of one repo.
func (c *crawl) noteErr(r *repoRows, what, id string, err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	skip, class := classify(err)
	r.notes = append(r.notes, note{fail: !skip, class: class})
	if !skip {
		c.log.Debug("crawl: fetch failed", "what", what, "repo", id, "class", class, "error", err)
	}
}

// fetchClasses name the per-repo fetch errors for the summary, first match
// first; skip marks answers that are a fact about the repo rather than a
// failure (no README, gated, disabled).
var fetchClasses = []struct {
	err   error
	skip  bool
	class string
}{
	{hub.ErrEntryNotFound, true, "no_readme"},
	{hub.ErrGated, true, "gated"},
	{hub.ErrDisabled, true, "disabled"},
	{hub.ErrRevisionNotFound, true, "no_revision"},
	{hub.ErrNotFound, false, "not_found"},
	{hub.ErrUnauthorized, false, "unauthorized"},
	{hub.ErrForbidden, false, "forbidden"},
	{hub.ErrRateLimited, false, "rate_limited"},
	{hub.ErrServer, false, "server"},
	{hub.ErrDecode, false, "decode"},
	{hub.ErrBodyTooLarge, false, "too_large"},
	{hub.ErrInvalidRepoID, false, "invalid_id"},
	{hub.ErrTooManyRedirects, false, "redirects"},
}

// classify names the class of a per-repo fetch error (see fetchClasses).
func classify(err error) (skip bool, class string) {
	for _, fc := range fetchClasses {
		if errors.Is(err, fc.err) {
			return fc.skip, fc.class
		}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, fs.ErrClosed) {
		return false, "network"
	}
	return false, "other"
}

// dedupeKey is the key under which repos are deduplicated: the Hub's _id,
// stable across renames, else the id. An _id of 24 hex digits is kept as
// its 12 bytes: the merge holds a key per repo.
func dedupeKey(oid, id string) string {
	var k [13]byte
	if len(oid) == 24 {
		if _, err := hex.Decode(k[1:], []byte(oid)); err == nil {
			k[0] = 'o'
			return string(k[:])
		}
	}
	if oid != "" {
		return "O" + oid
	}
	return "i" + id
}
