package card

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"go.yaml.in/yaml/v4"
	"go.yaml.in/yaml/v4/plugin/loaderlimits"
)

// decodeFrontMatter parses YAML front matter into generic values with the
// semantics of PyYAML's safe_load, which huggingface_hub applies to cards:
// YAML 1.1 scalar resolution, duplicate keys (the last one wins), merge keys,
// and the same failures (several documents, unhashable keys, duplicate
// anchors, unknown tags, tabs where PyYAML's scanner refuses them). The
// result is nil (an empty or null document) or a map[string]any whose leaves
// are nil, string or scalar.
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
			return fmt.Errorf("%w: more than %d nested mappings and sequences", ErrTooComplex, opt.MaxDepth)
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
	if !opt.LenientTabs {
		if err := checkTabs(fm, &doc); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	d := decoder{aliasBudget: opt.MaxAliases, maxDepth: opt.MaxDepth, anchors: make(map[*yaml.Node]*anchored)}
	if err := d.checkAnchors(&doc, 0); err != nil {
		return nil, err
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, nil
		}
		root = root.Content[0]
	}
	v, _, err := d.value(root, 0)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// decoder converts a yaml.Node tree into generic values. Aliases share the
// value built for their anchor; the logical size of every expansion is
// charged to aliasBudget so that a "billion laughs" document fails fast.
type decoder struct {
	aliasBudget int
	maxDepth    int
	anchors     map[*yaml.Node]*anchored
	seen        map[string]bool
}

// anchored is the value built for an anchored node and its logical size
// (number of nodes once every alias inside is expanded).
type anchored struct {
	v    any
	size int
	done bool // false while the node is being built: an alias to it is a cycle
}

// checkAnchors walks the tree as written (not through aliases) and fails on
// an anchor defined twice, which PyYAML's composer refuses, and on more than
// maxDepth nested collections. depth counts the collections enclosing n.
func (d *decoder) checkAnchors(n *yaml.Node, depth int) error {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		if depth++; depth > d.maxDepth {
			return fmt.Errorf("%w: line %d: more than %d nested mappings and sequences", ErrTooComplex, n.Line, d.maxDepth)
		}
	}
	if n.Anchor != "" {
		if d.seen == nil {
			d.seen = make(map[string]bool)
		}
		if d.seen[n.Anchor] {
			return fmt.Errorf("%w: line %d: duplicate anchor %q", ErrInvalid, n.Line, n.Anchor)
		}
		d.seen[n.Anchor] = true
	}
	for _, c := range n.Content {
		if err := d.checkAnchors(c, depth); err != nil {
			return err
		}
	}
	return nil
}

// value builds the generic value of n and returns it with its logical size.
// depth counts the collections enclosing n; checkAnchors has bounded it.
func (d *decoder) value(n *yaml.Node, depth int) (any, int, error) {
	if depth > d.maxDepth {
		return nil, 0, fmt.Errorf("%w: more than %d nested mappings and sequences", ErrTooComplex, d.maxDepth)
	}
	if n.Kind == yaml.AliasNode {
		return d.alias(n, depth)
	}
	var a *anchored
	if n.Anchor != "" {
		a = &anchored{}
		d.anchors[n] = a
	}
	var (
		v    any
		size int
		err  error
	)
	switch n.Kind {
	case yaml.ScalarNode:
		v, err = scalarValue(n)
		size = 1
	case yaml.SequenceNode:
		v, size, err = d.sequence(n, depth)
	case yaml.MappingNode:
		v, size, err = d.mapping(n, depth)
	default:
		err = fmt.Errorf("%w: line %d: unexpected node kind %v", ErrInvalid, n.Line, n.Kind)
	}
	if err != nil {
		return nil, 0, err
	}
	if a != nil {
		a.v, a.size, a.done = v, size, true
	}
	return v, size, nil
}

// alias returns the value of the node an alias refers to, charging its
// logical size to the alias budget.
func (d *decoder) alias(n *yaml.Node, depth int) (any, int, error) {
	target := n.Alias
	if target == nil {
		return nil, 0, fmt.Errorf("%w: line %d: unknown anchor %q", ErrInvalid, n.Line, n.Value)
	}
	a, ok := d.anchors[target]
	if ok && !a.done {
		return nil, 0, fmt.Errorf("%w: line %d: alias %q refers to a node that contains it", ErrInvalid, n.Line, n.Value)
	}
	if !ok {
		// The anchor has not been built yet (it cannot come later in a
		// valid document, but the tree says otherwise): build it now.
		if _, _, err := d.value(target, depth); err != nil {
			return nil, 0, err
		}
		if a, ok = d.anchors[target]; !ok || !a.done {
			return nil, 0, fmt.Errorf("%w: line %d: unresolvable alias %q", ErrInvalid, n.Line, n.Value)
		}
	}
	d.aliasBudget -= a.size
	if d.aliasBudget < 0 {
		return nil, 0, fmt.Errorf("%w: alias expansion exceeds the limit (line %d, alias %q)", ErrTooComplex, n.Line, n.Value)
	}
	return a.v, a.size, nil
}

func (d *decoder) sequence(n *yaml.Node, depth int) (any, int, error) {
	if err := checkCollectionTag(n, "!!seq", "!!omap", "!!pairs"); err != nil {
		return nil, 0, err
	}
	list := make([]any, 0, len(n.Content))
	size := 1
	for _, c := range n.Content {
		v, sz, err := d.value(c, depth+1)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, v)
		size += sz
	}
	return list, size, nil
}

// mapping builds a map with PyYAML's rules: merge keys ("<<") contribute the
// pairs of the mapping (or mappings) they name, explicit keys override
// merged ones, earlier mappings in a merge list override later ones, and of
// duplicate keys the last one wins.
func (d *decoder) mapping(n *yaml.Node, depth int) (any, int, error) {
	if err := checkCollectionTag(n, "!!map", "!!set"); err != nil {
		return nil, 0, err
	}
	if len(n.Content)%2 != 0 {
		return nil, 0, fmt.Errorf("%w: line %d: mapping with an odd number of nodes", ErrInvalid, n.Line)
	}
	m := make(map[string]any, len(n.Content)/2)
	size := 1
	type pair struct {
		k string
		v any
	}
	var explicit []pair
	var merged []map[string]any
	for i := 0; i < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if isMergeKey(kn) {
			srcs, sz, err := d.mergeSources(vn, depth+1)
			if err != nil {
				return nil, 0, err
			}
			merged = append(merged, srcs...)
			size += 1 + sz
			continue
		}
		k, ksz, err := d.key(kn, depth+1)
		if err != nil {
			return nil, 0, err
		}
		v, vsz, err := d.value(vn, depth+1)
		if err != nil {
			return nil, 0, err
		}
		explicit = append(explicit, pair{k, v})
		size += ksz + vsz
	}
	for _, src := range merged {
		for k, v := range src {
			m[k] = v
		}
	}
	for _, p := range explicit {
		m[p.k] = p.v
	}
	return m, size, nil
}

// mergeSources returns the mappings a merge key's value names, in the order
// in which they must be applied (later ones override earlier ones).
func (d *decoder) mergeSources(vn *yaml.Node, depth int) ([]map[string]any, int, error) {
	target := vn
	if target.Kind == yaml.AliasNode && target.Alias != nil {
		target = target.Alias
	}
	switch target.Kind {
	case yaml.MappingNode:
		v, sz, err := d.value(vn, depth)
		if err != nil {
			return nil, 0, err
		}
		m, _ := v.(map[string]any)
		return []map[string]any{m}, sz, nil
	case yaml.SequenceNode:
		// Each element must be a mapping; the first one has the last word.
		var srcs []map[string]any
		size := 0
		for _, c := range target.Content {
			ct := c
			if ct.Kind == yaml.AliasNode && ct.Alias != nil {
				ct = ct.Alias
			}
			if ct.Kind != yaml.MappingNode {
				return nil, 0, fmt.Errorf("%w: line %d: a merge list may only hold mappings", ErrInvalid, c.Line)
			}
			v, sz, err := d.value(c, depth+1)
			if err != nil {
				return nil, 0, err
			}
			m, _ := v.(map[string]any)
			srcs = append(srcs, m)
			size += sz
		}
		for i, j := 0, len(srcs)-1; i < j; i, j = i+1, j-1 {
			srcs[i], srcs[j] = srcs[j], srcs[i]
		}
		return srcs, size, nil
	}
	return nil, 0, fmt.Errorf("%w: line %d: a merge key needs a mapping or a list of mappings", ErrInvalid, vn.Line)
}

// key returns the text of a mapping key. PyYAML refuses keys that are
// mappings or sequences (unhashable); scalar keys keep their text, so that
// "1:" and "no:" are the keys "1" and "no".
func (d *decoder) key(kn *yaml.Node, depth int) (string, int, error) {
	target := kn
	if kn.Kind == yaml.AliasNode {
		if _, _, err := d.alias(kn, depth); err != nil {
			return "", 0, err
		}
		target = kn.Alias
	}
	if target.Kind != yaml.ScalarNode {
		return "", 0, fmt.Errorf("%w: line %d: found unhashable key (a mapping or sequence)", ErrInvalid, kn.Line)
	}
	if kn.Kind == yaml.ScalarNode {
		if kn.Anchor != "" {
			d.anchors[kn] = &anchored{v: kn.Value, size: 1, done: true}
		}
		// A plain "=" key is the value key, a string; other keys must be
		// valid scalars.
		if !(kn.Style == 0 && kn.Value == "=") {
			if _, err := scalarValue(kn); err != nil {
				return "", 0, err
			}
		}
	}
	return target.Value, 1, nil
}

// isMergeKey reports whether a key node is PyYAML's merge key: a plain,
// untagged "<<" (or one tagged !!merge).
func isMergeKey(kn *yaml.Node) bool {
	if kn.Kind != yaml.ScalarNode || kn.Value != "<<" {
		return false
	}
	if kn.Style&yaml.TaggedStyle != 0 {
		return kn.Tag == "!!merge"
	}
	return kn.Style == 0
}

const (
	quotedStyles = yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle
)

// scalarValue converts a scalar node: explicit standard tags are honoured,
// unknown tags are refused (as safe_load does), quoted and block scalars are
// strings, and plain scalars go through PyYAML's implicit resolvers.
func scalarValue(n *yaml.Node) (any, error) {
	if n.Tag == "!" {
		return n.Value, nil // the non-specific tag: a string
	}
	if n.Style&yaml.TaggedStyle != 0 {
		switch n.Tag {
		case "!!str", "!", "!!binary":
			return n.Value, nil
		case "!!null":
			return nil, nil
		case "!!bool":
			switch n.Value {
			case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
				return scalar{text: n.Value, kind: kindBool, num: 1}, nil
			case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
				return scalar{text: n.Value, kind: kindBool}, nil
			}
			return nil, fmt.Errorf("%w: line %d: invalid !!bool %q", ErrInvalid, n.Line, n.Value)
		case "!!int":
			f, err := constructInt(n.Value)
			if err != nil {
				return nil, fmt.Errorf("%w: line %d: %w", ErrInvalid, n.Line, err)
			}
			return scalar{text: n.Value, kind: kindInt, num: f}, nil
		case "!!float":
			f, err := constructFloat(n.Value)
			if err != nil || n.Value == "" {
				return nil, fmt.Errorf("%w: line %d: invalid !!float %q", ErrInvalid, n.Line, n.Value)
			}
			return scalar{text: n.Value, kind: kindFloat, num: f}, nil
		case "!!timestamp":
			if _, valid := isTimestamp(n.Value); !valid {
				return nil, fmt.Errorf("%w: line %d: invalid !!timestamp %q", ErrInvalid, n.Line, n.Value)
			}
			return n.Value, nil
		}
		return nil, fmt.Errorf("%w: line %d: unsupported tag %q on a scalar", ErrInvalid, n.Line, n.Tag)
	}
	if n.Style&quotedStyles != 0 {
		return n.Value, nil
	}
	v, err := resolvePlain(n.Value)
	if err != nil {
		return nil, fmt.Errorf("%w: line %d: %w", ErrInvalid, n.Line, err)
	}
	return v, nil
}

// checkCollectionTag refuses an explicit tag that PyYAML's safe loader cannot
// construct on a mapping or a sequence.
func checkCollectionTag(n *yaml.Node, allowed ...string) error {
	if n.Tag == "!" || n.Tag == "" {
		return nil
	}
	for _, t := range allowed {
		if n.Tag == t {
			return nil
		}
	}
	return fmt.Errorf("%w: line %d: unsupported tag %q on a collection", ErrInvalid, n.Line, n.Tag)
}
