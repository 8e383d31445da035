package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/zoograph/zoograph/pipeline/evaluate"
	"github.com/zoograph/zoograph/store"
)

// flagError wraps an error from flag parsing so run maps it to exit code 2.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

func isFlagError(err error) bool {
	var fe *flagError
	return errors.As(err, &fe)
}

// newFlagSet returns a FlagSet for one command whose -h prints the command's
// synopsis, description and flags.
func newFlagSet(e *env, name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet("zoograph "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		w := e.stderr
		fmt.Fprintf(w, "Usage: zoograph %s %s\n\n%s\n", name, synopsis, strings.TrimSpace(description))
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintf(w, "\nFlags:\n")
			fs.SetOutput(w)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
	}
	return fs
}

// parseFlags parses args, printing usage on -h and turning other parse
// failures into flag errors (exit code 2), which run prints with a one-line
// hint. flag.Parse calls Usage on -h and on every failure, so Usage is
// silenced while it runs and called here, on -h only.
func parseFlags(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		usage()
		return flag.ErrHelp
	}
	if err != nil {
		if near := nearFlag(fs, args); near != "" {
			err = fmt.Errorf("%w (did you mean --%s?)", err, near)
		}
		return &flagError{err: err}
	}
	return nil
}

// nearFlag returns the flag of fs that the first undefined flag of args
// was likely meant to be — a letter or two away, or the singular or plural
// of it (run's --targets, rank's --target) — or "" when there is none. It
// walks args as flag.Parse does: up to the first argument or "--", a
// defined flag that is not a boolean taking the next one as its value.
func nearFlag(fs *flag.FlagSet, args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) < 2 || a[0] != '-' || a == "--" {
			return ""
		}
		name, _, inline := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		f := fs.Lookup(name)
		if f == nil {
			return nearestFlagName(fs, name)
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !inline && !(ok && b.IsBoolFlag()) {
			i++ // its value
		}
	}
	return ""
}

// nearestFlagName returns the one flag of fs whose name is name's singular
// or plural, or else one or two letters from it (under half its length).
func nearestFlagName(fs *flag.FlagSet, name string) string {
	if len(name) < 3 {
		return ""
	}
	best, match := min(3, (len(name)+1)/2), []string{}
	fs.VisitAll(func(f *flag.Flag) {
		d := store.EditDistance(name, f.Name)
		if f.Name == name+"s" || name == f.Name+"s" {
			d = 0
		}
		switch {
		case d < best:
			best, match = d, []string{f.Name}
		case d == best:
			match = append(match, f.Name)
		}
	})
	if len(match) != 1 {
		return ""
	}
	return match[0]
}

// noArgs is the usage error for the arguments left after the flags of a
// command that takes none. The flag package stops at the first argument, so
// a path given where a flag belongs (zoograph run ZOO --out RUN) leaves the
// flags after it unread: said, so that the error is the argument and not a
// flag "required" that the user gave.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() == 0 {
		return nil
	}
	msg := fmt.Sprintf("unexpected argument %q: %s takes only flags", fs.Arg(0), strings.TrimPrefix(fs.Name(), "zoograph "))
	if slices.ContainsFunc(fs.Args()[1:], func(a string) bool { return strings.HasPrefix(a, "-") }) {
		msg += " (the flags after it were not read)"
	}
	return usagef("%s", msg)
}

// listFlag is a repeatable string flag: --filter a --filter b.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// checkBaselines reports the first name that is not a baseline the
// evaluation harness computes, as a usage error on flag.
func checkBaselines(flag string, names []string) error {
	for _, b := range names {
		if !slices.Contains(evaluate.AllBaselines(), b) {
			return usagef("%s: unknown baseline %q (want %s)", flag, b, strings.Join(evaluate.AllBaselines(), ", "))
		}
	}
	return nil
}

// deprecate defines old as a deprecated spelling of the flag now called
// name: it sets that flag, and says so on stderr.
func deprecate(e *env, fs *flag.FlagSet, old, name string) {
	f := fs.Lookup(name)
	fs.Func(old, "deprecated: use --"+name, func(s string) error {
		fmt.Fprintf(e.stderr, "zoograph: --%s is deprecated; use --%s\n", old, name)
		return f.Value.Set(s)
	})
}

// flagGiven reports whether the flag name was set on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// maxInputFileBytes caps a file a user writes for a flag (a --describe
// description, a --config config): a few KiB in practice, so a path to a
// log, a dump or a device is refused instead of read into memory whole.
const maxInputFileBytes = 8 << 20

// readInputFile reads a file named by a flag, refusing one larger than
// maxInputFileBytes; errors name the file.
func readInputFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxInputFileBytes+1))
	if err != nil {
		return nil, err // an *fs.PathError: it names the file
	}
	if len(b) > maxInputFileBytes {
		return nil, fmt.Errorf("%s is larger than %d MiB: not a file of this flag", path, maxInputFileBytes>>20)
	}
	return b, nil
}
