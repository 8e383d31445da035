package card

import "unicode/utf8"

// Split returns the YAML front matter and the Markdown body of a README.
// ok is false when the README has no front matter; body is then the whole
// README.
//
// Split follows the pattern the Hub server and huggingface_hub use,
//
//	^(\s*---[\r\n]+)([\S\s]*?)([\r\n]+---(\r\n|\n|$))
//
// with JavaScript's \s (which includes the UTF-8 byte order mark and the
// Unicode spaces): leading whitespace is skipped, the opening "---" must be
// followed by a line break, and the front matter ends at the first line that
// is exactly "---". CR, LF and CRLF line breaks are all accepted. The front
// matter is returned without the delimiter lines and the body starts after the
// closing delimiter's line break. Both results alias readme.
func Split(readme []byte) (frontMatter, body []byte, ok bool) {
	i := skipSpace(readme)
	if !hasDashes(readme, i) {
		return nil, readme, false
	}
	k := i + 3 // end of "---"
	j := k
	for j < len(readme) && isNewline(readme[j]) {
		j++
	}
	if j == k {
		return nil, readme, false
	}
	// The lazy group starts after the whole run of line breaks; the first
	// run of line breaks followed by a closing "---" line ends it.
	for p := j; p < len(readme); p++ {
		if !isNewline(readme[p]) {
			continue
		}
		q := p
		for q < len(readme) && isNewline(readme[q]) {
			q++
		}
		if end, closed := closing(readme, q); closed {
			return readme[j:p], readme[end:], true
		}
		p = q - 1
	}
	// Backtracking: when the opening run holds two or more line breaks and is
	// directly followed by a closing "---" line, the front matter is empty.
	if j-k >= 2 {
		if end, closed := closing(readme, j); closed {
			return readme[j:j], readme[end:], true
		}
	}
	return nil, readme, false
}

// closing reports whether a closing delimiter "---" followed by CRLF, LF or
// the end of input starts at q, and where it ends.
func closing(b []byte, q int) (end int, ok bool) {
	if !hasDashes(b, q) {
		return 0, false
	}
	e := q + 3
	switch {
	case e == len(b):
		return e, true
	case b[e] == '\n':
		return e + 1, true
	case b[e] == '\r' && e+1 < len(b) && b[e+1] == '\n':
		return e + 2, true
	}
	return 0, false
}

func hasDashes(b []byte, i int) bool {
	return i+3 <= len(b) && b[i] == '-' && b[i+1] == '-' && b[i+2] == '-'
}

func isNewline(c byte) bool { return c == '\n' || c == '\r' }

// skipSpace returns the index of the first byte of b that does not start a
// JavaScript whitespace character (ECMAScript WhiteSpace and LineTerminator).
func skipSpace(b []byte) int {
	i := 0
	for i < len(b) {
		if c := b[i]; c < utf8.RuneSelf {
			if c == ' ' || (c >= '\t' && c <= '\r') {
				i++
				continue
			}
			return i
		}
		r, n := utf8.DecodeRune(b[i:])
		if !isJSSpace(r) {
			return i
		}
		i += n
	}
	return i
}

func isJSSpace(r rune) bool {
	switch r {
	case 0x00a0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}
