package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/zoograph/zoograph/crawler/hubtest"
	"github.com/zoograph/zoograph/store/storetest"
)

// replicaPage returns the body of one listing page served by a replica.
func replicaPage(t testing.TB, query string) []byte {
	t.Helper()
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 3000, Datasets: 300, Seed: 7}})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", query, nil))
	if rec.Code != 200 {
		t.Fatalf("replica: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

func expandQuery(keys []string) string {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("&expand=" + k)
	}
	return b.String()
}

// TestDecodeHandWrittenConfig: the config key is config.json as users
// write it; odd shapes there leave the fields they spoil empty instead of
// failing the page (which would stop a crawl at that page for good).
func TestDecodeHandWrittenConfig(t *testing.T) {
	body := `[{"id":"a/list","config":{"architectures":["BertModel",7,null,"X"],"model_type":"bert"}},
		{"id":"a/string","config":{"architectures":"BertModel","model_type":5}},
		{"id":"a/object","config":{"architectures":{"x":1},"model_type":["bert"]}},
		{"id":"a/not-object","config":"bert"},
		{"id":"a/null","config":null},
		{"id":"a/none"}]`
	got, err := decodeList[ModelInfo](strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*ModelConfig{
		"a/list":       {Architectures: []string{"BertModel", "X"}, ModelType: "bert"},
		"a/string":     {Architectures: []string{"BertModel"}},
		"a/object":     {},
		"a/not-object": {},
		"a/null":       nil,
		"a/none":       nil,
	}
	if len(got) != len(want) {
		t.Fatalf("decoded %d items, want %d", len(got), len(want))
	}
	for _, m := range got {
		if diff := cmp.Diff(want[m.ID], m.Config, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: config (-want +got):\n%s", m.ID, diff)
		}
	}
}

// TestDecodeListErrors: a body that ends early is io.ErrUnexpectedEOF (the
// client retries it), anything else malformed is ErrDecode.
func TestDecodeListErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want error // nil, ErrDecode or io.ErrUnexpectedEOF
		n    int   // items decoded
	}{
		{"empty array", ` [ ] `, nil, 0},
		{"two items", "[\n{\"id\":\"a/b\"}\n,\n{\"id\":\"c/d\"}\n]\n", nil, 2},
		{"empty", "", ErrDecode, 0},
		{"blank", "  \n", ErrDecode, 0},
		{"object", `{"id":"a/b"}`, ErrDecode, 0},
		{"null", `null`, ErrDecode, 0},
		{"truncated in item", `[{"id":"a/b"},{"id":"c/`, io.ErrUnexpectedEOF, 1},
		{"truncated after item", `[{"id":"a/b"}`, io.ErrUnexpectedEOF, 1},
		{"truncated after comma", `[{"id":"a/b"},`, io.ErrUnexpectedEOF, 1},
		{"truncated after bracket", `[`, io.ErrUnexpectedEOF, 0},
		{"missing comma", `[{"id":"a/b"} {"id":"c/d"}]`, ErrDecode, 1},
		{"trailing comma", `[{"id":"a/b"},]`, ErrDecode, 1},
		{"bad item", `[{"id":"a/b"},{"id":}]`, ErrDecode, 1},
		{"wrong type", `[{"id":5}]`, ErrDecode, 0},
		{"bad gated", `[{"id":"a/b","gated":1}]`, ErrDecode, 0},
		{"unbalanced", `[{"id":"a/b"}}]`, ErrDecode, 1},
		{"trailing data", `[{"id":"a/b"}] x`, ErrDecode, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeList[ModelInfo](strings.NewReader(tt.body))
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if len(got) != tt.n {
				t.Errorf("decoded %d items, want %d", len(got), tt.n)
			}
		})
	}
}

// FuzzDecodeList: decodeList agrees with json.Unmarshal on every array of
// models, and every prefix of a valid page is io.ErrUnexpectedEOF, so a
// page cut off anywhere is retried, never stored in part.
func FuzzDecodeList(f *testing.F) {
	for _, s := range []string{
		`[]`,
		`[{"_id":"621ffdc136468d709f17b7d7","id":"google/vit-base-patch16-224","gated":false,"tags":["a","b"],"downloads":3,"lastModified":"2023-09-05T15:27:12.000Z","config":{"architectures":["ViTForImageClassification"]},"cardData":{"license":"apache-2.0","model-index":null},"safetensors":{"parameters":{"F32":1},"total":1}}]`,
		`[{"id":"a\u0041/b","gated":"manual","trendingScore":1.5e3,"tags":null}]`,
		`[{"id":"x/y","gated":true},{"id":"z/w","unknown":[1,{"a":"}"}]}]`,
		`[{"id":"x/y","lastModified":"2024-13-01T00:00:00.000Z"}]`,
		`[{"id":"x/y"}`, `[1,2]`, `null`, `{"error":"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeList[ModelInfo](bytes.NewReader(b))
		var want []ModelInfo
		trimmed := bytes.TrimSpace(b)
		valid := len(trimmed) > 0 && trimmed[0] == '[' && json.Unmarshal(b, &want) == nil
		if valid != (err == nil) {
			t.Fatalf("%q: json.Unmarshal valid %v, decodeList err %v", b, valid, err)
		}
		if !valid {
			return
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%q: (-json +decodeList):\n%s", b, diff)
		}
		if len(trimmed) > 4096 {
			return
		}
		for i := 1; i < len(trimmed); i++ {
			if _, err := decodeList[ModelInfo](bytes.NewReader(trimmed[:i])); !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("%q cut to %q: err %v, want io.ErrUnexpectedEOF", trimmed, trimmed[:i], err)
			}
		}
	})
}

// BenchmarkDecodePage measures the client side alone: one page of 1000
// models with the default expand fields (and with cardData, as the crawler
// lists), decoded from memory.
func BenchmarkDecodePage(b *testing.B) {
	b.Run("default", func(b *testing.B) {
		benchDecode(b, replicaPage(b, "/api/models?limit=1000"+expandQuery(DefaultModelExpand())))
	})
	b.Run("cardData", func(b *testing.B) {
		benchDecode(b, replicaPage(b, "/api/models?limit=1000"+expandQuery(append(DefaultModelExpand(), "cardData"))))
	})
}

func benchDecode(b *testing.B, page []byte) {
	cpu0 := storetest.CPUTime()
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := decodeList[ModelInfo](bytes.NewReader(page))
		if err != nil || len(out) != 1000 {
			b.Fatal(len(out), err)
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "models/s")
	if s := (storetest.CPUTime() - cpu0).Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)*1000/s, "models/cpu-s")
	}
}
