package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Merged says what MergeZoo did to one table.
type Merged struct {
	Table    string
	Kept     int64 // rows of the zoo kept
	Replaced int64 // rows of the zoo removed: the merge replaced them
	Added    int64 // rows of the merge written
}

// MergeZoo merges t, the tables of one source, into the zoo directory dir,
// creating dir if missing, and appends prov to the manifest once. It is how
// importers write: what the zoo got from elsewhere (a crawl, another
// benchmark) is never removed.
//
// prov.Source names the source. For every non-nil table of t, the zoo's
// rows that t replaces are removed, the others kept in their order, and t's
// rows appended after them:
//
//   - in the tables with a source column (models, datasets, evals,
//     finetunes, scores, dataset_distances, reference_results), the rows
//     whose source is prov.Source. Every row of t in these tables must
//     carry prov.Source, so importing the same source again replaces its
//     rows, and only its rows: a model crawled from the Hub and the same
//     model in a benchmark stay two rows, one per source, and a score the
//     new import no longer has is gone. The scores and distances of a
//     schema 1 zoo get their source as ReadZoo gives it; those of
//     LegacySource are replaced by key, (model_id, dataset_id, method) for
//     scores and (dataset_a, dataset_b, method) for distances, as schema 1
//     did;
//   - in cards, without one, the rows with the (repo_type, repo_id) of a
//     row of t: a newer card replaces the older; other cards stay.
//
// Tables nil in t are left as they are; an empty non-nil table removes the
// source's rows of a source-column table. The zoo's tables are streamed, so
// memory holds one batch of them, not the tables. The write is atomic as a
// whole, as WriteZoo's is: killed at any point, the zoo reads back as its
// previous or its merged state. Writers of one zoo take turns; a merge
// waiting for its turn ends when ctx is done, with an error that says so
// and the zoo untouched.
func MergeZoo(ctx context.Context, dir string, t *Tables, prov Provenance) ([]Merged, error) {
	return mergeZoo(ctx, dir, t, prov, defaultIO)
}

func mergeZoo(ctx context.Context, dir string, t *Tables, prov Provenance, cfg ioConfig) ([]Merged, error) {
	if prov.Source == "" {
		return nil, errors.New("store: merge: the provenance names no source")
	}
	if prov.Source == LegacySource {
		return nil, fmt.Errorf("store: merge: source %q is reserved for rows of old zoos", LegacySource)
	}
	if t == nil {
		t = &Tables{}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("store: merge into zoo: %w", err)
	}
	unlock, err := lockWrites(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	m, err := ReadManifest(dir)
	if errors.Is(err, ErrNotZoo) {
		m, err = &Manifest{Tables: map[string]TableInfo{}}, nil
	}
	if err != nil {
		return nil, err
	}
	mg := &merger{dir: dir, m: m, source: prov.Source, cfg: cfg}
	for _, step := range []func() error{
		func() error { return mergeTable(mg, t.Models, bySource(func(r *Model) string { return r.Source })) },
		func() error { return mergeTable(mg, t.Datasets, bySource(func(r *Dataset) string { return r.Source })) },
		func() error {
			return mergeTable(mg, t.Cards, byKey(func(r *Card) string { return key(r.RepoType, r.RepoID) }))
		},
		func() error { return mergeTable(mg, t.Evals, bySource(func(r *Eval) string { return r.Source })) },
		func() error {
			return mergeTable(mg, t.Finetunes, bySource(func(r *Finetune) string { return r.Source }))
		},
		func() error {
			return mergeTable(mg, t.Scores, owner[Score]{
				source: func(r *Score) string { return r.Source },
				key:    func(r *Score) string { return key(r.ModelID, r.DatasetID, r.Method) },
			})
		},
		func() error {
			return mergeTable(mg, t.DatasetDistances, owner[DatasetDistance]{
				source: func(r *DatasetDistance) string { return r.Source },
				key:    func(r *DatasetDistance) string { return key(r.DatasetA, r.DatasetB, r.Method) },
			})
		},
		func() error {
			return mergeTable(mg, t.ReferenceResults, bySource(func(r *ReferenceResult) string { return r.Source }))
		},
	} {
		if err := step(); err != nil {
			for _, st := range mg.sts {
				os.Remove(st.tmp)
			}
			return nil, err
		}
	}
	if err := commit(dir, mg.sts, prov, cfg.hook); err != nil {
		return nil, err
	}
	return mg.done, nil
}

// merger carries one MergeZoo through its tables.
type merger struct {
	dir    string
	m      *Manifest // the zoo's manifest before the merge
	source string
	cfg    ioConfig
	sts    []staged
	done   []Merged
}

// owner says which of a table's rows a merge replaces: by source (source
// is set), by key (key alone), or by source and, for the rows of
// LegacySource, by key (both).
type owner[T Row] struct {
	source func(*T) string
	key    func(*T) string
}

func bySource[T Row](f func(*T) string) owner[T] { return owner[T]{source: f} }
func byKey[T Row](f func(*T) string) owner[T]    { return owner[T]{key: f} }

// key joins the fields of a row's key; NUL appears in no id.
func key(fields ...string) string { return strings.Join(fields, "\x00") }

// mergeTable stages the merge of rows into T's table: the zoo's rows that
// rows do not replace, then rows.
func mergeTable[T Row](mg *merger, rows []T, own owner[T]) error {
	if rows == nil {
		return nil
	}
	name := TableName[T]()
	if own.source != nil {
		for i := range rows {
			if s := own.source(&rows[i]); s != mg.source {
				return fmt.Errorf("store: merge %s into zoo %s: row %d has source %q, want %q (one merge writes one source)",
					name, mg.dir, i+1, s, mg.source)
			}
		}
	}
	var keys map[string]struct{}
	if own.key != nil {
		keys = make(map[string]struct{}, len(rows))
		for i := range rows {
			keys[own.key(&rows[i])] = struct{}{}
		}
	}
	replaces := func(r *T) bool {
		if own.source != nil {
			s := own.source(r)
			if s == mg.source {
				return true
			}
			if own.key == nil || s != LegacySource {
				return false
			}
		}
		_, ok := keys[own.key(r)]
		return ok
	}

	res := Merged{Table: name, Added: int64(len(rows))}
	info, ok := mg.m.Tables[name]
	if !ok {
		st, err := stage(mg.dir, name+".parquet", rows, mg.cfg)
		if err != nil {
			return err
		}
		mg.sts = append(mg.sts, st)
		mg.done = append(mg.done, res)
		return nil
	}

	old := filepath.Join(mg.dir, info.File)
	if fi, err := os.Stat(old); err != nil {
		return fmt.Errorf("store: zoo %s: table %s listed in %s: %w", mg.dir, name, ManifestFile, err)
	} else if fi.Size() != info.Bytes {
		return fmt.Errorf("store: zoo %s: %s has %d bytes, %s says %d: the file changed outside zoograph",
			mg.dir, old, fi.Size(), ManifestFile, info.Bytes)
	}
	path := filepath.Join(mg.dir, name+".parquet")
	af, err := createTemp(mg.dir, name+".parquet")
	if err != nil {
		return fmt.Errorf("store: merge %s: %w", path, err)
	}
	w, err := newWriter[T](af, mg.cfg)
	if err != nil {
		af.abort()
		return err
	}
	var read int64
	legacy := legacySource(mg.m, name)
	err = scan(old, mg.cfg, func(batch []T) error {
		read += int64(len(batch))
		attribute(batch, legacy)
		kept := batch[:0]
		for i := range batch {
			if replaces(&batch[i]) {
				res.Replaced++
			} else {
				kept = append(kept, batch[i])
			}
		}
		res.Kept += int64(len(kept))
		return w.Write(kept)
	}, nil)
	if err == nil && read != info.Rows {
		err = fmt.Errorf("store: zoo %s: %s has %d rows, %s says %d", mg.dir, old, read, ManifestFile, info.Rows)
	}
	if err == nil {
		err = w.Write(rows)
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		af.abort()
		return fmt.Errorf("store: merge %s: %w", path, err)
	}
	sum, size, err := af.commit()
	if err != nil {
		return fmt.Errorf("store: merge %s: %w", path, err)
	}
	mg.sts = append(mg.sts, staged{table: name, tmp: af.name, info: TableInfo{Rows: res.Kept + res.Added, Bytes: size, SHA256: sum}})
	mg.done = append(mg.done, res)
	return nil
}
