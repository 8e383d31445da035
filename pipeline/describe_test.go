package pipeline_test

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/zoograph/zoograph/pipeline"
)

// TestDescriptionLanguages checks that language codes are read in any
// case and written as the zoo writes them, the Hub's BCP 47 casing.
func TestDescriptionLanguages(t *testing.T) {
	for _, tt := range []struct {
		name, language string
		want           []string
	}{
		{"upper case", "EN", []string{"en"}},
		{"region", "pt-br", []string{"pt-BR"}},
		{"underscore", "en_us", []string{"en-US"}},
		{"script", "ZH-HANT", []string{"zh-Hant"}},
		{"as the zoo has it", "sv-SE", []string{"sv-SE"}},
		{"multilingual", "Multilingual", []string{"multilingual"}},
		{"list", "[EN, Fr]", []string{"en", "fr"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := pipeline.ParseDescription([]byte("name: x\nmodality: text\ntask: text-classification\nlanguage: "+tt.language+"\n"), "d.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d.Languages, tt.want) {
				t.Errorf("language %s: got %q, want %q", tt.language, d.Languages, tt.want)
			}
		})
	}
	_, err := pipeline.ParseDescription([]byte("name: x\nmodality: text\ntask: text-classification\nlanguage: English\n"), "d.yaml")
	if want := "want an ISO 639 code"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("language English: error %v, want one saying %q", err, want)
	}
}

func TestParseDescription(t *testing.T) {
	full := `name: my-reviews            # how the dataset is called
modality: text
task: text-classification
subtask: sentiment-classification
num_classes: 2
num_examples: 12000
language: en
domain: product reviews
tags: [sentiment]
distances:
  imdb: 3.1
scores:
  logme: {google-bert/bert-base-uncased: 1.92}
`
	got, err := pipeline.ParseDescription([]byte(full), "my.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := &pipeline.Description{Name: "my-reviews", Modality: "text", Task: "text-classification", Subtask: "sentiment-classification", NumClasses: 2,
		NumExamples: 12000, Languages: []string{"en"}, Domain: "product reviews", Tags: []string{"sentiment"},
		Distances: map[string]float64{"imdb": 3.1}, Scores: map[string]map[string]float64{"logme": {"google-bert/bert-base-uncased": 1.92}}}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(pipeline.Description{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	tests := []struct {
		name, yaml string
		field      string
		line       int
		msg        string // a substring of the message
	}{
		{"unknown modality", "name: x\nmodality: smell\ntask: text-classification\n", "modality", 2, `unknown modality "smell"`},
		{"negative classes", "name: x\nmodality: image\ntask: image-classification\nnum_classes: -3\n", "num_classes", 4, "negative"},
		{"one class", "name: x\nmodality: image\ntask: image-classification\nnum_classes: 1\n", "num_classes", 4, "at least 2"},
		{"negative examples", "name: x\nmodality: image\ntask: image-classification\nnum_examples: -1\n", "num_examples", 4, "negative"},
		{"unparseable YAML", "name: x\nmodality: [text\ntask: y\n", "", 3, "not valid YAML"},
		{"not a mapping", "- name: x\n", "", 1, "expected a mapping"},
		{"empty", "  \n", "", 0, "empty"},
		{"unknown field", "name: x\nmodality: text\ntask: text-classification\nclasses: 3\n", "classes", 4, "unknown field"},
		{"missing name", "modality: text\ntask: text-classification\n", "name", 0, "missing"},
		{"missing task", "name: x\nmodality: audio\n", "task", 0, "audio-classification"},
		{"unknown task", "name: x\nmodality: text\ntask: sentiment\n", "task", 3, `unknown task "sentiment"`},
		{"task of another modality", "name: x\nmodality: image\ntask: text-classification\n", "task", 3, "a task for text data, not image"},
		{"classes not a number", "name: x\nmodality: text\ntask: text-classification\nnum_classes: two\n", "num_classes", 4, `"two" is not a whole number`},
		{"examples with a thousands separator", "name: x\nmodality: text\ntask: text-classification\nnum_examples: 12,000\n", "num_examples", 4, `"12,000" is not a whole number: write it without separators`},
		{"classes not whole", "name: x\nmodality: text\ntask: text-classification\nnum_classes: 2.5\n", "num_classes", 4, `"2.5" is not a whole number`},
		{"score not a number on its own line", "name: x\nmodality: text\ntask: text-classification\nscores:\n  logme:\n    a/m: 1\n    b/m: abc\n", "scores", 7, `"abc" is not a number`},
		{"name is a list", "name: [a, b]\nmodality: text\ntask: text-classification\n", "name", 1, "single value"},
		{"bad language", "name: x\nmodality: text\ntask: text-classification\nlanguage: [en, English!]\n", "language", 4, "not a language code"},
		{"negative distance", "name: x\nmodality: text\ntask: text-classification\ndistances: {imdb: -1}\n", "distances.imdb", 4, "≥ 0"},
		{"negative distance on its own line", "name: x\nmodality: text\ntask: text-classification\ndistances:\n  sst2: 1\n  imdb: -1\n", "distances.imdb", 6, "≥ 0"},
		{"unknown score method", "name: x\nmodality: text\ntask: text-classification\nscores:\n  leep: {a/m: 1}\n", "scores.leep", 5, `unknown method "leep": want logme or reg_h_score`},
		{"infinite score on its own line", "name: x\nmodality: text\ntask: text-classification\nscores:\n  logme:\n    a/m: 1\n    b/m: .inf\n", "scores.logme.b/m", 7, "finite"},
		{"duplicate field", "name: x\nname: y\nmodality: text\ntask: text-classification\n", "name", 2, "given twice"},
		{"duplicate fine-tune", "name: x\nmodality: text\ntask: text-classification\nfinetuned:\n  a/m: 0.5\n  b/m: 0.4\n  a/m: 0.6\n", "finetuned", 7, `mapping key "a/m" already defined at line 5`},
		{"duplicate score", "name: x\nmodality: text\ntask: text-classification\nscores:\n  logme:\n    a/m: 1\n    a/m: 2\n", "scores", 7, `mapping key "a/m" already defined at line 6`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := pipeline.ParseDescription([]byte(tt.yaml), "d.yaml")
			var de *pipeline.DescriptionError
			if !errors.As(err, &de) || !errors.Is(err, pipeline.ErrDescription) {
				t.Fatalf("got %+v, %v; want a DescriptionError", d, err)
			}
			if de.Field != tt.field || de.Line != tt.line || de.File != "d.yaml" || !strings.Contains(de.Msg, tt.msg) {
				t.Errorf("error %q: field %q line %d; want field %q line %d and %q", err, de.Field, de.Line, tt.field, tt.line, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "d.yaml") || (tt.field != "" && !strings.Contains(err.Error(), tt.field+":")) {
				t.Errorf("message %q does not name the file and field", err)
			}
		})
	}
}

func FuzzParseDescription(f *testing.F) {
	f.Add([]byte("name: x\nmodality: text\ntask: text-classification\nnum_classes: 2\nlanguage: [en, fr]\n"))
	f.Add([]byte("name: x\nmodality: image\ntask: image-classification\ndistances: {a: 1}\nscores: {logme: {m: 2}}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := pipeline.ParseDescription(data, "f.yaml")
		if err != nil {
			if d != nil || !errors.Is(err, pipeline.ErrDescription) {
				t.Fatalf("description %+v with error %v (not a description error)", d, err)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Errorf("a parsed description does not validate: %v", err)
		}
	})
}

func TestMetadataDistance(t *testing.T) {
	img := func(classes, examples int64, words string) *pipeline.Description {
		return &pipeline.Description{Name: "d", Modality: "image", Task: "image-classification", NumClasses: classes, NumExamples: examples, Domain: words}
	}
	text := &pipeline.Description{Name: "t", Modality: "text", Task: "text-classification", NumClasses: 2}
	tests := []struct {
		name string
		a, b *pipeline.Description
		want float64
	}{
		{"other modality", img(10, 1000, ""), text, 1},
		{"identical", img(10, 1000, "birds"), img(10, 1000, "birds"), 0},
		{"classes ×100, examples ×1000, no shared words", img(1, 10, "birds"), img(100, 10000, "cars"), 0.75},
		{"nothing comparable", &pipeline.Description{}, &pipeline.Description{}, math.NaN()},
		{"languages", &pipeline.Description{Languages: []string{"en", "fr"}}, &pipeline.Description{Languages: []string{"de"}}, 1},
		{"one subtask in two notations", &pipeline.Description{Task: "text-classification", Subtask: "natural-language-inference"},
			&pipeline.Description{Task: "text-classification", Subtask: "Natural  Language_Inference"}, 0},
		{"same task, other subtask", &pipeline.Description{Task: "text-classification", Subtask: "natural language inference"},
			&pipeline.Description{Task: "text-classification", Subtask: "sentiment"}, 0.5},
		{"a subtask on one side only", &pipeline.Description{Task: "text-classification", Subtask: "sentiment"},
			&pipeline.Description{Task: "text-classification"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pipeline.MetadataDistance(tt.a, tt.b)
			if !(math.Abs(got-tt.want) < 1e-12 || math.IsNaN(got) && math.IsNaN(tt.want)) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if back := pipeline.MetadataDistance(tt.b, tt.a); !(back == got || math.IsNaN(back) && math.IsNaN(got)) {
				t.Errorf("not symmetric: %v and %v", got, back)
			}
		})
	}
}

// largeDescription is a description that lists n fine-tunes.
func largeDescription(n int) []byte {
	var b strings.Builder
	b.WriteString("name: x\nmodality: image\ntask: image-classification\nfinetuned:\n")
	for i := range n {
		fmt.Fprintf(&b, "  org/model-%d: 0.5\n", i)
	}
	return []byte(b.String())
}

// TestParseDescriptionLargeMapping: a mapping of 100,000 entries (4 MB,
// under the --describe limit) parses. The YAML decoder's own duplicate-key
// check compares every pair of keys: before it was replaced this took
// about half a minute, quadratic in the entries (BenchmarkParseDescription).
func TestParseDescriptionLargeMapping(t *testing.T) {
	const n = 100_000
	d, err := pipeline.ParseDescription(largeDescription(n), "big.yaml")
	if err != nil || len(d.Finetuned) != n {
		t.Fatalf("%d fine-tunes, %v; want %d", len(d.Finetuned), err, n)
	}
}

func BenchmarkParseDescription(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		data := largeDescription(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := pipeline.ParseDescription(data, "big.yaml"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDescriptionUnknownFieldListsEveryField checks that the error for a
// field a description does not have lists every field it has (each YAML
// key of Description), so that a typo's fix is in the message.
func TestDescriptionUnknownFieldListsEveryField(t *testing.T) {
	_, err := pipeline.ParseDescription([]byte("name: x\nmodality: text\ntask: text-classification\nsub_task: nli\n"), "d.yaml")
	if err == nil {
		t.Fatal("a description with the field sub_task parsed")
	}
	typ := reflect.TypeFor[pipeline.Description]()
	for i := range typ.NumField() {
		key, _, _ := strings.Cut(typ.Field(i).Tag.Get("yaml"), ",")
		if key == "" || key == "-" {
			continue
		}
		if !strings.Contains(err.Error(), " "+key+",") && !strings.Contains(err.Error(), " "+key+")") {
			t.Errorf("error %q does not list the field %s", err, key)
		}
	}
}
