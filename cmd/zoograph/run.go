package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/schollz/progressbar/v3"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

func runRun(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "run", "--zoo ZOO --out RUN [flags]", `
Runs the leave-one-dataset-out experiment on a zoo: for every target dataset
and seed it builds the model–dataset graph without anything recorded on the
target, learns node embeddings, trains a regressor on the other datasets'
fine-tuning history, predicts every model's accuracy on the target and
evaluates the predictions against the recorded accuracies, beside the
baselines and the paper's published numbers.

With --reference-predictions, someone else's predictions (a TransferGraph
rank directory <target>/<method>/results_*.csv, such as the authors' own,
or a predictions CSV as 'zoograph eval' reads) are evaluated beside
zoograph's under the same protocols and on the same models.

The run directory gets config.json (re-run it with --config), predictions
and metrics as Parquet, report.json, report.md and charts.`)
	zoo, out, cfg, err := parseExperiment(fs, args, "run directory to create (required; must not exist or be empty)", pipeline.DefaultConfig())
	if err != nil {
		return err
	}
	if err := checkOutDir(out, nil); err != nil { // before the work, not after
		return err
	}

	tables, manifest, err := store.ReadZoo(zoo)
	if err != nil {
		return err
	}
	// Read the reference predictions now, so a bad file fails before the
	// run, and records without a score are warned about once.
	if _, err := pipeline.ReadReferencePredictions(tables, cfg, e.log); err != nil {
		return err
	}
	bar := newBar(e, "run")
	defer bar.Finish()
	res, err := pipeline.Run(ctx, tables, cfg, pipeline.Options{Logger: e.log, Progress: showProgress(e, bar)})
	if err != nil {
		return err
	}
	bar.Finish()
	if err := pipeline.WriteRun(out, res, tables, zoo, manifest.Checksum()); err != nil {
		return err
	}
	return printRunSummary(e, out)
}

// parseExperiment binds --zoo, --out (described by outUsage) and the
// experiment flags to fs, parses args and returns them checked, for run and
// ablate: both directories given, no arguments left, the config valid. The
// flags start from defaults, which -h shows.
func parseExperiment(fs *flag.FlagSet, args []string, outUsage string, defaults pipeline.Config) (zoo, out string, cfg pipeline.Config, err error) {
	fs.StringVar(&zoo, "zoo", "", "zoo directory to read (required)")
	fs.StringVar(&out, "out", "", outUsage)
	cfg = defaults
	if err := parseConfigFlags(fs, args, &cfg, "JSON experiment config (a run's config.json); flags given explicitly override it", bindExperimentFlags); err != nil {
		return "", "", cfg, err
	}
	if err := noArgs(fs); err != nil {
		return "", "", cfg, err
	}
	if zoo == "" || out == "" {
		return "", "", cfg, usagef("--zoo and --out are required")
	}
	if err := cfg.Validate(); err != nil {
		return "", "", cfg, usagef("%v", err)
	}
	return zoo, out, cfg, nil
}

// overSeeds says what a table's numbers are over: "mean over n seeds", or
// "1 seed".
func overSeeds(n int) string {
	if n == 1 {
		return "1 seed"
	}
	return fmt.Sprintf("mean over %d seeds", n)
}

// printRunSummary prints the headline Pearson table of a run directory.
func printRunSummary(e *env, dir string) error {
	var info pipeline.ReportInfo
	path := filepath.Join(dir, pipeline.FileReportJSON)
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &info); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(info.Config.Protocols) == 0 {
		return fmt.Errorf("%s: the config lists no protocol", path)
	}
	protocol := info.Config.Protocols[0]
	s := info.Summary[protocol]
	var cols []string // the report's columns; the reference predictions follow the table
	for _, c := range pipeline.ReportMethods(&info, protocol) {
		if !slices.Contains(info.References, c) {
			cols = append(cols, c)
		}
	}
	fmt.Fprintf(e.stdout, "Pearson per target (%s protocol, %s, %s):\n\n", protocol, overSeeds(info.Config.Seeds), pipeline.TargetsKind(info.Config))
	fmt.Fprintf(e.stdout, "%-28s", "target")
	for _, c := range cols {
		fmt.Fprintf(e.stdout, " %14s", termSafe(c))
	}
	fmt.Fprintln(e.stdout)
	for _, t := range append(append([]string{}, info.Targets...), "_mean", "_weighted_mean") {
		fmt.Fprintf(e.stdout, "%-28s", termSafe(t))
		for _, c := range cols {
			v := s[c]["pearson"][t]
			if v.N == 0 {
				fmt.Fprintf(e.stdout, " %14s", "n/a")
				continue
			}
			fmt.Fprintf(e.stdout, " %14.3f", v.Mean)
		}
		fmt.Fprintln(e.stdout)
	}
	if len(info.References) > 0 {
		fmt.Fprintf(e.stdout, "\nReference predictions, same protocol and models (mean / weighted mean Pearson):\n\n")
		partial := map[string]pipeline.PartialReference{}
		for _, pr := range pipeline.PartialReferences(&info, protocol) {
			partial[pr.Method] = pr
		}
		for _, m := range append([]string{info.Method}, info.References...) {
			p := s[m]["pearson"]
			if pr, ok := partial[m]; ok { // the means over every target are undefined for it
				fmt.Fprintf(e.stdout, "%-50s %s / %s on its %d of %d targets (%s there: %s / %s)\n", termSafe(m),
					fmtFloat(pr.Theirs[0]), fmtFloat(pr.Theirs[1]), len(pr.Targets), len(info.Targets), info.Method, fmtFloat(pr.Ours[0]), fmtFloat(pr.Ours[1]))
				continue
			}
			fmt.Fprintf(e.stdout, "%-50s %s / %s\n", termSafe(m), fmtSummaryMean(p["_mean"]), fmtSummaryMean(p["_weighted_mean"]))
		}
	}
	fmt.Fprintf(e.stdout, "\nwall %.2f s; report: %s\n", info.TimingsSeconds["wall"], filepath.Join(dir, pipeline.FileReportMD))
	return nil
}

func fmtSummaryMean(m pipeline.MeanSD) string {
	if m.N == 0 {
		return "n/a"
	}
	return fmtFloat(m.Mean)
}

func fmtFloat(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", v)
}

// decileLog says when a progress line is due where no bar is drawn: at
// the first task to reach each tenth of the total, so a run logs about ten
// lines however many tasks it has. It is safe for concurrent use.
type decileLog struct {
	mu   sync.Mutex
	last int // the tenth last logged; 0 before any
	done int // the count last seen: a lower one starts another run (ablate runs several)
}

func (d *decileLog) next(done, total int) bool {
	if total <= 0 {
		return false
	}
	tenth := min(10, done*10/total)
	d.mu.Lock()
	defer d.mu.Unlock()
	if done < d.done {
		d.last = 0
	}
	d.done = done
	if tenth <= d.last {
		return false
	}
	d.last = tenth
	return true
}

// showProgress returns the Options.Progress of run and ablate: bar on a
// terminal, else a log line at each tenth of each run. A count lower than
// the last starts another run (ablate's next variant): the bar starts again.
func showProgress(e *env, bar *progressbar.ProgressBar) func(done, total int) {
	var tenths decileLog
	last := 0 // calls never overlap (Options.Progress)
	return func(done, total int) {
		if done < last {
			bar.Reset()
		}
		last = done
		bar.ChangeMax(total)
		bar.Set(done)
		if !e.terminal && tenths.next(done, total) {
			e.log.Info("progress", "tasks", done, "of", total)
		}
	}
}

// newBar returns a progress bar on a terminal and a silent one elsewhere.
func newBar(e *env, desc string) *progressbar.ProgressBar {
	if !e.terminal {
		return progressbar.DefaultSilent(-1, desc)
	}
	return progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
	)
}
