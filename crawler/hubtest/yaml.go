package hubtest

import (
	"slices"
	"strconv"
	"strings"
)

// writeYAML writes the card front matter of a generated repo: block-style
// YAML whose parse is exactly v (the cardData the API serves). It handles
// the value types generated cards hold: maps, lists, strings, numbers,
// booleans.

// yamlKeyOrder puts the keys of a card in the order people write them;
// other keys follow alphabetically.
var yamlKeyOrder = []string{
	"language", "license", "library_name", "pretty_name", "tags", "datasets", "base_model",
	"pipeline_tag", "task_categories", "size_categories", "metrics", "model-index",
	"name", "results", "task", "type", "dataset", "config", "split", "value",
}

func yamlKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		if i := slices.Index(yamlKeyOrder, k); i >= 0 {
			return i
		}
		return len(yamlKeyOrder)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return keys
}

func writeYAML(b *strings.Builder, m map[string]any, indent int) {
	writeYAMLMap(b, m, indent, true)
}

// writeYAMLMap writes m at indent; when padFirst is false the first key
// continues the current line (after "- ").
func writeYAMLMap(b *strings.Builder, m map[string]any, indent int, padFirst bool) {
	for i, k := range yamlKeys(m) {
		if i > 0 || padFirst {
			b.WriteString(strings.Repeat(" ", indent))
		}
		b.WriteString(yamlScalar(k))
		b.WriteByte(':')
		writeYAMLValue(b, m[k], indent)
	}
}

func writeYAMLValue(b *strings.Builder, v any, indent int) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			b.WriteString(" {}\n")
			return
		}
		b.WriteByte('\n')
		writeYAMLMap(b, x, indent+2, true)
	case []any:
		if len(x) == 0 {
			b.WriteString(" []\n")
			return
		}
		b.WriteByte('\n')
		for _, e := range x {
			b.WriteString(strings.Repeat(" ", indent))
			b.WriteString("- ")
			if mm, ok := e.(map[string]any); ok && len(mm) > 0 {
				writeYAMLMap(b, mm, indent+2, false)
				continue
			}
			b.WriteString(yamlInline(e))
			b.WriteByte('\n')
		}
	case []string:
		anys := make([]any, len(x))
		for i, s := range x {
			anys[i] = s
		}
		writeYAMLValue(b, anys, indent)
	default:
		b.WriteByte(' ')
		b.WriteString(yamlInline(v))
		b.WriteByte('\n')
	}
}

func yamlInline(v any) string {
	switch x := v.(type) {
	case string:
		return yamlScalar(x)
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		s := string(appendFloat(nil, x))
		if !strings.ContainsAny(s, ".eE") {
			s += ".0" // keep it a float when read back
		}
		return s
	case nil:
		return "null"
	}
	return `""`
}

// yamlScalar writes s plain when YAML reads it back as the same string,
// double-quoted (JSON escaping is valid YAML) otherwise.
func yamlScalar(s string) string {
	if s == "" || !plainSafe(s) {
		return string(appendString(nil, s))
	}
	return s
}

func plainSafe(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n":
		return false
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return false
	}
	first := s[0]
	if !(first >= 'a' && first <= 'z' || first >= 'A' && first <= 'Z' || first >= '0' && first <= '9' || first == '_') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_-./", c) >= 0) {
			return false
		}
	}
	return true
}
