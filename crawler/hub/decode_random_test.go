package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// randJSON writes random JSON for the differential tests: mostly the
// shapes the Hub sends, with some of everything the fast path must hand
// to encoding/json (escapes, odd numbers, invalid UTF-8, wrong types,
// keys that differ only in case) and, rarely, a syntax error.
type randJSON struct {
	r   *rand.Rand
	buf strings.Builder
	bad bool // allow syntax errors
}

var (
	randKeys = []string{
		"license", "language", "tags", "datasets", "metrics", "base_model", "model-index",
		"name", "results", "task", "type", "dataset", "value", "verified", "args", "split",
		"a", "", "ü", `a\u0062`, `new\nline`, "License", "x y", "_id", "id", "ID",
	}
	randStrings = []string{
		"", "mit", "apache-2.0", "en", "text-classification", "café", "日本語", `a\"b`,
		`tab\there`, `\u00e9t\u00e9`, `\ud83d\ude00`, `\ud800`, `slash\/`, "\xff\xfe", "a\xc3",
		"\u2028", strings.Repeat("long ", 20), "transformers", "region:us", "<b>&amp;</b>",
	}
	randNumbers = []string{
		"0", "-0", "1", "-1", "42", "0.5", "0.865711", "-12.25", "1e3", "1E-3", "2.5e+10",
		"123456789012345", "1234567890123456789", "12345678901234567890", "0.1234567890123456789",
		"1e400", "-1e400", "5e-324", "1.7976931348623157e308", "1e-400", "9007199254740993",
		"0.0000001", "100000000000000000000000", "3.0",
	}
	badValues = []string{"tru", "nul", "01", "1.", ".5", "+1", "-", "[1,]", `{"a"}`, `{"a":1,}`, `"\x01"`, `"\q"`, `"\u12"`, "[}", "NaN"}
)

func (g *randJSON) ws() {
	if g.r.IntN(8) == 0 {
		g.buf.WriteString([]string{" ", "\n", "\t", "\r\n  "}[g.r.IntN(4)])
	}
}

func (g *randJSON) str(pool []string) {
	g.buf.WriteString(`"` + pool[g.r.IntN(len(pool))] + `"`)
}

func (g *randJSON) value(depth int) {
	g.ws()
	n := 8
	if depth > 6 {
		n = 5 // leaves only
	}
	switch k := g.r.IntN(n); {
	case g.bad && g.r.IntN(200) == 0:
		g.buf.WriteString(badValues[g.r.IntN(len(badValues))])
	case k == 0:
		g.buf.WriteString([]string{"true", "false", "null"}[g.r.IntN(3)])
	case k <= 2:
		g.buf.WriteString(randNumbers[g.r.IntN(len(randNumbers))])
	case k <= 4:
		g.str(randStrings)
	case k <= 5:
		g.array(depth + 1)
	default:
		g.object(depth + 1)
	}
	g.ws()
}

func (g *randJSON) array(depth int) {
	g.buf.WriteByte('[')
	for i := range g.r.IntN(5) {
		if i > 0 {
			g.buf.WriteByte(',')
		}
		g.value(depth)
	}
	g.ws()
	g.buf.WriteByte(']')
}

func (g *randJSON) object(depth int) {
	g.buf.WriteByte('{')
	for i := range g.r.IntN(6) {
		if i > 0 {
			g.buf.WriteByte(',')
		}
		g.ws()
		g.str(randKeys)
		g.ws()
		g.buf.WriteByte(':')
		g.value(depth)
	}
	g.ws()
	g.buf.WriteByte('}')
}

// model writes a model element: known keys with values of the right
// type, mostly, and a random cardData.
func (g *randJSON) model() {
	fields := []func(){
		func() { g.buf.WriteString(`"_id":"621ffdc136468d709f17b7d7"`) },
		func() { g.buf.WriteString(`"id":`); g.str(randStrings) },
		func() { g.buf.WriteString(`"author":`); g.str(randStrings) },
		func() { g.buf.WriteString(`"sha":"3f49326eb077187dfe1c2a2bb15fbd74e6ab91e3"`) },
		func() {
			g.buf.WriteString(`"lastModified":`)
			g.buf.WriteString([]string{`"2023-09-05T15:27:12.000Z"`, `"2024-02-29T00:00:00Z"`, `"2023-02-29T00:00:00.000Z"`, `"2024-01-01T24:00:00.000Z"`, `null`, `"2024-01-01T00:00:00+02:00"`}[g.r.IntN(6)])
		},
		func() { g.buf.WriteString(`"private":`); g.value(9) },
		func() {
			g.buf.WriteString(`"gated":`)
			g.buf.WriteString([]string{`false`, `"manual"`, `"auto"`, `true`, `null`, `"a\u0041"`, `1`}[g.r.IntN(7)])
		},
		func() { g.buf.WriteString(`"downloads":`); g.value(9) },
		func() { g.buf.WriteString(`"likes":`); g.buf.WriteString(randNumbers[g.r.IntN(len(randNumbers))]) },
		func() {
			g.buf.WriteString(`"trendingScore":`)
			g.buf.WriteString(randNumbers[g.r.IntN(len(randNumbers))])
		},
		func() {
			g.buf.WriteString(`"tags":[`)
			for i := range g.r.IntN(20) {
				if i > 0 {
					g.buf.WriteByte(',')
				}
				if g.r.IntN(30) == 0 {
					g.value(9)
				} else {
					g.str(randStrings)
				}
			}
			g.buf.WriteByte(']')
		},
		func() { g.buf.WriteString(`"pipeline_tag":`); g.str(randStrings) },
		func() {
			g.buf.WriteString(`"config":{"architectures":[`)
			g.str(randStrings)
			g.buf.WriteString(`],"model_type":`)
			g.str(randStrings)
			if g.r.IntN(4) == 0 {
				g.buf.WriteString(`,"tokenizer_config":`)
				g.value(2)
			}
			g.buf.WriteByte('}')
		},
		func() {
			g.buf.WriteString(`"safetensors":{"parameters":{"F32":`)
			g.buf.WriteString(randNumbers[g.r.IntN(len(randNumbers))])
			g.buf.WriteString(`,"BF16":null},"total":33360000}`)
		},
		func() { g.buf.WriteString(`"model-index":`); g.value(1) },
		func() { g.buf.WriteString(`"cardData":`); g.object(1) },
		func() { g.buf.WriteString(`"cardData":`); g.value(1) },
		func() { g.buf.WriteString(`"unknownKey":`); g.value(1) },
		func() { g.buf.WriteString(`"siblings":[{"rfilename":"a.bin"}]`) },
	}
	g.buf.WriteByte('{')
	for i := range 1 + g.r.IntN(12) {
		if i > 0 {
			g.buf.WriteByte(',')
		}
		g.ws()
		fields[g.r.IntN(len(fields))]()
		g.ws()
	}
	g.buf.WriteByte('}')
}

// chunkReader returns its data in pieces of random size.
type chunkReader struct {
	r    *rand.Rand
	data []byte
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.data), 1+c.r.IntN(300))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// TestDecodeRandomModels compares the fast path with encoding/json on
// random model elements with nested cardData, one element at a time and
// as whole pages read in random chunks.
func TestDecodeRandomModels(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dec := newFastDecoder()
	n := 20000
	if testing.Short() {
		n = 2000
	}
	fallbacks := 0
	for i := range n {
		g := &randJSON{r: r, bad: true}
		g.model()
		b := []byte(g.buf.String())
		var want, got ModelInfo
		wantErr := json.Unmarshal(b, &want)
		gotErr := dec.decode(b, &got)
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("element %d %s: json err %v, fast err %v", i, b, wantErr, gotErr)
		}
		if wantErr == nil {
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("element %d %s: (-json +fast):\n%s", i, b, diff)
			}
			var m ModelInfo
			if _, ok := dec.fast(b, &m); !ok {
				fallbacks++
			}
		}
	}
	t.Logf("%d of %d elements went to encoding/json", fallbacks, n)

	for i := range n / 100 {
		var page bytes.Buffer
		page.WriteString("[")
		for j := range 1 + r.IntN(200) {
			if j > 0 {
				page.WriteString(",\n")
			}
			g := &randJSON{r: r}
			g.model()
			page.WriteString(g.buf.String())
		}
		page.WriteString("]")
		var want []ModelInfo
		wantErr := json.Unmarshal(page.Bytes(), &want)
		got, gotErr := decodeArray[ModelInfo](&chunkReader{r: r, data: page.Bytes()}, nil, 0, dec)
		if wantErr != nil {
			// A type error in one element: the elements before it agree.
			var te *json.UnmarshalTypeError
			if !errors.As(wantErr, &te) && !strings.Contains(wantErr.Error(), "out of range") && !strings.Contains(wantErr.Error(), "parsing time") && !strings.Contains(wantErr.Error(), "gated") {
				t.Fatalf("page %d: json: %v", i, wantErr)
			}
			if gotErr == nil || !errors.Is(gotErr, ErrDecode) {
				t.Fatalf("page %d: json err %v, fast err %v", i, wantErr, gotErr)
			}
			continue
		}
		if gotErr != nil {
			t.Fatalf("page %d: %v", i, gotErr)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("page %d: (-json +fast):\n%s", i, diff)
		}
		// Cut short anywhere, the page gives io.ErrUnexpectedEOF.
		cut := r.IntN(page.Len())
		if _, err := decodeArray[ModelInfo](&chunkReader{r: r, data: page.Bytes()[:cut]}, nil, 0, dec); !errors.Is(err, io.ErrUnexpectedEOF) && !(cut == 0 && errors.Is(err, ErrDecode)) {
			t.Fatalf("page %d cut at %d: %v", i, cut, err)
		}
	}
}

// TestDecodeDepth: nesting up to encoding/json's limit decodes, one more
// level fails, in cardData and in a key the fast path skips.
func TestDecodeDepth(t *testing.T) {
	for _, key := range []string{"cardData", "unknown", "model-index"} {
		for _, extra := range []int{-1, 0, 1} {
			// The element is depth 1 and the value of key depth 2.
			n := maxDepth - 1 + extra
			inner := strings.Repeat(`[`, n-1) + strings.Repeat(`]`, n-1)
			if key == "cardData" {
				inner = `{"a":` + strings.Repeat(`[`, n-2) + strings.Repeat(`]`, n-2) + `}`
			}
			b := []byte(fmt.Sprintf(`{"id":"x/y",%q:%s}`, key, inner))
			var want, got ModelInfo
			wantErr := json.Unmarshal(b, &want)
			gotErr := newFastDecoder().decode(b, &got)
			if (wantErr == nil) != (gotErr == nil) {
				t.Fatalf("%s depth %d: json err %v, fast err %v", key, n+1, wantErr, gotErr)
			}
			// cmp.Diff is too slow this deep.
			if wantErr == nil && !reflect.DeepEqual(want, got) {
				t.Fatalf("%s depth %d: fast decode differs from encoding/json", key, n+1)
			}
		}
	}
}

// TestDecodeFloats: the shortcut in parseFloat agrees with strconv.
func TestDecodeFloats(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		var s string
		switch r.IntN(4) {
		case 0:
			s = fmt.Sprint(r.Float64() * float64(r.IntN(1e6)))
		case 1:
			s = fmt.Sprintf("%d.%0*d", r.IntN(1e6), r.IntN(12)+1, r.Int64N(1e12))
		case 2:
			s = fmt.Sprintf("-%d", r.Int64())
		default:
			s = fmt.Sprintf("%.*f", r.IntN(16), r.NormFloat64()*1e4)
		}
		var want float64
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			continue
		}
		got, ok := parseFloat([]byte(s))
		if !ok || got != want {
			t.Fatalf("%s: got %v %v, want %v", s, got, ok, want)
		}
	}
}

// TestDecodeASCIIRun: the eight-bytes-at-a-time scan stops where a
// byte-by-byte one does.
func TestDecodeASCIIRun(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	special := []byte{'"', '\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xff, '!', '#', '[', ']'}
	for range 100000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			if r.IntN(6) == 0 {
				b[i] = special[r.IntN(len(special))]
			} else {
				b[i] = byte(r.IntN(256))
			}
		}
		j := r.IntN(len(b) + 1)
		want := j
		for want < len(b) && b[want] >= 0x20 && b[want] < 0x80 && b[want] != '"' && b[want] != '\\' {
			want++
		}
		if got := asciiRun(b, j); got != want {
			t.Fatalf("asciiRun(%q, %d) = %d, want %d", b, j, got, want)
		}
	}
}

// TestDecodeArrayReadError: a read error surfaces only after the elements
// read before it are decoded.
func TestDecodeArrayReadError(t *testing.T) {
	errRead := errors.New("connection reset")
	for _, body := range []string{`[{"id":"a/b"},`, `[{"id":"a/b"}`, `[{"id":"a/b"},{"id":"c/`} {
		r := io.MultiReader(strings.NewReader(body), iotest.ErrReader(errRead))
		got, err := decodeArray[ModelInfo](r, nil, 0, newFastDecoder())
		if !errors.Is(err, errRead) || len(got) != 1 || got[0].ID != "a/b" {
			t.Errorf("%s: got %d elements, err %v", body, len(got), err)
		}
	}
}
