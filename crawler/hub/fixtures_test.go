package hub_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/store/storetest"
)

// recording is one recorded HTTP exchange of hub-fixtures/api.
type recording struct {
	Request struct {
		URI string `json:"uri"`
	} `json:"request"`
	Response struct {
		Status   int               `json:"status"`
		Headers  map[string]string `json:"headers"`
		BodyJSON json.RawMessage   `json:"body_json"`
		BodyRaw  string            `json:"body_raw"`
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

// replay serves recorded responses by request URI (path and query).
func replay(t *testing.T, recs map[string]recording) *httptest.Server {
	t.Helper()
	byURI := map[string]recording{}
	for _, r := range recs {
		byURI[strings.TrimPrefix(r.Request.URI, "https://huggingface.co")] = r
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec, ok := byURI[r.URL.RequestURI()]
		if !ok {
			http.Error(w, "not recorded: "+r.URL.RequestURI(), http.StatusNotFound)
			return
		}
		for k, v := range rec.Response.Headers {
			if k != "Content-Length" && k != "Connection" {
				w.Header().Set(k, v)
			}
		}
		w.WriteHeader(rec.Response.Status)
		w.Write([]byte(rec.Response.BodyRaw))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// schemaPaths are the JSON paths behind the models table's columns (the
// top-level model-index repeats cardData's and is not read).
var schemaPaths = map[string][]string{
	"model_id":           {"id"},
	"hub_oid":            {"_id"},
	"author":             {"author"},
	"sha":                {"sha"},
	"created_at":         {"createdAt"},
	"last_modified":      {"lastModified"},
	"pipeline_tag":       {"pipeline_tag"},
	"library_name":       {"library_name"},
	"tags":               {"tags"},
	"downloads":          {"downloads"},
	"downloads_all_time": {"downloadsAllTime"},
	"likes":              {"likes"},
	"gated":              {"gated"},
	"architectures":      {"config", "architectures"},
	"model_type":         {"config", "model_type"},
	"num_parameters":     {"safetensors", "total"},
	"param_dtypes":       {"safetensors", "parameters"},
	"base_models":        {"cardData", "base_model"},
	"source_datasets":    {"cardData", "datasets"},
	"license":            {"cardData", "license"},
	"languages":          {"cardData", "language"},
	"card_model_index":   {"cardData", "model-index"},
}

func lookup(v any, path []string) (any, bool) {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[p]; !ok {
			return nil, false
		}
	}
	return v, true
}

// asTime normalises an RFC 3339 string for comparison.
func asTime(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return v
	}
	return tm.UTC()
}

func generic(t *testing.T, b []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRecordedDetailsDecodeWithoutLoss fetches every recorded model detail
// through the client (from a server replaying the recording) and checks
// that what the schema keeps survives: re-encoding hub.ModelInfo yields
// the same values at every schema path.
func TestRecordedDetailsDecodeWithoutLoss(t *testing.T) {
	recs := loadRecordings(t, "models-detail*/*.json")
	srv := replay(t, recs)
	c := newClient(t, srv.URL, nil)
	gatedSeen, indexSeen := 0, 0
	for name, rec := range recs {
		t.Run(name, func(t *testing.T) {
			uri := strings.TrimPrefix(rec.Request.URI, "https://huggingface.co/api/models/")
			id, query, _ := strings.Cut(uri, "?")
			opt := hub.DetailOptions{}
			if query != "" {
				opt.Expand = []string{strings.TrimPrefix(query, "expand=")}
			}
			m, err := c.Model(context.Background(), id, opt)
			if err != nil {
				t.Fatal(err)
			}
			back, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			orig, got := generic(t, []byte(rec.Response.BodyRaw)), generic(t, back)
			for col, path := range schemaPaths {
				want, inOrig := lookup(orig, path)
				have, inGot := lookup(got, path)
				if col == "gated" && want == false {
					want, inOrig = nil, false // false is the zero value; omitted on re-encoding
				}
				if col == "created_at" || col == "last_modified" {
					want, have = asTime(want), asTime(have)
				}
				if inOrig != inGot || !reflect.DeepEqual(want, have) {
					t.Errorf("%s (%v): recorded %v (present %v), decoded %v (present %v)", col, path, want, inOrig, have, inGot)
				}
			}
			if m.Gated != hub.NotGated {
				gatedSeen++
			}
			if m.CardData["model-index"] != nil {
				indexSeen++
			}
		})
	}
	if gatedSeen != 3 || indexSeen < 6 {
		t.Errorf("gated recordings decoded as gated: %d; with model-index: %d", gatedSeen, indexSeen)
	}
}

// TestRecordedRedirectsFollowed replays the recorded 307s for renamed
// repos (legacy ids and a renamed meta-llama repo, with and without a
// query string): the client ends at the canonical id.
func TestRecordedRedirectsFollowed(t *testing.T) {
	recs := loadRecordings(t, "redirects/*.json")
	for k, v := range loadRecordings(t, "models-detail*/*.json") {
		recs["target-"+k] = v
	}
	srv := replay(t, recs)
	c := newClient(t, srv.URL, nil)
	tests := []struct {
		id, want string
		expand   []string
	}{
		{"bert-base-uncased", "google-bert/bert-base-uncased", nil},
		{"t5-small", "google-t5/t5-small", nil},
		{"meta-llama/Meta-Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B-Instruct", nil},
		{"meta-llama/Meta-Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B-Instruct", []string{"inferenceProviderMapping"}},
	}
	for _, tt := range tests {
		m, err := c.Model(context.Background(), tt.id, hub.DetailOptions{Expand: tt.expand})
		if err != nil {
			t.Errorf("%s: %v", tt.id, err)
			continue
		}
		if m.ID != tt.want {
			t.Errorf("%s: ID %q, want %q", tt.id, m.ID, tt.want)
		}
		if tt.expand != nil && m.Author != "" {
			// An expanded detail has only _id, id and the key asked for.
			t.Errorf("%s: expand lost across the redirect", tt.id)
		}
	}
	if st := c.Stats(); st.Redirects != 4 {
		t.Errorf("redirects %d, want 4", st.Redirects)
	}
}
