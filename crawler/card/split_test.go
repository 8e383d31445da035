package card

import (
	"bytes"
	"testing"
)

// The expectations were checked against Python's re with the Hub's pattern
// ^(\s*---[\r\n]+)([\S\s]*?)([\r\n]+---(\r\n|\n|$)); the BOM and Unicode
// space cases follow JavaScript's \s, which the Hub server uses.
func TestSplit(t *testing.T) {
	tests := []struct {
		name   string
		readme string
		ok     bool
		fm     string
		body   string
	}{
		{name: "simple", readme: "---\na: 1\n---\nbody", ok: true, fm: "a: 1", body: "body"},
		{name: "crlf", readme: "---\r\na: 1\r\n---\r\nbody", ok: true, fm: "a: 1", body: "body"},
		{name: "leading whitespace", readme: "  \n\t---\na: 1\n---\n", ok: true, fm: "a: 1", body: ""},
		{name: "bom", readme: "\ufeff---\na: 1\n---\nbody", ok: true, fm: "a: 1", body: "body"},
		{name: "bom and crlf", readme: "\ufeff---\r\na: 1\r\n---\r\n# T\r\n", ok: true, fm: "a: 1", body: "# T\r\n"},
		{name: "unicode spaces", readme: "\u00a0\u3000\u2028---\na: 1\n---\n", ok: true, fm: "a: 1", body: ""},
		{name: "closing at end of input", readme: "---\na: 1\n---", ok: true, fm: "a: 1", body: ""},
		{name: "closing needs exact dashes", readme: "---\na: 1\n--- \nx\n---\nbody", ok: true, fm: "a: 1\n--- \nx", body: "body"},
		{name: "four dashes do not close", readme: "---\na: 1\n----\n---\n", ok: true, fm: "a: 1\n----", body: ""},
		{name: "blank lines before closing", readme: "---\na\n\n\n---\nx", ok: true, fm: "a", body: "x"},
		{name: "lone CR line breaks", readme: "---\na\r---\rb\n---\n", ok: true, fm: "a\r---\rb", body: ""},
		{name: "closing with crlf", readme: "---\na\n---\r\n", ok: true, fm: "a", body: ""},
		{name: "empty front matter", readme: "---\n\n---\nbody", ok: true, fm: "", body: "body"},
		{name: "empty front matter crlf", readme: "---\r\n\r\n---\r\nbody", ok: true, fm: "", body: "body"},
		{name: "empty front matter at end", readme: "---\n\n---", ok: true, fm: "", body: ""},
		{name: "dashes line inside", readme: "---\n\n\n---x\n---\n", ok: true, fm: "---x", body: ""},
		{name: "adjacent delimiters", readme: "---\n---\nbody\n"},
		{name: "adjacent delimiters at end", readme: "---\n---"},
		{name: "text after opening dashes", readme: "---a\nb\n---\n"},
		{name: "space after opening dashes", readme: "--- \na\n---\n"},
		{name: "unclosed", readme: "---\na: 1\n"},
		{name: "closing followed by lone CR", readme: "---\na: 1\n---\rb"},
		{name: "text before", readme: "x\n---\na\n---\n"},
		{name: "empty", readme: ""},
		{name: "dashes only", readme: "---"},
		{name: "dashes and newline", readme: "---\n"},
		{name: "no metadata", readme: "# MyCoolModel\n\nText.\n"},
		{name: "invalid utf-8 before", readme: "\xff---\na\n---\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fm, body, ok := Split([]byte(tt.readme))
			if ok != tt.ok {
				t.Fatalf("Split(%q) ok = %v, want %v", tt.readme, ok, tt.ok)
			}
			if !ok {
				if string(body) != tt.readme || fm != nil {
					t.Errorf("Split(%q) = %q, %q; want nil front matter and the whole README as body", tt.readme, fm, body)
				}
				return
			}
			if string(fm) != tt.fm || string(body) != tt.body {
				t.Errorf("Split(%q) = %q, %q; want %q, %q", tt.readme, fm, body, tt.fm, tt.body)
			}
		})
	}
}

// TestSplitAliases checks that the results are sub-slices of the input, not
// copies.
func TestSplitAliases(t *testing.T) {
	readme := []byte("---\na: 1\n---\nbody")
	fm, body, ok := Split(readme)
	if !ok {
		t.Fatal("Split found no front matter")
	}
	if &fm[0] != &readme[4] || &body[0] != &readme[len(readme)-4] {
		t.Errorf("Split copied its input; want sub-slices of it")
	}
}

func TestSplitLarge(t *testing.T) {
	// A long body after the front matter and a long unclosed one: both are
	// linear scans.
	readme := append([]byte("---\na: 1\n---\n"), bytes.Repeat([]byte("text ---\n"), 1<<17)...)
	fm, _, ok := Split(readme)
	if !ok || string(fm) != "a: 1" {
		t.Errorf("Split = %q, %v; want \"a: 1\", true", fm, ok)
	}
	unclosed := append([]byte("---\n"), bytes.Repeat([]byte("\n\n-- x\r"), 1<<17)...)
	if _, _, ok := Split(unclosed); ok {
		t.Errorf("Split of an unclosed block found front matter")
	}
}
