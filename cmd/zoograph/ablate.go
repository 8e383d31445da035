package main

import (
	"context"
	"slices"
	"strings"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

func runAblate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "ablate", "--zoo ZOO --out DIR [flags]", `
Runs the configured method beside itself without one part at a time — the
graph learner, the history features, the prior, the metadata stacking and
whatever else the configured space holds — and beside the prior alone and a
regressor on metadata alone, on the same seeds, targets and model sets
(clean protocol only: --protocol may only say clean, and a --config file's
protocols are not read). Writes ablation.md and ablation.json to DIR
(created; it must not exist or be empty) with the paired difference of each
variant to the full method and its 95% interval over (target, seed), and the
full method's run directory under DIR/full.`)
	defaults := pipeline.DefaultConfig()
	defaults.Protocols = []string{"clean"} // what ablate runs, so -h shows it
	zoo, out, cfg, err := parseExperiment(fs, args, "directory to create (required; must not exist or be empty)", defaults)
	if err != nil {
		return err
	}
	if flagGiven(fs, "protocol") && !slices.Equal(cfg.Protocols, []string{"clean"}) {
		return usagef("--protocol %s: ablate compares the variants under the clean protocol only", strings.Join(cfg.Protocols, ","))
	}
	if err := checkOutDir(out, nil); err != nil { // before the minutes of work, not after
		return err
	}
	tables, manifest, err := store.ReadZoo(zoo)
	if err != nil {
		return err
	}
	bar := newBar(e, "ablate")
	defer bar.Finish()
	a, err := pipeline.Ablate(ctx, tables, cfg, pipeline.Options{Logger: e.log, Progress: showProgress(e, bar)})
	if err != nil {
		return err
	}
	bar.Finish()
	if err := pipeline.WriteAblation(out, a, tables, zoo, manifest.Checksum()); err != nil {
		return err
	}
	a.WriteMarkdown(e.stdout)
	return nil
}
