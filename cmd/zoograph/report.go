package main

import (
	"context"

	"github.com/zoograph/zoograph/pipeline"
)

func runReport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "report", "RUN", `
Re-renders report.md and the charts of a run directory from its report.json,
metrics, predictions and reference results, and prints the headline table.`)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want exactly one run directory")
	}
	if err := pipeline.Render(fs.Arg(0)); err != nil {
		return err
	}
	return printRunSummary(e, fs.Arg(0))
}
