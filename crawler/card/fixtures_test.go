package card

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenJSON renders a Parse result for a golden file: the error, or the
// non-empty Metadata fields, with NaN values written as "NaN".
func goldenJSON(tb testing.TB, md *Metadata, err error) []byte {
	tb.Helper()
	out := map[string]any{}
	if err != nil {
		out["error"] = err.Error()
	}
	if md != nil {
		out["metadata"] = nonZeroFields(reflect.ValueOf(*md))
	}
	b, jerr := json.MarshalIndent(out, "", "  ")
	if jerr != nil {
		tb.Fatal(jerr)
	}
	return append(b, '\n')
}

func nonZeroFields(v reflect.Value) map[string]any {
	m := map[string]any{}
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		name := v.Type().Field(i).Name
		switch {
		case f.Kind() == reflect.Float64:
			if x := f.Float(); math.IsNaN(x) {
				m[name] = "NaN"
			} else {
				m[name] = x
			}
		case f.IsZero():
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct:
			rows := make([]any, f.Len())
			for j := range rows {
				rows[j] = nonZeroFields(f.Index(j))
			}
			m[name] = rows
		default:
			m[name] = f.Interface()
		}
	}
	if mi := v.FieldByName("ModelIndex"); mi.IsValid() && !mi.IsNil() && mi.Len() == 0 {
		m["ModelIndex"] = []any{} // present but empty, unlike absent
	}
	return m
}

// checkGolden compares got with testdata/golden/<name>, rewriting it with
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s mismatch (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// TestClientFixtures runs huggingface_hub's own card parser fixtures.
func TestClientFixtures(t *testing.T) {
	dir := fixturePath(t, "cards", "client-test-fixtures")
	tests := []struct {
		file    string
		wantErr error
		check   func(t *testing.T, md *Metadata)
	}{
		{file: "sample_simple.md", check: func(t *testing.T, md *Metadata) {
			want := &Metadata{Languages: []string{"en"}, License: []string{"mit"}, LibraryName: "pytorch-lightning",
				Tags: []string{"pytorch", "image-classification"}, Datasets: []string{"beans"}, Metrics: []string{"acc"}}
			if diff := cmp.Diff(want, md); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		}},
		{file: "sample_simple_model_index.md", check: func(t *testing.T, md *Metadata) {
			want := []EvalRow{
				{ModelName: "my-cool-model", TaskType: "image-classification", DatasetType: "beans", DatasetName: "Beans", MetricType: "accuracy", Value: 0.9, ValueRaw: "0.9"},
				{ModelName: "my-cool-model", TaskType: "image-classification", DatasetType: "beans", DatasetName: "Beans", DatasetConfig: "default",
					DatasetSplit: "test", DatasetRevision: "5503434ddd753f426f4b38109466949a1217c2bb", MetricType: "f1", Value: 0.66, ValueRaw: "0.66"},
			}
			if diff := cmp.Diff(want, md.ModelIndex); diff != "" {
				t.Errorf("ModelIndex mismatch (-want +got):\n%s", diff)
			}
		}},
		// huggingface_hub drops this model-index (the result has no
		// dataset); zoograph keeps the metric with empty dataset fields,
		// as index.json of the real sample does for 107 cards.
		{file: "sample_invalid_model_index.md", check: func(t *testing.T, md *Metadata) {
			want := []EvalRow{{ModelName: "my-cool-model", TaskType: "image-classification", MetricType: "acc", Value: 0.9, ValueRaw: "0.9"}}
			if diff := cmp.Diff(want, md.ModelIndex); diff != "" {
				t.Errorf("ModelIndex mismatch (-want +got):\n%s", diff)
			}
			if got := md.License; len(got) != 1 || got[0] != "mit" {
				t.Errorf("License = %q, want [mit]", got)
			}
		}},
		{file: "sample_invalid_card_data.md", wantErr: ErrInvalid},
		{file: "sample_no_metadata.md", check: func(t *testing.T, md *Metadata) {
			if diff := cmp.Diff(&Metadata{}, md); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		}},
		{file: "sample_windows_line_breaks.md", check: func(t *testing.T, md *Metadata) {
			want := &Metadata{License: []string{"mit"}, Languages: []string{"eo"}}
			if diff := cmp.Diff(want, md); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		}},
		{file: "sample_datasetcard_simple.md", check: func(t *testing.T, md *Metadata) {
			want := &Metadata{Languages: []string{"en"}, License: []string{"bsd-3-clause"}, SizeCategories: []string{"n<1K"},
				TaskCategories: []string{"image-segmentation"}, TaskIDs: []string{"semantic-segmentation"}, PrettyName: "Sample Segmentation"}
			if diff := cmp.Diff(want, md); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		}},
		// The unrendered templates: {card_data} is a flow mapping with one
		// null value; {{card_data}} has a mapping as key, which PyYAML
		// refuses.
		{file: "sample_datasetcard_template.md", check: func(t *testing.T, md *Metadata) {
			if diff := cmp.Diff(&Metadata{}, md); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		}},
		{file: "sample_template.md", wantErr: ErrInvalid},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			readme, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			md, err := Parse(readme, Options{})
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Parse error = %v, want %v", err, tt.wantErr)
			}
			if tt.check != nil {
				tt.check(t, md)
			}
			checkGolden(t, filepath.Join("client-fixtures", strings.TrimSuffix(tt.file, ".md")+".json"), goldenJSON(t, md, err))
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !seen[e.Name()] {
			t.Errorf("fixture %s has no test case", e.Name())
		}
	}
}

// TestTargetModels parses the cards of the seven target models (no
// model-index in any of them) against golden files.
func TestTargetModels(t *testing.T) {
	dir := fixturePath(t, "cards", "target-models")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("no target model cards")
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			readme, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			md, err := Parse(readme, Options{})
			if err != nil {
				t.Fatalf("Parse error: %v", err)
			}
			if md.ModelIndex != nil {
				t.Errorf("ModelIndex = %d rows, want none", len(md.ModelIndex))
			}
			checkGolden(t, filepath.Join("target-models", strings.TrimSuffix(e.Name(), ".md")+".json"), goldenJSON(t, md, err))
		})
	}
}

// apiDetail is the part of a recorded GET /api/models/{id} response these
// tests read.
type apiDetail struct {
	Response struct {
		BodyJSON struct {
			ID         string         `json:"id"`
			CardData   map[string]any `json:"cardData"`
			ModelIndex any            `json:"model-index"`
		} `json:"body_json"`
	} `json:"response"`
}

func readAPIDetail(t *testing.T, path string) apiDetail {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d apiDetail
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

// TestAPICardData converts the cardData of every recorded model detail
// response, checks that it flattens to the same rows as the response's own
// top-level model-index, and compares with golden files.
func TestAPICardData(t *testing.T) {
	dir := fixturePath(t, "api", "models-detail")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded detail responses in %s (%v)", dir, err)
	}
	withIndex := 0
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			d := readAPIDetail(t, f).Response.BodyJSON
			md, err := FromCardData(d.CardData)
			if err != nil {
				t.Fatalf("FromCardData error: %v", err)
			}
			top := Flatten(d.ModelIndex)
			if diff := cmp.Diff(top, md.ModelIndex, cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("cardData model-index differs from the top-level one (-top +cardData):\n%s", diff)
			}
			if md.ModelIndex != nil {
				withIndex++
			}
			checkGolden(t, filepath.Join("api-carddata", strings.TrimSuffix(name, ".json")+".json"), goldenJSON(t, md, err))
		})
	}
	if withIndex != 6 {
		t.Errorf("%d responses have a model-index, want the 6 the fixtures README lists", withIndex)
	}
}

// TestVerifiedSST2 pins the verified metrics of the distilbert SST-2 card.
func TestVerifiedSST2(t *testing.T) {
	d := readAPIDetail(t, fixturePath(t, "api", "models-detail", "distilbert__distilbert-base-uncased-finetuned-sst-2-english.json"))
	md, err := FromCardData(d.Response.BodyJSON.CardData)
	if err != nil {
		t.Fatal(err)
	}
	verified := 0
	for _, r := range md.ModelIndex {
		if r.Verified {
			verified++
		}
		if r.MetricType == "accuracy" && r.DatasetType == "glue" && r.DatasetSplit == "validation" {
			if r.Value != 0.9105504587155964 || !r.Verified {
				t.Errorf("glue/sst2 validation accuracy = %v (verified %v), want 0.9105504587155964 verified", r.Value, r.Verified)
			}
		}
	}
	if verified == 0 || verified != len(md.ModelIndex) {
		t.Errorf("%d of %d rows verified, want all", verified, len(md.ModelIndex))
	}
}

// TestREADMEMatchesCardData checks that parsing a README gives what the
// Hub's own parse of it (cardData) gives: the google/vit card in
// target-models is the README behind the recorded API response.
func TestREADMEMatchesCardData(t *testing.T) {
	readme, err := os.ReadFile(fixturePath(t, "cards", "target-models", "google__vit-base-patch16-224.README.md"))
	if err != nil {
		t.Fatal(err)
	}
	fromREADME, err := Parse(readme, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := readAPIDetail(t, fixturePath(t, "api", "models-detail", "google__vit-base-patch16-224.json"))
	fromAPI, err := FromCardData(d.Response.BodyJSON.CardData)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fromAPI, fromREADME); diff != "" {
		t.Errorf("README and cardData disagree (-cardData +README):\n%s", diff)
	}
}
