package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/zoograph/zoograph/crawler"
	"github.com/zoograph/zoograph/crawler/hub"
)

const crawlDescription = `
Harvests model or dataset metadata from the Hugging Face Hub into the zoo
ZOO: the tables models (or datasets), evals (model-index results from the
API's cardData, or from READMEs with --cards) and cards (with --cards).

The crawl checkpoints as it goes; after a crash or an interrupt, run the same
command with --resume to continue where it stopped. With nothing to resume
(the crawl stopped before storing anything, or had finished), --resume warns
so and runs the crawl the command would run without it. A failing request is
retried (--retries) with growing waits, each retry reported; a Hub that
cannot be reached at all ends the crawl with exit code 1. When the Hub says
its 5-minute rate-limit window is spent, the crawl says so and waits for the
reset (Ctrl-C stops it; --resume continues); a reset longer than a window
fails the requests at once. A crawl into a zoo that already holds a complete
crawl with the same filters (that fetched READMEs and details if this one
does) is incremental: it lists repos modified since that crawl and merges
them into the tables (--full lists everything again; --since sets the
cut-off).

The endpoint is --endpoint, else HF_ENDPOINT, else https://huggingface.co.
The token is read from --token-file, else HF_TOKEN; it is never printed or
stored.`

func runCrawl(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "crawl", "models|datasets --out ZOO [flags]", crawlDescription)
	var o crawlOptions
	o.bind(fs)
	kind, err := parseCrawlArgs(fs, args)
	if err != nil {
		return err
	}
	k, err := crawler.ParseKind(kind)
	if err != nil {
		return usagef("%v", err)
	}
	sinceT, err := o.check()
	if err != nil {
		return err
	}
	if err := o.checkPaths(); err != nil {
		return err
	}
	token, err := hub.TokenFromEnv(o.tokenFile)
	if err != nil {
		return err
	}
	q, err := hub.ParseQuota(o.quota, token != "")
	if err != nil {
		return usagef("--quota: %v", err)
	}

	// A long crawl's heap stays near its live set (the merge's index and
	// one row group being encoded) instead of growing to twice that; see
	// crawlMemoryLimit. GOMEMLIMIT, when set, wins.
	if os.Getenv("GOMEMLIMIT") == "" {
		prev := debug.SetMemoryLimit(crawlMemoryLimit)
		defer debug.SetMemoryLimit(prev)
	}

	log := e.log
	if o.quiet {
		log = slog.New(minLevel{h: e.log.Handler(), min: slog.LevelWarn})
	}
	base := o.endpoint
	if base == "" {
		base = hub.EndpointFromEnv()
	}
	hopt := hub.Options{Endpoint: base, Token: token, Quota: q, Workers: o.workers + 1, Logger: log, MaxRetries: o.retries}
	if o.retries == 0 {
		hopt.MaxRetries = -1 // none
	}
	opt := crawler.DefaultOptions(k, o.out)
	if bar := o.progress(e, k, &opt, &hopt); bar != nil {
		defer bar.Exit()
	}
	client, err := hub.New(hopt)
	if err != nil {
		return err
	}
	defer client.Close()

	opt.Client = client
	opt.Filter, opt.Search, opt.Author, opt.Sort, opt.Limit = o.filters, o.search, o.author, o.sort, o.limit
	opt.Cards, opt.Details, opt.Workers = o.cards, o.details, o.workers
	opt.Resume, opt.Restart, opt.Since, opt.Full = o.resume, o.restart, sinceT, o.full
	opt.Logger = log
	opt.Command = crawlCommandLine

	sum, err := crawler.Crawl(ctx, opt)
	if sum != nil && !o.quiet {
		sum.WriteTo(e.stdout)
	}
	var unreachable *hub.UnreachableError
	switch {
	case err == nil:
	case errors.As(err, &unreachable) && ctx.Err() == nil:
		err = unreachable // "cannot reach ENDPOINT: ..."
	case errors.Is(err, crawler.ErrStateExists):
		err = fmt.Errorf("%w\nrun the same command with --resume to continue it, or with --restart to discard it", err)
	case sum != nil && sum.Pages > 0 && !sum.Committed:
		fmt.Fprintln(e.stderr, "zoograph crawl: run the same command with --resume to continue")
	}
	return err
}

// crawlSortKeys are the listing orders --sort takes: the Hub's sort keys,
// so that a misspelt one is a usage error before any request.
var crawlSortKeys = []string{"createdAt", "lastModified", "downloads", "downloadsAllTime", "likes", "trendingScore"}

// crawlOptions are the flags of crawl.
type crawlOptions struct {
	out, endpoint, tokenFile, search, author, sort, quota, since string
	filters                                                      listFlag
	limit, workers, retries                                      int
	cards, details, resume, restart, full, quiet                 bool
}

func (o *crawlOptions) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.out, "out", "", "zoo directory to create, or to merge the crawl into (required)")
	fs.StringVar(&o.endpoint, "endpoint", "", "Hub base URL (default: HF_ENDPOINT, else "+hub.DefaultEndpoint+")")
	fs.StringVar(&o.tokenFile, "token-file", "", "file holding the Hub token (default: HF_TOKEN)")
	fs.Var(&o.filters, "filter", "only repos with this tag (repeatable; all must match)")
	fs.StringVar(&o.search, "search", "", "only repos whose id contains this text")
	fs.StringVar(&o.author, "author", "", "only repos of this owner")
	fs.StringVar(&o.sort, "sort", "", "listing order: "+strings.Join(crawlSortKeys, ", ")+" (default createdAt)")
	fs.IntVar(&o.limit, "limit", 0, "stop after this many repos (0: all)")
	fs.BoolVar(&o.cards, "cards", false, "fetch every README: cards table, eval rows from the README")
	fs.BoolVar(&o.details, "details", false, "fetch every repo's detail (one API call each; slow under the quota)")
	fs.IntVar(&o.workers, "workers", crawler.DefaultWorkers, "concurrent detail and README fetches")
	fs.StringVar(&o.quota, "quota", "", `client-side pacing per 5 minutes, e.g. "api=1000,resolvers=5000", or "none" (default: the Hub's published quota)`)
	fs.IntVar(&o.retries, "retries", hub.DefaultMaxRetries, "retries of a failing request, with growing waits, before the crawl gives up")
	fs.BoolVar(&o.resume, "resume", false, "continue the interrupted crawl in ZOO (without one: a new crawl, as without --resume, and a warning saying so)")
	fs.BoolVar(&o.restart, "restart", false, "discard the interrupted crawl in ZOO and start again")
	fs.StringVar(&o.since, "since", "", "incremental: only repos modified since TIME (RFC 3339, YYYY-MM-DD, or a duration ago like 48h)")
	fs.BoolVar(&o.full, "full", false, "list everything, ignoring the previous crawl's watermark")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress output; warnings and errors only")
}

// parseCrawlArgs parses the flags and returns what to crawl, given before
// or after them.
func parseCrawlArgs(fs *flag.FlagSet, args []string) (string, error) {
	var kind string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		kind, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return "", err
	}
	if kind == "" && fs.NArg() > 0 {
		kind = fs.Arg(0)
		if fs.NArg() > 1 {
			return "", usagef("unexpected argument %q", fs.Arg(1))
		}
	} else if fs.NArg() > 0 {
		return "", usagef("unexpected argument %q", fs.Arg(0))
	}
	if kind == "" {
		return "", usagef("what to crawl: models or datasets")
	}
	return kind, nil
}

// check reports a missing or out-of-range flag, and returns the --since
// cut-off (zero without it).
func (o *crawlOptions) check() (time.Time, error) {
	switch {
	case o.out == "":
		return time.Time{}, usagef("--out is required")
	case o.limit < 0:
		return time.Time{}, usagef("--limit must not be negative")
	case o.workers <= 0:
		return time.Time{}, usagef("--workers must be positive")
	case o.retries < 0:
		return time.Time{}, usagef("--retries must not be negative")
	case o.resume && o.restart:
		return time.Time{}, usagef("--resume and --restart exclude each other")
	case o.sort != "" && !slices.Contains(crawlSortKeys, o.sort):
		return time.Time{}, usagef("--sort %q: want one of %s", o.sort, strings.Join(crawlSortKeys, ", "))
	case o.since == "":
		return time.Time{}, nil
	case o.full:
		return time.Time{}, usagef("--since and --full exclude each other")
	}
	t, err := parseSince(o.since, time.Now())
	if err != nil {
		return t, usagef("--since: %v", err)
	}
	return t, nil
}

// crawlCommandLine is the crawl's command for the zoo's provenance, built
// from what the crawl ran (on a resume, the interrupted crawl's query, not
// the flags that resumed it): the kind and the flags that shape what it
// stores — the zoo, the endpoint when it is not the Hub's, the listing's
// filters, its order when not implied, the limit, --cards, --details, the
// cut-off as --since and --full. Pacing, workers, retries, output and the
// token are left out: they change how the crawl runs, not what it finds,
// and the token is a secret.
func crawlCommandLine(o crawler.Options) string {
	parts := []string{"zoograph", "crawl", string(o.Kind), "--out", strconv.Quote(o.Out)}
	add := func(flag, value string) { // quoted when a shell would need it
		if value == "" {
			return
		}
		if strings.Trim(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/+") != "" {
			value = strconv.Quote(value)
		}
		parts = append(parts, flag, value)
	}
	if endpoint := normalEndpoint(o.Endpoint); endpoint != normalEndpoint(hub.DefaultEndpoint) {
		add("--endpoint", endpoint)
	}
	for _, f := range o.Filter {
		add("--filter", f)
	}
	add("--search", o.Search)
	add("--author", o.Author)
	implied := crawler.SortCreated // a full crawl's order; an incremental one's is lastModified
	if !o.Since.IsZero() {
		implied = crawler.SortLastModified
	}
	if o.Sort != implied {
		add("--sort", o.Sort)
	}
	if o.Limit > 0 {
		add("--limit", strconv.Itoa(o.Limit))
	}
	for _, b := range []struct {
		flag string
		on   bool
	}{{"--cards", o.Cards}, {"--details", o.Details}, {"--full", o.Full && o.Since.IsZero()}} {
		if b.on {
			parts = append(parts, b.flag)
		}
	}
	if !o.Since.IsZero() {
		add("--since", o.Since.UTC().Format(time.RFC3339))
	}
	return strings.Join(parts, " ")
}

// normalEndpoint is endpoint as the hub client reads it, so that
// https://huggingface.co/ is the Hub's; a malformed one stays as it is.
func normalEndpoint(endpoint string) string {
	if u, err := hub.ParseEndpoint(endpoint); err == nil {
		return u.String()
	}
	return endpoint
}

// checkPaths reports, as usage errors before any request, a malformed
// --endpoint (or HF_ENDPOINT, its default), a --token-file that is not a
// readable file and an --out that is no zoo to create or merge into
// (checkZooOut).
func (o *crawlOptions) checkPaths() error {
	if o.endpoint != "" {
		if _, err := hub.ParseEndpoint(o.endpoint); err != nil {
			return usagef("--endpoint %v", err)
		}
	} else if _, err := hub.ParseEndpoint(hub.EndpointFromEnv()); err != nil {
		return usagef("HF_ENDPOINT %v", err)
	}
	if o.tokenFile != "" {
		switch fi, err := os.Stat(o.tokenFile); {
		case err != nil:
			return usagef("--token-file: %v", err)
		case fi.IsDir():
			return usagef("--token-file %s: a directory, not a file", o.tokenFile)
		}
	}
	return checkZooOut(o.out) // a file, or a directory of someone else's files
}

// progress sets how the crawl reports progress: nothing with --quiet; on a
// terminal a bar (returned, for the caller to close), with a line above it
// for every retry and every rate-limit pause; elsewhere the client logs
// them and the crawl its progress.
func (o *crawlOptions) progress(e *env, k crawler.Kind, opt *crawler.Options, hopt *hub.Options) *progressbar.ProgressBar {
	switch {
	case o.quiet:
		opt.LogEvery = -1
	case e.terminal:
		bar := newCrawlBar(e, k, o.limit)
		opt.LogEvery = -1
		opt.Progress = func(p crawler.Progress) {
			bar.Describe(fmt.Sprintf("crawl %s (%s, %d pages, %d evals)", p.Kind, p.Phase, p.Pages, p.Evals))
			bar.Set64(p.Listed)
		}
		var mu sync.Mutex
		hopt.OnRetry = func(r hub.Retry) {
			mu.Lock()
			defer mu.Unlock()
			bar.Clear()
			fmt.Fprintln(e.stderr, retryLine(r))
		}
		hopt.OnPause = func(p hub.Pause) {
			mu.Lock()
			defer mu.Unlock()
			bar.Clear()
			fmt.Fprintln(e.stderr, pauseLine(p))
		}
		return bar
	}
	return nil
}

// pauseLine is the line a terminal shows when the Hub's rate-limit window
// is spent and the crawl waits for its reset.
func pauseLine(p hub.Pause) string {
	return fmt.Sprintf("Hub rate limit: the %s window is spent; waiting %s for its reset at %s (Ctrl-C stops, --resume continues)",
		p.Bucket, p.Wait.Round(time.Second), p.Until.Local().Format(time.TimeOnly))
}

// retryLine is the line a terminal shows for a retry: the request (without
// its query), why it failed and when it is tried again.
func retryLine(r hub.Retry) string {
	target := r.URL
	if u, err := url.Parse(r.URL); err == nil {
		target = u.Scheme + "://" + u.Host + u.Path
	}
	cause := r.Err
	var op *net.OpError
	var he *hub.Error
	switch {
	case errors.As(cause, &op):
		cause = op
	case errors.As(cause, &he):
		cause = fmt.Errorf("%d %s", he.Status, http.StatusText(he.Status))
	}
	return fmt.Sprintf("GET %s: %v; retry %d in %s", target, cause, r.Attempt, r.Wait.Round(100*time.Millisecond))
}

// crawlMemoryLimit is the soft memory limit of a crawl. The live heap of a
// crawl of a million models peaks near 150 MB while the merge holds its
// index and encodes the tables; with the Go default (GOGC=100) the heap
// then grows to about twice that. The limit makes the collector run
// sooner, keeping the resident set under 300 MB. It is soft: a larger live
// heap is not an error, only more collector work.
const crawlMemoryLimit = 240 << 20

// newCrawlBar draws on stderr: a bar when the limit gives a total, a
// spinner otherwise. Its goroutine lives until Exit.
func newCrawlBar(e *env, k crawler.Kind, limit int) *progressbar.ProgressBar {
	max := int64(-1)
	if limit > 0 {
		max = int64(limit)
	}
	return progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription("crawl "+string(k)),
		progressbar.OptionSetItsString(string(k)),
		progressbar.OptionShowIts(),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// parseSince accepts RFC 3339, a date (midnight UTC) or a Go duration
// meaning that long before now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.UTC(), nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time (RFC 3339 or YYYY-MM-DD) or a positive duration", s)
}

// minLevel drops records below min, for --quiet.
type minLevel struct {
	h   slog.Handler
	min slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.h.Enabled(ctx, l)
}
func (m minLevel) Handle(ctx context.Context, r slog.Record) error { return m.h.Handle(ctx, r) }
func (m minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h: m.h.WithAttrs(a), min: m.min}
}
func (m minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h: m.h.WithGroup(name), min: m.min}
}
