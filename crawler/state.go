package crawler

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/zoograph/zoograph/store"
)

// The crawl state of kind K lives in ZOO/.crawl/K/: state.json (the
// checkpoint) and the part files it lists, TABLE-NNNNNN.arrow. Nothing
// else there matters: files the checkpoint does not list are leftovers of a
// killed write and are removed when the crawl resumes.
const (
	StateDir  = ".crawl" // exported: a crawl may write into an --out that holds only this
	stateFile = "state.json"
	lockFile  = "lock"
	// stateFormat 2: part files are Arrow IPC (1: Parquet).
	stateFormat = 2
)

// Phases of a crawl, in order.
const (
	phaseListing    = "listing"    // pages are being fetched into parts
	phaseCompacting = "compacting" // the listing ended; parts are merged into the zoo
	phaseCommitted  = "committed"  // the zoo holds the result; only cleanup is left
)

// Reasons a listing stopped.
const (
	stopEnd       = "end"       // the listing had no next page
	stopLimit     = "limit"     // Options.Limit repos were listed
	stopWatermark = "watermark" // an incremental crawl reached repos older than Since
)

// query is what a crawl lists and fetches; a resumed crawl must keep it.
type query struct {
	Kind     Kind      `json:"kind"`
	Filter   []string  `json:"filter,omitempty"`
	Search   string    `json:"search,omitempty"`
	Author   string    `json:"author,omitempty"`
	Sort     string    `json:"sort"`
	Limit    int       `json:"limit,omitempty"`
	Since    time.Time `json:"since,omitzero"`
	Cards    bool      `json:"cards,omitempty"`
	Details  bool      `json:"details,omitempty"`
	Expand   []string  `json:"expand"`
	PageSize int       `json:"page_size"`
	Endpoint string    `json:"endpoint,omitempty"` // the client's, normalised; not in the signature
	Full     bool      `json:"full,omitempty"`     // --full: no watermark read; not in the signature
	Gap      bool      `json:"gap,omitempty"`      // Since is after the zoo's watermark: no watermark to record
}

// signature identifies the set of repos a query selects, whatever its
// order, limit or fetches: watermarks are only reused between crawls with
// the same signature.
func (q query) signature() string {
	f := slices.Clone(q.Filter)
	slices.Sort(f)
	b, _ := json.Marshal(struct {
		Kind   Kind     `json:"kind"`
		Filter []string `json:"filter"`
		Search string   `json:"search"`
		Author string   `json:"author"`
	}{q.Kind, f, q.Search, q.Author})
	return string(b)
}

// part is one flush of the writer: a file per table, named by Seq.
type part struct {
	Seq   int   `json:"seq"`
	Repos int64 `json:"repos"` // rows of the models or datasets file
	Evals int64 `json:"evals"` // rows of the evals file (0: no file)
	Cards int64 `json:"cards"` // rows of the cards file (0: no file)
}

func partFile(table string, seq int) string { return fmt.Sprintf("%s-%06d.arrow", table, seq) }

func (c *crawl) partPath(table string, seq int) string {
	return filepath.Join(c.dir, partFile(table, seq))
}

// partPathIf is partPath when the part has rows of table, else "".
func (c *crawl) partPathIf(table string, seq int, rows int64) string {
	if rows == 0 {
		return ""
	}
	return c.partPath(table, seq)
}

// counts are what a crawl has durably stored, summed over its runs.
type counts struct {
	Pages    int64            `json:"pages"`
	Listed   int64            `json:"listed"` // repos accepted from the listing
	Repos    int64            `json:"repos"`  // rows in parts (after in-part dedupe)
	Details  int64            `json:"details"`
	Cards    int64            `json:"cards"`
	Evals    int64            `json:"evals"`
	Skipped  map[string]int64 `json:"skipped,omitempty"`
	Failures map[string]int64 `json:"failures,omitempty"`
}

func (c *counts) add(d counts) {
	c.Pages += d.Pages
	c.Listed += d.Listed
	c.Repos += d.Repos
	c.Details += d.Details
	c.Cards += d.Cards
	c.Evals += d.Evals
	c.Skipped = addMap(c.Skipped, d.Skipped)
	c.Failures = addMap(c.Failures, d.Failures)
}

func addMap(dst, src map[string]int64) map[string]int64 {
	for k, v := range src {
		if dst == nil {
			dst = map[string]int64{}
		}
		dst[k] += v
	}
	return dst
}

// state is the checkpoint: enough to continue a crawl after a crash. It is
// replaced atomically after every durable write of parts, so it never lists
// a part that is not complete on disk, and Cursor is the page after the last
// one stored.
type state struct {
	Format int `json:"format"`
	// ID names the crawl in the zoo's provenance (crawl.id).
	ID        string    `json:"id,omitempty"`
	Query     query     `json:"query"`
	StartedAt time.Time `json:"started_at"`
	Phase     string    `json:"phase"`
	Cursor    string    `json:"cursor,omitempty"` // the next page's URL; "" before the first
	Counts    counts    `json:"counts"`
	MaxLast   time.Time `json:"max_last_modified,omitzero"`
	Stop      string    `json:"stop,omitempty"`
	Parts     []part    `json:"parts,omitempty"`
	Runs      int       `json:"runs"`
	// Result of the compaction, kept for the summary of a run that only
	// cleans up.
	TableRows int64     `json:"table_rows,omitempty"`
	NewRows   int64     `json:"new_rows,omitempty"`
	Watermark time.Time `json:"watermark,omitzero"`
}

// loadState reads dir's checkpoint; (nil, nil) when there is none.
func loadState(dir string) (*state, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("crawl: read checkpoint: %w", err)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("crawl: checkpoint %s is corrupt (restart the crawl): %w", filepath.Join(dir, stateFile), err)
	}
	if st.Format != stateFormat {
		return nil, fmt.Errorf("crawl: checkpoint %s has format %d, want %d (restart the crawl)", filepath.Join(dir, stateFile), st.Format, stateFormat)
	}
	switch st.Phase {
	case phaseListing, phaseCompacting, phaseCommitted:
	default:
		return nil, fmt.Errorf("crawl: checkpoint %s: unknown phase %q (restart the crawl)", filepath.Join(dir, stateFile), st.Phase)
	}
	for i, p := range st.Parts {
		if p.Seq != i+1 {
			return nil, fmt.Errorf("crawl: checkpoint %s: part %d has sequence %d (restart the crawl)", filepath.Join(dir, stateFile), i+1, p.Seq)
		}
	}
	return &st, nil
}

// save replaces dir's checkpoint atomically.
func (st *state) save(dir string) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("crawl: encode checkpoint: %w", err)
	}
	if err := store.WriteFileAtomic(filepath.Join(dir, stateFile), append(b, '\n')); err != nil {
		return fmt.Errorf("crawl: save checkpoint: %w", err)
	}
	return nil
}

// sweepState removes from dir every file the checkpoint does not refer to:
// parts written after the last checkpoint, temporary files.
func sweepState(dir string, st *state, repoTable string) error {
	keep := map[string]bool{stateFile: true}
	for _, p := range st.Parts {
		keep[partFile(repoTable, p.Seq)] = true
		if p.Evals > 0 {
			keep[partFile(store.TableEvals, p.Seq)] = true
		}
		if p.Cards > 0 {
			keep[partFile(store.TableCards, p.Seq)] = true
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("crawl: %w", err)
	}
	for _, e := range entries {
		if keep[e.Name()] || !e.Type().IsRegular() {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("crawl: sweep crawl state: %w", err)
		}
	}
	for name := range keep {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("crawl: checkpoint lists %s, which is missing (restart the crawl): %w", name, err)
		}
	}
	return nil
}

// zooLock is an advisory lock on a zoo, held for the whole crawl. The
// kernel drops it when the process dies, so a killed crawl never leaves a
// stale lock behind.
type zooLock struct{ f *os.File }

func lockZoo(path string) (*zooLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("crawl: lock: %w", err)
	}
	if err := flock(f, path); err != nil {
		f.Close()
		return nil, err
	}
	return &zooLock{f: f}, nil
}

func (l *zooLock) release() { l.f.Close() }
