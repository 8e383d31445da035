package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
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
