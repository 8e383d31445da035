package hubtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/store/storetest"
)

type recording struct {
	Request struct {
		URI string `json:"uri"`
	} `json:"request"`
	Response struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		BodyRaw string            `json:"body_raw"`
	} `json:"response"`
}

func loadRecordings(t *testing.T, pattern string) map[string]recording {
	t.Helper()
	out := map[string]recording{}
	for name, b := range storetest.SharedFiles(t, "hub-fixtures/api", pattern) {
		var r recording
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = r
	}
	return out
}

func decodeGeneric(t *testing.T, b []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("%v in %.200s", err, b)
	}
	return m
}

// kind is the JSON type of a value: object, array, string, number, bool,
// null.
func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func get(t *testing.T, h http.Handler, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestRecordedDetailsServedBack: every recorded detail, loaded into the
// replica with RepoFromJSON, is served back with the same keys, the same
// types and the same values (key order inside objects aside).
func TestRecordedDetailsServedBack(t *testing.T) {
	recs := loadRecordings(t, "models-detail/*.json")
	h := New(Options{})
	for name, rec := range recs {
		r, err := RepoFromJSON([]byte(rec.Response.BodyRaw))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := h.AddModel(r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for name, rec := range recs {
		t.Run(name, func(t *testing.T) {
			path := strings.TrimPrefix(rec.Request.URI, "https://huggingface.co")
			got := get(t, h, path)
			if got.Code != 200 {
				t.Fatalf("%s: %d %s", path, got.Code, got.Body)
			}
			want := decodeGeneric(t, []byte(rec.Response.BodyRaw))
			have := decodeGeneric(t, got.Body.Bytes())
			if !reflect.DeepEqual(want, have) {
				for k := range want {
					if !reflect.DeepEqual(want[k], have[k]) {
						t.Errorf("key %q: recorded %.200v, served %.200v", k, want[k], have[k])
					}
				}
				for k := range have {
					if _, ok := want[k]; !ok {
						t.Errorf("served extra key %q", k)
					}
				}
			}
			if ct := got.Header().Get("Content-Type"); ct != rec.Response.Headers["Content-Type"] {
				t.Errorf("Content-Type %q, recorded %q", ct, rec.Response.Headers["Content-Type"])
			}
		})
	}
}

// TestGeneratedDetailShape: the detail of a generated model has the keys
// of the recorded ones (every key present in all recordings, no key absent
// from all of them) with the same JSON types.
func TestGeneratedDetailShape(t *testing.T) {
	recs := loadRecordings(t, "models-detail/*.json")
	kinds := map[string]map[string]bool{}
	count := map[string]int{}
	for _, rec := range recs {
		for k, v := range decodeGeneric(t, []byte(rec.Response.BodyRaw)) {
			if kinds[k] == nil {
				kinds[k] = map[string]bool{}
			}
			kinds[k][kind(v)] = true
			count[k]++
		}
	}
	var always []string
	for k, n := range count {
		if n == len(recs) {
			always = append(always, k)
		}
	}
	sort.Strings(always)

	z := Zoo{Models: 400, Datasets: 40, Seed: 21}
	h := New(Options{Zoo: z, Token: "t"})
	optional := map[string]int{}
	for i := 0; i < z.Models; i++ {
		got := get(t, h, "/api/models/"+z.ModelID(i), "Authorization", "Bearer t")
		if got.Code != 200 {
			if r, _ := h.Model(z.ModelID(i)); r.Disabled {
				continue
			}
			t.Fatalf("%s: %d", z.ModelID(i), got.Code)
		}
		m := decodeGeneric(t, got.Body.Bytes())
		for _, k := range always {
			if _, ok := m[k]; !ok {
				t.Fatalf("%s: key %q, present in every recording, is missing", z.ModelID(i), k)
			}
		}
		for k, v := range m {
			if kinds[k] == nil {
				t.Fatalf("%s: key %q appears in no recording", z.ModelID(i), k)
			}
			if !kinds[k][kind(v)] {
				t.Fatalf("%s: key %q is %s, recorded as %v", z.ModelID(i), k, kind(v), kinds[k])
			}
			if count[k] < len(recs) {
				optional[k]++
			}
		}
	}
	t.Logf("optional keys served: %v", optional)
	for _, k := range []string{"cardData", "model-index", "config", "safetensors"} {
		if optional[k] == 0 {
			t.Errorf("optional key %q never served", k)
		}
	}
}

// TestRecordedRedirectShape: renamed repos answer exactly as recorded.
func TestRecordedRedirectShape(t *testing.T) {
	recs := loadRecordings(t, "redirects/*.json")
	h := New(Options{})
	renames := map[string]string{
		"bert-base-uncased":                     "google-bert/bert-base-uncased",
		"t5-small":                              "google-t5/t5-small",
		"meta-llama/Meta-Llama-3.1-8B-Instruct": "meta-llama/Llama-3.1-8B-Instruct",
	}
	for old, cur := range renames {
		if err := h.AddModel(Repo{ID: old}); err != nil {
			t.Fatal(err)
		}
		if err := h.Rename(old, cur); err != nil {
			t.Fatal(err)
		}
	}
	for name, rec := range recs {
		path := strings.TrimPrefix(rec.Request.URI, "https://huggingface.co")
		got := get(t, h, path)
		if got.Code != rec.Response.Status {
			t.Errorf("%s: status %d, recorded %d", name, got.Code, rec.Response.Status)
		}
		for _, k := range []string{"Location", "Content-Type"} {
			if g, w := got.Header().Get(k), rec.Response.Headers[k]; g != w {
				t.Errorf("%s: %s %q, recorded %q", name, k, g, w)
			}
		}
		if got.Body.String() != rec.Response.BodyRaw {
			t.Errorf("%s: body %q, recorded %q", name, got.Body, rec.Response.BodyRaw)
		}
	}
}

// TestRecordedExpandShape: expand returns only _id, id and the keys, in
// both spellings (hfjs tapes use expand[]=).
func TestRecordedExpandShape(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(storetest.Shared(t, "hub-fixtures/api/other"), "hfjs-tapes.models-expand-pipeline_tag.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tapes struct {
		Entries []struct {
			URL      string `json:"url"`
			Response struct {
				Body string `json:"body"`
			} `json:"response"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(b, &tapes); err != nil {
		t.Fatal(err)
	}
	h := New(Options{})
	for _, e := range tapes.Entries {
		want := decodeGeneric(t, []byte(e.Response.Body))
		id := want["id"].(string)
		if err := h.AddModel(Repo{ID: id, OID: want["_id"].(string), PipelineTag: want["pipeline_tag"].(string), LibraryName: "transformers", Tags: []string{"x"}}); err != nil {
			t.Fatal(err)
		}
		got := get(t, h, strings.TrimPrefix(e.URL, "https://huggingface.co"))
		if got.Body.String() != e.Response.Body {
			t.Errorf("%s: served %s, recorded %s", e.URL, got.Body, e.Response.Body)
		}
	}
}
