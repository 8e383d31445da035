package crawler

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/zoograph/zoograph/crawler/hub"
)

// Kind is what a crawl lists: models or datasets.
type Kind string

// Kinds of crawl.
const (
	KindModels   Kind = "models"
	KindDatasets Kind = "datasets"
)

// ParseKind checks a command-line kind.
func ParseKind(s string) (Kind, error) {
	switch Kind(s) {
	case KindModels, KindDatasets:
		return Kind(s), nil
	}
	return "", fmt.Errorf("crawl: kind %q: want models or datasets", s)
}

// Sort keys the crawl uses. A full crawl lists by creation time, which never
// changes, so a long crawl neither skips nor repeats repos; an incremental
// crawl lists newest modification first and stops at the watermark.
const (
	SortCreated      = "createdAt"
	SortLastModified = "lastModified"
)

// Defaults of Options' zero values.
const (
	DefaultWorkers       = 8
	DefaultPageSize      = hub.MaxPageSize
	DefaultPartRows      = 10_000
	DefaultFlushInterval = 5 * time.Second
	DefaultLogEvery      = 10 * time.Second
	// DefaultWatermarkSkew is subtracted from a crawl's start time when it
	// bounds the watermark, for clock skew between the Hub and this host.
	DefaultWatermarkSkew = 10 * time.Minute
)

// Options configure a crawl. Out and Kind are required; the zero value of
// every other field is usable (see DefaultOptions).
type Options struct {
	// Kind is what to list: KindModels (tables models, evals, cards) or
	// KindDatasets (tables datasets, cards).
	Kind Kind
	// Out is the zoo directory; it is created when missing. The crawl
	// state lives in Out/.crawl/KIND until the crawl is committed.
	Out string

	// Client talks to the Hub. When nil, Crawl makes one from Endpoint,
	// Token and Quota, sized for Workers, and closes it at the end.
	Client *hub.Client
	// Endpoint is the Hub's base URL when Client is nil; "" means
	// hub.EndpointFromEnv().
	Endpoint string
	// Token authenticates when Client is nil. It is only ever handed to the
	// hub client: never logged, stored or written into the zoo.
	Token string
	// Quota paces requests when Client is nil (zero: the Hub's defaults).
	Quota hub.Quota

	// Query: which repos to list. On --resume the saved query is used; a
	// non-zero field that differs from it is an error (ErrStateMismatch).
	Filter []string // tags, AND-ed
	Search string   // substring of the repo id
	Author string   // exact owner
	// Sort is the listing order; "" means SortCreated for a full crawl and
	// SortLastModified (required) for an incremental one.
	Sort string
	// Limit stops the crawl after this many repos; 0 means no limit.
	Limit int

	// Cards fetches every repo's README.md: cards table rows, and for models
	// eval rows from the README's model-index (source "card") in place of
	// those from the API's cardData (source "card_data").
	Cards bool
	// Details fetches every repo's detail (one API call each) for keys a
	// listing lacks, such as baseModels; slow under the API quota.
	Details bool
	// Expand overrides the listing's expand keys (default: DefaultExpand).
	Expand []string

	// Resume continues the interrupted crawl of Kind in Out (without one, it
	// warns and runs a new crawl). Without Resume or Restart, an
	// interrupted crawl in Out is an error (ErrStateExists).
	Resume bool
	// Restart discards an interrupted crawl of Kind in Out.
	Restart bool
	// Since makes the crawl incremental: repos last modified before Since
	// are not listed. When zero, the watermark of the zoo's previous
	// complete crawl with the same query is used, unless Full.
	Since time.Time
	// Full ignores the previous crawl's watermark and lists everything.
	Full bool

	// Workers bounds concurrent detail and card fetches and row
	// conversion. Default DefaultWorkers.
	Workers int
	// PageSize is the listing page size. Default DefaultPageSize.
	PageSize int
	// PartRows and FlushInterval decide when buffered rows are written as
	// a part file and the checkpoint advances: after PartRows repos or
	// FlushInterval, whichever comes first.
	PartRows      int
	FlushInterval time.Duration

	// Logger receives progress and warnings; nil discards them. The token
	// never reaches it.
	Logger *slog.Logger
	// Progress, when set, is called from the writer goroutine as pages
	// arrive and after each durable write; it must be quick. The cmd draws
	// a progress bar with it.
	Progress func(Progress)
	// LogEvery is the interval of the periodic "crawl progress" log line;
	// 0 means DefaultLogEvery, negative disables it (use it with Progress).
	LogEvery time.Duration
	// WatermarkSkew: see DefaultWatermarkSkew. Negative means none.
	WatermarkSkew time.Duration

	// Command renders the provenance's command line from the crawl's actual
	// query (on a resume, the checkpoint's), Out, Full and the client's
	// endpoint, never the token; nil records "zoograph crawl KIND".
	Command func(Options) string
	// Now returns the current time (for crawled_at); nil means time.Now.
	Now func() time.Time
}

// DefaultOptions returns the defaults for kind and out directory.
func DefaultOptions(kind Kind, out string) Options {
	return Options{
		Kind:          kind,
		Out:           out,
		Workers:       DefaultWorkers,
		PageSize:      DefaultPageSize,
		PartRows:      DefaultPartRows,
		FlushInterval: DefaultFlushInterval,
		LogEvery:      DefaultLogEvery,
		WatermarkSkew: DefaultWatermarkSkew,
	}
}

// DefaultExpand returns the expand keys a crawl of kind lists with: the
// hub client's defaults plus cardData, from which license, languages,
// lineage, training datasets and eval rows come (also for gated repos, whose
// README cannot be fetched).
func DefaultExpand(kind Kind) []string {
	if kind == KindDatasets {
		return append(hub.DefaultDatasetExpand(), "cardData")
	}
	return append(hub.DefaultModelExpand(), "cardData")
}

// Errors a caller branches on.
var (
	// ErrStateExists: Out holds an interrupted crawl of this kind and
	// neither Resume nor Restart was given.
	ErrStateExists = errors.New("crawl: an interrupted crawl exists (resume or restart it)")
	// ErrStateMismatch: Resume with query options that differ from the
	// interrupted crawl's.
	ErrStateMismatch = errors.New("crawl: options differ from the interrupted crawl's")
	// ErrLocked: another crawl holds the zoo.
	ErrLocked = errors.New("crawl: another crawl is writing this zoo")
)

func (o Options) withDefaults() (Options, error) {
	d := DefaultOptions(o.Kind, o.Out)
	if _, err := ParseKind(string(o.Kind)); err != nil {
		return o, err
	}
	if o.Out == "" {
		return o, errors.New("crawl: no output zoo directory")
	}
	if o.Limit < 0 {
		return o, fmt.Errorf("crawl: negative limit %d", o.Limit)
	}
	if o.Resume && o.Restart {
		return o, errors.New("crawl: resume and restart exclude each other")
	}
	if o.Workers <= 0 {
		o.Workers = d.Workers
	}
	if o.PageSize <= 0 || o.PageSize > hub.MaxPageSize {
		o.PageSize = d.PageSize
	}
	if o.PartRows <= 0 {
		o.PartRows = d.PartRows
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = d.FlushInterval
	}
	if o.LogEvery == 0 {
		o.LogEvery = d.LogEvery
	}
	if o.WatermarkSkew == 0 {
		o.WatermarkSkew = d.WatermarkSkew
	} else if o.WatermarkSkew < 0 {
		o.WatermarkSkew = 0
	}
	if len(o.Expand) == 0 {
		o.Expand = DefaultExpand(o.Kind)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Filter = slices.Clone(o.Filter)
	return o, nil
}
