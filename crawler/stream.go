package crawler

import (
	"errors"
	"hash/maphash"
	"os"
	"strings"

	"github.com/zoograph/zoograph/store"
)

// A first crawl into a zoo that has none of its tables is the common case
// at hub scale, and the merge (compact.go) would only copy its parts:
// every repo once, in listing order. So such a crawl streams: the writer
// hands each converted page, in listing order, to one goroutine per final
// table, which encodes it while the listing goes on, and at the end the
// tables are committed as they are, with no merge. The stream gives up,
// and the merge runs as usual, as soon as a repo shows up twice (the
// Hub's listing moved under the crawl); a table that failed to be written
// sends the crawl to the merge too, at the end.
// The parts and the checkpoint are written as always, so a crawl that is
// killed resumes as before (resumed crawls always merge).
//
// When it completes, the stream has written exactly what the merge would:
// with no repo listed twice, every part row wins, and the rows go in the
// same order.

// stream writes the final tables of a crawl during its listing.
type stream struct {
	kind     Kind
	models   *tableStream[store.Model]
	datasets *tableStream[store.Dataset]
	evals    *tableStream[store.Eval]
	cards    *tableStream[store.Card]

	// The repos seen so far, keyed as the merge keys them (repoIndex),
	// and their ids, hashed: a part keeps one row per id (buffer), so an
	// id seen twice, even under two _ids, ends the stream too. A hash
	// collision only sends the crawl to the merge.
	oids  map[[12]byte]struct{}
	other map[string]struct{}
	ids   map[uint64]struct{}
	seed  maphash.Seed
	dup   string // the first repo seen twice; the stream is then given up
}

// streamTables turns streaming on; tests turn it off to compare the merge.
var streamTables = true

// streamWrite encodes the streamed tables: the zoo's default format, in
// row groups small enough that encoding keeps pace with the listing
// instead of piling up at its end, and that bound the READMEs held.
var streamWrite = store.WriteOptions{RowGroupRows: 8 << 10, RowGroupBytes: finalWrite.RowGroupBytes}

// tableStream is one table being written by its own goroutine.
type tableStream[T store.Row] struct {
	out  *tableOut[T]
	in   chan []T
	done chan error
}

func startTable[T store.Row](dir string) (*tableStream[T], error) {
	out, err := newTableOutWith[T](dir, "stream-", streamWrite)
	if err != nil {
		return nil, err
	}
	t := &tableStream[T]{out: out, in: make(chan []T, 1), done: make(chan error, 1)}
	go func() {
		var err error
		for rows := range t.in {
			if err == nil {
				err = out.write(rows)
			}
		}
		t.done <- err
	}()
	return t, nil
}

func (t *tableStream[T]) send(rows []T) {
	if t != nil && len(rows) > 0 {
		t.in <- rows
	}
}

// finish waits for the goroutine and closes the file.
func (t *tableStream[T]) finish() error {
	if t == nil {
		return nil
	}
	close(t.in)
	err := <-t.done
	if err == nil {
		err = t.out.close()
	}
	if err != nil {
		t.out.abort()
	}
	return err
}

// abort stops the goroutine and removes the file.
func (t *tableStream[T]) abort() {
	if t == nil {
		return
	}
	close(t.in)
	<-t.done
	t.out.abort()
}

// newStream starts the stream of a crawl, or returns nil when the crawl
// must merge: it was resumed, or the zoo already has one of the tables it
// writes.
func (c *crawl) newStream() (*stream, error) {
	st := c.st
	if !streamTables || c.resumed || st.Phase != phaseListing || len(st.Parts) > 0 || st.Counts.Pages > 0 {
		return nil, nil
	}
	if has, err := c.zooHasTables(); err != nil || has {
		return nil, err
	}
	s := &stream{kind: c.opt.Kind, oids: map[[12]byte]struct{}{}, other: map[string]struct{}{},
		ids: map[uint64]struct{}{}, seed: maphash.MakeSeed()}
	var err error
	if c.opt.Kind == KindDatasets {
		s.datasets, err = startTable[store.Dataset](c.dir)
	} else {
		s.models, err = startTable[store.Model](c.dir)
		if err == nil {
			s.evals, err = startTable[store.Eval](c.dir)
		}
	}
	if err == nil && st.Query.Cards {
		s.cards, err = startTable[store.Card](c.dir)
	}
	if err != nil {
		s.abort()
		return nil, err
	}
	return s, nil
}

// zooHasTables reports whether the zoo holds any table the merge would
// read: the repo table, evals (models) and cards (when fetched).
func (c *crawl) zooHasTables() (bool, error) {
	m, err := store.ReadManifest(c.opt.Out)
	if errors.Is(err, store.ErrNotZoo) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	tables := []string{c.repoTable()}
	if c.opt.Kind == KindModels {
		tables = append(tables, store.TableEvals)
	}
	if c.st.Query.Cards {
		tables = append(tables, store.TableCards)
	}
	for _, table := range tables {
		if m.TablePath(c.opt.Out, table) != "" {
			return true, nil
		}
	}
	return false, nil
}

// addPage hands a converted page's rows to the table goroutines, unless
// one of its repos was seen before: then the stream is given up. It runs
// on the writer goroutine, page by page in listing order, so the tables
// are written as the listing goes and little is left at its end. A part
// may still fail to be written; then the crawl fails and its stream goes.
func (s *stream) addPage(job *pageJob) {
	if s == nil || s.broken() {
		return
	}
	var models []store.Model
	var datasets []store.Dataset
	var evals []store.Eval
	var cards []store.Card
	if s.kind == KindDatasets {
		datasets = make([]store.Dataset, 0, len(job.rows))
	} else {
		models = make([]store.Model, 0, len(job.rows))
	}
	for i := range job.rows {
		r := &job.rows[i]
		var oid, id string
		if r.dataset != nil {
			oid, id = r.dataset.HubOID, r.dataset.DatasetID
			datasets = append(datasets, *r.dataset)
		} else {
			oid, id = r.model.HubOID, r.model.ModelID
			models = append(models, *r.model)
		}
		if !s.see(oid, id) {
			s.dup = id
			s.abort()
			return
		}
		evals = append(evals, r.evals...)
		if r.card != nil {
			cards = append(cards, *r.card)
		}
	}
	s.models.send(models)
	s.datasets.send(datasets)
	s.evals.send(evals)
	s.cards.send(cards)
}

// see records a repo, keyed as the merge keys it (repoIndex.offer) and by
// its id, and reports whether it is new both ways.
func (s *stream) see(oid, id string) bool {
	h := maphash.String(s.seed, id)
	if _, dup := s.ids[h]; dup {
		return false
	}
	s.ids[h] = struct{}{}
	if k, ok := oidKey(oid); ok {
		if _, dup := s.oids[k]; dup {
			return false
		}
		s.oids[k] = struct{}{}
		return true
	}
	key := dedupeKey(oid, id)
	if _, dup := s.other[key]; dup {
		return false
	}
	s.other[strings.Clone(key)] = struct{}{}
	return true
}

func (s *stream) broken() bool { return s.dup != "" }

// finish completes the tables. It returns them when the stream can stand
// for the merge; otherwise it returns nil and removes the files.
func (s *stream) finish() (*streamed, error) {
	if s.broken() {
		s.abort()
		return nil, nil
	}
	s.oids, s.other, s.ids = nil, nil, nil
	err := errors.Join(s.models.finish(), s.datasets.finish(), s.evals.finish(), s.cards.finish())
	out := &streamed{evals: fileOf(s.evals), cards: fileOf(s.cards)}
	if s.kind == KindDatasets {
		out.repo = fileOf(s.datasets)
	} else {
		out.repo = fileOf(s.models)
	}
	if err != nil {
		out.remove()
		return nil, err
	}
	return out, nil
}

// abort stops every table goroutine and removes the files.
func (s *stream) abort() {
	if s == nil {
		return
	}
	s.models.abort()
	s.datasets.abort()
	s.evals.abort()
	s.cards.abort()
	s.models, s.datasets, s.evals, s.cards = nil, nil, nil, nil
}

// streamed are the closed files of a complete stream.
type streamed struct {
	repo, evals, cards *tableFile // evals, cards: nil when not written
}

func (s *streamed) remove() {
	for _, f := range []*tableFile{s.repo, s.evals, s.cards} {
		if f != nil {
			os.Remove(f.path)
		}
	}
}

func fileOf[T store.Row](t *tableStream[T]) *tableFile {
	if t == nil {
		return nil
	}
	return &tableFile{path: t.out.path, rows: t.out.rows}
}

// commitStreamed ends the crawl's stream: when it is complete and the zoo
// still has none of its tables, it commits the streamed tables in place of
// a merge and returns true. A stream that cannot stand for the merge is
// removed, quietly: the merge then runs from the parts.
func (c *crawl) commitStreamed() (bool, error) {
	s := c.stream
	if s == nil {
		return false, nil
	}
	c.stream = nil
	if s.dup != "" {
		c.log.Debug("crawl: repo listed twice, merging", "repo", s.dup)
	}
	files, err := s.finish()
	if err != nil || files == nil {
		if err != nil {
			c.log.Warn("crawl: streamed tables failed, merging instead", "err", err)
		}
		return false, nil
	}
	if has, err := c.zooHasTables(); err != nil || has {
		files.remove()
		return false, err
	}
	// Record that the merge's inputs (none) are fixed, as the merge does,
	// so a crawl killed between the commits below merges the parts alone
	// when it resumes, not the parts again with the tables just committed.
	if err := c.snapshot(); err != nil {
		files.remove()
		return false, err
	}
	c.mu.Lock()
	c.st.TableRows, c.st.NewRows = files.repo.rows, files.repo.rows
	c.mu.Unlock()
	if err := c.commitTables(files.repo, files.evals, files.cards); err != nil {
		return false, err
	}
	c.streamed = true
	return true, nil
}
