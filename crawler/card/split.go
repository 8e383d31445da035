package card

import "regexp"

// frontMatterPattern is the pattern the Hub server and huggingface_hub cut
// front matter with,
//
//	^(\s*---[\r\n]+)([\S\s]*?)([\r\n]+---(\r\n|\n|$))
//
// with JavaScript's \s (which includes the UTF-8 byte order mark and the
// Unicode spaces) spelled out. Go's regexp prefers among matches the way a
// backtracking engine does, so it cuts where theirs does.
var frontMatterPattern = regexp.MustCompile(`^[\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}]*---[\r\n]+([\s\S]*?)[\r\n]+---(?:\r\n|\n|$)`)

// Split returns the YAML front matter and the Markdown body of a README.
// ok is false when the README has no front matter; body is then the whole
// README.
//
// Leading whitespace is skipped, the opening "---" must be followed by a
// line break, and the front matter ends at the first line that is exactly
// "---"; CR, LF and CRLF line breaks are all accepted (frontMatterPattern).
// The front matter is returned without the delimiter lines and the body
// starts after the closing delimiter's line break. Both results alias
// readme.
func Split(readme []byte) (frontMatter, body []byte, ok bool) {
	m := frontMatterPattern.FindSubmatchIndex(readme)
	if m == nil {
		return nil, readme, false
	}
	return readme[m[2]:m[3]], readme[m[1]:], true
}
