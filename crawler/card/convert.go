package card

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// reader pulls typed fields out of generic values with tolerant converters.
// The values come from decodeFrontMatter (nil, string, []any,
// map[string]any) or from encoding/json (float64 or json.Number, bool), and
// for robustness from other decoders (int, time.Time, []string, ...).
// Shapes that do not fit are skipped and noted in warnings; Go types no
// decoder produces set err.
type reader struct {
	warnings []string
	err      error
}

func (r *reader) warnf(format string, args ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf(format, args...))
}

// unsupported records a value of a type no decoder produces.
func (r *reader) unsupported(where string, v any) {
	if r.err == nil {
		r.err = fmt.Errorf("%s: unsupported value of type %T", where, v)
	}
}

// str returns m[key] as a string: scalars give their text, null or a missing
// key gives "", and a list or mapping gives "" and a warning.
func (r *reader) str(m map[string]any, key string) string {
	v, ok := m[key]
	if !ok || v == nil {
		return ""
	}
	s, ok := r.text(key, v)
	if !ok {
		r.warnf("%s: expected a string, found a %s", key, kindName(v))
		return ""
	}
	return strings.TrimSpace(s)
}

// list returns m[key] as a list of strings: a scalar gives one element, a
// list gives its scalar elements (null, nested lists and mappings are
// dropped), and a mapping gives nil and a warning. Elements are trimmed;
// empty ones and duplicates are dropped.
func (r *reader) list(m map[string]any, key string) []string {
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(e any) {
		s, ok := r.text(key, e)
		if s = strings.TrimSpace(s); ok && s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			add(e)
		}
		if len(out) < len(v) && hasCollection(v) {
			r.warnf("%s: dropped nested lists or mappings", key)
		}
	case []string:
		for _, e := range v {
			add(e)
		}
	case map[string]any:
		r.warnf("%s: expected a string or a list, found a mapping", key)
	default:
		add(v)
	}
	return out
}

func hasCollection(list []any) bool {
	for _, e := range list {
		switch e.(type) {
		case []any, map[string]any:
			return true
		}
	}
	return false
}

// text returns the text of a scalar and true; for nil, lists, mappings and
// unsupported types it returns "" and false.
func (r *reader) text(where string, v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		return formatFloat(v), true
	case float32:
		return formatFloat(v), true
	case json.Number:
		return string(v), true
	case int:
		return strconv.Itoa(v), true
	case int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(v), true
	case time.Time:
		if v.Equal(v.Truncate(24*time.Hour)) && v.Location() == time.UTC {
			return v.Format(time.DateOnly), true
		}
		return v.Format(time.RFC3339Nano), true
	case []any, map[string]any, []string:
		return "", false
	}
	r.unsupported(where, v)
	return "", false
}

// number returns the numeric value of a metric value and its text as
// written. Numbers give themselves; a string that is a decimal or
// scientific number in its entirety ("92.1", " 1e-3 ") gives that number;
// anything else ("72%", "0,857", "250.52 +/- 20.12", booleans, null, lists)
// gives NaN. The text of nil, lists and mappings is "".
func (r *reader) number(where string, v any) (float64, string) {
	switch v := v.(type) {
	case string:
		return parseNumber(v), v
	case json.Number:
		return parseNumber(string(v)), string(v)
	case float64:
		return v, formatFloat(v)
	case float32:
		return float64(v), formatFloat(v)
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		text := fmt.Sprint(v)
		f, _ := strconv.ParseFloat(text, 64) // rounds as a conversion would
		return f, text
	}
	s, _ := r.text(where, v)
	return math.NaN(), s
}

// parseNumber parses a string that holds only a decimal or scientific
// number, with optional surrounding spaces and sign; anything else is NaN. "inf" and "nan" spelled out are NaN too:
// they are not measurements.
func parseNumber(s string) float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return math.NaN()
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-' {
			return math.NaN()
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// boolean reports whether v is true: a boolean true, or a string spelling
// true, yes or on (any case).
func (r *reader) boolean(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "yes", "on":
			return true
		}
	}
	return false
}

// formatFloat formats a float64 or float32 the way encoding/json does,
// which is how a number in an API response was most likely written; NaN
// and ±Inf, which JSON cannot hold, as fmt does.
func formatFloat(f any) string {
	if b, err := json.Marshal(f); err == nil {
		return string(b)
	}
	return fmt.Sprint(f)
}

// kindName names the shape of a generic value for messages.
func kindName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "mapping"
	case []any, []string:
		return "list"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64, float32, json.Number, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}
