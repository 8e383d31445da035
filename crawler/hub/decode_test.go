package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

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

// TestDecodeMatchesEncodingJSON: the fast path gives exactly what
// encoding/json gives, on every listing shape the replica serves.
func TestDecodeMatchesEncodingJSON(t *testing.T) {
	queries := []string{
		"/api/models?limit=500",
		"/api/models?limit=500&full=true&cardData=true&config=true",
		"/api/models?limit=500" + expandQuery(DefaultModelExpand()),
		"/api/models?limit=200&expand=cardData&expand=siblings&expand=transformersInfo&expand=model-index",
		"/api/datasets?limit=300&full=true",
		"/api/datasets?limit=300" + expandQuery(DefaultDatasetExpand()),
	}
	for _, q := range queries {
		t.Run(q, func(t *testing.T) {
			body := replicaPage(t, q)
			if strings.HasPrefix(q, "/api/datasets") {
				compareDecode[DatasetInfo](t, body)
			} else {
				compareDecode[ModelInfo](t, body)
			}
		})
	}
}

func compareDecode[T any](t *testing.T, body []byte) {
	t.Helper()
	var want []T
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatal(err)
	}
	// One byte per Read: every element straddles buffer refills.
	got, err := decodeArray[T](iotest.OneByteReader(bytes.NewReader(body)), nil, 0, newFastDecoder())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fast decode differs from encoding/json (-want +got):\n%s", diff)
	}
}

func TestDecodeArrayErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want error // ErrDecode or io.ErrUnexpectedEOF
		n    int   // items decoded before the error
	}{
		{"empty", "", ErrDecode, 0},
		{"blank", "  \n", ErrDecode, 0},
		{"object", `{"id":"a/b"}`, ErrDecode, 0},
		{"null", `null`, ErrDecode, 0},
		{"truncated in item", `[{"id":"a/b"},{"id":"c/`, io.ErrUnexpectedEOF, 1},
		{"truncated after item", `[{"id":"a/b"}`, io.ErrUnexpectedEOF, 1},
		{"truncated after comma", `[{"id":"a/b"},`, io.ErrUnexpectedEOF, 1},
		{"missing comma", `[{"id":"a/b"} {"id":"c/d"}]`, ErrDecode, 1},
		{"trailing comma", `[{"id":"a/b"},]`, ErrDecode, 1},
		{"bad item", `[{"id":"a/b"},{"id":}]`, ErrDecode, 1},
		{"wrong type", `[{"id":5}]`, ErrDecode, 0},
		{"unbalanced", `[{"id":"a/b"}}]`, ErrDecode, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeArray[ModelInfo](strings.NewReader(tt.body), nil, 0, newFastDecoder())
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if len(got) != tt.n {
				t.Errorf("decoded %d items before the error, want %d", len(got), tt.n)
			}
		})
	}
}

func TestDecodeArrayOK(t *testing.T) {
	for _, body := range []string{`[]`, ` [ ] `, "[\n{\"id\":\"a/b\"}\n,\n{\"id\":\"c/d\"}\n]\n", `[{"id":"a/b"}] trailing`} {
		got, err := decodeArray[ModelInfo](strings.NewReader(body), nil, 0, newFastDecoder())
		if err != nil {
			t.Errorf("%q: %v", body, err)
		}
		var ids []string
		for _, m := range got {
			ids = append(ids, m.ID)
		}
		t.Logf("%q -> %v", body, ids)
	}
}

// FuzzDecodeModel holds the fast path to encoding/json: same error-ness,
// and the same value whenever json succeeds.
func FuzzDecodeModel(f *testing.F) {
	seeds := []string{
		`{"_id":"621ffdc136468d709f17b7d7","id":"google/vit-base-patch16-224","private":false,"pipeline_tag":"image-classification","library_name":"transformers","tags":["transformers","pytorch"],"downloads":8458647,"likes":757,"modelId":"google/vit-base-patch16-224","author":"google","sha":"3f49326eb077187dfe1c2a2bb15fbd74e6ab91e3","lastModified":"2023-09-05T15:27:12.000Z","gated":false,"disabled":false,"model-index":null,"config":{"architectures":["ViTForImageClassification"],"model_type":"vit"},"cardData":{"license":"apache-2.0"},"createdAt":"2022-03-02T23:29:05.000Z","safetensors":{"parameters":{"F32":86567656},"total":86567656},"usedStorage":1}`,
		`{"id":"a\u0041/b","gated":"manual","trendingScore":1.5e3,"tags":null,"config":null}`,
		`{"ID":"x/y","Tags":["a"]}`,
		`{"id":"x/y","downloads":1.0}`,
		`{"id":"x/y","downloads":-0,"likes":01}`,
		`{"id":"x/y","lastModified":"2024-13-01T00:00:00.000Z"}`,
		`{"id":"x/y","lastModified":"2024-01-01T00:00:00+02:00"}`,
		`{"id":"x/y","tags":["a",null,"b\\"c"]}`,
		`{"id":"x/y","config":{"Architectures":["A"]}}`,
		`{"id":"x/y","safetensors":{"parameters":{"F32":null,"BF16":2},"total":2}}`,
		`{"id":"x/y","unknown":[1,2,{"a":"}"}],"gated":true}`,
		`{"id":"x/y","unknown":[1,,2]}`,
		`{"id":"\xff"}`,
		`{"id":"x/y","id":"z/w","config":{"model_type":"a"},"config":{"architectures":[]}}`,
		`null`,
		`[]`,
		`{"id":"x/y","private":"yes"}`,
		`{"id":"x/y","trendingScore":1e999}`,
		`{"id":"x/y","cardData":{"license":"mit","model-index":[{"name":"a","results":[{"metrics":[{"value":0.91,"verified":true}]}]}],"x":null,"e":[],"o":{}}}`,
		`{"id":"x/y","cardData":{"a":1,"a":"2"},"cardData":{"b":-0.0e+1}}`,
		`{"id":"x/y","cardData":{"k":"caf\u00e9","n":1e400}}`,
		`{"id":"x/y","cardData":[1]}`,
		`{"id":"x/y","cardData":{"ü":1}}`,
		`{"id":"x/y","cardData":{"a":[[[[[]]]]],"b":tru}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want ModelInfo
		wantErr := json.Unmarshal(b, &want)
		var got ModelInfo
		gotErr := (&fastDecoder{intern: map[string]any{}}).decode(b, &got)
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("%q: json err %v, fast err %v", b, wantErr, gotErr)
		}
		if wantErr != nil {
			return
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%q: (-json +fast):\n%s", b, diff)
		}
		// The same element in a body that arrives byte by byte, so that
		// the fast path first sees it cut short.
		body := append(append([]byte("["), b...), ']')
		page, err := decodeArray[ModelInfo](iotest.OneByteReader(bytes.NewReader(body)), nil, 0, newFastDecoder())
		if err != nil || len(page) != 1 {
			t.Fatalf("%q in an array: %d elements, err %v", b, len(page), err)
		}
		if diff := cmp.Diff(want, page[0]); diff != "" {
			t.Fatalf("%q in an array: (-json +fast):\n%s", b, diff)
		}
	})
}

// FuzzArrayReader: the splitter never panics and agrees with
// encoding/json on whether a complete array of objects is well formed.
func FuzzArrayReader(f *testing.F) {
	for _, s := range []string{`[]`, `[{"a":1},{"b":[1,2,"]"]}]`, `[1,2,3]`, `["a","b"]`, `[{"a":"\"}"}]`, `[{]`, `[[[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ar := newArrayReader(iotest.HalfReader(bytes.NewReader(b)))
		for i := 0; i < 1<<16; i++ {
			if _, err := ar.next(); err != nil {
				break
			}
		}
		// Whatever json accepts as an array of models, decodeArray decodes
		// the same.
		var want []ModelInfo
		if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '[' || json.Unmarshal(b, &want) != nil {
			return
		}
		got, err := decodeArray[ModelInfo](iotest.OneByteReader(bytes.NewReader(b)), nil, 0, newFastDecoder())
		if err != nil {
			t.Fatalf("%q: json ok, decodeArray: %v", b, err)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%q: (-json +fast):\n%s", b, diff)
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
	dec := newFastDecoder()
	cpu0 := storetest.CPUTime()
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := decodeArray[ModelInfo](bytes.NewReader(page), nil, 1000, dec)
		if err != nil || len(out) != 1000 {
			b.Fatal(len(out), err)
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "models/s")
	if s := (storetest.CPUTime() - cpu0).Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)*1000/s, "models/cpu-s")
	}
}

// BenchmarkDecodePageEncodingJSON is the baseline: json.Decoder into the
// same types.
func BenchmarkDecodePageEncodingJSON(b *testing.B) {
	page := replicaPage(b, "/api/models?limit=1000"+expandQuery(DefaultModelExpand()))
	cpu0 := storetest.CPUTime()
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	b.ResetTimer()
	defer func() {
		if s := (storetest.CPUTime() - cpu0).Seconds(); s > 0 {
			b.ReportMetric(float64(b.N)*1000/s, "models/cpu-s")
		}
	}()
	for i := 0; i < b.N; i++ {
		var out []ModelInfo
		if err := json.NewDecoder(bytes.NewReader(page)).Decode(&out); err != nil || len(out) != 1000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "models/s")
}

// TestJSONNames: the keys unknown checks come from the struct tags,
// embedded RepoInfo included, without the fields JSON skips.
func TestJSONNames(t *testing.T) {
	for _, k := range []string{"_id", "id", "resourceGroup", "cardData", "model-index", "modelId", "securityRepoStatus"} {
		if !slices.Contains(modelNames, k) {
			t.Errorf("modelNames lacks %q: %v", k, modelNames)
		}
	}
	for _, k := range []string{"_id", "usedStorage", "paperswithcode_id", "mainSize"} {
		if !slices.Contains(datasetNames, k) {
			t.Errorf("datasetNames lacks %q: %v", k, datasetNames)
		}
	}
	for _, names := range [][]string{modelNames, datasetNames} {
		if slices.Contains(names, "RenamedFrom") || slices.Contains(names, "-") || slices.Contains(names, "RepoInfo") {
			t.Errorf("names hold a field JSON skips: %v", names)
		}
	}
	if len(modelNames) != 35 || len(datasetNames) != 22 {
		t.Errorf("%d model keys, %d dataset keys; want 35 and 22", len(modelNames), len(datasetNames))
	}
}
