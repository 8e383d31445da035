package crawler

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/zoograph/zoograph/store"
)

// Compaction merges the zoo's current tables (source 0) and the crawl's
// parts (sources 1..P, in listing order) into new tables, streaming: memory
// holds an index of one small entry per repo, never the rows.
//
//  1. Index: for every repo row (by the Hub's _id, else by id), the source
//     and row of its winner. A row of the crawl beats a row already in the
//     zoo; between rows of the crawl the newest lastModified wins, and on a
//     tie the later one. Rows already in the zoo whose source is not the
//     Hub (imported benchmarks) are never replaced. The index (some 40
//     bytes per repo) then becomes one bit per row, before any table is
//     written.
//  2. Write: the winners in source order; a part's eval and card rows are
//     kept when their repo's row won in that part; the zoo's old eval and
//     card rows are kept unless their repo's old row lost.
//  3. Commit with store.CommitFile: cards, then evals, then the repo table
//     with the provenance that carries the watermark. The zoo's tables are
//     read from snapshots (hard links) taken when the merge first starts,
//     so a merge killed between two commits reads the same inputs when it
//     runs again, and writes the same tables.

// loc is where the winning row of a repo is.
type loc struct {
	src, row int32
	lm       int64 // last modified, Unix microseconds; 0 when unknown
}

// repoIndex maps repos to their winning rows. Hub _ids (24 hex digits) are
// kept as 12 bytes, so a million repos take some tens of megabytes.
type repoIndex struct {
	oids  map[[12]byte]loc
	other map[string]loc
}

func newRepoIndex(size int) *repoIndex {
	return &repoIndex{oids: make(map[[12]byte]loc, size), other: map[string]loc{}}
}

// winners turns the index into one bit per row of each source (rows[src]
// rows each): set when the row won. The bitsets take an eighth of a byte
// per row, so the index can go before the tables are written.
func (x *repoIndex) winners(rows []int32) []bitset {
	w := make([]bitset, len(rows))
	for src, n := range rows {
		w[src] = make(bitset, (int(n)+63)/64)
	}
	mark := func(l loc) {
		if int(l.src) < len(w) {
			w[l.src].set(l.row)
		}
	}
	for _, l := range x.oids {
		mark(l)
	}
	for _, l := range x.other {
		mark(l)
	}
	return w
}

type bitset []uint64

func (b bitset) set(i int32) {
	if i >= 0 && int(i) < 64*len(b) {
		b[i/64] |= 1 << (uint(i) % 64)
	}
}

func (b bitset) has(i int32) bool {
	return i >= 0 && int(i) < 64*len(b) && b[i/64]&(1<<(uint(i)%64)) != 0
}

func oidKey(oid string) (k [12]byte, ok bool) {
	if len(oid) != 24 {
		return k, false
	}
	_, err := hex.Decode(k[:], []byte(oid))
	return k, err == nil
}

func (x *repoIndex) get(oid, id string) (loc, bool) {
	if k, ok := oidKey(oid); ok {
		l, found := x.oids[k]
		return l, found
	}
	l, found := x.other[dedupeKey(oid, id)]
	return l, found
}

// offer records a row and keeps it if it beats the current winner.
func (x *repoIndex) offer(oid, id string, l loc) {
	cur, found := x.get(oid, id)
	if found && !beats(l, cur) {
		return
	}
	if k, ok := oidKey(oid); ok {
		x.oids[k] = l
		return
	}
	x.other[strings.Clone(dedupeKey(oid, id))] = l
}

// beats reports whether row a replaces row b of the same repo; a comes
// later in source order.
func beats(a, b loc) bool {
	if (a.src > 0) != (b.src > 0) {
		return a.src > 0
	}
	if a.lm != b.lm {
		return a.lm > b.lm
	}
	return true
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// repoAccess reads the key fields of a repo table's rows.
type repoAccess[T store.Row] struct {
	table   string
	keyCols []string // the id column first
	key     func(*T) (oid, id string, lm time.Time, source string)
}

var modelAccess = repoAccess[store.Model]{
	table:   store.TableModels,
	keyCols: []string{"model_id", "hub_oid", "last_modified", "source"},
	key: func(m *store.Model) (string, string, time.Time, string) {
		return m.HubOID, m.ModelID, m.LastModified, m.Source
	},
}

var datasetAccess = repoAccess[store.Dataset]{
	table:   store.TableDatasets,
	keyCols: []string{"dataset_id", "hub_oid", "last_modified", "source"},
	key: func(d *store.Dataset) (string, string, time.Time, string) {
		return d.HubOID, d.DatasetID, d.LastModified, d.Source
	},
}

// compact commits the streamed tables, or merges the parts into the zoo
// and commits it.
func (c *crawl) compact(ctx context.Context) error {
	c.progressDurable()
	done, err := c.commitStreamed()
	if err != nil {
		return err
	}
	if done {
		c.log.Debug("crawl: committed the tables written while listing", "kind", c.opt.Kind, "repos", c.st.TableRows)
	} else {
		c.log.Info("crawl: merging into the zoo", "kind", c.opt.Kind, "parts", len(c.st.Parts), "repos", c.st.Counts.Repos)
		if c.opt.Kind == KindDatasets {
			err = compactRepos(ctx, c, datasetAccess)
		} else {
			err = compactRepos(ctx, c, modelAccess)
		}
		if err != nil {
			return err
		}
	}
	c.st.Phase = phaseCommitted
	if err := c.st.save(c.dir); err != nil {
		return err
	}
	c.progressDurable()
	return nil
}

// tableOut is one output table being written to a file in the state dir.
type tableOut[T store.Row] struct {
	path string
	f    *os.File
	bw   *bufio.Writer
	w    *store.Writer[T]
	rows int64
	buf  []T
}

// tableFile is a table file written in the state directory.
type tableFile struct {
	path string
	rows int64
}

func (o *tableOut[T]) file() *tableFile {
	if o == nil {
		return nil
	}
	return &tableFile{path: o.path, rows: o.rows}
}

// finalWrite encodes the merged tables: the zoo's default format, with
// row groups of READMEs bounded to 16 MiB of text.
var finalWrite = store.WriteOptions{RowGroupBytes: 16 << 20}

func newTableOut[T store.Row](dir string) (*tableOut[T], error) {
	return newTableOutWith[T](dir, "final-", finalWrite)
}

func newTableOutWith[T store.Row](dir, prefix string, opt store.WriteOptions) (*tableOut[T], error) {
	path := filepath.Join(dir, prefix+store.TableName[T]()+".parquet")
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("crawl: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w, err := store.NewWriterWith[T](bw, opt)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &tableOut[T]{path: path, f: f, bw: bw, w: w}, nil
}

// add buffers a row; rows go to the writer in batches.
func (o *tableOut[T]) add(r T) error {
	o.buf = append(o.buf, r)
	o.rows++
	if len(o.buf) >= 8192 {
		return o.drain()
	}
	return nil
}

// write appends rows at once, past the buffer.
func (o *tableOut[T]) write(rows []T) error {
	if err := o.drain(); err != nil {
		return err
	}
	o.rows += int64(len(rows))
	return o.w.Write(rows)
}

func (o *tableOut[T]) drain() error {
	if len(o.buf) == 0 {
		return nil
	}
	err := o.w.Write(o.buf)
	clear(o.buf)
	o.buf = o.buf[:0]
	return err
}

func (o *tableOut[T]) close() error {
	err := o.drain()
	if cerr := o.w.Close(); err == nil {
		err = cerr
	}
	if ferr := o.bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("crawl: write %s: %w", o.path, err)
	}
	return nil
}

func (o *tableOut[T]) abort() {
	o.w.Close()
	o.f.Close()
	os.Remove(o.path)
}

// snapshot keeps the zoo's current tables that the merge reads under a
// second name in the state directory (hard links, else copies), once, so
// that a merge interrupted between the commits of its tables reads the same
// inputs when it runs again.
func (c *crawl) snapshot() error {
	st := c.st
	if st.Snapshotted {
		return nil
	}
	m, err := store.ReadManifest(c.opt.Out)
	if err != nil && !errors.Is(err, store.ErrNotZoo) {
		return err
	}
	st.Olds = nil
	for _, table := range []string{c.repoTable(), store.TableEvals, store.TableCards} {
		if m == nil {
			break
		}
		src := m.TablePath(c.opt.Out, table)
		if src == "" {
			continue
		}
		dst := filepath.Join(c.dir, oldFile(table))
		os.Remove(dst)
		if err := store.LinkOrCopy(src, dst); err != nil {
			return fmt.Errorf("crawl: keep %s for the merge: %w", table, err)
		}
		st.Olds = append(st.Olds, table)
	}
	if err := store.SyncDir(c.dir); err != nil {
		return fmt.Errorf("crawl: %w", err)
	}
	st.Snapshotted = true
	return st.save(c.dir)
}

func oldFile(table string) string { return "old-" + table + ".parquet" }

// compactRepos is compact for one kind; T is its repo row type. The repo
// table is written alongside the eval and card tables (those one after
// the other), so at most two table writers at a time hold memory.
func compactRepos[T store.Row](ctx context.Context, c *crawl, acc repoAccess[T]) error {
	if err := c.snapshot(); err != nil {
		return err
	}
	oldPath := func(table string) string {
		if slices.Contains(c.st.Olds, table) {
			return filepath.Join(c.dir, oldFile(table))
		}
		return ""
	}
	parts := c.st.Parts
	partPath := func(table string, seq int) string { return filepath.Join(c.dir, partFile(table, seq)) }
	repoType := "model"
	if c.opt.Kind == KindDatasets {
		repoType = "dataset"
	}

	// 1. Index, then one bit per row: won or not.
	size := int(c.st.Counts.Repos)
	idx := newRepoIndex(size + size/8)
	rows := make([]int32, len(parts)+1) // rows per source
	eachKey := func(path string, fn func(row int32, oid, id string, lm time.Time, source string)) error {
		var row int32
		return store.Scan(path, func(batch []T) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			for i := range batch {
				oid, id, lm, source := acc.key(&batch[i])
				fn(row, oid, id, lm, source)
				row++
			}
			return nil
		}, acc.keyCols...)
	}
	if p := oldPath(acc.table); p != "" {
		err := eachKey(p, func(row int32, oid, id string, lm time.Time, source string) {
			if source == SourceHub {
				idx.offer(oid, id, loc{src: 0, row: row, lm: micros(lm)})
			}
			rows[0] = row + 1
		})
		if err != nil {
			return mergeErr(ctx, err)
		}
	}
	for _, p := range parts {
		src := int32(p.Seq)
		err := eachKey(partPath(acc.table, p.Seq), func(row int32, oid, id string, lm time.Time, _ string) {
			idx.offer(oid, id, loc{src: src, row: row, lm: micros(lm)})
			rows[src] = row + 1
		})
		if err != nil {
			return mergeErr(ctx, err)
		}
	}

	win := idx.winners(rows)
	idx = nil
	wins := func(src, row int32) bool { return win[src].has(row) }

	// 2. The repo table: the zoo's rows that won or come from another
	// source, then the winners of each part. lost collects the ids of the
	// zoo's rows that lost, whose eval and card rows go too.
	repoOut, err := newTableOut[T](c.dir)
	if err != nil {
		return err
	}
	lost := map[string]bool{}
	if p := oldPath(acc.table); p != "" {
		var row int32
		err := copyRows(ctx, p, repoOut, func(r *T) bool {
			_, id, _, source := acc.key(r)
			keep := source != SourceHub || wins(0, row)
			if !keep {
				lost[strings.Clone(id)] = true
			}
			row++
			return keep
		})
		if err != nil {
			repoOut.abort()
			return mergeErr(ctx, err)
		}
	}

	// won returns the ids whose rows won in part p.
	won := func(ctx context.Context, p part) (map[string]bool, error) {
		w := make(map[string]bool, p.Repos)
		src := int32(p.Seq)
		var row int32
		err := store.Scan(partPath(acc.table, p.Seq), func(batch []T) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			for i := range batch {
				if _, id, _, _ := acc.key(&batch[i]); wins(src, row) {
					w[id] = true
				}
				row++
			}
			return nil
		}, acc.keyCols[0]) // the id alone
		return w, err
	}

	// 3. With lost complete, the parts' repo rows and the eval (models
	// only) and card tables, which follow their repo's row, are written
	// concurrently: each is one goroutine's encoding, and the merge would
	// otherwise use one core.
	g, gctx := errgroup.WithContext(ctx)
	var newRows int64
	g.Go(func() error {
		err := func() error {
			for _, p := range parts {
				var row int32
				src := int32(p.Seq)
				err := copyRows(gctx, partPath(acc.table, p.Seq), repoOut, func(r *T) bool {
					keep := wins(src, row)
					if keep {
						newRows++
					}
					row++
					return keep
				})
				if err != nil {
					return err
				}
			}
			return repoOut.close()
		}()
		if err != nil {
			repoOut.abort()
		}
		return err
	})
	var evalOut *tableOut[store.Eval]
	var cardOut *tableOut[store.Card]
	g.Go(func() error {
		var err error
		if c.opt.Kind == KindModels {
			evalOut, err = followRows(gctx, c.dir, oldPath(store.TableEvals), parts, won,
				func(p part) string { return partPath(store.TableEvals, p.Seq) },
				func(p part) bool { return p.Evals > 0 },
				func(e *store.Eval) bool { return !lost[e.ModelID] },
				func(e *store.Eval) string { return e.ModelID })
			if err != nil {
				return err
			}
		}
		if c.st.Query.Cards {
			cardOut, err = followRows(gctx, c.dir, oldPath(store.TableCards), parts, won,
				func(p part) string { return partPath(store.TableCards, p.Seq) },
				func(p part) bool { return p.Cards > 0 },
				func(r *store.Card) bool { return r.RepoType != repoType || !lost[r.RepoID] },
				func(r *store.Card) string { return r.RepoID })
		}
		return err
	})
	if err := g.Wait(); err != nil {
		return mergeErr(ctx, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	c.mu.Lock()
	c.st.TableRows, c.st.NewRows = repoOut.rows, newRows
	c.mu.Unlock()
	return c.commitTables(repoOut.file(), evalOut.file(), cardOut.file())
}

// commitTables commits the tables a merge (or a stream) wrote: cards,
// evals (nil: not written), then the repo table with the watermark.
func (c *crawl) commitTables(repo, evals, cards *tableFile) error {
	c.mu.Lock()
	c.st.Watermark = c.watermark()
	c.mu.Unlock()
	prov := c.provenance()
	out := c.opt.Out
	if cards != nil {
		if err := commitTable(out, store.TableCards, cards.path, prov, cards.rows, false); err != nil {
			return err
		}
	}
	if evals != nil {
		if err := commitTable(out, store.TableEvals, evals.path, prov, evals.rows, false); err != nil {
			return err
		}
	}
	return commitTable(out, c.repoTable(), repo.path, prov, repo.rows, true)
}

// followRows writes a table whose rows belong to repos (evals, cards): the
// zoo's rows that keepOld accepts, then each part's rows whose repo won in
// that part.
func followRows[R store.Row](ctx context.Context, dir, oldPath string, parts []part,
	won func(context.Context, part) (map[string]bool, error), partPath func(part) string, hasPart func(part) bool,
	keepOld func(*R) bool, repoOf func(*R) string) (*tableOut[R], error) {
	o, err := newTableOut[R](dir)
	if err != nil {
		return nil, err
	}
	err = func() error {
		if oldPath != "" {
			if err := copyRows(ctx, oldPath, o, keepOld); err != nil {
				return err
			}
		}
		for _, p := range parts {
			if !hasPart(p) {
				continue
			}
			w, err := won(ctx, p)
			if err != nil {
				return err
			}
			if err := copyRows(ctx, partPath(p), o, func(r *R) bool { return w[repoOf(r)] }); err != nil {
				return err
			}
		}
		return o.close()
	}()
	if err != nil {
		o.abort()
		return nil, err
	}
	return o, nil
}

// copyRows appends the rows of the file at path that keep accepts, in
// order.
func copyRows[R store.Row](ctx context.Context, path string, o *tableOut[R], keep func(*R) bool) error {
	return store.Scan(path, func(batch []R) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i := range batch {
			if keep(&batch[i]) {
				if err := o.add(batch[i]); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func mergeErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("crawl: merge: %w", err)
}

func commitTable(out, table, path string, prov store.Provenance, rows int64, last bool) error {
	d := make(map[string]string, len(prov.Detail)+1)
	for k, v := range prov.Detail {
		if !last && k == "crawl.watermark" {
			continue // only the last commit completes a crawl
		}
		d[k] = v
	}
	d["rows"] = strconv.FormatInt(rows, 10)
	prov.Detail = d
	if err := store.CommitFile(out, table, path, prov); err != nil {
		return fmt.Errorf("crawl: commit %s: %w", table, err)
	}
	return nil
}

// watermark is where the next incremental crawl may start: the newest
// lastModified seen, but no later than the crawl's start (minus a margin
// for clock skew), because repos modified while the crawl ran may have
// been listed before the change. Only a crawl that saw the whole listing
// (or reached its own cut-off) has one.
func (c *crawl) watermark() time.Time {
	st := c.st
	if st.Stop != stopEnd && st.Stop != stopWatermark {
		return time.Time{}
	}
	wm := st.MaxLast
	if bound := st.StartedAt.Add(-c.opt.WatermarkSkew); !wm.IsZero() && wm.After(bound) {
		wm = bound
	}
	if wm.Before(st.Query.Since) {
		wm = st.Query.Since
	}
	return wm.UTC()
}

// provenance describes the crawl in the zoo manifest. It never holds the
// token; the endpoint cannot carry credentials (hub.New refuses them).
func (c *crawl) provenance() store.Provenance {
	st := c.st
	q := st.Query
	d := map[string]string{
		"crawl.kind":  string(q.Kind),
		"crawl.query": q.signature(),
		"crawl.sort":  q.Sort,
		"crawl.stop":  st.Stop,
		"endpoint":    c.client.Endpoint(),
		"pages":       strconv.FormatInt(st.Counts.Pages, 10),
		"listed":      strconv.FormatInt(st.Counts.Listed, 10),
		"cards":       strconv.FormatInt(st.Counts.Cards, 10),
		"evals":       strconv.FormatInt(st.Counts.Evals, 10),
		"started_at":  st.StartedAt.Format(time.RFC3339),
	}
	if !q.Since.IsZero() {
		d["crawl.since"] = q.Since.Format(time.RFC3339Nano)
	}
	if !st.Watermark.IsZero() {
		d["crawl.watermark"] = st.Watermark.Format(time.RFC3339Nano)
	}
	cmd := c.opt.Command
	if cmd == "" {
		cmd = "zoograph crawl " + string(q.Kind)
	}
	return store.Provenance{Source: SourceHub, Command: cmd, Detail: d}
}

// watermarkOf returns the watermark of the zoo's last complete crawl of
// kind with query signature sig, or the zero time.
func watermarkOf(m *store.Manifest, kind Kind, sig string) time.Time {
	if m == nil {
		return time.Time{}
	}
	for i := len(m.Provenance) - 1; i >= 0; i-- {
		p := m.Provenance[i]
		if p.Source != SourceHub || p.Detail["crawl.kind"] != string(kind) || p.Detail["crawl.query"] != sig {
			continue
		}
		v := p.Detail["crawl.watermark"]
		if v == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t
		}
	}
	return time.Time{}
}
