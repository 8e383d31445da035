package card

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v4"
)

// checkTabs returns an error for a tab that PyYAML's scanner refuses.
// PyYAML ("Do not use tabs in YAML!") skips only spaces between tokens and
// ends plain scalars at a tab, so a tab is an error everywhere except
// inside a quoted scalar, the content of a block scalar and a comment. The
// YAML 1.2 parser accepts tabs as separators too, for example
// "value: 0.918177<TAB>", which PyYAML refuses; real cards have both.
//
// The check parses src again with every tab replaced by a no-break space
// (U+00A0), which YAML reads as content, never as a separator. Where every
// tab is one PyYAML accepts, the copy parses to the tree doc holds (the
// text of quoted and block scalars aside); a tab used as a separator makes
// the copy differ or fail to parse.
func checkTabs(src []byte, doc *yaml.Node) error {
	tab := bytes.IndexByte(src, '\t')
	if tab < 0 {
		return nil
	}
	var copied yaml.Node
	line := bytes.Count(src[:tab], []byte{'\n'}) + 1
	err := yaml.Load(bytes.ReplaceAll(src, []byte{'\t'}, []byte("\u00a0")), &copied, yaml.WithUniqueKeys(false))
	if err == nil && sameTree(doc, &copied, &line) {
		return nil
	}
	return fmt.Errorf("line %d: found a tab that PyYAML's scanner refuses (tabs are only allowed in quoted scalars, block scalars and comments)", line)
}

// sameTree reports whether a and b have the same shape, anchors and
// scalar styles, and the same text in every scalar that is neither quoted
// nor a block scalar. On a difference, *line is where b differs.
func sameTree(a, b *yaml.Node, line *int) bool {
	const textStyles = yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle
	if a.Kind != b.Kind || a.Style != b.Style || a.Anchor != b.Anchor || len(a.Content) != len(b.Content) ||
		a.Style&textStyles == 0 && a.Value != b.Value {
		*line = b.Line
		return false
	}
	for i := range a.Content {
		if !sameTree(a.Content[i], b.Content[i], line) {
			return false
		}
	}
	return true
}
