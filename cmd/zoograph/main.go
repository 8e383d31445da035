// Command zoograph recommends which pre-trained model of a model zoo to
// fine-tune for a dataset: it harvests the Hugging Face Hub into Parquet,
// learns a model–dataset graph and predicts fine-tuning accuracy.
//
// Usage:
//
//	zoograph <command> [flags]
//
// Run `zoograph help` for the list of commands and `zoograph <command> -h`
// for the flags of one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"golang.org/x/term"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what every command gets from main: its output streams and logger.
type env struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	// terminal reports whether stderr is a terminal, so progress bars are
	// drawn; elsewhere commands log plain periodic lines.
	terminal bool
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// commands lists every subcommand in the order `zoograph help` shows them.
var commands = []command{
	{"demo", "run the whole main job offline on an embedded sample zoo", runDemo},
	{"crawl", "harvest model or dataset metadata, cards and eval results from the Hub", runCrawl},
	{"import", "import a published benchmark (transfergraph, model-recycling) into a zoo", runImport},
	{"inspect", "show the tables, row counts and provenance of a zoo", runInspect},
	{"run", "leave-one-dataset-out experiment: graph, embeddings, regressor, evaluation", runRun},
	{"ablate", "the method beside itself without each part, paired over (target, seed)", runAblate},
	{"baseline", "evaluate the transferability baselines stored in a zoo", runBaseline},
	{"eval", "evaluate external predictions against a zoo's fine-tuning records", runEval},
	{"rank", "recommend models to fine-tune for a target dataset", runRank},
	{"report", "re-render the report of a run directory", runReport},
}

// usageError marks a command-line mistake: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// run parses the command line, runs one command and maps its error to an exit
// code, in one place.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	global, verbose, jsonLogs := globalFlags()
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stderr)
			return exitOK
		}
		fmt.Fprintf(stderr, "zoograph: %v\nrun 'zoograph help' for usage\n", err)
		return exitUsage
	}
	args = global.Args()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			// Asked for with help, a command's usage is the output, as
			// the list of commands is: on stdout. An unknown command
			// is an error, on stderr.
			if !slices.ContainsFunc(commands, func(c command) bool { return c.name == args[1] }) {
				return run(ctx, args[1:], stdout, stderr)
			}
			return run(ctx, []string{args[1], "-h"}, stdout, stdout)
		}
		if len(args) == 0 { // a usage error: the usage goes where errors go
			printUsage(stderr)
			return exitUsage
		}
		printUsage(stdout)
		return exitOK
	}

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	var handler slog.Handler = slog.NewTextHandler(stderr, opts)
	if *jsonLogs {
		handler = slog.NewJSONHandler(stderr, opts)
	}
	out := &safeWriter{w: stdout}
	defer out.flush()
	e := &env{stdout: out, stderr: stderr, log: slog.New(handler), terminal: isTerminal(stderr)}

	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		// A write that finds another writer holding the zoo (an import
		// beside a crawl's commit) says why nothing happens.
		ctx := store.WithLockWait(ctx, func(dir string) {
			fmt.Fprintf(stderr, "zoograph %s: another writer (an import or a crawl's commit) holds zoo %s: waiting for it to finish; Ctrl-C stops\n", c.name, termSafe(dir))
		})
		err := c.run(ctx, e, args[1:])
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case ctx.Err() != nil && errors.Is(err, ctx.Err()):
			fmt.Fprintf(stderr, "zoograph %s: interrupted\n", c.name)
			return exitInterrupted
		}
		// A library error may open with the command's own name (the
		// report, demo and crawl packages prefix theirs): say it once.
		// It may quote a zoo's names or a server's words: escaped as stdout is.
		msg := string(escapeOutput([]byte(strings.TrimPrefix(err.Error(), c.name+": "))))
		var ue *usageError
		if errors.As(err, &ue) || isFlagError(err) || errors.Is(err, pipeline.ErrUnknownTarget) {
			fmt.Fprintf(stderr, "zoograph %s: %s\n", c.name, msg)
			fmt.Fprintf(stderr, "run 'zoograph %s -h' for usage\n", c.name)
			return exitUsage
		}
		fmt.Fprintf(stderr, "zoograph %s: %s\n", c.name, msg)
		return exitFailure
	}
	fmt.Fprintf(stderr, "zoograph: unknown command %q\n", args[0])
	printUsage(stderr)
	return exitUsage
}

// globalFlags returns the flags given before the command, and where they
// are bound.
func globalFlags() (fs *flag.FlagSet, verbose, jsonLogs *bool) {
	fs = flag.NewFlagSet("zoograph", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	verbose = fs.Bool("v", false, "verbose logging (debug level)")
	jsonLogs = fs.Bool("log-json", false, "log as JSON lines")
	fs.Usage = func() {} // flag.Parse calls it on every failure
	return fs, verbose, jsonLogs
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "zoograph recommends which pre-trained model to fine-tune for a dataset.\n\n")
	fmt.Fprintf(w, "Usage:\n  zoograph [-v] [-log-json] <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nFlags before the command (logs go to stderr):\n")
	fs, _, _ := globalFlags()
	fs.VisitAll(func(f *flag.Flag) { fmt.Fprintf(w, "  %-9s %s\n", "-"+f.Name, f.Usage) })
	fmt.Fprintf(w, "\nRun 'zoograph <command> -h' for the flags of one command.\n")
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
