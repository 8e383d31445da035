package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// termSafe returns s as text output shows it: control characters (C0,
// DEL, C1), bidi controls and bytes that are not UTF-8 escaped the way Go
// writes them (\n, \x1b, \u202e, \xff). Names reach a zoo from model cards
// and imported files; printed raw, they could drive the terminal (escape
// sequences), reorder a line or fake one.
func termSafe(s string) string {
	if !strings.ContainsFunc(s, needsEscape) { // invalid UTF-8 reads as utf8.RuneError
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case needsEscape(r):
			q := strconv.QuoteRune(r) // '\n', '\x1b', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func needsEscape(r rune) bool {
	return r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}

// safeWriter is the commands' stdout: it escapes, as \uXXXX (valid in JSON
// strings, and what JSON decodes back), every control character but
// newline and tab, every bidi control, and writes a byte that is not
// UTF-8 as \xNN. encoding/json leaves DEL, C1 and bidi controls raw;
// text output is escaped field by field (termSafe) as well, newlines
// included.
type safeWriter struct {
	w       io.Writer
	pending []byte // the start of a rune cut by the end of a Write
}

func (s *safeWriter) Write(p []byte) (int, error) {
	buf := append(s.pending, p...)
	end := len(buf)
	for j := len(buf) - 1; j >= 0 && j >= len(buf)-utf8.UTFMax; j-- {
		if utf8.RuneStart(buf[j]) {
			if !utf8.FullRune(buf[j:]) {
				end = j
			}
			break
		}
	}
	s.pending = append([]byte(nil), buf[end:]...)
	if _, err := s.w.Write(escapeOutput(buf[:end])); err != nil {
		return 0, err
	}
	return len(p), nil
}

// flush writes what is left of a cut rune, escaped.
func (s *safeWriter) flush() {
	for _, c := range s.pending {
		fmt.Fprintf(s.w, `\x%02x`, c)
	}
	s.pending = nil
}

func escapeOutput(b []byte) []byte {
	clean := true
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			out = fmt.Appendf(out, `\x%02x`, b[i])
		case r != '\n' && r != '\t' && needsEscape(r):
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}
