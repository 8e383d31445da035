package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestSafeWriter(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"plain", []string{"a\tb\n", "c\n"}, "a\tb\n" + "c\n"},
		{"C0 and DEL", []string{"a\x1b[2J\x07\r\x7f"}, `a\u001b[2J\u0007\u000d\u007f`},
		{"C1 and bidi", []string{"x\u009b\u202ey"}, `x\u009b\u202ey`},
		{"a rune cut between writes", []string{"caf\xc3", "\xa9 \xc2", "\x9b"}, `café \u009b`},
		{"not UTF-8", []string{"a\xffb"}, `a\xffb`},
		{"cut at the end", []string{"a\xe2\x80"}, `a\xe2\x80`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			w := &safeWriter{w: &b}
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", s, n, err)
				}
			}
			w.flush()
			if got := b.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestErrorEscapesControls: a failure's message may quote a name or a path
// (here a zoo directory with an escape sequence in it); stderr shows it
// escaped, as stdout would.
func TestErrorEscapesControls(t *testing.T) {
	zoo := filepath.Join(t.TempDir(), "z\x1b[2Joo")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"inspect", zoo}, &stdout, &stderr)
	if code != exitFailure {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	if strings.ContainsRune(stderr.String(), '\x1b') || !strings.Contains(stderr.String(), `z\u001b[2Joo`) {
		t.Errorf("stderr %q: want the escape sequence escaped", stderr.String())
	}
}
