package card

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
)

// checkTabs returns an error for the first tab that PyYAML's scanner
// refuses. PyYAML ("Do not use tabs in YAML!") skips only spaces between
// tokens and ends plain scalars at a tab, so a tab is an error everywhere
// except inside a quoted scalar, inside the content of a block scalar (after
// its indentation) and inside a comment. The YAML 1.2 parser accepts tabs as
// separators, for example "value: 0.918177<TAB>", which PyYAML refuses; real
// cards have both. doc is the tree yaml.v4 parsed from src; it tells where
// the quoted and block scalars are.
func checkTabs(src []byte, doc *yaml.Node) error {
	if bytes.IndexByte(src, '\t') < 0 {
		return nil
	}
	t := tabScan{src: src, lines: splitLines(src), allowed: make([]bool, len(src))}
	t.walk(doc, -1)
	for li, ln := range t.lines {
		if bytes.IndexByte(src[ln.start:ln.end], '\t') < 0 {
			continue
		}
		for p := ln.start; p < ln.end; p++ {
			if t.allowed[p] {
				continue
			}
			c := src[p]
			if c == '#' && (p == ln.start || src[p-1] == ' ' || t.allowed[p-1]) {
				break // a comment runs to the end of the line
			}
			if c == '\t' {
				col := utf8.RuneCount(src[ln.start:p]) + 1
				return fmt.Errorf("line %d, column %d: found a tab that PyYAML's scanner refuses (tabs are only allowed in quoted scalars, block scalars and comments)", li+1, col)
			}
		}
	}
	return nil
}

// span is one line of the source: [start, end) without its line break.
type span struct{ start, end int }

// splitLines splits src at the line breaks libyaml and PyYAML recognise:
// CRLF, CR, LF, NEL (U+0085), LS (U+2028) and PS (U+2029).
func splitLines(src []byte) []span {
	var lines []span
	start := 0
	for i := 0; i < len(src); {
		n := breakLen(src, i)
		if n == 0 {
			i++
			continue
		}
		lines = append(lines, span{start, i})
		i += n
		start = i
	}
	return append(lines, span{start, len(src)})
}

// breakLen returns the length of the line break at src[i], or 0.
func breakLen(src []byte, i int) int {
	switch c := src[i]; c {
	case '\n':
		return 1
	case '\r':
		if i+1 < len(src) && src[i+1] == '\n' {
			return 2
		}
		return 1
	case 0xc2:
		if i+1 < len(src) && src[i+1] == 0x85 {
			return 2
		}
	case 0xe2:
		if i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xa8 || src[i+2] == 0xa9) {
			return 3
		}
	}
	return 0
}

type tabScan struct {
	src     []byte
	lines   []span
	allowed []bool // bytes inside quoted scalars and block scalar content
}

// walk marks the quoted and block scalars of the tree. indent is the
// indentation of the enclosing block collection (-1 at the top), which
// bounds the indentation of a block scalar's content.
func (t *tabScan) walk(n *yaml.Node, indent int) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			t.walk(c, -1)
		}
	case yaml.MappingNode, yaml.SequenceNode:
		if n.Style&yaml.FlowStyle == 0 {
			col := n.Column
			if n.Kind == yaml.MappingNode && len(n.Content) > 0 && (n.Anchor != "" || n.Style&yaml.TaggedStyle != 0) {
				col = n.Content[0].Column // the properties may sit on the line above
			}
			indent = col - 1
		}
		for _, c := range n.Content {
			t.walk(c, indent)
		}
	case yaml.ScalarNode:
		switch {
		case n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0:
			t.markQuoted(n)
		case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
			t.markBlock(n, indent)
		}
	}
}

// offset returns the byte offset of a 1-based line and rune column, or -1.
func (t *tabScan) offset(line, col int) int {
	if line < 1 || line > len(t.lines) || col < 1 {
		return -1
	}
	ln := t.lines[line-1]
	p := ln.start
	for i := 1; i < col && p < ln.end; i++ {
		_, n := utf8.DecodeRune(t.src[p:ln.end])
		p += n
	}
	return p
}

// lineOf returns the index of the line holding byte offset p.
func (t *tabScan) lineOf(p int) int {
	lo, hi := 0, len(t.lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if t.lines[mid].start <= p {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// markQuoted marks a quoted scalar from its opening to its closing quote.
func (t *tabScan) markQuoted(n *yaml.Node) {
	p := t.offset(n.Line, n.Column)
	if p < 0 {
		return
	}
	q := byte('"')
	if n.Style&yaml.SingleQuotedStyle != 0 {
		q = '\''
	}
	open := bytes.IndexByte(t.src[p:], q) // skip an anchor or tag before the quote
	if open < 0 {
		return
	}
	open += p
	end := len(t.src) - 1
	for i := open + 1; i < len(t.src); i++ {
		c := t.src[i]
		if q == '"' && c == '\\' {
			i++
			continue
		}
		if c == q {
			if q == '\'' && i+1 < len(t.src) && t.src[i+1] == '\'' {
				i++
				continue
			}
			end = i
			break
		}
	}
	for i := open; i <= end; i++ {
		t.allowed[i] = true
	}
}

// markBlock marks the content of a literal (|) or folded (>) block scalar:
// on each content line, everything after the block's indentation. The
// indentation is found as PyYAML does: an explicit indicator counts from
// the parent's indentation, otherwise it is the largest of the leading
// blank lines' and the first non-blank line's indentation, at least one
// more than the parent's.
func (t *tabScan) markBlock(n *yaml.Node, parent int) {
	p := t.offset(n.Line, n.Column)
	if p < 0 {
		return
	}
	header := t.lineOf(p)
	hl := t.lines[header]
	ind := bytes.IndexAny(t.src[p:hl.end], "|>")
	if ind < 0 {
		return
	}
	increment := 0
	for i := p + ind + 1; i < hl.end && i <= p+ind+2; i++ {
		if c := t.src[i]; c >= '1' && c <= '9' {
			increment = int(c - '0')
		}
	}
	minIndent := max(parent+1, 1)
	indent := minIndent + increment - 1
	if increment == 0 {
		maxIndent := 0
		for li := header + 1; li < len(t.lines); li++ {
			ln := t.lines[li]
			sp := leadingSpaces(t.src[ln.start:ln.end])
			maxIndent = max(maxIndent, sp)
			if ln.start+sp < ln.end {
				break // the first non-blank line
			}
		}
		indent = max(minIndent, maxIndent)
	}
	for li := header + 1; li < len(t.lines); li++ {
		ln := t.lines[li]
		sp := leadingSpaces(t.src[ln.start:ln.end])
		if sp >= indent {
			for i := ln.start + indent; i < ln.end; i++ {
				t.allowed[i] = true
			}
			continue
		}
		if ln.start+sp < ln.end {
			return // a less indented, non-blank line ends the block
		}
	}
}

func leadingSpaces(b []byte) int {
	n := 0
	for n < len(b) && b[n] == ' ' {
		n++
	}
	return n
}
