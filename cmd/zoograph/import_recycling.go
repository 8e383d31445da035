package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/zoograph/zoograph/pipeline/recycling"
	"github.com/zoograph/zoograph/store"
)

// importRecycling imports the model-recycling benchmark in dir into the zoo
// out: the rows of an earlier import of it are replaced, every other
// source's kept (store.MergeZoo).
func importRecycling(ctx context.Context, e *env, dir, out string, strict bool) error {
	tables, rep, err := recycling.Import(ctx, dir, recycling.Options{Strict: strict, Logger: e.log})
	if err != nil {
		return fmt.Errorf("import %s: %w", dir, err)
	}
	prov := store.Provenance{
		Source:  rep.Source,
		Command: importCommandLine("model-recycling", dir, out, "", strict),
		Detail: map[string]string{
			"location":        dir,
			"strict":          strconv.FormatBool(strict),
			"problems":        strconv.Itoa(len(rep.Problems)),
			"dataset_columns": strconv.Itoa(len(rep.DatasetColumns)),
		},
		At: time.Now().UTC(),
	}
	merged, err := store.MergeZoo(ctx, out, tables, prov)
	if err != nil {
		return fmt.Errorf("write zoo %s: %w", out, err)
	}
	printRecyclingReport(e.stdout, dir, out, rep, merged)
	return nil
}

// printRecyclingReport prints what the import read, what the merge kept
// and replaced, and every skipped value.
func printRecyclingReport(w io.Writer, dir, out string, rep *recycling.Report, merged []store.Merged) {
	c := rep.Counts
	fmt.Fprintf(w, "imported %s from %s into %s\n", rep.Source, dir, out)
	printTableCounts(w, []tableNote{
		{"models", fmt.Sprintf("%d rows read; %d fine-tuned, %d with a probe score only", c["rows"], c["fine_tuned"], c["probe_only"])},
		{"datasets", fmt.Sprintf("%d dataset columns; %d with metadata", len(rep.DatasetColumns), c["datasets_with_metadata"])},
		{"finetunes", ""},
		{"scores", fmt.Sprintf("linear_probe on mnli: the mnli_lp column; %d rows at 0, the source's \"not measured\", have none", c["probe_not_measured"])},
	}, c, merged, 10)
	if !rep.HasMetadata {
		fmt.Fprintf(w, "  no %s: datasets have no metadata\n", recycling.FileDatasets)
	}
	if len(rep.MetadataOnly) > 0 {
		fmt.Fprintf(w, "  %s rows that name no column of %s (datasets without records): %s\n",
			recycling.FileDatasets, recycling.FileModels, strings.Join(rep.MetadataOnly, ", "))
	}
	if len(rep.UnreadColumns) > 0 {
		fmt.Fprintf(w, "  %s columns not read: %s\n", recycling.FileDatasets, strings.Join(rep.UnreadColumns, ", "))
	}
	printProblems(w, rep.Problems, "no malformed values", "%d values or rows skipped or read as missing:")
}
