package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Parts says how MergeParts folds part files into a zoo: the rows of table
// T, grouped by Key, and the rows of dependent tables that belong to them.
//
// For each key the parts hold, the part row with the greatest Version wins
// (on a tie the later one: a later part, or a later row of one part), and it
// replaces every zoo row of that key except those Keep marks, which stay.
// Keys no part holds keep their zoo rows (deduplicated the same way). A row
// of a dependent table (an eval of a model, a card of a repo) names its
// owner: a part's dependent rows are kept when their owner's row won in that
// part; the zoo's dependent rows are kept unless a zoo row of their owner
// was replaced (a sparse dependent keeps them then too, unless a part
// supplies rows of that owner: SparseDependentParts).
type Parts[T Row] struct {
	// Files are the parts: files of T's table (Parquet, or the Arrow IPC
	// of WriteFileWith), oldest first.
	Files []string
	// Key identifies what a row describes (a repo); Version orders the
	// rows of one key; Owner is the name its dependent rows give it.
	Key     func(*T) string
	Version func(*T) int64
	Owner   func(*T) string
	// Keep marks zoo rows that the merge never replaces (rows of another
	// source); nil keeps none.
	Keep func(*T) bool
	// KeyColumns are the columns Key, Version, Owner and Keep read, so the
	// index is built without reading the rest; nil reads every column.
	KeyColumns []string
	// Keys, when known, is about how many keys there are: the index is
	// made that large at once instead of growing (and briefly doubling).
	Keys int
	// Dependents are the tables whose rows follow T's rows.
	Dependents []Dependent
}

// Dependent is a table whose rows belong to rows of a merge's keyed table;
// make one with DependentParts or SparseDependentParts.
type Dependent struct {
	table string
	files []string
	write func(ctx context.Context, dir string, paths []string, keep keepFunc, cfg ioConfig) (staged, error)
	// owners, set for a sparse dependent, calls fn with the owner of every
	// row of the file at path.
	owners func(ctx context.Context, path string, fn func(owner string)) error
}

// keepFunc returns, for source src (0: the zoo, i+1: part i), which owners'
// dependent rows to keep.
type keepFunc func(src int) (func(owner string) bool, error)

// DependentParts is table D in a merge: files[i] is part i's file of it
// ("" when the part has none), owner the owner a row names ("" for a row
// that belongs to no row of the keyed table, which is kept).
func DependentParts[D Row](files []string, owner func(*D) string) Dependent {
	return dependentParts(files, owner, nil)
}

// dependentParts is DependentParts whose parts' rows that absent reports
// are not written.
func dependentParts[D Row](files []string, owner func(*D) string, absent func(*D) bool) Dependent {
	return Dependent{
		table: TableName[D](),
		files: files,
		write: func(ctx context.Context, dir string, paths []string, keep keepFunc, cfg ioConfig) (staged, error) {
			w, err := newMergeWriter[D](dir, cfg)
			if err != nil {
				return staged{}, err
			}
			for src, path := range paths {
				if path == "" {
					continue
				}
				ok, err := keep(src)
				if err == nil {
					err = w.copy(ctx, path, func(_ int32, d *D) bool { return ok(owner(d)) && (src == 0 || absent == nil || !absent(d)) })
				}
				if err != nil {
					w.abort()
					return staged{}, err
				}
			}
			return w.close()
		},
	}
}

// SparseDependentParts is DependentParts for a table whose parts may lack
// rows that the zoo holds for an owner only because they could not be had
// this time (a README whose fetch failed): the zoo's rows of an owner whose
// keyed row was replaced by a newer row of the same owner stay, unless a
// part supplies rows of that owner, which then replace them. An owner whose
// keyed row now has another owner (a renamed repo) loses its rows as with
// DependentParts. A part row that absent reports (nil: none) says that its
// owner has no rows now (a README the Hub says the repo no longer has): it
// replaces the zoo's rows of that owner like a supplied row and is not
// written itself. columns are the columns owner reads.
func SparseDependentParts[D Row](files []string, owner func(*D) string, absent func(*D) bool, columns ...string) Dependent {
	d := dependentParts(files, owner, absent)
	d.owners = func(ctx context.Context, path string, fn func(string)) error {
		return scanRows(ctx, path, columns, func(_ int32, r *D) error { fn(owner(r)); return nil })
	}
	return d
}

// PartsMerged reports a merge.
type PartsMerged struct {
	Rows    int64 // rows of T's table after the merge
	NewRows int64 // of them, rows from the parts
}

// A merge writes row groups of at most mergeRowGroupRows rows and
// mergeRowGroupBytes of strings (READMEs are long): two tables are encoded
// at once beside the index, so they are kept smaller than WriteFile's.
const (
	mergeRowGroupRows  = 16 << 10
	mergeRowGroupBytes = 16 << 20
)

// MergeParts folds the parts into T's table of the zoo directory dir and
// into the tables of spec.Dependents (see Parts), and records prov in the
// manifest. It is atomic as WriteZoo is: every table is written to a
// temporary file first and one manifest replacement commits them all, so a
// merge killed at any point leaves the zoo as it was or merged, and can run
// again from the same parts. It streams: memory holds an index of a few
// dozen bytes per key and one row group per table being written, never the
// tables. Dependent tables are written while T's is, one after the other.
// Writers of one zoo take turns, as for WriteZoo; a merge waiting for its
// turn ends when ctx is done.
func MergeParts[T Row](ctx context.Context, dir string, spec Parts[T], prov Provenance) (PartsMerged, error) {
	return mergeParts(ctx, dir, spec, prov, defaultIO)
}

func mergeParts[T Row](ctx context.Context, dir string, spec Parts[T], prov Provenance, cfg ioConfig) (PartsMerged, error) {
	table := TableName[T]()
	fail := func(err error) (PartsMerged, error) {
		if ctx.Err() != nil {
			return PartsMerged{}, ctx.Err()
		}
		return PartsMerged{}, fmt.Errorf("store: merge into %s of zoo %s: %w", table, dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(err)
	}
	unlock, err := lockWrites(ctx, dir)
	if err != nil {
		return PartsMerged{}, err
	}
	defer unlock()
	m, err := ReadManifest(dir)
	if err != nil && !errors.Is(err, ErrNotZoo) {
		return PartsMerged{}, err
	}
	old := func(table string) string {
		if m == nil {
			return ""
		}
		if t, ok := m.Tables[table]; ok {
			return filepath.Join(dir, t.File)
		}
		return ""
	}
	keep := spec.Keep
	if keep == nil {
		keep = func(*T) bool { return false }
	}
	// Sources: 0 is the zoo's table, i+1 part i.
	paths := append([]string{old(table)}, spec.Files...)

	// 1. The index: the winning row of every key, then one bit per row.
	idx := make(map[string]loc, spec.Keys)
	rows := make([]int32, len(paths))
	for src, path := range paths {
		if path == "" {
			continue
		}
		err := scanRows(ctx, path, spec.KeyColumns, func(row int32, r *T) error {
			rows[src] = row + 1
			if src > 0 || !keep(r) {
				offer(idx, spec.Key(r), loc{src: int32(src), row: row, version: spec.Version(r)})
			}
			return nil
		})
		if err != nil {
			return fail(err)
		}
	}
	win := winners(idx, rows)
	idx = nil

	// 2. T's table: the zoo's rows that stay, then the parts' winners. The
	// zoo's rows go first, alone, so that replaced (the owners of the zoo's
	// rows that lost) is complete before the dependents are written, at the
	// same time as the parts' rows.
	w, err := newMergeWriter[T](dir, cfg)
	if err != nil {
		return fail(err)
	}
	replaced := map[string]bool{}
	if paths[0] != "" {
		err := w.copy(ctx, paths[0], func(row int32, r *T) bool {
			if keep(r) || win[0].has(row) {
				return true
			}
			replaced[strings.Clone(spec.Owner(r))] = true
			return false
		})
		if err != nil {
			w.abort()
			return fail(err)
		}
	}
	var out staged
	var sts []staged // the dependents
	var newRows int64
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		for src := 1; src < len(paths); src++ {
			err := w.copy(gctx, paths[src], func(row int32, _ *T) bool {
				if !win[src].has(row) {
					return false
				}
				newRows++
				return true
			})
			if err != nil {
				w.abort()
				return err
			}
		}
		var err error
		out, err = w.close()
		return err
	})
	g.Go(func() error {
		// The owners whose rows won in source src: the zoo's rows stay
		// unless their owner lost a row; a part's when it won there.
		wonIn := func(src int) (map[string]bool, error) {
			won := map[string]bool{}
			err := scanRows(gctx, paths[src], spec.KeyColumns, func(row int32, r *T) error {
				if win[src].has(row) {
					won[strings.Clone(spec.Owner(r))] = true
				}
				return nil
			})
			return won, err
		}
		keepFor := func(src int) (func(string) bool, error) {
			if src == 0 {
				return func(owner string) bool { return owner == "" || !replaced[owner] }, nil
			}
			won, err := wonIn(src)
			return func(owner string) bool { return won[owner] }, err
		}
		for _, d := range spec.Dependents {
			if len(d.files) != len(spec.Files) {
				return fmt.Errorf("table %s: %d part files for %d parts", d.table, len(d.files), len(spec.Files))
			}
			keep := keepFor
			if d.owners != nil && old(d.table) != "" && len(replaced) > 0 {
				kept, err := sparseKeep(gctx, d, replaced, wonIn)
				if err != nil {
					return err
				}
				keep = func(src int) (func(string) bool, error) {
					if src == 0 {
						return kept, nil
					}
					return keepFor(src)
				}
			}
			st, err := d.write(gctx, dir, append([]string{old(d.table)}, d.files...), keep, cfg)
			if err != nil {
				return err
			}
			sts = append(sts, st)
		}
		return nil
	})
	err = g.Wait()
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		for _, st := range append(sts, out) {
			if st.tmp != "" {
				os.Remove(st.tmp)
			}
		}
		return fail(err)
	}
	// One manifest replacement commits every table.
	if err := commit(dir, append(sts, out), prov, cfg.hook); err != nil {
		return PartsMerged{}, err
	}
	return PartsMerged{Rows: out.info.Rows, NewRows: newRows}, nil
}

// sparseKeep says which of the zoo's rows of sparse dependent d stay: those
// of an owner no part replaced, and those of an owner replaced by a row of
// its own (the same repo, newer) when no part supplies rows of it.
func sparseKeep(ctx context.Context, d Dependent, replaced map[string]bool, wonIn func(src int) (map[string]bool, error)) (func(string) bool, error) {
	const refreshed, supplied = 1, 2
	state := map[string]uint8{}
	for i, path := range d.files {
		won, err := wonIn(i + 1)
		if err != nil {
			return nil, err
		}
		for o := range won {
			if replaced[o] && state[o] == 0 {
				state[o] = refreshed
			}
		}
		if path == "" {
			continue
		}
		err = d.owners(ctx, path, func(o string) {
			if won[o] && state[o] == refreshed {
				state[o] = supplied
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return func(o string) bool { return o == "" || !replaced[o] || state[o] == refreshed }, nil
}

// loc is where the winning row of a key is.
type loc struct {
	src, row int32
	version  int64
}

// offer records a row and keeps it if it beats the current winner: a
// part's row beats the zoo's; otherwise the greater version, and on a tie
// the later row.
func offer(idx map[string]loc, key string, l loc) {
	if cur, ok := idx[key]; ok {
		if (l.src > 0) == (cur.src > 0) && l.version < cur.version || cur.src > 0 && l.src == 0 {
			return
		}
		idx[key] = l
		return
	}
	idx[strings.Clone(key)] = l
}

// winners turns the index into one bit per row of each source.
func winners(idx map[string]loc, rows []int32) []bitset {
	w := make([]bitset, len(rows))
	for src, n := range rows {
		w[src] = make(bitset, (int(n)+63)/64)
	}
	for _, l := range idx {
		w[l.src].set(l.row)
	}
	return w
}

type bitset []uint64

func (b bitset) set(i int32) { b[i/64] |= 1 << (uint(i) % 64) }

func (b bitset) has(i int32) bool {
	return i >= 0 && int(i) < 64*len(b) && b[i/64]&(1<<(uint(i)%64)) != 0
}

// scanRows calls fn with every row of the file at path, numbered.
func scanRows[T Row](ctx context.Context, path string, columns []string, fn func(row int32, r *T) error) error {
	var row int32
	return scan(path, defaultIO, func(batch []T) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i := range batch {
			if err := fn(row, &batch[i]); err != nil {
				return err
			}
			row++
		}
		return nil
	}, columns)
}

// mergeWriter writes a table into a temporary file of the zoo directory.
type mergeWriter[T Row] struct {
	af  *atomicFile
	w   *Writer[T]
	buf []T
}

func newMergeWriter[T Row](dir string, cfg ioConfig) (*mergeWriter[T], error) {
	af, err := createTemp(dir, TableName[T]()+".parquet")
	if err != nil {
		return nil, err
	}
	cfg.rowGroupRows, cfg.rowGroupBytes = mergeRowGroupRows, mergeRowGroupBytes
	w, err := newWriter[T](af, cfg)
	if err != nil {
		af.abort()
		return nil, err
	}
	return &mergeWriter[T]{af: af, w: w}, nil
}

// copy appends the rows of the file at path that keep accepts, in order;
// keep gets each row's number in the file. Rows go to the Parquet writer
// in batches.
func (m *mergeWriter[T]) copy(ctx context.Context, path string, keep func(row int32, r *T) bool) error {
	return scanRows(ctx, path, nil, func(row int32, r *T) error {
		if !keep(row, r) {
			return nil
		}
		m.buf = append(m.buf, *r)
		if len(m.buf) < 8192 {
			return nil
		}
		err := m.w.Write(m.buf)
		clear(m.buf)
		m.buf = m.buf[:0]
		return err
	})
}

// close completes the file, synced, under its temporary name.
func (m *mergeWriter[T]) close() (staged, error) {
	err := m.w.Write(m.buf)
	if cerr := m.w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		m.af.abort()
		return staged{}, err
	}
	sum, size, err := m.af.commit()
	if err != nil {
		return staged{}, err
	}
	return staged{table: TableName[T](), tmp: m.af.name, info: TableInfo{Rows: m.w.Rows(), Bytes: size, SHA256: sum}}, nil
}

func (m *mergeWriter[T]) abort() {
	m.w.Close()
	m.af.abort()
}
