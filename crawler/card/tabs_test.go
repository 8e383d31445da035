package card

import (
	"errors"
	"testing"
)

// TestPyYAMLTabs checks where tabs are accepted against PyYAML 6.0.3's
// safe_load (the verdicts were recorded by running it on each input).
func TestPyYAMLTabs(t *testing.T) {
	tests := []struct {
		name string
		fm   string
		ok   bool // PyYAML's verdict, except where noted
	}{
		{"after a value", "a: 1\t", false},
		{"inside a comment", "a: 1 # c\t", true},
		{"after the colon", "a:\t1", false},
		{"indentation", "\ta: 1", false},
		{"after a quoted scalar", "a: \"x\ty\"\t", false},
		{"quoted then comment", "a: \"x\ty\" # \t", true},
		{"single quoted with escaped quote", "a: 'it''s\t'", true},
		{"double quoted with escaped quote", "a: \"esc \\\" \t\"", true},
		{"literal block content", "a: |\n  x\ty\n", true},
		{"line of a tab in a block", "a: |\n  x\n\t\n", false},
		{"tab after block indentation", "a: |\n  x\n  \t\n", true},
		{"tab before block indentation", "a: |\n    x\n  \ty\n", false},
		{"explicit indentation indicator", "a: |2\n   \tx\n", true},
		{"folded block content", "a: >\n  x\ty\nb: 1", true},
		{"tab in a block header", "a: |\t\n  x\n", false},
		{"comment in a block header", "a: | # c\t\n  x\n", true},
		{"quoted in a sequence", "a:\n- \"q\tq\"\n- 'r\tr'", true},
		{"quoted in a flow sequence", "a: [\"x\ty\"]", true},
		{"quoted in a flow mapping", "a: {b: 'c\td'}", true},
		{"separator in a flow mapping", "a: {b: 1,\tc: 2}", false},
		{"multi-line double quoted", "a: \"multi\n\tline\"", true},
		{"multi-line single quoted", "a: 'multi\n\tline'", true},
		{"multi-line plain", "a: plain\n\tcontinued", false},
		{"comment line", "# comment with\ttab\na: 1", true},
		{"comment after a value line", "a: 1\n# \t\n", true},
		{"hash inside a plain scalar", "a: x#\ty", false},
		// PyYAML accepts this; yaml.v4 follows YAML 1.2, which requires
		// whitespace before a comment. A known (and rare) difference.
		{"comment right after a quote", "a: \"x\"#\ttab", false},
		{"after a sequence dash", "a:\n- x\n-\tb", false},
		{"after a quoted key", "a: \"x\"\t: 1", false},
		{"complex key", "? a\t\n: b", false},
		{"non-ASCII before a tab", "k: |\n  \u00e9\ttab", true},
		{"nested block", "l1:\n  l2: |\n    x\ty\n  l3: 1", true},
		{"nested block, shallow content", "l1:\n  l2: |\n   x\ty\n", true},
		{"block in a sequence", "s:\n- |\n  a\tb\n- c", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFrontMatter([]byte(tt.fm), Options{})
			if ok := err == nil; ok != tt.ok {
				t.Errorf("ParseFrontMatter(%q) error = %v, want ok = %v (PyYAML)", tt.fm, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}
