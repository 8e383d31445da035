package transfergraph

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/zoograph/zoograph/store"
)

// Options configures Import. The zero value auto-detects the layout, skips
// malformed rows and uses a default HTTP client.
type Options struct {
	Task       string       // "image" | "text" | "" (auto-detect from the header of records.csv)
	Strict     bool         // any malformed row is an error
	HTTPClient *http.Client // for http(s) sources; nil = a default client with timeouts
	Logger     *slog.Logger // nil = discard
}

// Report says what Import read.
type Report struct {
	Task     string         // TaskImage or TaskText
	Source   string         // the Source of the rows, e.g. "transfergraph/image_classification"
	Problems []Problem      // malformed rows that were skipped, in the order read
	Counts   map[string]int // rows per table (models, datasets, finetunes, scores, dataset_distances, reference_results) and a few details
	// ResultTables lists the result_analysis files that were found.
	ResultTables []string
}

// Import reads a TransferGraph experiment directory (a local path or an
// http(s) base URL of the same layout, e.g. a raw-file URL of
// resources/experiments/<task>/) into zoo tables. It writes nothing.
//
// The five core files are required: a missing or unreadable one, a header
// without the expected columns or an HTTP failure is an error naming the
// file or URL, and so is a records file without a single fine-tuning record.
// The result_analysis tables are optional. Malformed rows are
// skipped and listed in the report, or, with Options.Strict, are an error
// (a Problem).
func Import(ctx context.Context, src string, opt Options) (*store.Tables, *Report, error) {
	log := opt.Logger
	if log == nil {
		log = discard()
	}
	task, err := parseTask(opt.Task)
	if err != nil {
		return nil, nil, err
	}
	from, err := newSource(src, opt.HTTPClient)
	if err != nil {
		return nil, nil, err
	}
	records, lay, err := readLayout(ctx, from, task)
	if err != nil {
		return nil, nil, err
	}
	log.Debug("importing", "source", src, "layout", lay.source)
	files, found, err := readAll(ctx, from, lay, log)
	if err != nil {
		return nil, nil, err
	}
	files[fileRecords] = records

	ps := &problems{strict: opt.Strict, log: log}
	t, err := parseFiles(ctx, files, lay, ps)
	if err != nil {
		return nil, nil, err
	}
	// Tables without records would replace an earlier import's records
	// with nothing (a truncated download, a records.csv of malformed rows).
	if len(t.Finetunes) == 0 {
		err := fmt.Errorf("%s: no fine-tuning records: nothing to import", from.location(fileRecords))
		if len(ps.list) > 0 {
			err = fmt.Errorf("%w; %d problems, the first: %v", err, len(ps.list), ps.list[0])
		}
		return nil, nil, err
	}
	extra := addMissingModels(t, lay.source)
	// Non-nil slices: an imported table with no rows still replaces the
	// rows of an earlier import of the same source (store.MergeZoo leaves
	// tables that are nil alone). Cards and evals are not the benchmark's
	// and stay nil.
	t.Models = nonNil(t.Models)
	t.Datasets = nonNil(t.Datasets)
	t.Finetunes = nonNil(t.Finetunes)
	t.Scores = nonNil(t.Scores)
	t.DatasetDistances = nonNil(t.DatasetDistances)
	t.ReferenceResults = nonNil(t.ReferenceResults)
	if extra > 0 {
		log.Info("models with records or scores but no config row added without metadata", "models", extra)
	}
	rep := newReport(t, lay, ps, found, extra)
	log.Debug("read", "source", lay.source, "models", len(t.Models), "datasets", len(t.Datasets),
		"finetunes", len(t.Finetunes), "scores", len(t.Scores), "distances", len(t.DatasetDistances),
		"reference_results", len(t.ReferenceResults), "problems", len(ps.list))
	return t, rep, nil
}

// readLayout reads the records file and tells the layout from its header
// (or takes task's, when set), checking that the header has the layout's
// record columns before any other file is read. It returns the records
// file's bytes and the layout.
func readLayout(ctx context.Context, from source, task string) ([]byte, *layout, error) {
	records, err := from.read(ctx, fileRecords)
	if d, ok := from.(dirSource); ok && errors.Is(err, ErrNotFound) {
		// The directory above an experiment's (the repository, its
		// resources/experiments): name the experiments below it.
		below, _ := filepath.Glob(filepath.Join(string(d), "*", fileRecords))
		more, _ := filepath.Glob(filepath.Join(string(d), "resources", "experiments", "*", fileRecords))
		if below = append(below, more...); len(below) > 0 {
			for i, b := range below {
				below[i] = filepath.Dir(b)
			}
			return nil, nil, fmt.Errorf("no %s in it: give an experiment directory, such as %s", fileRecords, strings.Join(below, " or "))
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", fileRecords, err)
	}
	header, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(records, []byte("\ufeff")))).Read()
	if err == io.EOF {
		return nil, nil, fmt.Errorf("%s: empty file, want a header line", from.location(fileRecords))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: header: %w", from.location(fileRecords), err)
	}
	given := task
	if task == "" {
		if task, err = detectTask(header); err != nil {
			return nil, nil, err
		}
	}
	lay := layouts[task]
	rt, err := newTable(fileRecords, header)
	if err == nil {
		err = checkColumns(rt, append([]string{lay.records.model, lay.records.dataset}, lay.records.columns()...))
	}
	if err != nil {
		// A --task the header contradicts: say which layout it is.
		if other, derr := detectTask(header); given != "" && derr == nil && other != given {
			return nil, nil, fmt.Errorf("%w: the header is the %s layout's; give --task %s, or no --task to tell it from the header",
				err, layouts[other].source, other)
		}
		return nil, nil, fmt.Errorf("%w (is this the %s layout?)", err, lay.source)
	}
	return records, lay, nil
}

// parseFiles parses the files read (by name) into tables: fine-tunes,
// models, scores, distances, the reference results of every result table
// found, and the datasets all of them name. Parse errors (a header without
// a needed column; a Problem in strict mode) name the file relative to the
// source, and its line.
func parseFiles(ctx context.Context, files map[string][]byte, lay *layout, ps *problems) (*store.Tables, error) {
	t := &store.Tables{}
	var err error
	if t.Finetunes, err = parseRecords(ctx, files[fileRecords], lay, ps); err != nil {
		return nil, err
	}
	if t.Models, err = parseConfig(ctx, files[fileConfig], lay, ps); err != nil {
		return nil, err
	}
	if t.Scores, err = parseScores(ctx, files[fileScores], lay, ps); err != nil {
		return nil, err
	}
	features, err := parseFeatures(ctx, files[fileFeatures], lay, ps)
	if err != nil {
		return nil, err
	}
	names, dist, err := parseDistances(ctx, files[lay.distances], lay.distances, lay, ps)
	if err != nil {
		return nil, err
	}
	t.DatasetDistances = dist
	for _, m := range metricNames {
		name := resultFile(m.stem)
		data, ok := files[name]
		if !ok {
			continue
		}
		rs, err := parseResults(ctx, data, name, m.metric, lay, ps)
		if err != nil {
			return nil, err
		}
		t.ReferenceResults = append(t.ReferenceResults, rs...)
	}
	t.Datasets = datasets(features, names, t.Finetunes, t.Scores, lay.source)
	resultTargets(t.ReferenceResults, t.Datasets)
	return t, nil
}

// resultTargets names the targets of the result tables by dataset id. The
// authors' script maps the rank directories' names back (glue_sst2 →
// glue/sst2) before it writes the tables; a table written with the
// directory names instead would name no dataset of the benchmark, and a run
// would silently take none of those datasets as a target. A name that is a
// dataset id, or an aggregate (_weighted_mean), stays; a name that is one
// dataset's id with "/" written "_" becomes that id.
func resultTargets(rs []store.ReferenceResult, ds []store.Dataset) {
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.DatasetID
	}
	lookup := store.DatasetNames(ids)
	for i, r := range rs {
		if id, ok := lookup(r.Target); ok && !strings.HasPrefix(r.Target, "_") {
			rs[i].Target = id
		}
	}
}

// newReport counts what an import read: rows per table, models added
// without a config row (extra), LoRA and repeated fine-tunes, with the
// problems found and the result tables read.
func newReport(t *store.Tables, lay *layout, ps *problems, found []string, extra int) *Report {
	rep := &Report{
		Task:         lay.task,
		Source:       lay.source,
		Problems:     ps.list,
		ResultTables: found,
		Counts: map[string]int{
			"models":                len(t.Models),
			"datasets":              len(t.Datasets),
			"finetunes":             len(t.Finetunes),
			"scores":                len(t.Scores),
			"dataset_distances":     len(t.DatasetDistances),
			"reference_results":     len(t.ReferenceResults),
			"models_without_config": extra,
		},
	}
	for _, f := range t.Finetunes {
		if f.Method == MethodLoRA {
			rep.Counts["finetunes_lora"]++
		}
		if f.Run > 0 {
			rep.Counts["finetunes_repeated"]++
		}
	}
	return rep
}

func resultFile(stem string) string { return path.Join(dirResults, stem+"_correlation.csv") }

// readAll reads the core files other than records.csv and the result
// tables concurrently. It returns the files by name and the result tables
// found; a missing result table is skipped.
func readAll(ctx context.Context, from source, lay *layout, log *slog.Logger) (map[string][]byte, []string, error) {
	required := []string{fileConfig, fileScores, fileFeatures, lay.distances}
	var optional []string
	for _, m := range metricNames {
		optional = append(optional, resultFile(m.stem))
	}
	var mu sync.Mutex
	files := make(map[string][]byte)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for _, name := range append(required, optional...) {
		isRequired := contains(required, name)
		g.Go(func() error {
			data, err := from.read(gctx, name)
			if err != nil {
				if !isRequired && errors.Is(err, ErrNotFound) {
					log.Debug("result table not found; skipped", "file", from.location(name))
					return nil
				}
				return fmt.Errorf("read %s: %w", name, err)
			}
			mu.Lock()
			files[name] = data
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("read %s: %w", from.location(""), ctx.Err())
		}
		return nil, nil, err
	}
	var found, missing []string
	for _, name := range optional {
		if _, ok := files[name]; ok {
			found = append(found, name)
		} else {
			missing = append(missing, path.Base(name))
		}
	}
	if len(missing) > 0 {
		log.Info("result tables not found; skipped", "found", len(found), "missing", missing)
	}
	return files, found, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// datasets is the union of the datasets named anywhere: the feature table
// first (with its sizes), then the distance matrix, then the targets of
// records and scores, each in first-seen order.
func datasets(features []store.Dataset, matrix []string, ft []store.Finetune, sc []store.Score, source string) []store.Dataset {
	out := append([]store.Dataset(nil), features...)
	seen := make(map[string]bool, len(out))
	for _, d := range out {
		seen[d.DatasetID] = true
	}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, store.Dataset{DatasetID: id, Source: source})
		}
	}
	for _, n := range matrix {
		add(n)
	}
	for _, f := range ft {
		add(f.DatasetID)
	}
	for _, s := range sc {
		add(s.DatasetID)
	}
	return out
}

// addMissingModels appends a bare model row for every model that has a
// finetune or a score but no config row, so every reference resolves. It
// returns how many it added.
func addMissingModels(t *store.Tables, source string) int {
	seen := make(map[string]bool, len(t.Models))
	for _, m := range t.Models {
		seen[m.ModelID] = true
	}
	n := 0
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			m := store.Model{ModelID: id, ReportedAccuracy: math.NaN(), Source: source}
			if i := strings.IndexByte(id, '/'); i > 0 {
				m.Author = id[:i]
			}
			t.Models = append(t.Models, m)
			n++
		}
	}
	for _, f := range t.Finetunes {
		add(f.ModelID)
	}
	for _, s := range t.Scores {
		add(s.ModelID)
	}
	return n
}
