package crawler

import (
	"context"
	"fmt"
	"time"

	"github.com/zoograph/zoograph/store"
)

// partWrite encodes part files, which the merge reads (twice: keys, then
// rows) and removes: cheap to write and to read matters more than their
// size, so they are Arrow IPC, the columns
// as they are in memory (about a third of the cost of Snappy Parquet,
// for files some three times larger).
var partWrite = store.WriteOptions{Format: store.ArrowIPC}

// maxBufferedCardBytes flushes a part early when the READMEs buffered for
// it reach this size, so that crawls with --cards stay small in memory.
const maxBufferedCardBytes = 32 << 20

// buffer holds the rows of complete pages that are not yet in a part.
// Within a buffer each repo appears once (by key and by id): a repo listed
// twice keeps its newest row, so a part never holds two rows, or two sets
// of eval rows, for one repo.
type buffer struct {
	rows      []*repoRows // into the pages' rows, which live until the flush
	byKey     map[string]int
	byID      map[string]int
	live      int
	cardBytes int
	delta     counts // what the pages in the buffer add to the checkpoint
	cursor    string
	last      bool
	stop      string
	maxLM     time.Time
	since     time.Time // when the oldest buffered page arrived
}

func newBuffer() *buffer {
	return &buffer{byKey: map[string]int{}, byID: map[string]int{}}
}

func (b *buffer) empty() bool { return b.delta.Pages == 0 }

// add appends a complete page.
func (b *buffer) add(job *pageJob) {
	if b.empty() {
		b.since = time.Now()
	}
	b.delta.Pages++
	b.delta.Listed += int64(len(job.rows))
	b.delta.Failures = addMap(b.delta.Failures, job.dropped)
	for i := range job.rows {
		r := &job.rows[i]
		for _, n := range r.notes {
			if n.fail {
				b.delta.Failures = addMap(b.delta.Failures, map[string]int64{n.class: 1})
			} else {
				b.delta.Skipped = addMap(b.delta.Skipped, map[string]int64{n.class: 1})
			}
		}
		if r.detail {
			b.delta.Details++
		}
		if r.lm.After(b.maxLM) {
			b.maxLM = r.lm
		}
		// The newest row of a repo wins; on a tie, the later one.
		byKey, byID := b.index(b.byKey, r.key), b.index(b.byID, r.id)
		if b.newer(byKey, r) || b.newer(byID, r) {
			continue
		}
		for _, idx := range []int{byKey, byID} {
			if idx >= 0 && !b.rows[idx].dead {
				b.kill(idx)
			}
		}
		b.rows = append(b.rows, r)
		n := len(b.rows) - 1
		b.byKey[r.key] = n
		b.byID[r.id] = n
		b.live++
		if r.card != nil {
			b.cardBytes += len(r.card.Text)
		}
	}
	b.cursor = job.next
	if job.last {
		b.last, b.stop = true, job.stop
	}
}

func (b *buffer) index(m map[string]int, k string) int {
	if i, ok := m[k]; ok {
		return i
	}
	return -1
}

// newer reports whether buffered row i (-1: none) is newer than r.
func (b *buffer) newer(i int, r *repoRows) bool {
	return i >= 0 && !b.rows[i].dead && r.lm.Before(b.rows[i].lm)
}

func (b *buffer) kill(i int) {
	r := b.rows[i]
	r.dead = true
	b.live--
	if r.card != nil {
		b.cardBytes -= len(r.card.Text)
	}
	delete(b.byKey, r.key)
	delete(b.byID, r.id)
}

// full reports whether the buffer should become a part now.
func (b *buffer) full(o Options) bool {
	return b.last || b.live >= o.PartRows || b.cardBytes >= maxBufferedCardBytes ||
		(!b.empty() && time.Since(b.since) >= o.FlushInterval)
}

// writer takes pages in listing order, waits for each to be converted and
// buffers them; a full buffer goes to the flusher, the one goroutine that
// writes parts and the checkpoint, so encoding Parquet overlaps with
// listing. When ctx ends it still hands over the complete pages it holds,
// so an interrupted crawl loses nothing it had finished.
func (c *crawl) writer(ctx context.Context, jobs <-chan *pageJob) (err error) {
	// Unbuffered: at most two buffers exist, one being written and one
	// filling; the writer waits when the flusher falls behind.
	flushes := make(chan *buffer)
	flushed := make(chan error, 1)
	go func() {
		var err error
		for b := range flushes {
			if err == nil {
				err = c.flush(b)
			}
			// After an error keep draining, so the writer never blocks.
		}
		flushed <- err
	}()
	defer func() {
		close(flushes)
		if ferr := <-flushed; ferr != nil {
			err = ferr
		}
	}()

	pages, listed := c.st.Counts.Pages, c.st.Counts.Listed // the flusher is idle yet
	b := newBuffer()
	flush := func() {
		if !b.empty() {
			flushes <- b
			b = newBuffer()
		}
	}
	for {
		var job *pageJob
		select {
		case job = <-jobs:
		case <-ctx.Done():
		}
		if job != nil {
			select {
			case <-job.done:
			case <-ctx.Done():
				job = nil
			}
		}
		// No job: the lister stopped early (failed or cancelled; its error
		// is the crawl's) or ctx is done. An incomplete job was cancelled
		// while its page was being converted.
		if job == nil || !job.complete() {
			flush()
			return ctx.Err()
		}
		b.add(job)
		pages++
		listed += int64(len(job.rows))
		c.progress(pages, listed)
		if b.full(c.opt) {
			flush()
		}
		if job.last {
			return nil
		}
	}
}

func (job *pageJob) complete() bool {
	for i := range job.rows {
		if !job.rows[i].ok {
			return false
		}
	}
	return true
}

// flush writes the buffer as part files, then saves the checkpoint that
// lists them: a crash in between leaves files the next run sweeps away.
func (c *crawl) flush(b *buffer) error {
	st := c.st
	seq := len(st.Parts) + 1
	p := part{Seq: seq}
	var evals []store.Eval
	var cards []store.Card
	var models []store.Model
	var datasets []store.Dataset
	var gone int64 // cards rows that only say a README is gone: not counted
	for _, r := range b.rows {
		if r.dead {
			continue
		}
		if c.opt.Kind == KindDatasets {
			datasets = append(datasets, *r.dataset)
		} else {
			models = append(models, *r.model)
		}
		evals = append(evals, r.evals...)
		if r.card != nil {
			cards = append(cards, *r.card)
		}
		if r.card != nil && r.card.FetchedAt.IsZero() { // a README gone (readme)
			gone++
		}
	}
	// The repos file is written even when empty: every part has one.
	var err error
	if c.opt.Kind == KindDatasets {
		p.Repos, err = writePart(c, seq, datasets)
	} else {
		p.Repos, err = writePart(c, seq, models)
	}
	if err == nil && len(evals) > 0 {
		p.Evals, err = writePart(c, seq, evals)
	}
	if err == nil && len(cards) > 0 {
		p.Cards, err = writePart(c, seq, cards)
	}
	if err != nil {
		return fmt.Errorf("crawl: write part %d: %w", seq, err)
	}
	d := b.delta
	d.Repos, d.Evals, d.Cards = p.Repos, p.Evals, p.Cards-gone
	c.mu.Lock()
	st.Counts.add(d)
	st.Parts = append(st.Parts, p)
	st.Cursor = b.cursor
	if b.maxLM.After(st.MaxLast) {
		st.MaxLast = b.maxLM
	}
	if b.last {
		st.Stop = b.stop
		st.Phase = phaseCompacting
		st.Cursor = ""
	}
	err = st.save(c.dir)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	c.log.Debug("crawl: part written", "part", seq, "repos", p.Repos, "evals", p.Evals, "cards", p.Cards)
	return nil
}

// writePart writes rows as part seq of their table and counts them.
func writePart[T store.Row](c *crawl, seq int, rows []T) (int64, error) {
	return int64(len(rows)), store.WriteFileWith(c.partPath(store.TableName[T](), seq), rows, partWrite)
}
