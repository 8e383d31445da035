package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Listing pages are decoded in a streaming, allocation-aware way: an
// arrayReader cuts the body into its elements without buffering the
// whole page, and each element is decoded by a hand-written fast path for
// the keys the API sends in lists, with frequent strings (tags, pipeline
// tags, libraries, authors) interned across pages. Anything the fast path
// does not recognise exactly — an escape it would have to interpret, a
// number in an unusual form, a key that differs only in case from a known
// one, a syntax error — makes it start over with encoding/json for that
// element, so the result is always what json.Unmarshal gives (the
// differential fuzz test FuzzDecodeModel holds it to that).

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

func newArrayReader(r io.Reader) *arrayReader {
	return &arrayReader{r: r, buf: make([]byte, arrayReaderChunk)}
}

// fill reads more data, compacting and growing the buffer as needed.
func (a *arrayReader) fill() error {
	if a.rerr != nil {
		return a.rerr
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

// next returns the next element (valid until the following call) or
// io.EOF after the closing bracket. A body that ends early yields
// io.ErrUnexpectedEOF (or the read error); malformed JSON yields ErrDecode.
func (a *arrayReader) next() ([]byte, error) {
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
			a.scan = scanState{}
			for {
				done, n, err := a.scan.advance(a.buf[a.start:a.end])
				if err != nil {
					return nil, err
				}
				if done {
					elem := a.buf[a.start : a.start+n]
					a.start += n
					a.state = 2
					return elem, nil
				}
				if err := a.fill(); err != nil {
					return nil, unexpected(err)
				}
			}
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

// decodeArray streams a JSON array from r into out.
func decodeArray[T any](r io.Reader, out []T, hint int, d *fastDecoder) ([]T, error) {
	if out == nil && hint > 0 {
		out = make([]T, 0, min(hint, MaxPageSize))
	}
	ar := newArrayReader(r)
	for {
		raw, err := ar.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, decodeErr(r, err)
		}
		var zero T
		out = append(out, zero)
		if err := d.decode(raw, &out[len(out)-1]); err != nil {
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
// Pager (or none).
type fastDecoder struct {
	intern map[string]string
}

// maxInterned bounds the intern table; beyond it strings are copied.
const maxInterned = 1 << 14

func newFastDecoder() *fastDecoder {
	return &fastDecoder{intern: make(map[string]string, 1024)}
}

// decode fills v (*ModelInfo, *DatasetInfo or anything else) from one
// element.
func (d *fastDecoder) decode(raw []byte, v any) error {
	ok := false
	switch x := v.(type) {
	case *ModelInfo:
		if ok = d.model(raw, x); !ok {
			*x = ModelInfo{}
		}
	case *DatasetInfo:
		if ok = d.dataset(raw, x); !ok {
			*x = DatasetInfo{}
		}
	}
	if ok {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: %w", ErrDecode, err)
	}
	return nil
}

// members iterates the members of a JSON object.
type members struct {
	b    []byte
	i    int
	bad  bool
	done bool
}

func newMembers(b []byte) members {
	m := members{b: b}
	m.i = skipWS(b, 0)
	if m.i >= len(b) || b[m.i] != '{' {
		m.bad = true
		return m
	}
	m.i = skipWS(b, m.i+1)
	if m.i < len(b) && b[m.i] == '}' {
		m.done = true
		if skipWS(b, m.i+1) != len(b) {
			m.bad = true
		}
	}
	return m
}

// next returns the next key (raw, without quotes; only escape-free keys)
// and value. ok is false at the end or on anything unusual (then bad).
func (m *members) next() (key, val []byte, ok bool) {
	if m.bad || m.done {
		return nil, nil, false
	}
	b, i := m.b, m.i
	if i >= len(b) || b[i] != '"' {
		m.bad = true
		return nil, nil, false
	}
	j := i + 1
	for j < len(b) && b[j] != '"' && b[j] != '\\' && b[j] >= 0x20 && b[j] < utf8.RuneSelf {
		j++
	}
	if j >= len(b) || b[j] != '"' {
		m.bad = true // escapes or non-ASCII in keys: let encoding/json match them
		return nil, nil, false
	}
	key = b[i+1 : j]
	i = skipWS(b, j+1)
	if i >= len(b) || b[i] != ':' {
		m.bad = true
		return nil, nil, false
	}
	i = skipWS(b, i+1)
	end := valueEnd(b, i)
	if end < 0 {
		m.bad = true
		return nil, nil, false
	}
	val = b[i:end]
	i = skipWS(b, end)
	switch {
	case i < len(b) && b[i] == ',':
		m.i = skipWS(b, i+1)
	case i < len(b) && b[i] == '}':
		m.done = true
		if skipWS(b, i+1) != len(b) {
			m.bad = true
			return nil, nil, false
		}
	default:
		m.bad = true
		return nil, nil, false
	}
	return key, val, true
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the end of the value starting at b[i], or -1. It checks
// nesting and string boundaries only.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		end, _ := scanString(b, i+1, false)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(b); {
			switch b[j] {
			case '"':
				end, _ := scanString(b, j+1, false)
				if end < 0 {
					return -1
				}
				j = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
			j++
		}
		return -1
	}
	j := i
	for j < len(b) {
		switch b[j] {
		case ' ', '\t', '\n', '\r', ',', '}', ']':
			return j
		}
		j++
	}
	return j
}

func isNull(v []byte) bool { return string(v) == "null" }

// str decodes a JSON string value; intern shares the result through the
// intern table. ok is false for anything but a clean string or null.
func (d *fastDecoder) str(v []byte, intern bool) (s string, null, ok bool) {
	if isNull(v) {
		return "", true, true
	}
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false, false
	}
	inner := v[1 : len(v)-1]
	ascii := true
	for _, c := range inner {
		if c < 0x20 || c == '\\' || c == '"' {
			// Escapes: let encoding/json interpret this one string.
			if c == '\\' {
				var out string
				if json.Unmarshal(v, &out) != nil {
					return "", false, false
				}
				return out, false, true
			}
			return "", false, false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(inner) {
		return "", false, false // json replaces invalid bytes; let it
	}
	if intern && d.intern != nil {
		if s, hit := d.intern[string(inner)]; hit {
			return s, false, true
		}
		s = string(inner)
		if len(d.intern) < maxInterned {
			d.intern[s] = s
		}
		return s, false, true
	}
	return string(inner), false, true
}

// setStr assigns a string field; null leaves it unchanged (as json does).
func (d *fastDecoder) setStr(dst *string, v []byte, intern bool) bool {
	s, null, ok := d.str(v, intern)
	if ok && !null {
		*dst = s
	}
	return ok
}

// strs decodes an array of strings; null gives nil, [] an empty slice.
func (d *fastDecoder) strs(dst *[]string, v []byte, intern bool) bool {
	if isNull(v) {
		*dst = nil
		return true
	}
	if len(v) < 2 || v[0] != '[' {
		return false
	}
	out := make([]string, 0, 16)
	i := skipWS(v, 1)
	if i < len(v) && v[i] == ']' {
		if skipWS(v, i+1) != len(v) {
			return false
		}
		*dst = out
		return true
	}
	for {
		end := valueEnd(v, i)
		if end < 0 {
			return false
		}
		s, null, ok := d.str(v[i:end], intern)
		if !ok {
			return false
		}
		if null {
			s = "" // json stores "" for a null element
		}
		out = append(out, s)
		i = skipWS(v, end)
		if i >= len(v) {
			return false
		}
		if v[i] == ']' {
			if skipWS(v, i+1) != len(v) {
				return false
			}
			*dst = out
			return true
		}
		if v[i] != ',' {
			return false
		}
		i = skipWS(v, i+1)
	}
}

// int64Value parses a JSON integer exactly as encoding/json accepts it
// into an int64; null leaves dst unchanged.
func int64Value(dst *int64, v []byte) bool {
	if isNull(v) {
		return true
	}
	i, neg := 0, false
	if len(v) > 0 && v[0] == '-' {
		neg, i = true, 1
	}
	if i >= len(v) || (v[i] == '0' && len(v) > i+1) {
		return false
	}
	var n uint64
	for ; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return false
		}
		if n > (1<<63)/10 {
			return false
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case !neg && n > 1<<63-1, neg && n > 1<<63:
		return false
	case neg:
		*dst = -int64(n)
	default:
		*dst = int64(n)
	}
	return true
}

// isNumber reports whether v is a JSON number.
func isNumber(v []byte) bool {
	i := 0
	if i < len(v) && v[i] == '-' {
		i++
	}
	switch {
	case i < len(v) && v[i] == '0':
		i++
	case i < len(v) && v[i] >= '1' && v[i] <= '9':
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(v) && v[i] == '.' {
		i++
		if i >= len(v) || v[i] < '0' || v[i] > '9' {
			return false
		}
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		if i >= len(v) || v[i] < '0' || v[i] > '9' {
			return false
		}
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
	}
	return i == len(v)
}

func float64Value(dst *float64, v []byte) bool {
	if isNull(v) {
		return true
	}
	if !isNumber(v) {
		return false
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return false // out of range: json reports it
	}
	*dst = f
	return true
}

func boolValue(dst *bool, v []byte) bool {
	switch string(v) {
	case "true":
		*dst = true
	case "false":
		*dst = false
	case "null":
	default:
		return false
	}
	return true
}

// timeValue parses the Hub's "2006-01-02T15:04:05.000Z" directly and
// anything else through time.Time's own UnmarshalJSON.
func timeValue(dst *time.Time, v []byte) bool {
	if isNull(v) {
		return true
	}
	if t, ok := parseHubTime(v); ok {
		*dst = t
		return true
	}
	var t time.Time
	if err := t.UnmarshalJSON(v); err != nil {
		return false
	}
	*dst = t
	return true
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
	t := time.Date(year, time.Month(month), day, hour, minute, sec, ms*int(time.Millisecond), time.UTC)
	// time.Date normalises out-of-range fields; RFC 3339 parsing rejects them.
	if t.Year() != year || int(t.Month()) != month || t.Day() != day || t.Hour() != hour || t.Minute() != minute || t.Second() != sec {
		return time.Time{}, false
	}
	return t, true
}

func (d *fastDecoder) gated(dst *Gated, v []byte) bool {
	switch string(v) {
	case "false", "null":
		*dst = NotGated
		return true
	case "true":
		*dst = "true"
		return true
	}
	s, _, ok := d.str(v, true)
	if !ok {
		return false
	}
	*dst = Gated(s)
	return true
}

// raw copies a value into a json.RawMessage, as its UnmarshalJSON does.
func raw(dst *json.RawMessage, v []byte) bool {
	if !json.Valid(v) {
		return false
	}
	*dst = append((*dst)[0:0], v...)
	return true
}

// viaJSON decodes one member's value with encoding/json.
func viaJSON(dst any, v []byte) bool { return json.Unmarshal(v, dst) == nil }

// unknown handles a key the fast path does not know: encoding/json would
// ignore it after checking its syntax — unless it matches a field name
// case-insensitively, which json honours and the fast path leaves to it.
func unknown(key, v []byte, names []string) bool {
	for _, n := range names {
		if len(n) == len(key) && strings.EqualFold(n, string(key)) {
			return false
		}
	}
	return json.Valid(v)
}

var modelNames = []string{
	"_id", "id", "modelId", "author", "sha", "createdAt", "lastModified", "private", "gated",
	"disabled", "downloads", "downloadsAllTime", "likes", "trendingScore", "tags", "pipeline_tag",
	"library_name", "mask_token", "cardData", "model-index", "config", "transformersInfo",
	"safetensors", "siblings", "spaces", "usedStorage", "inference", "baseModels",
	"childrenModelCount", "inferenceProviderMapping", "widgetData", "gguf", "evalResults",
	"securityRepoStatus", "resourceGroup",
}

// model is the fast path for one ModelInfo. It reports false when the
// element must go through encoding/json instead.
func (d *fastDecoder) model(b []byte, m *ModelInfo) bool {
	it := newMembers(b)
	for {
		k, v, ok := it.next()
		if !ok {
			return !it.bad
		}
		switch string(k) {
		case "_id":
			ok = d.setStr(&m.OID, v, false)
		case "id":
			ok = d.setStr(&m.ID, v, false)
		case "modelId":
			ok = d.setStr(&m.ModelID, v, false)
		case "author":
			ok = d.setStr(&m.Author, v, true)
		case "sha":
			ok = d.setStr(&m.SHA, v, false)
		case "createdAt":
			ok = timeValue(&m.CreatedAt, v)
		case "lastModified":
			ok = timeValue(&m.LastModified, v)
		case "private":
			ok = boolValue(&m.Private, v)
		case "gated":
			ok = d.gated(&m.Gated, v)
		case "disabled":
			ok = boolValue(&m.Disabled, v)
		case "downloads":
			ok = int64Value(&m.Downloads, v)
		case "downloadsAllTime":
			ok = int64Value(&m.DownloadsAllTime, v)
		case "likes":
			ok = int64Value(&m.Likes, v)
		case "trendingScore":
			ok = float64Value(&m.TrendingScore, v)
		case "tags":
			ok = d.strs(&m.Tags, v, true)
		case "pipeline_tag":
			ok = d.setStr(&m.PipelineTag, v, true)
		case "library_name":
			ok = d.setStr(&m.LibraryName, v, true)
		case "mask_token":
			ok = d.setStr(&m.MaskToken, v, true)
		case "inference":
			ok = d.setStr(&m.Inference, v, true)
		case "usedStorage":
			ok = int64Value(&m.UsedStorage, v)
		case "childrenModelCount":
			ok = int64Value(&m.ChildrenModelCount, v)
		case "config":
			ok = d.config(&m.Config, v)
		case "safetensors":
			ok = d.safetensors(&m.Safetensors, v)
		case "model-index":
			ok = raw(&m.ModelIndex, v)
		case "inferenceProviderMapping":
			ok = raw(&m.InferenceProviderMapping, v)
		case "widgetData":
			ok = raw(&m.WidgetData, v)
		case "gguf":
			ok = raw(&m.GGUF, v)
		case "evalResults":
			ok = raw(&m.EvalResults, v)
		case "securityRepoStatus":
			ok = raw(&m.SecurityRepoStatus, v)
		case "resourceGroup":
			ok = raw(&m.ResourceGroup, v)
		case "cardData":
			ok = d.object(&m.CardData, v)
		case "transformersInfo":
			ok = viaJSON(&m.TransformersInfo, v)
		case "siblings":
			ok = viaJSON(&m.Siblings, v)
		case "spaces":
			ok = d.strs(&m.Spaces, v, false)
		case "baseModels":
			ok = viaJSON(&m.BaseModels, v)
		default:
			ok = unknown(k, v, modelNames)
		}
		if !ok {
			return false
		}
	}
}

var configNames = []string{"architectures", "model_type", "tokenizer_config", "diffusers", "speechbrain"}

func (d *fastDecoder) config(dst **ModelConfig, v []byte) bool {
	if isNull(v) {
		*dst = nil
		return true
	}
	if *dst == nil {
		*dst = new(ModelConfig)
	}
	c := *dst
	it := newMembers(v)
	for {
		k, val, ok := it.next()
		if !ok {
			return !it.bad
		}
		switch string(k) {
		case "architectures":
			ok = d.strs(&c.Architectures, val, true)
		case "model_type":
			ok = d.setStr(&c.ModelType, val, true)
		case "tokenizer_config":
			ok = raw(&c.TokenizerConfig, val)
		case "diffusers":
			ok = raw(&c.Diffusers, val)
		case "speechbrain":
			ok = raw(&c.Speechbrain, val)
		default:
			ok = unknown(k, val, configNames)
		}
		if !ok {
			return false
		}
	}
}

var safetensorsNames = []string{"parameters", "total"}

func (d *fastDecoder) safetensors(dst **Safetensors, v []byte) bool {
	if isNull(v) {
		*dst = nil
		return true
	}
	if *dst == nil {
		*dst = new(Safetensors)
	}
	s := *dst
	it := newMembers(v)
	for {
		k, val, ok := it.next()
		if !ok {
			return !it.bad
		}
		switch string(k) {
		case "parameters":
			ok = d.params(&s.Parameters, val)
		case "total":
			ok = int64Value(&s.Total, val)
		default:
			ok = unknown(k, val, safetensorsNames)
		}
		if !ok {
			return false
		}
	}
}

func (d *fastDecoder) params(dst *map[string]int64, v []byte) bool {
	if isNull(v) {
		*dst = nil
		return true
	}
	if *dst == nil {
		*dst = make(map[string]int64, 2)
	}
	it := newMembers(v)
	for {
		k, val, ok := it.next()
		if !ok {
			return !it.bad
		}
		var n int64
		if isNull(val) {
			// json stores the zero value for a null map element.
		} else if !int64Value(&n, val) {
			return false
		}
		key, hit := d.intern[string(k)]
		if !hit {
			key = string(k)
		}
		(*dst)[key] = n
	}
}

var datasetNames = []string{
	"_id", "id", "author", "sha", "createdAt", "lastModified", "private", "gated", "disabled",
	"downloads", "downloadsAllTime", "likes", "trendingScore", "tags", "cardData", "description",
	"citation", "paperswithcode_id", "siblings", "usedStorage", "mainSize", "resourceGroup",
}

// dataset is the fast path for one DatasetInfo.
func (d *fastDecoder) dataset(b []byte, m *DatasetInfo) bool {
	it := newMembers(b)
	for {
		k, v, ok := it.next()
		if !ok {
			return !it.bad
		}
		switch string(k) {
		case "_id":
			ok = d.setStr(&m.OID, v, false)
		case "id":
			ok = d.setStr(&m.ID, v, false)
		case "author":
			ok = d.setStr(&m.Author, v, true)
		case "sha":
			ok = d.setStr(&m.SHA, v, false)
		case "createdAt":
			ok = timeValue(&m.CreatedAt, v)
		case "lastModified":
			ok = timeValue(&m.LastModified, v)
		case "private":
			ok = boolValue(&m.Private, v)
		case "gated":
			ok = d.gated(&m.Gated, v)
		case "disabled":
			ok = boolValue(&m.Disabled, v)
		case "downloads":
			ok = int64Value(&m.Downloads, v)
		case "downloadsAllTime":
			ok = int64Value(&m.DownloadsAllTime, v)
		case "likes":
			ok = int64Value(&m.Likes, v)
		case "trendingScore":
			ok = float64Value(&m.TrendingScore, v)
		case "tags":
			ok = d.strs(&m.Tags, v, true)
		case "description":
			ok = d.setStr(&m.Description, v, false)
		case "citation":
			ok = d.setStr(&m.Citation, v, false)
		case "paperswithcode_id":
			ok = d.setStr(&m.PapersWithCodeID, v, false)
		case "usedStorage":
			ok = int64Value(&m.UsedStorage, v)
		case "mainSize":
			ok = int64Value(&m.MainSize, v)
		case "cardData":
			ok = d.object(&m.CardData, v)
		case "siblings":
			ok = viaJSON(&m.Siblings, v)
		case "resourceGroup":
			ok = raw(&m.ResourceGroup, v)
		default:
			ok = unknown(k, v, datasetNames)
		}
		if !ok {
			return false
		}
	}
}

// maxDepth is encoding/json's nesting limit; deeper input goes to it.
const maxDepth = 10000

// maxInternedValue bounds the strings worth interning inside free-form
// values (licenses, languages, task names; not descriptions).
const maxInternedValue = 48

// object decodes a JSON object into a map[string]any exactly as
// encoding/json does (numbers as float64; into the existing map if any).
func (d *fastDecoder) object(dst *map[string]any, v []byte) bool {
	if isNull(v) {
		*dst = nil
		return true
	}
	if len(v) == 0 || v[0] != '{' {
		return false
	}
	if *dst == nil {
		*dst = make(map[string]any, 8)
	}
	return d.fillObject(*dst, v, 1)
}

func (d *fastDecoder) fillObject(m map[string]any, v []byte, depth int) bool {
	if depth > maxDepth {
		return false
	}
	it := newMembers(v)
	for {
		k, val, ok := it.next()
		if !ok {
			return !it.bad
		}
		x, ok := d.anyValue(val, depth+1)
		if !ok {
			return false
		}
		key, hit := d.intern[string(k)]
		if !hit {
			key = string(k)
			if d.intern != nil && len(d.intern) < maxInterned {
				d.intern[key] = key
			}
		}
		m[key] = x
	}
}

// anyValue decodes any JSON value as encoding/json does into an
// interface{}.
func (d *fastDecoder) anyValue(v []byte, depth int) (any, bool) {
	if len(v) == 0 || depth > maxDepth {
		return nil, false
	}
	switch v[0] {
	case '{':
		m := make(map[string]any, 4)
		return m, d.fillObject(m, v, depth)
	case '[':
		out := make([]any, 0, 4)
		i := skipWS(v, 1)
		if i < len(v) && v[i] == ']' {
			return out, skipWS(v, i+1) == len(v)
		}
		for {
			end := valueEnd(v, i)
			if end < 0 {
				return nil, false
			}
			x, ok := d.anyValue(v[i:end], depth+1)
			if !ok {
				return nil, false
			}
			out = append(out, x)
			i = skipWS(v, end)
			if i >= len(v) {
				return nil, false
			}
			if v[i] == ']' {
				return out, skipWS(v, i+1) == len(v)
			}
			if v[i] != ',' {
				return nil, false
			}
			i = skipWS(v, i+1)
		}
	case '"':
		s, _, ok := d.str(v, len(v) <= maxInternedValue+2)
		return s, ok
	case 't':
		return true, string(v) == "true"
	case 'f':
		return false, string(v) == "false"
	case 'n':
		return nil, string(v) == "null"
	}
	var f float64
	if !float64Value(&f, v) {
		return nil, false
	}
	return f, true
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
