package card

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"

	"go.yaml.in/yaml/v4"
	"go.yaml.in/yaml/v4/plugin/loaderlimits"
)

// decodeFrontMatter parses YAML front matter into generic values: nil (an
// empty or null document) or a map[string]any whose leaves are nil or the
// scalar's text as written. Duplicate keys are accepted (the last one wins,
// as in PyYAML's safe_load); several documents, a mapping or sequence used
// as a key and tabs where PyYAML's scanner refuses them fail with
// ErrInvalid, as they do in huggingface_hub.
func decodeFrontMatter(fm []byte, opt Options) (any, error) {
	if len(fm) > opt.MaxBytes {
		return nil, fmt.Errorf("%w: front matter is %d bytes, limit %d", ErrTooLarge, len(fm), opt.MaxBytes)
	}
	// The scanner counts block indentation levels and flow levels apart;
	// either beyond MaxDepth means more than MaxDepth nested collections,
	// so stop there, before the node tree is built.
	tooDeep := false
	limits := loaderlimits.New(loaderlimits.DepthFunc(func(depth int, _ *yaml.DepthContext) error {
		if depth > opt.MaxDepth {
			tooDeep = true
			return errors.New("nesting too deep")
		}
		return nil
	}))
	loadErr := func(err error) error {
		if tooDeep {
			return errTooDeep(opt.MaxDepth)
		}
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	loader, err := yaml.NewLoader(bytes.NewReader(fm), yaml.WithUniqueKeys(false), yaml.WithPlugin(limits))
	if err != nil {
		return nil, loadErr(err)
	}
	var doc yaml.Node
	switch err := loader.Load(&doc); {
	case errors.Is(err, io.EOF):
		return nil, nil // no document: only comments or blank lines
	case err != nil:
		return nil, loadErr(err)
	}
	var extra yaml.Node
	if err := loader.Load(&extra); !errors.Is(err, io.EOF) {
		if err == nil {
			return nil, fmt.Errorf("%w: expected a single document, found several", ErrInvalid)
		}
		return nil, loadErr(err)
	}
	// Like PyYAML's scanner, refuse a tab outside quoted scalars, block
	// scalars and comments, so that a card parses exactly when
	// huggingface_hub can parse it.
	if err := checkTabs(fm, &doc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	d := decoder{aliasBudget: opt.MaxAliases, maxDepth: opt.MaxDepth}
	return d.value(doc.Content[0], 0, false)
}

func errTooDeep(max int) error {
	return fmt.Errorf("%w: more than %d nested mappings and sequences", ErrTooComplex, max)
}

// decoder converts a yaml.Node tree into generic values. Every node an
// alias adds is charged to aliasBudget, so that a "billion laughs"
// document fails fast; an alias to a node that contains it recurses until
// maxDepth.
type decoder struct {
	aliasBudget int
	maxDepth    int
}

// value builds the generic value of n. depth counts the collections
// enclosing n; aliased is true inside the expansion of an alias.
func (d *decoder) value(n *yaml.Node, depth int, aliased bool) (any, error) {
	if depth > d.maxDepth {
		return nil, errTooDeep(d.maxDepth)
	}
	if aliased {
		if d.aliasBudget--; d.aliasBudget < 0 {
			return nil, fmt.Errorf("%w: alias expansion exceeds the limit (line %d)", ErrTooComplex, n.Line)
		}
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("%w: line %d: unknown anchor %q", ErrInvalid, n.Line, n.Value)
		}
		return d.value(n.Alias, depth, true)
	case yaml.ScalarNode:
		return scalarValue(n), nil
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := d.value(c, depth+1, aliased)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.MappingNode:
		return d.mapping(n, depth, aliased)
	}
	return nil, fmt.Errorf("%w: line %d: unexpected node kind %v", ErrInvalid, n.Line, n.Kind)
}

// mapping builds a map. Of duplicate keys the last one wins; a merge key
// ("<<") contributes the pairs of the mapping, or list of mappings, it
// names, which explicit keys and earlier mappings of the list override.
func (d *decoder) mapping(n *yaml.Node, depth int, aliased bool) (any, error) {
	m := make(map[string]any, len(n.Content)/2)
	var merged map[string]any
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("%w: line %d: found unhashable key (a mapping or sequence)", ErrInvalid, n.Content[i].Line)
		}
		v, err := d.value(n.Content[i+1], depth+1, aliased)
		if err != nil {
			return nil, err
		}
		if k.Value != "<<" || k.Style != 0 {
			m[k.Value] = v
			continue
		}
		srcs, ok := v.([]any)
		if !ok {
			srcs = []any{v}
		}
		for j := len(srcs) - 1; j >= 0; j-- {
			src, ok := srcs[j].(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%w: line %d: a merge key needs a mapping or a list of mappings", ErrInvalid, k.Line)
			}
			if merged == nil {
				merged = make(map[string]any, len(src))
			}
			maps.Copy(merged, src)
		}
	}
	for k, v := range merged {
		if _, explicit := m[k]; !explicit {
			m[k] = v
		}
	}
	return m, nil
}

// scalarValue is the text of a scalar as written, or nil for the plain
// spellings of null. Numbers and booleans keep their text: the readers of
// convert.go parse them where a number or a boolean belongs, so "language:
// no" stays Norwegian and a metric keeps "0.90" as written.
func scalarValue(n *yaml.Node) any {
	if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle|yaml.TaggedStyle) == 0 {
		switch n.Value {
		case "", "~", "null", "Null", "NULL":
			return nil
		}
	}
	return n.Value
}
