package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/pipeline/demo"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "demo", "[--out DIR] [--seed N] [--num-targets N] [--seeds N] [--base-models N]", `
Runs the whole main job offline, in seconds, on an embedded sample: a
generated hub of a few hundred models in families (ViT, Swin, ConvNeXt,
ResNet, BERT-like...) with cards, model-index results, lineage, datasets and
fine-tuning history with a planted structure. The demo serves it through the
in-process Hub replica on loopback, crawls it with the real crawler, reads
fine-tuning history from the cards' model-index results, adds the sample's
fine-tuning history, runs the leave-one-dataset-out pipeline (nested
selection → graph → learner → gradient-boosted trees → evaluation; it says
which graph learner selection chose) and writes a run directory
with report.md, report.json, Parquet tables and charts. Last, it ranks
models for a dataset kept out of the hub, described only by a YAML file
of its metadata, and compares the ranking with what the sample recorded
on it.`)
	out := fs.String("out", "", "demo directory to create (or an empty one), holding the zoo and the run (default: zoograph-demo-<time> in the current directory; never overwritten)")
	seed := fs.Uint64("seed", 1, "seed of the sample and of the pipeline")
	targets := fs.Int("num-targets", 2, "number of held-out target datasets (1–6)")
	seeds := fs.Int("seeds", 2, "repetitions per target (a count)")
	models := fs.Int("base-models", demo.DefaultSampleOptions().BaseModels, "base models of the sample hub (each gets 1–3 fine-tuned variants)")
	deprecate(e, fs, "targets", "num-targets") // --targets is a list of datasets in the other commands
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *targets < 1 || *targets > 6 {
		return usagef("--num-targets %d: want 1 to 6", *targets)
	}
	if *seeds < 1 {
		return usagef("--seeds %d: want at least 1", *seeds)
	}
	if *models < 10 {
		return usagef("--base-models %d: want at least 10", *models)
	}
	dir := *out
	if dir == "" {
		dir = "zoograph-demo-" + time.Now().Format("20060102-150405")
	}
	start := time.Now()
	res, err := demo.Run(ctx, demo.Options{Out: dir, Seed: *seed, Targets: *targets, Seeds: *seeds,
		Sample: demo.SampleOptions{BaseModels: *models, Seed: *seed}, Logger: e.log, Progress: e.stdout})
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%w; choose another --out", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\n")
	if err := printRunSummary(e, res.RunDir); err != nil {
		return err
	}
	exe, _ := os.Executable()
	self := selfCommand(os.Args[0], exe, exec.LookPath)
	if res.Described != nil {
		printDescribed(e.stdout, res, self)
	}
	fmt.Fprintf(e.stdout, "zoo: %s (inspect it with: %s inspect %s)\ndemo finished in %.1f s\n",
		res.ZooDir, self, res.ZooDir, time.Since(start).Seconds())
	return nil
}

// selfCommand returns a command line that runs this zoograph again, for the
// hints commands print: "zoograph" when that is this binary on PATH, "go
// run ./cmd/zoograph" under go run (whose binary is gone once it exits),
// else the path the binary was started as.
func selfCommand(arg0, exe string, lookPath func(string) (string, error)) string {
	if p, err := lookPath("zoograph"); err == nil && sameFile(p, exe) {
		return "zoograph"
	}
	if s := filepath.ToSlash(exe); strings.Contains(s, "/go-build") && strings.Contains(s, "/exe/") || goRunCached(exe) {
		return "go run ./cmd/zoograph"
	}
	return arg0
}

// goRunCached reports whether exe is a binary go run keeps in the build
// cache (since Go 1.24): GOCACHE/xx/<64 hex digits>-d/zoograph.
func goRunCached(exe string) bool {
	dir := filepath.Base(filepath.Dir(exe))
	hash, ok := strings.CutSuffix(dir, "-d")
	if !ok || len(hash) != 64 {
		return false
	}
	_, err := hex.DecodeString(hash)
	return err == nil
}

func sameFile(a, b string) bool {
	if a == b {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// printDescribed shows the recommendations for the dataset the demo
// described, beside the accuracies the sample records on it (which the zoo
// never saw), and the regret of following them.
func printDescribed(w io.Writer, res *demo.Result, self string) {
	r := res.Described
	best, bestModel := math.Inf(-1), ""
	for m, a := range res.HeldOut {
		if a > best || a == best && m < bestModel {
			best, bestModel = a, m
		}
	}
	fmt.Fprintf(w, "\nModels for %s, described only by %s (%d candidates; %s):\n\n", r.Target, res.DescriptionFile,
		r.Filter.Kept, strings.Join(r.Filter.Lines()[1:], "; "))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "rank\tmodel\tpredicted\tinterval\tkept out of the zoo")
	first := math.NaN()
	var pred, held []float64
	for _, m := range r.Models {
		a, ok := res.HeldOut[m.ModelID]
		if ok && math.IsNaN(first) {
			first = a
		}
		if ok {
			pred, held = append(pred, m.Predicted), append(held, a)
		}
		if m.Rank > 5 {
			continue
		}
		cell := "-"
		if ok {
			cell = fmt.Sprintf("%.3f", a)
		}
		fmt.Fprintf(tw, "%d\t%s\t%.3f\t[%.3f, %.3f]\t%s\n", m.Rank, m.ModelID, m.Predicted, m.Low, m.High, cell)
	}
	tw.Flush()
	if bestModel != "" && !math.IsNaN(first) {
		fmt.Fprintf(w, "\nbest recorded: %s %.3f; regret of the first recommendation with a record: %.3f\n", bestModel, best, best-first)
		fmt.Fprintf(w, "Pearson between predicted and recorded accuracy over the %d models with a record: %.3f\n",
			len(pred), stat.Correlation(pred, held, nil))
	}
	// The demo ranked with its run's settings (config.json), fixed
	// selection, its seeds and its top 5: the same flags give the same list.
	cfg := res.Run.Config
	fmt.Fprintf(w, "rank it yourself: %s rank --zoo %s --describe %s --config %s --selection %s --seeds %d --seed %d --top 5\n\n",
		self, res.ZooDir, res.DescriptionFile, filepath.Join(res.RunDir, pipeline.FileConfig), pipeline.SelectFixed, cfg.Seeds, cfg.Seed)
}
