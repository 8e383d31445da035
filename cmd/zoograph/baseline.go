package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/zoograph/zoograph/pipeline/evaluate"
	"github.com/zoograph/zoograph/store"
)

func runBaseline(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "baseline", "--zoo ZOO --out RUN [flags]", `
Evaluates the transferability baselines of a zoo against its recorded
fine-tuning accuracies: LogME and Reg-H-Score (the zoo's scores table),
most-downloaded (downloads as the score) and random (seeded uniform scores,
mean ± sd over seeds).

Protocol paper reproduces the TransferGraph evaluation script exactly, so its
numbers compare with the published tables; protocol clean de-duplicates runs
and scores and evaluates every baseline on the same models.

RUN gets metrics.parquet, report.json and report.md; report.md sets every
number beside the zoo's published reference results and the difference.`)
	f := addEvalFlags(fs)
	methods := fs.String("methods", strings.Join(evaluate.ComputedBaselines(), ","), "comma-separated baselines: "+strings.Join(evaluate.ComputedBaselines(), ", "))
	targets := fs.String("targets", "", "comma-separated target datasets (default: every dataset with scores)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *f.zoo == "" || *f.out == "" {
		return usagef("--zoo and --out are required")
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	baselines := splitList(*methods)
	if len(baselines) == 0 {
		return usagef("--methods: no baseline given")
	}
	if err := checkBaselines("--methods", baselines); err != nil {
		return err
	}
	opt, tables, err := f.start()
	if err != nil {
		return err
	}
	opt.Targets, opt.Baselines, opt.Logger = splitList(*targets), baselines, e.log
	res, err := evaluate.Evaluate(ctx, tables, nil, opt)
	if err != nil {
		return err
	}
	return evalWriteOutputs(e, *f.out, res, tables.ReferenceResults)
}

// evalFlags are the flags baseline and eval share.
type evalFlags struct {
	zoo, out, protocol *string
	force              *bool
	seed               *int64
	seeds              *int
}

func addEvalFlags(fs *flag.FlagSet) evalFlags {
	return evalFlags{
		zoo:      fs.String("zoo", "", "zoo directory to read (required)"),
		out:      fs.String("out", "", "output directory (required; created; must be empty unless --force)"),
		force:    fs.Bool("force", false, "write into a non-empty output directory, overwriting its reports"),
		protocol: fs.String("protocol", string(evaluate.ProtocolPaper), "evaluation protocol: paper or clean"),
		seed:     fs.Int64("seed", 0, "first seed of the random baseline"),
		seeds:    fs.Int("seeds", evaluate.DefaultRandomSeeds, "number of seeds of the random baseline"),
	}
}

// start checks the protocol and seeds, refuses a non-empty output before
// any work, and reads the zoo. The options carry the protocol and seeds.
func (f evalFlags) start() (evaluate.Options, *store.Tables, error) {
	p, err := evaluate.ParseProtocol(*f.protocol)
	if err != nil {
		return evaluate.Options{}, nil, usagef("--protocol: %v", err)
	}
	if *f.seeds < 1 {
		return evaluate.Options{}, nil, usagef("--seeds must be at least 1")
	}
	if err := evaluate.CheckOutDir(*f.out, *f.force); err != nil {
		return evaluate.Options{}, nil, err
	}
	tables, _, err := store.ReadZoo(*f.zoo)
	if err != nil {
		return evaluate.Options{}, nil, fmt.Errorf("read zoo: %w", err)
	}
	return evaluate.Options{Protocol: p, Seed: *f.seed, RandomSeeds: *f.seeds}, tables, nil
}

// evalWriteOutputs writes the reports of res into dir (already checked)
// and prints the headline table (Pearson) and where the reports went.
func evalWriteOutputs(e *env, dir string, res *evaluate.Result, ref []store.ReferenceResult) error {
	if err := evaluate.WriteReport(dir, res, ref); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Pearson (%s protocol):\n\n", res.Protocol)
	if err := evaluate.RenderMetricTable(e.stdout, res, evaluate.MetricPearson, ref); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nEvery metric: %s/%s (also %s, %s)\n", dir, evaluate.MarkdownFile, evaluate.JSONFile, evaluate.MetricsFile)
	return nil
}
