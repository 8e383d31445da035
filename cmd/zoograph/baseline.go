package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/pipeline/evaluate"
	"github.com/zoograph/zoograph/store"
)

func runBaseline(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "baseline", "--zoo ZOO --out DIR [flags]", `
Evaluates the transferability baselines of a zoo against its recorded
fine-tuning accuracies: LogME and Reg-H-Score (the zoo's scores table),
most-downloaded (downloads as the score), history_mean (a model's mean
standardised accuracy on the other datasets), probe (a model-level probe
score such as model recycling's mnli_lp, where the zoo has one) and random
(seeded uniform scores, mean ± sd over seeds).

Protocol paper reproduces the TransferGraph evaluation script exactly, so its
numbers compare with the published tables; protocol clean de-duplicates runs
and scores and evaluates every baseline on the same models.

DIR (created; it must be empty unless --force) gets metrics.parquet (the
rows of every protocol), report.json (one JSON document: a protocol's
report, or with several {"protocols": {"clean": …, "paper": …}}) and
report.md; report.md sets every number beside the zoo's published
reference results and the difference.`)
	o := evalOptions{}
	bindEvalFlags(fs, &o, "those with LogME or Reg-H-Score scores, else run's: the datasets with enough fine-tuned models that the history screen keeps")
	deprecate(e, fs, "methods", "baselines")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if o.zoo == "" || o.out == "" {
		return usagef("--zoo and --out are required")
	}
	if len(o.baselines) == 0 {
		return usagef("--baselines: no baseline given")
	}
	if err := o.check(fs); err != nil {
		return err
	}
	tables, err := o.start(e.log)
	if err != nil {
		return err
	}
	if err := pipeline.CheckTargets(tables, o.targets); err != nil {
		return err
	}
	if len(o.targets) == 0 && !hasTransferScores(tables) {
		// run's default targets, so that the two commands' means are
		// over the same datasets: without the datasets the history screen
		// leaves out (collapsed runs, too few models).
		if o.targets, err = pipeline.DefaultTargets(tables, pipeline.DefaultConfig()); err != nil {
			e.log.Info("every dataset with fine-tuning records is a target", "why", err)
		}
	}
	return o.evaluate(ctx, e, tables, nil)
}

// hasTransferScores reports whether the zoo has LogME or Reg-H-Score
// scores, whose datasets are then the default targets.
func hasTransferScores(t *store.Tables) bool {
	return slices.ContainsFunc(t.Scores, func(s store.Score) bool {
		return s.Method == string(evaluate.BaselineLogME) || s.Method == string(evaluate.BaselineRegHScore)
	})
}

// evalOptions are the flags baseline and eval share.
type evalOptions struct {
	zoo, out           string
	force              bool
	protocols          []string
	seed               uint64
	seeds              int
	baselines, targets []string
	// baselinesGiven is whether --baselines was given; without it, the
	// baselines are every one the zoo has data for (as run's).
	baselinesGiven bool
}

// bindEvalFlags binds the shared flags to o; defaultTargets says which
// targets the command takes without --targets.
func bindEvalFlags(fs *flag.FlagSet, o *evalOptions, defaultTargets string) {
	o.protocols = []string{string(evaluate.ProtocolPaper)}
	fs.StringVar(&o.zoo, "zoo", "", "zoo directory to read (required)")
	fs.StringVar(&o.out, "out", "", "report directory (required; created; it must be empty unless --force)")
	fs.BoolVar(&o.force, "force", false, "write into a non-empty report directory, overwriting its reports")
	fs.Var(&listValue[string]{list: &o.protocols, check: checkProtocol}, "protocol", "evaluation protocols, a comma-separated `list`: paper, clean or clean,paper")
	fs.Uint64Var(&o.seed, "seed", pipeline.DefaultConfig().Seed, "base seed of the random baseline (run's default, so that both score it alike)")
	fs.IntVar(&o.seeds, "seeds", evaluate.DefaultRandomSeeds, "repetitions of the random baseline (a count): seeds seed, …, seed+N-1")
	o.baselines = evaluate.AllBaselines()
	fs.Var(&listValue[string]{list: &o.baselines, check: checkBaseline}, "baselines",
		"baselines, a comma-separated `list` of "+joinNames(evaluate.AllBaselines())+" (empty for none; those the zoo has no data for are left out)")
	fs.Var(&listValue[string]{list: &o.targets}, "targets", "target datasets, a comma-separated `list` (default: "+defaultTargets+")")
}

func checkBaseline(b string) error {
	if !slices.Contains(evaluate.AllBaselines(), b) {
		return fmt.Errorf("unknown baseline %q (want %s)", b, joinNames(evaluate.AllBaselines()))
	}
	return nil
}

// check reports what parsing alone cannot: no protocol, a seed range
// evaluate cannot hold; it notes whether --baselines was given.
func (o *evalOptions) check(fs *flag.FlagSet) error {
	o.baselinesGiven = flagGiven(fs, "baselines")
	switch {
	case len(o.protocols) == 0:
		return usagef("--protocol: no protocol given")
	case o.seeds < 1:
		return usagef("--seeds must be at least 1")
	case o.seed > math.MaxInt64-uint64(o.seeds):
		return usagef("--seed %d: want at most %d", o.seed, uint64(math.MaxInt64)-uint64(o.seeds))
	}
	return nil
}

// start refuses a non-empty report directory before any work, and reads
// the zoo. Without --baselines, the baselines the zoo has no data for are
// left out, each logged, as run leaves them out.
func (o *evalOptions) start(log *slog.Logger) (*store.Tables, error) {
	if err := checkOutDir(o.out, &o.force); err != nil {
		return nil, err
	}
	tables, _, err := store.ReadZoo(o.zoo)
	if err != nil {
		return nil, err // it names the zoo
	}
	if !o.baselinesGiven {
		var missing []string
		o.baselines, missing = evaluate.AvailableBaselines(tables, o.baselines)
		for _, b := range missing {
			log.Info("baseline left out: the zoo has no data for it", "baseline", b)
		}
	}
	return tables, nil
}

// checkOutDir refuses an output directory with files in it before any
// work, unless *force (nil for a command without --force), and words the
// refusal as advice on the flags.
func checkOutDir(dir string, force *bool) error {
	err := evaluate.CheckOutDir(dir, force != nil && *force)
	if errors.Is(err, evaluate.ErrOutDirNotEmpty) {
		if force == nil {
			return fmt.Errorf("--out %w: choose a new directory", err)
		}
		return fmt.Errorf("--out %w: choose a new directory, or give --force to overwrite its reports", err)
	}
	return err
}

// evaluate evaluates preds and the baselines under every protocol, writes
// the reports into the report directory (already checked) and prints the
// headline table (Pearson) of each protocol and where the reports went.
func (o *evalOptions) evaluate(ctx context.Context, e *env, tables *store.Tables, preds []evaluate.Prediction) error {
	var results []*evaluate.Result
	for _, p := range o.protocols {
		res, err := evaluate.Evaluate(ctx, tables, preds, evaluate.Options{
			Protocol: evaluate.Protocol(p), Seed: int64(o.seed), RandomSeeds: o.seeds,
			Targets: o.targets, Baselines: o.baselines, Logger: e.log,
		})
		if err != nil {
			return err
		}
		results = append(results, res)
	}
	warnUnevaluated(e, results, preds)
	ref := tables.ReferenceResults
	if err := evaluate.WriteReport(o.out, results, ref, o.force); err != nil {
		return err
	}
	for i, res := range results {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		note := ""
		if res.Protocol != evaluate.ProtocolPaper && len(ref) > 0 {
			// As report.md says: else a Δ of the protocols reads as ours.
			note = "; the published rows were computed under the paper protocol"
		}
		fmt.Fprintf(e.stdout, "Pearson (%s protocol%s):\n\n", res.Protocol, note)
		if err := evaluate.RenderMetricTable(e.stdout, res, evaluate.MetricPearson, ref); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "\nEvery metric: %s/%s (also %s, %s)\n", o.out, evaluate.MarkdownFile, evaluate.JSONFile, evaluate.MetricsFile)
	return nil
}

// warnUnevaluated logs, once per method and reason, the targets on which a
// method of preds (someone's predictions, not a computed baseline) has no
// metrics, and why: a requested target the file has no predictions for is
// otherwise only an n/a in the report.
func warnUnevaluated(e *env, results []*evaluate.Result, preds []evaluate.Prediction) {
	ours := map[string]bool{}
	for _, p := range preds {
		ours[p.Method] = true
	}
	type key struct{ method, note string }
	targets := map[key][]string{}
	var order []key
	for _, res := range results {
		for _, ev := range res.Evaluations {
			k := key{ev.Method, ev.Note}
			if ev.Note == "" || !ours[ev.Method] || slices.Contains(targets[k], ev.Target) {
				continue
			}
			if targets[k] == nil {
				order = append(order, k)
			}
			targets[k] = append(targets[k], ev.Target)
		}
	}
	for _, k := range order {
		e.log.Warn("a method has no metrics on some targets", "method", k.method, "targets", strings.Join(targets[k], ","), "why", k.note)
	}
}
