package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/zoograph/zoograph/crawler"
	"github.com/zoograph/zoograph/crawler/hub"
)

func runCrawl(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "crawl", "models|datasets --out ZOO [flags]", `
Harvests model or dataset metadata from the Hugging Face Hub into the zoo
ZOO: the tables models (or datasets), evals (model-index results from the
API's cardData, or from READMEs with --cards) and cards (with --cards).

The crawl checkpoints as it goes; after a crash or an interrupt, run the same
command with --resume to continue where it stopped. A failing request is
retried (--retries) with growing waits, each retry reported; a Hub that
cannot be reached at all ends the crawl with exit code 1. A crawl into a zoo that
already holds a complete crawl with the same filters is incremental: it lists
repos modified since that crawl and merges them into the tables (--full lists
everything again; --since sets the cut-off).

The endpoint is --endpoint, else HF_ENDPOINT, else https://huggingface.co.
The token is read from --token-file, else HF_TOKEN; it is never printed or
stored.`)
	out := fs.String("out", "", "zoo directory to write (required)")
	endpoint := fs.String("endpoint", "", "Hub base URL (default: HF_ENDPOINT, else "+hub.DefaultEndpoint+")")
	tokenFile := fs.String("token-file", "", "file holding the Hub token (default: HF_TOKEN)")
	var filters listFlag
	fs.Var(&filters, "filter", "only repos with this tag (repeatable; all must match)")
	search := fs.String("search", "", "only repos whose id contains this text")
	author := fs.String("author", "", "only repos of this owner")
	sort := fs.String("sort", "", "listing order: createdAt (default), lastModified, downloads, likes, trendingScore")
	limit := fs.Int("limit", 0, "stop after this many repos (0: all)")
	cards := fs.Bool("cards", false, "fetch every README: cards table, eval rows from the README")
	details := fs.Bool("details", false, "fetch every repo's detail (one API call each; slow under the quota)")
	workers := fs.Int("workers", crawler.DefaultWorkers, "concurrent detail and README fetches")
	quota := fs.String("quota", "", `client-side pacing per 5 minutes, e.g. "api=1000,resolvers=5000", or "none" (default: the Hub's published quota)`)
	retries := fs.Int("retries", hub.DefaultMaxRetries, "retries of a failing request, with growing waits, before the crawl gives up")
	resume := fs.Bool("resume", false, "continue the interrupted crawl in ZOO")
	restart := fs.Bool("restart", false, "discard the interrupted crawl in ZOO and start again")
	since := fs.String("since", "", "incremental: only repos modified since TIME (RFC 3339, YYYY-MM-DD, or a duration ago like 48h)")
	full := fs.Bool("full", false, "list everything, ignoring the previous crawl's watermark")
	quiet := fs.Bool("quiet", false, "no progress output; warnings and errors only")

	var kind string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		kind, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if kind == "" && fs.NArg() > 0 {
		kind = fs.Arg(0)
		if fs.NArg() > 1 {
			return usagef("unexpected argument %q", fs.Arg(1))
		}
	} else if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if kind == "" {
		return usagef("what to crawl: models or datasets")
	}
	k, err := crawler.ParseKind(kind)
	if err != nil {
		return usagef("%v", err)
	}
	if *out == "" {
		return usagef("--out is required")
	}
	if *limit < 0 {
		return usagef("--limit must not be negative")
	}
	if *workers <= 0 {
		return usagef("--workers must be positive")
	}
	if *retries < 0 {
		return usagef("--retries must not be negative")
	}
	if *resume && *restart {
		return usagef("--resume and --restart exclude each other")
	}
	var sinceT time.Time
	if *since != "" {
		if *full {
			return usagef("--since and --full exclude each other")
		}
		if sinceT, err = parseSince(*since, time.Now()); err != nil {
			return usagef("--since: %v", err)
		}
	}
	base := *endpoint
	if base == "" {
		base = hub.EndpointFromEnv()
	}
	token, err := hub.TokenFromEnv(*tokenFile)
	if err != nil {
		return err
	}
	q, err := hub.ParseQuota(*quota, token != "")
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
	if *quiet {
		log = slog.New(minLevel{h: e.log.Handler(), min: slog.LevelWarn})
	}
	hopt := hub.Options{Endpoint: base, Token: token, Quota: q, Workers: *workers + 1, Logger: log, MaxRetries: *retries}
	if *retries == 0 {
		hopt.MaxRetries = -1 // none
	}
	opt := crawler.DefaultOptions(k, *out)
	switch {
	case *quiet:
		opt.LogEvery = -1
	case e.terminal:
		// A bar, and a line above it for every retry; elsewhere the
		// client logs each retry and the crawl logs its progress.
		bar := newCrawlBar(e, k, *limit)
		defer bar.Exit()
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
	}
	client, err := hub.New(hopt)
	if err != nil {
		return err
	}
	defer client.Close()

	opt.Client = client
	opt.Filter, opt.Search, opt.Author, opt.Sort, opt.Limit = filters, *search, *author, *sort, *limit
	opt.Cards, opt.Details, opt.Workers = *cards, *details, *workers
	opt.Resume, opt.Restart, opt.Since, opt.Full = *resume, *restart, sinceT, *full
	opt.Logger = log
	opt.Command = "zoograph crawl " + string(k)

	sum, err := crawler.Crawl(ctx, opt)
	if sum != nil && !*quiet {
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
