package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/pipeline/evaluate"
)

func runEval(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "eval", "--zoo ZOO --predictions P --out DIR [flags]", `
Evaluates external predictions against a zoo's recorded fine-tuning
accuracies, beside the baselines, with the same metrics and protocols as
'zoograph baseline'.

P is either a CSV file with a header naming the columns target, model and
score, and optionally method and seed; or a directory in the TransferGraph
layout <target>/<method>/results_*.csv with the columns (index), model,
score, where a target such as glue/sst2 is written glue_sst2 (method
directories of model_ratio re-runs are skipped, as the authors' evaluation
skips them). A score written NaN or Inf is an error; an empty score is no
prediction for the model (a warning counts them), which the metrics leave
out.

DIR (created; it must be empty unless --force) gets metrics.parquet,
report.json (one JSON document: a protocol's report, or with several
{"protocols": {"clean": …, "paper": …}}) and report.md.`)
	o := evalOptions{}
	bindEvalFlags(fs, &o, "the datasets the predictions cover")
	predictions := fs.String("predictions", "", "predictions CSV file or TransferGraph rank directory (required)")
	methods := fs.String("methods", "", "methods of P to evaluate, a comma-separated `list` (default: all)")
	method := fs.String("method", "external", "method name for a CSV without a method column")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if o.zoo == "" || *predictions == "" || o.out == "" {
		return usagef("--zoo, --predictions and --out are required")
	}
	if err := o.check(fs); err != nil {
		return err
	}
	if _, err := os.Stat(*predictions); err != nil { // before reading the zoo, naming the flag
		return fmt.Errorf("--predictions %s: %w", *predictions, errors.Unwrap(err))
	}
	tables, err := o.start(e.log)
	if err != nil {
		return err
	}
	if err := pipeline.CheckTargets(tables, o.targets); err != nil {
		return err
	}
	preds, err := evaluate.ReadPredictions(*predictions, evaluate.ReadOptions{
		Datasets: tables.DatasetIDs(),
		Method:   *method,
		Logger:   e.log,
	})
	if err != nil {
		return err
	}
	if keep := splitList(*methods); len(keep) > 0 {
		found := map[string]bool{}
		var kept []evaluate.Prediction
		for _, pr := range preds {
			if slices.Contains(keep, pr.Method) {
				kept = append(kept, pr)
				found[pr.Method] = true
			}
		}
		for _, m := range keep {
			if !found[m] {
				var have []string
				for _, pr := range preds {
					if !slices.Contains(have, pr.Method) {
						have = append(have, pr.Method)
					}
				}
				slices.Sort(have)
				return fmt.Errorf("--methods: %s has no predictions of method %q; it has %s", *predictions, m, strings.Join(have, ", "))
			}
		}
		preds = kept
	}
	for _, pr := range preds {
		if slices.Contains(o.baselines, pr.Method) {
			return fmt.Errorf("%s: method %q is also a computed baseline; drop it from --baselines or rename it", *predictions, pr.Method)
		}
	}
	e.log.Info("predictions read", "file", *predictions, "rows", len(preds))

	return o.evaluate(ctx, e, tables, preds)
}
