package card

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// scalarKind is the type PyYAML gives a plain scalar that is not a string.
type scalarKind uint8

const (
	kindBool scalarKind = iota + 1
	kindInt
	kindFloat
)

// scalar is a plain YAML scalar that PyYAML resolves to a bool, an int or a
// float. It keeps the text as written, so that a string field reads
// "language: no" back as "no" (Norwegian) and a metric keeps "0.90" as its raw
// value, while Value and Verified still see the number or the boolean.
type scalar struct {
	text string
	kind scalarKind
	num  float64 // the number for kindInt and kindFloat; 1 or 0 for kindBool
}

// errNoConstructor is the error PyYAML's safe_load raises for a plain "<<" or
// "=" used as a value: they resolve to the merge and value tags, which have
// no constructor outside a mapping key.
var errNoConstructor = errors.New("no constructor for a plain '<<' or '=' value")

// resolvePlain resolves an untagged plain scalar the way PyYAML's implicit
// resolvers (YAML 1.1) do: null, bool, int, float and timestamp, else string.
// It returns nil for null, a scalar for bools and numbers, and the text for
// strings and timestamps. An int, float or timestamp that matches PyYAML's
// pattern but that PyYAML fails to construct (0b_, 2023-02-30) is an error,
// as is a plain "<<" or "=".
func resolvePlain(s string) (any, error) {
	switch s {
	case "", "~", "null", "Null", "NULL":
		return nil, nil
	case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
		return scalar{text: s, kind: kindBool, num: 1}, nil
	case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
		return scalar{text: s, kind: kindBool}, nil
	case "<<", "=":
		return nil, errNoConstructor
	}
	switch c := s[0]; {
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		if isYAML11Float(s) {
			f, err := constructFloat(s)
			if err != nil {
				return nil, err
			}
			return scalar{text: s, kind: kindFloat, num: f}, nil
		}
		if isYAML11Int(s) {
			f, err := constructInt(s)
			if err != nil {
				return nil, err
			}
			return scalar{text: s, kind: kindInt, num: f}, nil
		}
		if c >= '0' && c <= '9' {
			if ok, valid := isTimestamp(s); ok && !valid {
				return nil, errors.New("invalid timestamp " + strconv.Quote(s))
			}
		}
	}
	return s, nil
}

// isYAML11Float reports whether s matches PyYAML's float resolver:
//
//	[-+]?([0-9][0-9_]*)\.[0-9_]*([eE][-+][0-9]+)?
//	\.[0-9][0-9_]*([eE][-+][0-9]+)?
//	[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
//	[-+]?\.(inf|Inf|INF)
//	\.(nan|NaN|NAN)
//
// Note that 1e5 (no dot) and 1.0e5 (no exponent sign) are strings in YAML 1.1.
func isYAML11Float(s string) bool {
	switch s {
	case ".nan", ".NaN", ".NAN":
		return true
	}
	signed := false
	if s[0] == '-' || s[0] == '+' {
		s, signed = s[1:], true
	}
	switch s {
	case ".inf", ".Inf", ".INF":
		return true
	case "":
		return false
	}
	if s[0] == '.' {
		// \.[0-9][0-9_]*([eE][-+][0-9]+)? takes no sign.
		if signed || len(s) < 2 || !isDigit(s[1]) {
			return false
		}
		return isExponentTail(s[skipDigitsUnderscore(s, 2):])
	}
	if !isDigit(s[0]) {
		return false
	}
	i := skipDigitsUnderscore(s, 1)
	if i < len(s) && s[i] == ':' {
		// Sexagesimal: (:[0-5]?[0-9])+ then \.[0-9_]*
		var ok bool
		if i, ok = skipSexagesimal(s, i); !ok {
			return false
		}
		if i >= len(s) || s[i] != '.' {
			return false
		}
		return skipDigitsUnderscore(s, i+1) == len(s)
	}
	if i >= len(s) || s[i] != '.' {
		return false
	}
	return isExponentTail(s[skipDigitsUnderscore(s, i+1):])
}

// isExponentTail reports whether rest is empty or [eE][-+][0-9]+.
func isExponentTail(rest string) bool {
	if rest == "" {
		return true
	}
	if len(rest) < 3 || (rest[0] != 'e' && rest[0] != 'E') || (rest[1] != '-' && rest[1] != '+') {
		return false
	}
	for i := 2; i < len(rest); i++ {
		if !isDigit(rest[i]) {
			return false
		}
	}
	return true
}

// isYAML11Int reports whether s matches PyYAML's int resolver:
//
//	[-+]?0b[0-1_]+
//	[-+]?0[0-7_]+
//	[-+]?(0|[1-9][0-9_]*)
//	[-+]?0x[0-9a-fA-F_]+
//	[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+
func isYAML11Int(s string) bool {
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	if s == "" || !isDigit(s[0]) {
		return false
	}
	if s[0] == '0' {
		if len(s) == 1 {
			return true
		}
		var valid func(byte) bool
		rest := s[1:]
		switch s[1] {
		case 'b':
			valid, rest = func(c byte) bool { return c == '0' || c == '1' || c == '_' }, s[2:]
		case 'x':
			valid, rest = func(c byte) bool { return isHex(c) || c == '_' }, s[2:]
		default:
			valid = func(c byte) bool { return (c >= '0' && c <= '7') || c == '_' }
		}
		if rest == "" {
			return false
		}
		for i := 0; i < len(rest); i++ {
			if !valid(rest[i]) {
				return false
			}
		}
		return true
	}
	i := skipDigitsUnderscore(s, 1)
	if i == len(s) {
		return true
	}
	if s[i] != ':' {
		return false
	}
	i, ok := skipSexagesimal(s, i)
	return ok && i == len(s)
}

// skipSexagesimal skips (:[0-5]?[0-9])+ starting at s[i] == ':' and returns
// the index after it.
func skipSexagesimal(s string, i int) (int, bool) {
	n := 0
	for i < len(s) && s[i] == ':' {
		i++
		switch {
		case i+1 < len(s) && s[i] >= '0' && s[i] <= '5' && isDigit(s[i+1]):
			i += 2
		case i < len(s) && isDigit(s[i]):
			i++
		default:
			return i, false
		}
		n++
	}
	return i, n > 0
}

func skipDigitsUnderscore(s string, i int) int {
	for i < len(s) && (isDigit(s[i]) || s[i] == '_') {
		i++
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// constructInt converts a scalar that matched the int pattern the way
// PyYAML's construct_yaml_int does (underscores dropped, a leading 0 means
// octal, a:b:c is base 60). The result is a float64, which is exact up to
// 2^53; the text is kept beside it for larger numbers.
func constructInt(s string) (float64, error) {
	v := strings.ReplaceAll(s, "_", "")
	sign := 1.0
	if v != "" && (v[0] == '-' || v[0] == '+') {
		if v[0] == '-' {
			sign = -1
		}
		v = v[1:]
	}
	invalid := errors.New("invalid int " + strconv.Quote(s))
	parse := func(digits string, base int) (float64, error) {
		if digits == "" {
			return 0, invalid
		}
		if u, err := strconv.ParseUint(digits, base, 64); err == nil {
			return float64(u), nil
		}
		// Beyond 64 bits (Python ints are unbounded): accumulate in floating point.
		f := 0.0
		for i := 0; i < len(digits); i++ {
			d, err := strconv.ParseUint(digits[i:i+1], base, 8)
			if err != nil {
				return 0, invalid
			}
			f = f*float64(base) + float64(d)
		}
		return f, nil
	}
	var f float64
	var err error
	switch {
	case v == "":
		err = invalid
	case v == "0":
	case strings.HasPrefix(v, "0b"):
		f, err = parse(v[2:], 2)
	case strings.HasPrefix(v, "0x"):
		f, err = parse(v[2:], 16)
	case v[0] == '0':
		f, err = parse(v, 8)
	case strings.Contains(v, ":"):
		for part := range strings.SplitSeq(v, ":") {
			d, perr := parse(part, 10)
			if perr != nil {
				return 0, perr
			}
			f = f*60 + d
		}
	default:
		f, err = parse(v, 10)
	}
	if err != nil {
		return 0, err
	}
	return sign * f, nil
}

// constructFloat converts a scalar that matched the float pattern the way
// PyYAML's construct_yaml_float does.
func constructFloat(s string) (float64, error) {
	v := strings.ToLower(strings.ReplaceAll(s, "_", ""))
	sign := 1.0
	if v[0] == '-' || v[0] == '+' {
		if v[0] == '-' {
			sign = -1
		}
		v = v[1:]
	}
	switch {
	case v == ".inf":
		return math.Inf(int(sign)), nil
	case v == ".nan":
		return math.NaN(), nil
	case strings.Contains(v, ":"):
		f := 0.0
		for part := range strings.SplitSeq(v, ":") {
			d, err := strconv.ParseFloat(part, 64)
			if err != nil {
				return 0, errors.New("invalid float " + strconv.Quote(s))
			}
			f = f*60 + d
		}
		return sign * f, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, errors.New("invalid float " + strconv.Quote(s))
	}
	return sign * f, nil // ±Inf on overflow, as Python's float()
}

// isTimestamp reports whether s matches PyYAML's timestamp resolver
//
//	[0-9]{4}-[0-9]{2}-[0-9]{2}
//	[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?
//
// and, if so, whether Python's datetime accepts the date and time.
func isTimestamp(s string) (match, valid bool) {
	p := tsParser{s: s}
	year, ok := p.digits(4, 4)
	if !ok || !p.lit('-') {
		return false, false
	}
	month, ok := p.digits(1, 2)
	if !ok || !p.lit('-') {
		return false, false
	}
	day, ok := p.digits(1, 2)
	if !ok {
		return false, false
	}
	if p.i == len(s) {
		// Date only: month and day must have two digits each.
		if len(s) != 10 || s[7] != '-' {
			return false, false
		}
		return true, validDate(year, month, day)
	}
	switch {
	case p.lit('T') || p.lit('t'):
	case p.i < len(s) && (s[p.i] == ' ' || s[p.i] == '\t'):
		for p.i < len(s) && (s[p.i] == ' ' || s[p.i] == '\t') {
			p.i++
		}
	default:
		return false, false
	}
	hour, ok := p.digits(1, 2)
	if !ok || !p.lit(':') {
		return false, false
	}
	minute, ok := p.digits(2, 2)
	if !ok || !p.lit(':') {
		return false, false
	}
	second, ok := p.digits(2, 2)
	if !ok {
		return false, false
	}
	if p.lit('.') {
		for p.i < len(s) && isDigit(s[p.i]) {
			p.i++
		}
	}
	tzMinutes := 0
	if p.i < len(s) {
		for p.i < len(s) && (s[p.i] == ' ' || s[p.i] == '\t') {
			p.i++
		}
		switch {
		case p.lit('Z'):
		case p.i < len(s) && (s[p.i] == '-' || s[p.i] == '+'):
			p.i++
			h, ok := p.digits(1, 2)
			if !ok {
				return false, false
			}
			tzMinutes = h * 60
			if p.lit(':') {
				m, ok := p.digits(2, 2)
				if !ok {
					return false, false
				}
				tzMinutes += m
			}
		default:
			return false, false
		}
	}
	if p.i != len(s) {
		return false, false
	}
	valid = validDate(year, month, day) && hour < 24 && minute < 60 && second < 60 && tzMinutes < 24*60
	return true, valid
}

type tsParser struct {
	s string
	i int
}

func (p *tsParser) digits(min, max int) (int, bool) {
	n, v := 0, 0
	for n < max && p.i < len(p.s) && isDigit(p.s[p.i]) {
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
		n++
	}
	return v, n >= min
}

func (p *tsParser) lit(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// validDate reports whether Python's datetime.date accepts the date.
func validDate(year, month, day int) bool {
	if year < 1 || month < 1 || month > 12 || day < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1]
	if month == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		days = 29
	}
	return day <= days
}
