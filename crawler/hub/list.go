package hub

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// MaxPageSize is the largest page the Hub serves; a larger Limit is
// lowered to it.
const MaxPageSize = 1000

// ListOptions select and shape a listing. The zero value
// lists everything with the Hub's default fields, page size and order.
type ListOptions struct {
	Search string   // substring of the repo id
	Author string   // exact owner
	Filter []string // tags, AND-ed; sent as repeated filter=
	// Sort is a camelCase key: downloads, likes, lastModified, createdAt,
	// trendingScore, ... The Hub orders descending, ties by _id ascending,
	// missing values last.
	Sort string
	// Limit is the page size (0: the Hub's default; at most MaxPageSize).
	Limit int
	// Expand returns only _id, id and these keys (e.g. DefaultModelExpand);
	// without it items have the Hub's default keys. An unknown key is a
	// 400 (ErrBadRequest). (The Hub's full, cardData and config parameters
	// are older spellings of expand sets.)
	Expand []string
}

// snakeSortKeys are sort keys the Hub silently ignores or rejects in
// snake_case (PR #2655); refuse them before a crawl sorts wrongly.
var snakeSortKeys = map[string]string{
	"created_at": "createdAt", "last_modified": "lastModified",
	"trending_score": "trendingScore", "downloads_all_time": "downloadsAllTime",
}

func (o ListOptions) query() (string, error) {
	if camel, ok := snakeSortKeys[o.Sort]; ok {
		return "", fmt.Errorf("%w: sort %q: the Hub wants camelCase (%q)", ErrInvalidOptions, o.Sort, camel)
	}
	if o.Limit < 0 {
		return "", fmt.Errorf("%w: negative limit %d", ErrInvalidOptions, o.Limit)
	}
	var q strings.Builder
	add := func(key, val string) {
		if q.Len() > 0 {
			q.WriteByte('&')
		}
		q.WriteString(key)
		q.WriteByte('=')
		q.WriteString(url.QueryEscape(val))
	}
	if o.Search != "" {
		add("search", o.Search)
	}
	if o.Author != "" {
		add("author", o.Author)
	}
	for _, f := range o.Filter {
		add("filter", f)
	}
	if o.Sort != "" {
		add("sort", o.Sort)
	}
	if o.Limit > 0 {
		add("limit", strconv.Itoa(min(o.Limit, MaxPageSize)))
	}
	for _, e := range o.Expand {
		add("expand", e)
	}
	return q.String(), nil
}

// kind is a repository type.
type kind int

const (
	kindModel kind = iota
	kindDataset
)

func (k kind) apiPath() string {
	if k == kindDataset {
		return "/api/datasets"
	}
	return "/api/models"
}

// Page is one page of a listing.
type Page struct {
	Models   []ModelInfo   // set by a models Pager
	Datasets []DatasetInfo // set by a datasets Pager
	// NextURL is the cursor: the URL of the following page ("" after the
	// last page). Persist it after the page's items are safely stored and
	// pass it to ResumeModels / ResumeDatasets to continue after a crash.
	NextURL string
}

// Pager walks a listing page by page, following the Hub's Link rel="next"
// cursor verbatim except that scheme and host are rewritten to the
// endpoint (the Hub hard-codes its own host; a cursor never leads the
// client, or its token, elsewhere). A Pager is not safe for concurrent use.
//
//	for p := c.ListModels(opt); p.More(); {
//		page, err := p.Next(ctx)
//		if err != nil { ... }          // the Pager stays where it was: Next may be retried
//		store(page.Models); checkpoint(page.NextURL)
//	}
type Pager struct {
	c    *Client
	k    kind
	next *url.URL // nil when done
	err  error    // options error, reported by Next

	prefetch bool
	ahead    chan fetched // the next page's fetch, when one is in flight

	// listed holds the URLs of the pages returned, so that cursors that
	// cycle end the listing instead of repeating it forever.
	listed map[string]bool
}

// ListModels returns a Pager over GET /api/models. Invalid options are
// reported by the first Next.
func (c *Client) ListModels(opt ListOptions) *Pager { return c.list(kindModel, opt) }

// ListDatasets returns a Pager over GET /api/datasets.
func (c *Client) ListDatasets(opt ListOptions) *Pager { return c.list(kindDataset, opt) }

// ResumeModels returns a Pager that continues a models listing at a cursor
// URL previously returned in Page.NextURL. A cursor of another listing or
// an unparsable one is reported by Next (ErrInvalidOptions).
func (c *Client) ResumeModels(nextURL string) *Pager { return c.resume(kindModel, nextURL) }

// ResumeDatasets: see ResumeModels.
func (c *Client) ResumeDatasets(nextURL string) *Pager { return c.resume(kindDataset, nextURL) }

func (c *Client) list(k kind, opt ListOptions) *Pager {
	q, err := opt.query()
	if err != nil {
		return &Pager{c: c, k: k, err: err}
	}
	return &Pager{c: c, k: k, next: c.url(k.apiPath(), q), listed: map[string]bool{}}
}

func (c *Client) resume(k kind, nextURL string) *Pager {
	u, err := c.cursorURL(k, nextURL) // u is nil on error
	return &Pager{c: c, k: k, next: u, err: err, listed: map[string]bool{}}
}

// cursorURL parses a next-page URL (from a Link header or a checkpoint),
// moves it onto the endpoint's scheme and host, and checks that it is the
// listing expected.
func (c *Client) cursorURL(k kind, s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || s == "" {
		return nil, fmt.Errorf("%w: cursor URL %q: unparsable", ErrInvalidOptions, clip(s, 200))
	}
	u.Scheme, u.Host, u.User, u.Fragment = c.base.Scheme, c.base.Host, nil, ""
	want := c.base.Path + k.apiPath()
	if u.Path != want && c.base.Path != "" && !strings.HasPrefix(u.Path, c.base.Path+"/") {
		// A Hub behind a path prefix still writes root-relative cursors.
		u.Path = c.base.Path + u.Path
		if u.RawPath != "" {
			u.RawPath = c.base.EscapedPath() + u.RawPath
		}
	}
	if u.Path != want {
		return nil, fmt.Errorf("%w: cursor URL path %q is not %q", ErrInvalidOptions, clip(u.Path, 200), want)
	}
	return u, nil
}

// More reports whether Next has a page to fetch.
func (p *Pager) More() bool { return p.err != nil || p.next != nil }

// SetPrefetch makes Next, from its next call on, request the page after
// the one it returns as soon as that one's Link header is known, so that
// the following page travels and is decoded while the caller uses this one.
// The prefetch runs under the context of the Next call that started it,
// so a caller that wants it stopped cancels that context. A prefetched
// page that is never asked for costs one request: callers that may stop
// early (a limit about to be reached, a cut-off they will only see in the
// page) turn it off first.
func (p *Pager) SetPrefetch(on bool) { p.prefetch = on }

// fetched is a decoded page and its Link header.
type fetched struct {
	page Page
	link string
	err  error
}

// Next fetches the next page. After the last page it returns io.EOF. On
// any other error the Pager stays where it was, so Next may be called
// again; an error of a prefetch is returned by the Next that wanted its
// page.
func (p *Pager) Next(ctx context.Context) (Page, error) {
	if p.err != nil {
		err := p.err
		p.err, p.next = nil, nil
		p.ahead = nil
		return Page{}, err
	}
	if p.next == nil {
		return Page{}, io.EOF
	}
	var f fetched
	if p.ahead != nil {
		select {
		case f = <-p.ahead:
			p.ahead = nil
		case <-ctx.Done():
			// The prefetch goes on; a later call may still take it.
			return Page{}, fmt.Errorf("hub: GET %s: %w", p.next.Redacted(), ctx.Err())
		}
	} else {
		f = p.fetch(ctx, p.next)
	}
	if f.err != nil {
		return Page{}, f.err
	}
	var next *url.URL
	if l := nextLink(f.link); l != "" {
		u, err := p.c.cursorURL(p.k, l)
		switch {
		case err != nil:
		case u.String() == p.next.String():
			err = fmt.Errorf("%w: rel=\"next\" names the page itself, %s", ErrInvalidOptions, u.Redacted())
		case p.listed[u.String()]:
			err = fmt.Errorf("%w: rel=\"next\" leads back to a page already listed, %s", ErrInvalidOptions, u.Redacted())
		}
		if err != nil {
			return Page{}, fmt.Errorf("hub: Link header: %w", err)
		}
		next = u
	}
	p.listed[p.next.String()] = true
	if p.prefetch && next != nil {
		ahead := make(chan fetched, 1)
		go func() { ahead <- p.fetch(ctx, next) }()
		p.ahead = ahead
	}
	p.next = next
	page := f.page
	if next != nil {
		page.NextURL = next.String()
	}
	return page, nil
}

// fetch GETs one listing page and decodes it. A body cut off is a
// transient error of the attempt, retried like any other.
func (p *Pager) fetch(ctx context.Context, u *url.URL) fetched {
	var f fetched
	cl := &call{
		url:    u,
		accept: "application/json",
		handle: func(r *response) error {
			f.link = strings.Join(r.header.Values("Link"), ",") // RFC 8288 allows several fields
			if len(f.link) > maxLinkHeader {
				return fmt.Errorf("%w: Link header of %d bytes (at most %d)", ErrDecode, len(f.link), maxLinkHeader)
			}
			var err error
			if p.k == kindDataset {
				f.page.Datasets, err = decodeList[DatasetInfo](r.body)
			} else {
				f.page.Models, err = decodeList[ModelInfo](r.body)
			}
			return err
		},
	}
	f.err = p.c.do(ctx, cl)
	return f
}

// maxLinkHeader caps the Link header of a listing page; the Hub's is a
// few hundred bytes (one cursor URL), so a larger one is no Hub answer.
const maxLinkHeader = 64 << 10

// linkItem is one item of a Link header: <target> and its parameters.
var linkItem = regexp.MustCompile(`<([^>]*)>([^<,]*)`)

// nextLink returns the target of the rel="next" item of a Link header
// (RFC 8288), or "".
func nextLink(h string) string {
	for _, m := range linkItem.FindAllStringSubmatch(h, -1) {
		for _, p := range strings.Split(m[2], ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
				continue
			}
			for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
				if strings.EqualFold(rel, "next") {
					return m[1]
				}
			}
		}
	}
	return ""
}
