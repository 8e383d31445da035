package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zoograph/zoograph/crawler"
	"github.com/zoograph/zoograph/pipeline/transfergraph"
	"github.com/zoograph/zoograph/store"
)

const importSynopsis = "transfergraph SRC --out ZOO [--task image|text] [--strict]\n       zoograph import model-recycling DIR --out ZOO [--strict]"

const importDescription = `
Import a published benchmark into a zoo directory.

transfergraph: SRC is a TransferGraph experiment directory
(resources/experiments/image_classification or sequence_classification of
the TransferGraph repository), as a local path or as an http(s) base URL of
the same layout, such as a raw-file URL. The fine-tuning records, model
metadata, LogME and Reg-H-Score scores, dataset features and distances, and
the published result tables become the models, datasets, finetunes, scores,
dataset_distances and reference_results tables of ZOO.

model-recycling: DIR holds the model-recycling benchmark (Choshen et al.,
arXiv 2211.00107): models_tested.csv and an optional datasets.csv. Models,
their base-model lineage, one fine-tune per accuracy cell, the mnli_lp
linear-probe score (scores method linear_probe on mnli) and the dataset
metadata become the models, finetunes, scores and datasets tables.

The import merges: the rows ZOO already holds from other sources (a crawl,
another benchmark) are kept; importing the same benchmark again replaces
the rows of its earlier import, in every table: rows the new import lacks
are gone.

Malformed rows are skipped and listed with file, line and reason (and
column, for a bad value: a number that does not parse or is NaN or
infinite, a value outside its known ones); with --strict the first one is
an error and nothing is written.`

// importKinds are the benchmarks import knows.
var importKinds = []string{"transfergraph", "model-recycling"}

// runImport imports a benchmark into a zoo.
func runImport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "import", importSynopsis, importDescription)
	out := fs.String("out", "", "zoo directory to create, or to merge into (required)")
	task := fs.String("task", "", "layout: image or text (default: detect from records.csv)")
	strict := fs.Bool("strict", false, "fail on the first malformed row instead of skipping it")
	pos, err := importParseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("missing benchmark kind: want %s", strings.Join(importKinds, ", "))
	}
	if !slices.Contains(importKinds, pos[0]) {
		return usagef("unknown benchmark %q: want %s", pos[0], strings.Join(importKinds, ", "))
	}
	if len(pos) != 2 {
		return usagef("want exactly one SRC after %s, got %d arguments", pos[0], len(pos)-1)
	}
	src := pos[1]
	if *out == "" {
		return usagef("--out is required")
	}
	if err := checkZooOut(*out); err != nil {
		return err
	}
	if pos[0] == "model-recycling" {
		if *task != "" {
			return usagef("--task applies to transfergraph only")
		}
		return importRecycling(ctx, e, src, *out, *strict)
	}
	switch *task {
	case "", "image", "text":
	default:
		return usagef("--task %q: want image or text", *task)
	}

	tables, rep, err := transfergraph.Import(ctx, src, transfergraph.Options{
		Task:   *task,
		Strict: *strict,
		Logger: e.log,
	})
	if err != nil {
		return fmt.Errorf("import %s: %w", shownSource(src), err)
	}
	prov := store.Provenance{
		Source:  rep.Source,
		Command: importCommandLine("transfergraph", src, *out, *task, *strict),
		Detail: map[string]string{
			"location":      src,
			"task":          rep.Task,
			"strict":        strconv.FormatBool(*strict),
			"problems":      strconv.Itoa(len(rep.Problems)),
			"result_tables": strconv.Itoa(len(rep.ResultTables)),
		},
		At: time.Now().UTC(),
	}
	merged, err := store.MergeZoo(ctx, *out, tables, prov)
	if err != nil {
		return fmt.Errorf("write zoo %s: %w", *out, err)
	}
	importPrintReport(e.stdout, src, *out, rep, merged)
	return nil
}

// shownSource is src as an error shows it: a URL without user info, which
// may be a password or a token (the importer refuses such a URL).
func shownSource(src string) string {
	if !strings.Contains(src, "://") || !strings.Contains(src, "@") {
		return src
	}
	u, err := url.Parse(src)
	if err != nil {
		return "the source URL"
	}
	u.User = nil
	return u.String()
}

// importParseArgs parses flags that may come before, between or after the
// positional arguments ("transfergraph SRC --out ZOO").
func importParseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func importCommandLine(kind, src, out, task string, strict bool) string {
	parts := []string{"zoograph", "import", kind, strconv.Quote(src), "--out", strconv.Quote(out)}
	if task != "" {
		parts = append(parts, "--task", task)
	}
	if strict {
		parts = append(parts, "--strict")
	}
	return strings.Join(parts, " ")
}

// importPrintReport prints row counts, what the merge kept and replaced,
// and every skipped row.
func importPrintReport(w io.Writer, src, out string, rep *transfergraph.Report, merged []store.Merged) {
	fmt.Fprintf(w, "imported %s (%s layout) from %s into %s\n", rep.Source, rep.Task, src, out)
	rows := []tableNote{
		{"models", ""},
		{"datasets", ""},
		{"finetunes", fmt.Sprintf("%d LoRA, %d repeated runs", rep.Counts["finetunes_lora"], rep.Counts["finetunes_repeated"])},
		{"scores", ""},
		{"dataset_distances", ""},
		{"reference_results", fmt.Sprintf("%d result tables", len(rep.ResultTables))},
	}
	printTableCounts(w, rows, rep.Counts, merged, 18)
	if n := rep.Counts["models_without_config"]; n > 0 {
		fmt.Fprintf(w, "  %d models have records or scores but no metadata row\n", n)
	}
	printProblems(w, rep.Problems, "no malformed rows", "skipped %d malformed rows:")
}

// printProblems writes none when there are no problems, else header (a
// format with the problems' count) and each problem on a line of its own.
func printProblems[P interface{ Error() string }](w io.Writer, problems []P, none, header string) {
	if len(problems) == 0 {
		fmt.Fprintln(w, none)
		return
	}
	fmt.Fprintf(w, header+"\n", len(problems))
	for _, p := range problems {
		fmt.Fprintf(w, "  %s\n", p.Error())
	}
}

// tableNote is one line of an import summary: a table and what to say of it.
type tableNote struct{ table, note string }

// printTableCounts writes a line per table: its row count, the note, and
// how many earlier rows of the same source the merge replaced and rows of
// other sources it kept.
func printTableCounts(w io.Writer, rows []tableNote, counts map[string]int, merged []store.Merged, width int) {
	byTable := map[string]store.Merged{}
	for _, m := range merged {
		byTable[m.Table] = m
	}
	for _, r := range rows {
		var notes []string
		if r.note != "" {
			notes = append(notes, r.note)
		}
		if m := byTable[r.table]; m.Replaced > 0 {
			notes = append(notes, fmt.Sprintf("replaced %d earlier rows", m.Replaced))
		}
		if m := byTable[r.table]; m.Kept > 0 {
			notes = append(notes, fmt.Sprintf("kept %d other rows", m.Kept))
		}
		line := fmt.Sprintf("  %-*s %7d", width, r.table, counts[r.table])
		if len(notes) > 0 {
			line += "  (" + strings.Join(notes, "; ") + ")"
		}
		fmt.Fprintln(w, line)
	}
}

// checkZooOut refuses an --out that holds files no zoo write made (a
// user's files: an import or a crawl would write its tables among them,
// replacing any of a table's name). A missing or empty directory is
// created into; a zoo is merged into; so is a directory whose first write
// was killed (tables, temporary or backup files without a manifest yet),
// and one holding a crawl's state (crawler.StateDir), which a killed first
// crawl resumes from whatever its merge had written.
func checkZooOut(dir string) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return usagef("--out %s: not a directory (a zoo is a directory)", dir)
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return usagef("--out %s: %v", dir, err)
	}
	for _, e := range entries {
		if e.IsDir() && e.Name() == crawler.StateDir {
			return nil
		}
	}
	for _, e := range entries {
		if !store.IsZooFile(e.Name()) {
			return usagef("--out %s: holds %s, which is no zoo file: give a new or empty directory, or a zoo to merge into", dir, e.Name())
		}
	}
	return nil
}
