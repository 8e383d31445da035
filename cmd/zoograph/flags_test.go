package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestHelpAndBadFlags checks every command: -h prints its help once, and
// every flag's default without a panic; an unknown flag prints the error
// first, then a one-line hint, no help.
func TestHelpAndBadFlags(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), []string{c.name, "-h"}, &stdout, &stderr); code != exitOK {
				t.Errorf("%s -h: exit %d, want %d", c.name, code, exitOK)
			}
			if n := strings.Count(stderr.String(), "Usage:"); n != 1 {
				t.Errorf("%s -h prints Usage: %d times, want once:\n%s", c.name, n, stderr.String())
			}
			if strings.Contains(stderr.String(), "panic") {
				t.Errorf("%s -h panics printing a flag's default:\n%s", c.name, stderr.String())
			}

			stdout.Reset()
			stderr.Reset()
			if code := run(context.Background(), []string{c.name, "--no-such-flag"}, &stdout, &stderr); code != exitUsage {
				t.Errorf("%s --no-such-flag: exit %d, want %d", c.name, code, exitUsage)
			}
			want := "zoograph " + c.name + ": flag provided but not defined: -no-such-flag\n" +
				"run 'zoograph " + c.name + " -h' for usage\n"
			if got := stderr.String(); got != want {
				t.Errorf("%s --no-such-flag: stderr\n%s\nwant\n%s", c.name, got, want)
			}
		})
	}
}

func TestGlobalBadFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--no-such-flag", "rank"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	want := "zoograph: flag provided but not defined: -no-such-flag\nrun 'zoograph help' for usage\n"
	if got := stderr.String(); got != want {
		t.Errorf("stderr\n%s\nwant\n%s", got, want)
	}
	stderr.Reset()
	if code := run(context.Background(), []string{"-h"}, &stdout, &stderr); code != exitOK || strings.Count(stderr.String(), "Usage:") != 1 {
		t.Errorf("-h: exit %d, stderr:\n%s", code, stderr.String())
	}
}

// TestNoCommand: without a command the usage is a usage error, on stderr;
// asked for with help, it is the output, on stdout.
func TestNoCommand(t *testing.T) {
	for _, tt := range []struct {
		name     string
		args     []string
		code     int
		onStdout bool
	}{
		{"no command", nil, exitUsage, false},
		{"help", []string{"help"}, exitOK, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			got, other := stderr.String(), stdout.String()
			if tt.onStdout {
				got, other = other, got
			}
			if code != tt.code || !strings.Contains(got, "Commands:") || other != "" {
				t.Errorf("exit %d, want %d; want the usage on stdout %v only\nstdout:\n%s\nstderr:\n%s", code, tt.code, tt.onStdout, stdout.String(), stderr.String())
			}
		})
	}
}

// TestArgumentBeforeFlags checks that a path given where a command takes
// only flags (the zoo of run, rank, ... written as inspect takes it) is the
// error, and that the flags after it, which flag parsing left unread, are
// not reported missing.
func TestArgumentBeforeFlags(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"run", []string{"run", "zoo", "--out", "runs/x"}},
		{"ablate", []string{"ablate", "zoo", "--out", "runs/x"}},
		{"rank", []string{"rank", "zoo", "--target", "dtd"}},
		{"baseline", []string{"baseline", "zoo", "--out", "runs/x"}},
		{"eval", []string{"eval", "preds.csv", "--zoo", "zoo", "--out", "runs/x"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tt.args, &stdout, &stderr); code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			want := "zoograph " + tt.name + ": unexpected argument \"" + tt.args[1] + "\": " + tt.name +
				" takes only flags (the flags after it were not read)\n"
			if got := stderr.String(); !strings.HasPrefix(got, want) || strings.Contains(got, "required") {
				t.Errorf("stderr\n%s\nwant it to open with\n%s", got, want)
			}
		})
	}
}

// TestHelpCommand checks that `zoograph help CMD`, like `zoograph help`,
// prints on stdout (so that it pipes into a pager), and that an unknown
// command there is a usage error on stderr.
func TestHelpCommand(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), []string{"help", c.name}, &stdout, &stderr); code != exitOK {
				t.Errorf("help %s: exit %d, want %d", c.name, code, exitOK)
			}
			if !strings.HasPrefix(stdout.String(), "Usage: zoograph "+c.name) || stderr.Len() > 0 {
				t.Errorf("help %s: want the usage on stdout only\nstdout:\n%s\nstderr:\n%s", c.name, stdout.String(), stderr.String())
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"help", "rnu"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("help rnu: exit %d, want %d", code, exitUsage)
	}
	if !strings.HasPrefix(stderr.String(), "zoograph: unknown command \"rnu\"\n") || stdout.Len() > 0 {
		t.Errorf("help rnu: want the error on stderr only\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
}

// TestUsageNamesGlobalFlags checks that the usage says what each flag
// before the command does, not only its name in the synopsis.
func TestUsageNamesGlobalFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"help"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("help: exit %d\n%s", code, stderr.String())
	}
	for _, want := range []string{"  -v        verbose logging (debug level)\n", "  -log-json log as JSON lines\n"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, stdout.String())
		}
	}
}

// TestHelpParagraphsWrapped checks the wrapping of every command's
// description in its help: no line over 80 characters, and no line cut
// short inside a paragraph (one of under 55 characters followed by another
// of the same paragraph), such as a text edited without reflowing leaves.
func TestHelpParagraphsWrapped(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), []string{"help", c.name}, &stdout, &stderr); code != exitOK {
				t.Fatalf("help %s: exit %d\n%s", c.name, code, stderr.String())
			}
			description, _, _ := strings.Cut(stdout.String(), "\nFlags:\n")
			lines := strings.Split(description, "\n")[1:] // the usage line is the synopsis
			prose := func(l string) bool { return l != "" && !strings.HasPrefix(l, "\t") && !strings.HasPrefix(l, " ") }
			for i, l := range lines {
				if !prose(l) {
					continue
				}
				if n := utf8.RuneCountInString(l); n > 80 {
					t.Errorf("line of %d characters:\n%s", n, l)
				}
				if i+1 < len(lines) && prose(lines[i+1]) && utf8.RuneCountInString(l) < 55 {
					t.Errorf("line cut short inside a paragraph:\n%s\n%s", l, lines[i+1])
				}
			}
		})
	}
}

// TestListFlagGivenTwice checks that a list flag naming an element twice
// is a usage error: eval and baseline evaluated a protocol given twice
// twice, and printed its table twice.
func TestListFlagGivenTwice(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"eval --protocol", []string{"eval", "--zoo", "z", "--predictions", "p.csv", "--out", "o", "--protocol", "clean,paper,clean"},
			`zoograph eval: invalid value "clean,paper,clean" for flag -protocol: "clean" given twice`},
		{"baseline --protocol", []string{"baseline", "--zoo", "z", "--out", "o", "--protocol", "paper,paper"},
			`zoograph baseline: invalid value "paper,paper" for flag -protocol: "paper" given twice`},
		{"run --targets", []string{"run", "--zoo", "z", "--out", "o", "--targets", "dtd, dtd"},
			`zoograph run: invalid value "dtd, dtd" for flag -targets: "dtd" given twice`},
		{"run --baselines", []string{"run", "--zoo", "z", "--out", "o", "--baselines", "logme,logme"},
			`zoograph run: invalid value "logme,logme" for flag -baselines: "logme" given twice`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tt.args, &stdout, &stderr); code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if got := stderr.String(); !strings.HasPrefix(got, tt.want+"\n") {
				t.Errorf("stderr\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestMistypedFlag checks that an unknown flag a letter or two from a
// command's flag, or its singular or plural (run's --targets, rank's
// --target), is named in the error; a flag's value that starts with "-"
// is not taken for a flag.
func TestMistypedFlag(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"run --target", []string{"run", "--zoo", "z", "--target", "dtd", "--out", "o"}, "-target (did you mean --targets?)"},
		{"rank --targets", []string{"rank", "--zoo", "z", "--targets", "dtd"}, "-targets (did you mean --target?)"},
		{"a letter left out", []string{"run", "--zoo", "z", "--lerner", "gat"}, "-lerner (did you mean --learner?)"},
		{"after a negative value", []string{"rank", "--calibration", "-1", "--topp", "3"}, "-topp (did you mean --top?)"},
		{"after a boolean", []string{"inspect", "z", "--json", "--limt", "3"}, "-limt (did you mean --limit?)"},
		{"nothing near", []string{"run", "--zoo", "z", "--colour"}, "-colour\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tt.args, &stdout, &stderr); code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			want := "zoograph " + tt.args[0] + ": flag provided but not defined: " + tt.want
			if got := stderr.String(); !strings.HasPrefix(got, want) {
				t.Errorf("stderr\n%s\nwant it to open with\n%s", got, want)
			}
		})
	}
}
