package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

func runRank(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "rank", "--zoo ZOO --target DATASET [--top K]", `
Recommends models to fine-tune for a dataset of the zoo: trains zoograph's
regressor on every other dataset's fine-tuning history and ranks the models
by the score that run evaluates (the prediction blended with the model's
history prior, mean over seeds). Accuracies recorded on the target,
if any, are shown beside the prediction but never used for it.`)
	def := pipeline.DefaultConfig()
	zoo := fs.String("zoo", "", "zoo directory (required)")
	target := fs.String("target", "", "target dataset id (required)")
	top := fs.Int("top", 10, "number of models to show (0 = all)")
	seeds := fs.Int("seeds", 3, "repetitions averaged")
	seed := fs.Uint64("seed", def.Seed, "base seed")
	learner := fs.String("learner", def.Learner, "graph learner (given, it is not searched over): node2vec, node2vec+, graphsage, gat or none")
	regressor := fs.String("regressor", def.Regressor, "regressor: linear, rf or gbdt")
	selection := fs.String("selection", def.Selection.Mode, "how the settings are chosen: nested (leave-one-dataset-out over the other datasets) or fixed")
	asJSON := fs.Bool("json", false, "print JSON lines")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *zoo == "" || *target == "" {
		return usagef("--zoo and --target are required")
	}
	if *top < 0 {
		return usagef("--top %d: want 0 (all) or more", *top)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	cfg := def
	cfg.Seeds, cfg.Seed, cfg.Learner, cfg.Regressor = *seeds, *seed, *learner, *regressor
	cfg.Selection.Mode = *selection
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "learner" { // an explicit learner is not searched over
			cfg.Selection.Learners = nil
		}
	})
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}
	tables, _, err := store.ReadZoo(*zoo)
	if err != nil {
		return err
	}
	recs, err := pipeline.Rank(ctx, tables, cfg, *target)
	if err != nil {
		return err
	}
	if *top > 0 && len(recs) > *top {
		recs = recs[:*top]
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		for i, r := range recs {
			rec := map[string]any{"rank": i + 1, "model_id": r.ModelID, "score": r.Score, "history": r.History}
			if !math.IsNaN(r.Recorded) {
				rec["recorded_accuracy"] = r.Recorded
			}
			if err := enc.Encode(rec); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(e.stdout, "Models to fine-tune for %s (%s, mean of %d seeds):\n\n", *target, cfg.Method(), cfg.Seeds)
	fmt.Fprintf(e.stdout, "%4s  %-60s %8s %8s %9s\n", "rank", "model", "score", "history", "recorded")
	for i, r := range recs {
		rec := "-"
		if !math.IsNaN(r.Recorded) {
			rec = fmt.Sprintf("%.4f", r.Recorded)
		}
		fmt.Fprintf(e.stdout, "%4d  %-60s %8.4f %8d %9s\n", i+1, r.ModelID, r.Score, r.History, rec)
	}
	return nil
}
