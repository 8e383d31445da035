package hub

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Listing pages are decoded in a streaming, allocation-aware way: an
// arrayReader cuts the body into its elements without buffering the
// whole page, and each element is decoded by a hand-written fast path for
// the keys the API sends in lists, with frequent strings (tags, pipeline
// tags, libraries, authors, short cardData values) interned across pages.
// Anything the fast path does not recognise exactly — an escape in a key,
// invalid UTF-8, a number in an unusual form, a key that differs only in
// case from a known one, a syntax error — makes it start over with
// encoding/json for that element, so the result is always what
// json.Unmarshal gives (the differential tests FuzzDecodeModel and
// TestDecodeRandomModels hold it to that).
//
// The fast path reads each byte about once. It is a recursive descent
// parser: every value parser starts at the first byte of its value and
// returns the index just after it, so the caller goes on from there
// without first scanning for the end. It accepts only valid JSON. When it
// fails, the element is cleared and decoded again by encoding/json.
//
// Most elements are parsed straight from the arrayReader's buffer, before
// the reader has looked for their end. Only when that fails (the element
// is not all buffered yet, or it is unusual) does the reader find the
// element's end with scanState, reading more as needed, and the element
// is decoded from those bytes. Errors are therefore the same as when
// every element went through scanState: a cut-off body gives
// io.ErrUnexpectedEOF, malformed JSON ErrDecode.

// arrayReader yields the raw elements of a JSON array read from r.
type arrayReader struct {
	r     io.Reader
	buf   []byte
	start int // first unread byte
	end   int // end of data
	state int // 0: before '[', 1: after '[' or ',', 2: after an element, 3: done
	scan  scanState
	rerr  error // read error (io.EOF included) once seen
}

const arrayReaderChunk = 64 << 10

// minBuffered is how much of the body decodeArray wants buffered before it
// decodes an element in place: more than most elements need.
const minBuffered = 8 << 10

func newArrayReader(r io.Reader) *arrayReader {
	return &arrayReader{r: r}
}

// fill reads more data, compacting and growing the buffer as needed.
func (a *arrayReader) fill() error {
	if a.rerr != nil {
		return a.rerr
	}
	if a.buf == nil {
		a.buf = make([]byte, arrayReaderChunk)
	}
	if a.start > 0 {
		n := copy(a.buf, a.buf[a.start:a.end])
		a.start, a.end = 0, n
	}
	if a.end == len(a.buf) {
		nb := make([]byte, 2*len(a.buf))
		copy(nb, a.buf[:a.end])
		a.buf = nb
	}
	n, err := a.r.Read(a.buf[a.end:])
	a.end += n
	if err != nil {
		a.rerr = err
		if n > 0 {
			return nil
		}
		return err
	}
	return nil
}

// skipSpace advances over JSON white space, reading as needed. It returns
// the next byte.
func (a *arrayReader) skipSpace() (byte, error) {
	for {
		for a.start < a.end {
			c := a.buf[a.start]
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				return c, nil
			}
			a.start++
		}
		if err := a.fill(); err != nil {
			return 0, err
		}
	}
}

// elemStart moves to the first byte of the next element and returns the
// bytes buffered from there on (at least one), or io.EOF after the closing
// bracket. The caller either passes the element with skip or calls next.
func (a *arrayReader) elemStart() ([]byte, error) {
	for {
		switch a.state {
		case 3:
			return nil, io.EOF
		case 0:
			c, err := a.skipSpace()
			if err == io.EOF {
				return nil, fmt.Errorf("%w: empty body", ErrDecode)
			}
			if err != nil {
				return nil, err
			}
			if c != '[' {
				return nil, fmt.Errorf("%w: want a JSON array, got %q", ErrDecode, c)
			}
			a.start++
			a.state = 1
			// An empty array?
			c, err = a.skipSpace()
			if err != nil {
				return nil, unexpected(err)
			}
			if c == ']' {
				a.start++
				a.state = 3
				return nil, io.EOF
			}
		case 2:
			c, err := a.skipSpace()
			if err != nil {
				return nil, unexpected(err)
			}
			a.start++
			switch c {
			case ',':
				a.state = 1
			case ']':
				a.state = 3
				return nil, io.EOF
			default:
				return nil, fmt.Errorf("%w: want ',' or ']' after an array element, got %q", ErrDecode, c)
			}
		case 1:
			if _, err := a.skipSpace(); err != nil {
				return nil, unexpected(err)
			}
			return a.buf[a.start:a.end], nil
		}
	}
}

// skip passes over an element of n bytes that the caller decoded from
// the bytes elemStart returned.
func (a *arrayReader) skip(n int) {
	a.start += n
	a.state = 2
}

// next returns the next element (valid until the following call) or
// io.EOF after the closing bracket. A body that ends early yields
// io.ErrUnexpectedEOF (or the read error); malformed JSON yields ErrDecode.
func (a *arrayReader) next() ([]byte, error) {
	if _, err := a.elemStart(); err != nil {
		return nil, err
	}
	a.scan = scanState{}
	for {
		done, n, err := a.scan.advance(a.buf[a.start:a.end])
		if err != nil {
			return nil, err
		}
		if done {
			elem := a.buf[a.start : a.start+n]
			a.skip(n)
			return elem, nil
		}
		if err := a.fill(); err != nil {
			return nil, unexpected(err)
		}
	}
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// scanState finds the end of one JSON value, resumably (the value may
// arrive in pieces). It tracks nesting and strings only; the decoder
// validates the content.
type scanState struct {
	pos    int // bytes of the value already scanned
	depth  int
	inStr  bool
	esc    bool
	scalar bool // a number or literal: ends at a delimiter
}

func (s *scanState) advance(b []byte) (done bool, n int, err error) {
	if s.pos == 0 && len(b) > 0 {
		switch b[0] {
		case '{', '[', '"':
		case ']', '}', ',':
			return false, 0, fmt.Errorf("%w: unexpected %q in array", ErrDecode, b[0])
		default:
			s.scalar = true
		}
	}
	i := s.pos
	if s.scalar {
		for ; i < len(b); i++ {
			switch b[i] {
			case ' ', '\t', '\n', '\r', ',', ']', '}':
				return true, i, nil
			}
		}
		s.pos = i
		return false, 0, nil
	}
	for i < len(b) {
		if s.inStr {
			end, esc := scanString(b, i, s.esc)
			if end < 0 {
				s.pos, s.esc = len(b), esc
				return false, 0, nil
			}
			s.inStr, s.esc, i = false, false, end
			if s.depth == 0 {
				return true, i, nil
			}
			continue
		}
		switch b[i] {
		case '"':
			s.inStr = true
		case '{', '[':
			s.depth++
		case '}', ']':
			s.depth--
			if s.depth == 0 {
				return true, i + 1, nil
			}
			if s.depth < 0 {
				return false, 0, fmt.Errorf("%w: unbalanced %q", ErrDecode, b[i])
			}
		}
		i++
	}
	s.pos = i
	return false, 0, nil
}

// scanString scans the inside of a string from b[j] (after the opening
// quote, or where an earlier scan stopped; esc: that scan ended on a
// backslash). It returns the index after the closing quote, or -1 and
// whether b ends inside an escape.
func scanString(b []byte, j int, esc bool) (int, bool) {
	for j < len(b) {
		if esc {
			esc = false
			j++
			continue
		}
		rest := b[j:]
		q := bytes.IndexByte(rest, '"')
		limit := q
		if q < 0 {
			limit = len(rest)
		}
		if bs := bytes.IndexByte(rest[:limit], '\\'); bs >= 0 {
			j += bs + 1
			esc = true
			continue
		}
		if q < 0 {
			return -1, false
		}
		return j + q + 1, false
	}
	return -1, esc
}

// decodeArray streams a JSON array from r into out. The reader's buffer
// is kept in d for the next page.
func decodeArray[T any](r io.Reader, out []T, hint int, d *fastDecoder) ([]T, error) {
	if out == nil && hint > 0 {
		out = make([]T, 0, min(hint, MaxPageSize))
	}
	ar := newArrayReader(r)
	if d.buf != nil {
		ar.buf, d.buf = d.buf, nil
	}
	defer func() {
		if len(ar.buf) <= 4*arrayReaderChunk {
			d.buf = ar.buf // nothing decoded refers to it
		}
	}()
	for {
		buffered, err := ar.elemStart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, decodeErr(r, err)
		}
		if len(buffered) < minBuffered && ar.rerr == nil {
			// Likely cut short: read on first, so that the element need
			// not be parsed twice. A read error is kept in ar and comes
			// back once the bytes before it are used up.
			_ = ar.fill()
			buffered = ar.buf[ar.start:ar.end]
		}
		var zero T
		out = append(out, zero)
		v := &out[len(out)-1]
		// Try the element in place first; this fails when it is not all
		// buffered yet.
		if n, ok := d.fast(buffered, v); ok {
			ar.skip(n)
			continue
		}
		*v = zero
		raw, err := ar.next()
		if err != nil {
			return out[:len(out)-1], decodeErr(r, err)
		}
		if err := d.decode(raw, v); err != nil {
			return out[:len(out)-1], err
		}
	}
}

// decodeErr keeps a broken-off body (a read error or io.ErrUnexpectedEOF:
// retry) apart from malformed JSON (ErrDecode: fail).
func decodeErr(r io.Reader, err error) error {
	if br, ok := r.(*bodyReader); ok && br.err != nil {
		return br.err
	}
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, ErrDecode):
		return err
	case err == io.EOF:
		return fmt.Errorf("%w: empty body", ErrDecode)
	}
	return fmt.Errorf("%w: %w", ErrDecode, err)
}

// fastDecoder decodes list elements; it holds the intern table of one
// Pager (or none) and scratch space reused from element to element.
type fastDecoder struct {
	// intern maps a string to itself, boxed in an interface, so that a
	// cardData value can be stored without boxing it again. Nil: no
	// interning.
	intern map[string]any
	cache  []internEntry // see internEntry
	strBuf []string      // scratch for string arrays
	buf    []byte        // the arrayReader buffer of the last page
	stack  []any         // scratch for the elements of open arrays in cardData
}

// maxInterned bounds the intern table; beyond it strings are copied.
const maxInterned = 1 << 14

func newFastDecoder() *fastDecoder {
	return &fastDecoder{intern: make(map[string]any, 1024)}
}

// decode fills v (*ModelInfo, *DatasetInfo or anything else) from one
// element, raw, which holds that element alone.
func (d *fastDecoder) decode(raw []byte, v any) error {
	if n, ok := d.fast(raw, v); ok && skipWS(raw, n) == len(raw) {
		return nil
	}
	switch x := v.(type) {
	case *ModelInfo:
		*x = ModelInfo{}
	case *DatasetInfo:
		*x = DatasetInfo{}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: %w", ErrDecode, err)
	}
	return nil
}

// fast decodes the object at the start of b into v with the fast path and
// returns its length. When ok is false v may be half filled and the
// caller must clear it.
func (d *fastDecoder) fast(b []byte, v any) (n int, ok bool) {
	switch x := v.(type) {
	case *ModelInfo:
		return d.model(b, x)
	case *DatasetInfo:
		return d.dataset(b, x)
	}
	return 0, false
}

// The value parsers below take the whole buffer b and the index i of the
// first byte of their value (white space already skipped). They return
// the index just after the value and false on anything they do not
// accept. depth is the nesting depth of the object or array that holds the
// value (the element itself is at depth 1).

// maxDepth is encoding/json's nesting limit; deeper input goes to it.
const maxDepth = 10000

// members walks the members of a JSON object in place. next reads a key
// and leaves pos at the first byte of its value; the caller parses the
// value and sets pos to its end. After the last member, end gives the
// index after the closing brace.
type members struct {
	b     []byte
	pos   int
	key   []byte // the current key, raw (only keys without escapes)
	state uint8  // membersFirst, membersMore, membersDone or membersBad
}

const (
	membersFirst = iota // pos is at '{'
	membersMore         // pos is after a value
	membersDone         // pos is after '}'
	membersBad
)

func newMembers(b []byte, i int) members {
	m := members{b: b, pos: i}
	if i >= len(b) || b[i] != '{' {
		m.state = membersBad
	}
	return m
}

// next reads the next key; it returns false at the end of the object and
// on anything unusual (then end reports false).
func (m *members) next() bool {
	b := m.b
	i := m.pos
	switch m.state {
	case membersFirst:
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == '}' {
			m.pos, m.state = i+1, membersDone
			return false
		}
	case membersMore:
		i = skipWS(b, i)
		if i < len(b) && b[i] == '}' {
			m.pos, m.state = i+1, membersDone
			return false
		}
		if i >= len(b) || b[i] != ',' {
			m.state = membersBad
			return false
		}
		i = skipWS(b, i+1)
	default:
		return false
	}
	if i >= len(b) || b[i] != '"' {
		m.state = membersBad
		return false
	}
	j := asciiRun(b, i+1)
	if j >= len(b) || b[j] != '"' {
		m.state = membersBad // escapes or non-ASCII in keys: let encoding/json match them
		return false
	}
	m.key = b[i+1 : j]
	i = skipWS(b, j+1)
	if i >= len(b) || b[i] != ':' {
		m.state = membersBad
		return false
	}
	m.pos = skipWS(b, i+1)
	if m.pos >= len(b) {
		m.state = membersBad
		return false
	}
	m.state = membersMore
	return true
}

// eachMember decodes the object at b[i]: value decodes each member's value,
// which starts at b[pos], and returns its end. eachMember returns the end
// of the object; false when a value or the object is malformed.
func eachMember(b []byte, i int, value func(key []byte, pos int) (int, bool)) (int, bool) {
	it := newMembers(b, i)
	for it.next() {
		end, ok := value(it.key, it.pos)
		if !ok {
			return 0, false
		}
		it.pos = end
	}
	return it.end()
}

// end returns the index after the object, once next has returned false.
func (m *members) end() (int, bool) {
	return m.pos, m.state == membersDone
}

func skipWS(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// lit matches the literal s (true, false or null) at b[i].
func lit(b []byte, i int, s string) (int, bool) {
	if len(b)-i >= len(s) && string(b[i:i+len(s)]) == s {
		return i + len(s), true
	}
	return 0, false
}

func isNullAt(b []byte, i int) bool {
	_, ok := lit(b, i, "null")
	return ok
}

// plainByte is true for the bytes that can stand for themselves inside a
// JSON string: all but the quote, the backslash and control bytes.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// asciiRun returns the index of the first byte from b[j] on that is not
// plain ASCII inside a string: a quote, a backslash, a control byte or a
// byte of a multi-byte character. It tests eight bytes at a time: a byte
// b of the word x is flagged when b^'"' or b^'\\' is zero, when b < 0x20,
// or when its high bit is set. The subtractions can flag a byte above a
// flagged one too, never below it, so the lowest flag is exact.
func asciiRun(b []byte, j int) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	for ; j+8 <= len(b); j += 8 {
		x := binary.LittleEndian.Uint64(b[j:])
		q := x ^ (ones * '"')
		bs := x ^ (ones * '\\')
		t := ((q - ones) &^ q) | ((bs - ones) &^ bs) | (x - ones*0x20) | x
		if t &= highs; t != 0 {
			return j + bits.TrailingZeros64(t)/8
		}
	}
	for j < len(b) && plainByte[b[j]] && b[j] < utf8.RuneSelf {
		j++
	}
	return j
}

// How scanStr found a string.
const (
	strPlain   = iota // no escapes, valid UTF-8: the bytes are the value
	strEscaped        // valid escapes: encoding/json must interpret them
	strBadUTF8        // no escapes but invalid UTF-8 (json replaces it)
	strBad            // not a valid JSON string
)

// scanStr scans the string starting at b[i] ('"'). It returns the index
// after the closing quote and the kind of string. Escapes are checked as
// encoding/json checks them.
func scanStr(b []byte, i int) (int, int) {
	j := asciiRun(b, i+1)
	if j < len(b) && b[j] == '"' {
		return j + 1, strPlain
	}
	if j < len(b) && b[j] >= utf8.RuneSelf {
		for j < len(b) && plainByte[b[j]] {
			j++
		}
		if j < len(b) && b[j] == '"' {
			if !utf8.Valid(b[i+1 : j]) {
				return j + 1, strBadUTF8
			}
			return j + 1, strPlain
		}
	}
	// Escapes, control bytes or the end of b.
	for j < len(b) {
		switch c := b[j]; {
		case c == '"':
			return j + 1, strEscaped
		case c == '\\':
			if j+1 >= len(b) {
				return 0, strBad
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if len(b)-j < 6 || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) || !isHex(b[j+5]) {
					return 0, strBad
				}
				j += 6
			default:
				return 0, strBad
			}
		case c < 0x20:
			return 0, strBad
		default:
			j++
		}
	}
	return 0, strBad
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// The intern table is a map, bounded by maxInterned, with a small
// direct-mapped cache in front of it. The cache slot of a string comes
// from a cheap hash of its length and its first and last eight bytes; a
// hit costs that hash and one comparison, where the map would hash every
// byte and probe its groups. Strings that collide in the cache still hit
// in the map. The cache holds only strings that are in the map.

const internCacheBits = 12

// internEntry is a cache slot: a string and the same string boxed.
type internEntry struct {
	s string
	x any
}

// internHash picks the cache slot of s.
func internHash(s []byte) uint64 {
	n := len(s)
	h := uint64(n)
	if n >= 8 {
		h ^= binary.LittleEndian.Uint64(s) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(s[n-8:]), 29)
	} else {
		for _, c := range s {
			h = h<<8 ^ uint64(c)
		}
	}
	return (h * 0x9e3779b97f4a7c15) >> (64 - internCacheBits)
}

// internEntry returns the cache slot that holds the interned string equal
// to s, interning s first if the table has room; nil when s is not and
// cannot be interned (or d does not intern).
func (d *fastDecoder) internEntry(s []byte) *internEntry {
	if d.cache == nil {
		if d.intern == nil {
			return nil
		}
		d.cache = make([]internEntry, 1<<internCacheBits)
	}
	e := &d.cache[internHash(s)]
	if e.x != nil && e.s == string(s) {
		return e
	}
	if x, ok := d.intern[string(s)]; ok {
		*e = internEntry{x.(string), x}
		return e
	}
	if len(d.intern) >= maxInterned {
		return nil
	}
	str := string(s)
	*e = internEntry{str, str}
	d.intern[str] = e.x
	return e
}

// internStr returns the string s holds, shared through the intern table.
func (d *fastDecoder) internStr(s []byte) string {
	if e := d.internEntry(s); e != nil {
		return e.s
	}
	return string(s)
}

// internAny is internStr for a value stored in an interface.
func (d *fastDecoder) internAny(s []byte) any {
	if e := d.internEntry(s); e != nil {
		return e.x
	}
	return string(s)
}

// str decodes the JSON string at b[i]; intern shares the result through
// the intern table. null is not a string here.
func (d *fastDecoder) str(b []byte, i int, intern bool) (string, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return "", 0, false
	}
	if j := asciiRun(b, i+1); j < len(b) && b[j] == '"' {
		// The common case: plain ASCII.
		if intern {
			return d.internStr(b[i+1 : j]), j + 1, true
		}
		return string(b[i+1 : j]), j + 1, true
	}
	end, kind := scanStr(b, i)
	switch kind {
	case strPlain:
		if intern {
			return d.internStr(b[i+1 : end-1]), end, true
		}
		return string(b[i+1 : end-1]), end, true
	case strEscaped:
		// Let encoding/json interpret the escapes of this one string.
		var s string
		if json.Unmarshal(b[i:end], &s) != nil {
			return "", 0, false
		}
		return s, end, true
	}
	return "", 0, false // json replaces invalid bytes; let it
}

// setStr assigns a string field; null leaves it unchanged (as json does).
func (d *fastDecoder) setStr(dst *string, b []byte, i int, intern bool) (int, bool) {
	if b[i] == 'n' {
		return lit(b, i, "null")
	}
	s, end, ok := d.str(b, i, intern)
	if ok {
		*dst = s
	}
	return end, ok
}

// strs decodes an array of strings; null gives nil, [] an empty slice.
func (d *fastDecoder) strs(dst *[]string, b []byte, i int, intern bool) (int, bool) {
	switch b[i] {
	case 'n':
		end, ok := lit(b, i, "null")
		if ok {
			*dst = nil
		}
		return end, ok
	case '[':
	default:
		return 0, false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		*dst = []string{}
		return i + 1, true
	}
	out := d.strBuf[:0]
	for {
		var s string
		if isNullAt(b, i) {
			i += 4 // json stores "" for a null element
		} else {
			var ok bool
			if s, i, ok = d.str(b, i, intern); !ok {
				return 0, false
			}
		}
		out = append(out, s)
		i = skipWS(b, i)
		if i >= len(b) {
			return 0, false
		}
		if b[i] == ']' {
			break
		}
		if b[i] != ',' {
			return 0, false
		}
		i = skipWS(b, i+1)
	}
	*dst = append([]string(nil), out...)
	// Not cleared: the scratch keeps a few strings, mostly interned ones,
	// alive until the next array overwrites them.
	d.strBuf = out[:0]
	return i + 1, true
}

// numberEnd returns the end of the JSON number at b[i], or -1.
func numberEnd(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i++
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return -1
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return -1
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// parseInt parses a JSON number (already checked) as encoding/json does
// into an int64: integers in range only.
func parseInt(v []byte) (int64, bool) {
	i, neg := 0, false
	if v[0] == '-' {
		neg, i = true, 1
	}
	var n uint64
	for ; i < len(v); i++ {
		c := v[i]
		if !isDigit(c) {
			return 0, false // a fraction or an exponent
		}
		if n > (1<<63)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case !neg && n > 1<<63-1, neg && n > 1<<63:
		return 0, false
	case neg:
		return -int64(n), true
	}
	return int64(n), true
}

// exactPow10 holds the powers of ten a float64 represents exactly.
var exactPow10 = [...]float64{
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
}

// parseFloat parses a JSON number (already checked) as strconv.ParseFloat
// does. Numbers of at most 15 digits with a small exponent are exact
// after one multiplication or division (the same shortcut strconv takes);
// the rest go to strconv.
func parseFloat(v []byte) (float64, bool) {
	i, neg := 0, false
	if v[0] == '-' {
		neg, i = true, 1
	}
	var mant uint64
	digits, exp := 0, 0
	for ; i < len(v) && isDigit(v[i]); i++ {
		mant = mant*10 + uint64(v[i]-'0')
		digits++
	}
	if i < len(v) && v[i] == '.' {
		for i++; i < len(v) && isDigit(v[i]); i++ {
			mant = mant*10 + uint64(v[i]-'0')
			digits++
			exp--
		}
	}
	if digits <= 15 && i == len(v) && exp >= -len(exactPow10)+1 {
		f := float64(mant)
		if exp < 0 {
			f /= exactPow10[-exp]
		}
		if neg {
			f = -f
		}
		return f, true
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return 0, false // out of range: json reports it
	}
	return f, true
}

// intField parses an int64 field; null leaves it unchanged.
func intField(dst *int64, b []byte, i int) (int, bool) { return numField(dst, b, i, parseInt) }

// floatField parses a float64 field; null leaves it unchanged.
func floatField(dst *float64, b []byte, i int) (int, bool) { return numField(dst, b, i, parseFloat) }

func numField[N int64 | float64](dst *N, b []byte, i int, parse func([]byte) (N, bool)) (int, bool) {
	if b[i] == 'n' {
		return lit(b, i, "null")
	}
	end := numberEnd(b, i)
	if end < 0 {
		return 0, false
	}
	n, ok := parse(b[i:end])
	if ok {
		*dst = n
	}
	return end, ok
}

func boolField(dst *bool, b []byte, i int) (int, bool) {
	switch b[i] {
	case 't':
		*dst = true
		return lit(b, i, "true")
	case 'f':
		*dst = false
		return lit(b, i, "false")
	case 'n':
		return lit(b, i, "null")
	}
	return 0, false
}

// timeField parses the Hub's "2006-01-02T15:04:05.000Z" directly and
// anything else through time.Time's own UnmarshalJSON.
func timeField(dst *time.Time, b []byte, i int) (int, bool) {
	switch b[i] {
	case 'n':
		return lit(b, i, "null")
	case '"':
	default:
		return 0, false
	}
	end, kind := scanStr(b, i)
	if kind == strBad {
		return 0, false
	}
	v := b[i:end]
	if t, ok := parseHubTime(v); ok {
		*dst = t
		return end, true
	}
	var t time.Time
	if err := t.UnmarshalJSON(v); err != nil {
		return 0, false
	}
	*dst = t
	return end, true
}

func parseHubTime(v []byte) (time.Time, bool) {
	// "YYYY-MM-DDTHH:MM:SS.mmmZ" or without the milliseconds.
	if (len(v) != 26 && len(v) != 22) || v[0] != '"' || v[len(v)-1] != '"' {
		return time.Time{}, false
	}
	s := v[1 : len(v)-1]
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len(s)-1] != 'Z' {
		return time.Time{}, false
	}
	num := func(b []byte) (int, bool) {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(s[0:4])
	month, ok2 := num(s[5:7])
	day, ok3 := num(s[8:10])
	hour, ok4 := num(s[11:13])
	minute, ok5 := num(s[14:16])
	sec, ok6 := num(s[17:19])
	ms, ok7 := 0, true
	if len(s) == 24 {
		if s[19] != '.' {
			return time.Time{}, false
		}
		ms, ok7 = num(s[20:23])
	}
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) {
		return time.Time{}, false
	}
	// time.Date would normalise out-of-range fields; RFC 3339 parsing
	// rejects them.
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, ms*int(time.Millisecond), time.UTC), true
}

// daysIn returns the number of days in a month (1-12) of a year.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func (d *fastDecoder) gated(dst *Gated, b []byte, i int) (int, bool) {
	switch b[i] {
	case 'f':
		*dst = NotGated
		return lit(b, i, "false")
	case 'n':
		*dst = NotGated
		return lit(b, i, "null")
	case 't':
		*dst = "true"
		return lit(b, i, "true")
	}
	s, end, ok := d.str(b, i, true)
	if ok {
		*dst = Gated(s)
	}
	return end, ok
}

// skipValue checks the JSON value at b[i] as json.Valid would and
// returns its end.
func skipValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		end, kind := scanStr(b, i)
		return end, kind != strBad
	case '{', '[':
		if depth >= maxDepth {
			return 0, false
		}
		closing := byte('}')
		if b[i] == '[' {
			closing = ']'
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == closing {
			return i + 1, true
		}
		for {
			if closing == '}' {
				if i >= len(b) || b[i] != '"' {
					return 0, false
				}
				end, kind := scanStr(b, i)
				if kind == strBad {
					return 0, false
				}
				i = skipWS(b, end)
				if i >= len(b) || b[i] != ':' {
					return 0, false
				}
				i = skipWS(b, i+1)
			}
			end, ok := skipValue(b, i, depth+1)
			if !ok {
				return 0, false
			}
			i = skipWS(b, end)
			if i >= len(b) {
				return 0, false
			}
			if b[i] == closing {
				return i + 1, true
			}
			if b[i] != ',' {
				return 0, false
			}
			i = skipWS(b, i+1)
		}
	case 't':
		return lit(b, i, "true")
	case 'f':
		return lit(b, i, "false")
	case 'n':
		return lit(b, i, "null")
	}
	end := numberEnd(b, i)
	return end, end >= 0
}

// raw copies a value into a json.RawMessage, as its UnmarshalJSON does.
func raw(dst *json.RawMessage, b []byte, i, depth int) (int, bool) {
	end, ok := skipValue(b, i, depth)
	if ok {
		*dst = append((*dst)[0:0], b[i:end]...)
	}
	return end, ok
}

// viaJSON decodes one member's value with encoding/json.
func viaJSON(dst any, b []byte, i, depth int) (int, bool) {
	end, ok := skipValue(b, i, depth)
	if !ok || json.Unmarshal(b[i:end], dst) != nil {
		return 0, false
	}
	return end, true
}

// unknown handles a key the fast path does not know: encoding/json would
// ignore it after checking its syntax — unless it matches a field name
// case-insensitively, which json honours and the fast path leaves to it.
func unknown(key []byte, names []string, b []byte, i, depth int) (int, bool) {
	for _, n := range names {
		if len(n) == len(key) && strings.EqualFold(n, string(key)) {
			return 0, false
		}
	}
	return skipValue(b, i, depth)
}

// modelNames and datasetNames are the JSON keys of ModelInfo and
// DatasetInfo, for unknown.
var (
	modelNames   = jsonNames(reflect.TypeFor[ModelInfo]())
	datasetNames = jsonNames(reflect.TypeFor[DatasetInfo]())
)

// jsonNames lists the JSON keys of struct type t, embedded structs
// included, as encoding/json names them.
func jsonNames(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && name == "":
			names = append(names, jsonNames(f.Type)...)
		case name == "-" || !f.IsExported():
		case name == "":
			names = append(names, f.Name)
		default:
			names = append(names, name)
		}
	}
	return names
}

// model is the fast path for one ModelInfo, the object at b[0]. It
// reports false when the element must go through encoding/json instead.
func (d *fastDecoder) model(b []byte, m *ModelInfo) (int, bool) {
	const depth = 1
	return eachMember(b, 0, func(key []byte, i int) (int, bool) {
		switch string(key) {
		case "modelId":
			return d.setStr(&m.ModelID, b, i, false)
		case "pipeline_tag":
			return d.setStr(&m.PipelineTag, b, i, true)
		case "library_name":
			return d.setStr(&m.LibraryName, b, i, true)
		case "mask_token":
			return d.setStr(&m.MaskToken, b, i, true)
		case "inference":
			return d.setStr(&m.Inference, b, i, true)
		case "childrenModelCount":
			return intField(&m.ChildrenModelCount, b, i)
		case "config":
			return d.config(&m.Config, b, i, depth)
		case "safetensors":
			return d.safetensors(&m.Safetensors, b, i, depth)
		case "model-index":
			return raw(&m.ModelIndex, b, i, depth)
		case "inferenceProviderMapping":
			return raw(&m.InferenceProviderMapping, b, i, depth)
		case "widgetData":
			return raw(&m.WidgetData, b, i, depth)
		case "gguf":
			return raw(&m.GGUF, b, i, depth)
		case "evalResults":
			return raw(&m.EvalResults, b, i, depth)
		case "securityRepoStatus":
			return raw(&m.SecurityRepoStatus, b, i, depth)
		case "transformersInfo":
			return viaJSON(&m.TransformersInfo, b, i, depth)
		case "spaces":
			return d.strs(&m.Spaces, b, i, false)
		case "baseModels":
			return viaJSON(&m.BaseModels, b, i, depth)
		}
		return d.repoField(&m.RepoInfo, key, modelNames, b, i, depth)
	})
}

// openField starts a pointer field that holds an object: null sets it to
// nil and ends the value (done); anything but an object fails (done, not
// ok); an object returns the struct to fill, allocated when nil.
func openField[T any](dst **T, b []byte, i, depth int) (obj *T, end int, done, ok bool) {
	if b[i] == 'n' {
		end, ok := lit(b, i, "null")
		if ok {
			*dst = nil
		}
		return nil, end, true, ok
	}
	if b[i] != '{' || depth >= maxDepth {
		return nil, 0, true, false
	}
	if *dst == nil {
		*dst = new(T)
	}
	return *dst, 0, false, true
}

var configNames = jsonNames(reflect.TypeFor[ModelConfig]())

func (d *fastDecoder) config(dst **ModelConfig, b []byte, i, depth int) (int, bool) {
	c, end, done, ok := openField(dst, b, i, depth)
	if done {
		return end, ok
	}
	depth++
	return eachMember(b, i, func(key []byte, i int) (int, bool) {
		switch string(key) {
		case "architectures":
			return d.strs(&c.Architectures, b, i, true)
		case "model_type":
			return d.setStr(&c.ModelType, b, i, true)
		case "tokenizer_config":
			return raw(&c.TokenizerConfig, b, i, depth)
		case "diffusers":
			return raw(&c.Diffusers, b, i, depth)
		case "speechbrain":
			return raw(&c.Speechbrain, b, i, depth)
		}
		return unknown(key, configNames, b, i, depth)
	})
}

var safetensorsNames = jsonNames(reflect.TypeFor[Safetensors]())

func (d *fastDecoder) safetensors(dst **Safetensors, b []byte, i, depth int) (int, bool) {
	s, end, done, ok := openField(dst, b, i, depth)
	if done {
		return end, ok
	}
	depth++
	return eachMember(b, i, func(key []byte, i int) (int, bool) {
		switch string(key) {
		case "parameters":
			return d.params(&s.Parameters, b, i, depth)
		case "total":
			return intField(&s.Total, b, i)
		}
		return unknown(key, safetensorsNames, b, i, depth)
	})
}

func (d *fastDecoder) params(dst *map[string]int64, b []byte, i, depth int) (int, bool) {
	if b[i] == 'n' {
		end, ok := lit(b, i, "null")
		if ok {
			*dst = nil
		}
		return end, ok
	}
	if b[i] != '{' || depth >= maxDepth {
		return 0, false
	}
	if *dst == nil {
		*dst = make(map[string]int64, 2)
	}
	return eachMember(b, i, func(key []byte, i int) (int, bool) {
		var n int64 // json stores the zero value for a null map element
		end, ok := intField(&n, b, i)
		if ok {
			(*dst)[d.internStr(key)] = n
		}
		return end, ok
	})
}

// dataset is the fast path for one DatasetInfo.
func (d *fastDecoder) dataset(b []byte, m *DatasetInfo) (int, bool) {
	const depth = 1
	return eachMember(b, 0, func(key []byte, i int) (int, bool) {
		switch string(key) {
		case "description":
			return d.setStr(&m.Description, b, i, false)
		case "citation":
			return d.setStr(&m.Citation, b, i, false)
		case "paperswithcode_id":
			return d.setStr(&m.PapersWithCodeID, b, i, false)
		case "mainSize":
			return intField(&m.MainSize, b, i)
		}
		return d.repoField(&m.RepoInfo, key, datasetNames, b, i, depth)
	})
}

// repoField decodes a key models and datasets share into r; any other
// key is unknown, and names are the kind's known keys (see unknown).
func (d *fastDecoder) repoField(r *RepoInfo, key []byte, names []string, b []byte, i, depth int) (int, bool) {
	switch string(key) {
	case "_id":
		return d.setStr(&r.OID, b, i, false)
	case "id":
		return d.setStr(&r.ID, b, i, false)
	case "author":
		return d.setStr(&r.Author, b, i, true)
	case "sha":
		return d.setStr(&r.SHA, b, i, false)
	case "createdAt":
		return timeField(&r.CreatedAt, b, i)
	case "lastModified":
		return timeField(&r.LastModified, b, i)
	case "private":
		return boolField(&r.Private, b, i)
	case "gated":
		return d.gated(&r.Gated, b, i)
	case "disabled":
		return boolField(&r.Disabled, b, i)
	case "downloads":
		return intField(&r.Downloads, b, i)
	case "downloadsAllTime":
		return intField(&r.DownloadsAllTime, b, i)
	case "likes":
		return intField(&r.Likes, b, i)
	case "trendingScore":
		return floatField(&r.TrendingScore, b, i)
	case "tags":
		return d.strs(&r.Tags, b, i, true)
	case "cardData":
		return d.object(&r.CardData, b, i, depth)
	case "siblings":
		return viaJSON(&r.Siblings, b, i, depth)
	case "usedStorage":
		return intField(&r.UsedStorage, b, i)
	case "resourceGroup":
		return raw(&r.ResourceGroup, b, i, depth)
	}
	return unknown(key, names, b, i, depth)
}

// maxInternedValue bounds the strings worth interning inside free-form
// values (licenses, languages, task names; not descriptions).
const maxInternedValue = 48

// object decodes a JSON object into a map[string]any exactly as
// encoding/json does (numbers as float64; into the existing map if any).
func (d *fastDecoder) object(dst *map[string]any, b []byte, i, depth int) (int, bool) {
	if b[i] == 'n' {
		end, ok := lit(b, i, "null")
		if ok {
			*dst = nil
		}
		return end, ok
	}
	if b[i] != '{' || depth >= maxDepth {
		return 0, false
	}
	if *dst == nil {
		*dst = make(map[string]any, 8)
	}
	return d.fillObject(*dst, b, i, depth+1)
}

// fillObject decodes the object at b[i], which is at the given depth,
// into m.
func (d *fastDecoder) fillObject(m map[string]any, b []byte, i, depth int) (int, bool) {
	it := newMembers(b, i)
	for it.next() {
		x, end, ok := d.anyValue(b, it.pos, depth)
		if !ok {
			return 0, false
		}
		m[d.internStr(it.key)] = x
		it.pos = end
	}
	return it.end()
}

// anyValue decodes any JSON value as encoding/json does into an
// interface{}. Arrays collect their elements on d.stack and then copy
// them into a slice of the right size.
func (d *fastDecoder) anyValue(b []byte, i, depth int) (any, int, bool) {
	if i >= len(b) {
		return nil, 0, false
	}
	switch b[i] {
	case '{':
		if depth >= maxDepth {
			return nil, 0, false
		}
		m := make(map[string]any)
		end, ok := d.fillObject(m, b, i, depth+1)
		return m, end, ok
	case '[':
		if depth >= maxDepth {
			return nil, 0, false
		}
		return d.array(b, i, depth+1)
	case '"':
		if j := asciiRun(b, i+1); j < len(b) && b[j] == '"' && j-i-1 <= maxInternedValue {
			return d.internAny(b[i+1 : j]), j + 1, true
		}
		s, end, ok := d.str(b, i, false)
		return s, end, ok
	case 't':
		end, ok := lit(b, i, "true")
		return true, end, ok
	case 'f':
		end, ok := lit(b, i, "false")
		return false, end, ok
	case 'n':
		end, ok := lit(b, i, "null")
		return nil, end, ok
	}
	end := numberEnd(b, i)
	if end < 0 {
		return nil, 0, false
	}
	f, ok := parseFloat(b[i:end])
	return f, end, ok
}

// array decodes the array at b[i], which is at the given depth, into a
// []any.
func (d *fastDecoder) array(b []byte, i, depth int) (any, int, bool) {
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return []any{}, i + 1, true
	}
	base := len(d.stack)
	for {
		x, end, ok := d.anyValue(b, i, depth)
		if !ok {
			d.popStack(base)
			return nil, 0, false
		}
		d.stack = append(d.stack, x)
		i = skipWS(b, end)
		if i < len(b) && b[i] == ']' {
			break
		}
		if i >= len(b) || b[i] != ',' {
			d.popStack(base)
			return nil, 0, false
		}
		i = skipWS(b, i+1)
	}
	out := make([]any, len(d.stack)-base)
	copy(out, d.stack[base:])
	d.popStack(base)
	return out, i + 1, true
}

// popStack drops d.stack back to n elements.
func (d *fastDecoder) popStack(n int) {
	clear(d.stack[n:])
	d.stack = d.stack[:n]
}

// decodeObject decodes a single JSON object body (a detail response) with
// the fast path, streaming it through the same element scanner.
func decodeObject(r io.Reader, v any) error {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return decodeErr(r, err)
	}
	b := bytes.TrimSpace(buf.Bytes())
	if len(b) == 0 {
		return fmt.Errorf("%w: empty body", ErrDecode)
	}
	var s scanState
	done, n, err := s.advance(b)
	if err != nil {
		return err
	}
	if !done {
		return io.ErrUnexpectedEOF
	}
	if n != len(b) {
		return fmt.Errorf("%w: data after the JSON value", ErrDecode)
	}
	return (&fastDecoder{}).decode(b, v)
}
