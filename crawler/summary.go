package crawler

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Progress is a snapshot of a running crawl, for progress bars.
type Progress struct {
	Kind  Kind
	Phase string // "listing", "compacting" or "committed"
	// Pages and Listed count what the listing returned so far; Stored,
	// Cards and Evals what is durably in parts; all are summed over the
	// runs of a resumed crawl.
	Pages, Listed, Stored, Cards, Evals int64
	Failures                            int64
	Limit                               int64 // Options.Limit; 0 when the total is unknown
	Elapsed                             time.Duration
}

// progress reports the state after a page reached the writer: pages and
// repos listed so far, and what the last checkpoint holds. Only the writer
// goroutine calls it while the listing runs.
func (c *crawl) progress(pages, listed int64) {
	p := c.progressSnapshot()
	p.Pages, p.Listed = pages, listed
	c.report(p)
}

// progressDurable reports the state of the checkpoint, outside the listing.
func (c *crawl) progressDurable() { c.report(c.progressSnapshot()) }

func (c *crawl) progressSnapshot() Progress {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.st
	p := Progress{
		Kind: c.opt.Kind, Phase: st.Phase,
		Pages: st.Counts.Pages, Listed: st.Counts.Listed, Stored: st.Counts.Repos,
		Cards: st.Counts.Cards, Evals: st.Counts.Evals,
		Limit:   int64(st.Query.Limit),
		Elapsed: time.Since(c.start),
	}
	for _, v := range st.Counts.Failures {
		p.Failures += v
	}
	return p
}

func (c *crawl) report(p Progress) {
	if c.opt.Progress != nil {
		c.opt.Progress(p)
	}
	if c.lastLog.IsZero() {
		c.lastLog = c.start // the first line comes one interval into the crawl
	}
	if c.opt.LogEvery < 0 || time.Since(c.lastLog) < c.opt.LogEvery {
		return
	}
	c.lastLog = time.Now()
	rate := 0.0
	if s := p.Elapsed.Seconds(); s > 0 {
		rate = float64(p.Listed-c.listed0) / s
	}
	c.log.Info("crawl progress", "kind", p.Kind, "phase", p.Phase, "pages", p.Pages,
		"repos", p.Listed, "stored", p.Stored, "cards", p.Cards, "evals", p.Evals,
		"failures", p.Failures, "rate_per_s", fmt.Sprintf("%.0f", rate),
		"elapsed", p.Elapsed.Round(time.Second).String())
}

// Summary reports a crawl. Counts cover every run of a resumed crawl; the
// request counters and Elapsed cover this run only.
type Summary struct {
	Kind        Kind
	Out         string
	Resumed     bool      // this run continued an interrupted crawl
	Incremental bool      // listed by lastModified down to Since
	Since       time.Time // cut-off of an incremental crawl
	Stop        string    // why the listing ended: "end", "limit", "watermark"; "" if it did not
	Committed   bool      // the zoo holds the result
	Interrupted bool      // not committed because the context ended; otherwise it failed

	Pages   int64 // listing pages
	Listed  int64 // repos listed
	Details int64 // detail calls that succeeded
	Cards   int64 // READMEs stored
	Evals   int64 // eval rows stored
	// NewRows is how many rows of the crawl are in the table after
	// deduplication; TableRows the table's rows after the merge.
	NewRows, TableRows int64
	// Watermark is what the next incremental crawl starts from (zero when
	// this crawl did not see the whole listing).
	Watermark time.Time

	Skipped  map[string]int64 // fetches not made or answered "no" (no_readme, gated, ...); card_odd_shape: card metadata left out
	Failures map[string]int64 // failed fetches by class: server, rate_limited, network, not_found, ...

	Requests, Retries, RateLimited, ServerErrors, NetErrors int64 // HTTP, this run
	Elapsed                                                 time.Duration
	Rate                                                    float64 // repos listed per second, this run
}

func (c *crawl) summary(err error, interrupted bool) *Summary {
	st := c.st
	if st == nil {
		return nil
	}
	s := &Summary{
		Kind: c.opt.Kind, Out: c.opt.Out, Resumed: c.resumed,
		Incremental: !st.Query.Since.IsZero(), Since: st.Query.Since,
		Stop: st.Stop, Committed: err == nil, Interrupted: err != nil && interrupted,
		Pages: st.Counts.Pages, Listed: st.Counts.Listed, Details: st.Counts.Details,
		Cards: st.Counts.Cards, Evals: st.Counts.Evals,
		NewRows: st.NewRows, TableRows: st.TableRows, Watermark: st.Watermark,
		Skipped: maps.Clone(st.Counts.Skipped), Failures: maps.Clone(st.Counts.Failures),
		Elapsed: time.Since(c.start),
	}
	if c.client != nil {
		now := c.client.Stats()
		s.Requests = now.Requests - c.stats0.Requests
		s.Retries = now.Retries - c.stats0.Retries
		s.RateLimited = now.RateLimited - c.stats0.RateLimited
		s.ServerErrors = now.ServerErrors - c.stats0.ServerErrors
		s.NetErrors = now.NetErrors - c.stats0.NetErrors
	}
	if sec := s.Elapsed.Seconds(); sec > 0 {
		s.Rate = float64(st.Counts.Listed-c.listed0) / sec
	}
	return s
}

// WriteTo writes the summary as a few human-readable lines.
func (s *Summary) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	state, ended := "committed", s.Stop
	if !s.Committed {
		ended = "failed"
		if s.Interrupted {
			ended = "interrupted"
		}
		state = "NOT committed: " + ended + "; resumable"
		if s.Pages == 0 {
			state = "NOT committed: " + ended + "; nothing was stored"
		}
		if s.Stop != "" {
			ended = s.Stop // the listing ended; the merge did not
		}
	}
	fmt.Fprintf(&b, "crawl %s into %s: %s\n", s.Kind, s.Out, state)
	mode := "full"
	if s.Incremental {
		mode = "incremental since " + s.Since.Format(time.RFC3339)
	}
	if s.Resumed {
		mode += ", resumed"
	}
	fmt.Fprintf(&b, "  listing    %s; stopped: %s; %d pages, %d repos listed\n", mode, ended, s.Pages, s.Listed)
	fmt.Fprintf(&b, "  stored     %d cards, %d eval rows, %d details\n", s.Cards, s.Evals, s.Details)
	if s.Committed {
		fmt.Fprintf(&b, "  table      %d rows (%d from this crawl)\n", s.TableRows, s.NewRows)
		if !s.Watermark.IsZero() {
			fmt.Fprintf(&b, "  watermark  %s\n", s.Watermark.Format(time.RFC3339))
		}
	}
	fmt.Fprintf(&b, "  http       %d requests, %d retries, %d rate-limited (429), %d server errors, %d network errors\n",
		s.Requests, s.Retries, s.RateLimited, s.ServerErrors, s.NetErrors)
	if len(s.Skipped) > 0 {
		fmt.Fprintf(&b, "  skipped    %s\n", formatCounts(s.Skipped))
	}
	if len(s.Failures) > 0 {
		fmt.Fprintf(&b, "  failures   %s\n", formatCounts(s.Failures))
	} else if s.Committed { // a failed crawl's error follows; "none" read as if nothing had failed
		fmt.Fprintf(&b, "  failures   none\n")
	}
	fmt.Fprintf(&b, "  elapsed    %s (%.0f repos/s)\n", s.Elapsed.Round(time.Millisecond), s.Rate)
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func formatCounts(m map[string]int64) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, " ")
}
