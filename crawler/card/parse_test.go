package card

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var nan = math.NaN()

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		fm   string // the front matter; the README is "---\n" + fm + "\n---\nbody\n"
		opt  Options
		want *Metadata
	}{
		{
			name: "typical model card",
			fm: "language: en\nlicense: apache-2.0\nlibrary_name: transformers\npipeline_tag: image-classification\n" +
				"tags:\n- vision\n- generated_from_trainer\ndatasets:\n- imagenet-1k\nbase_model: google/vit-base-patch16-224\n" +
				"base_model_relation: finetune\nmetrics:\n- accuracy",
			want: &Metadata{
				License: []string{"apache-2.0"}, Languages: []string{"en"}, LibraryName: "transformers",
				PipelineTag: "image-classification", Tags: []string{"vision", "generated_from_trainer"},
				Datasets: []string{"imagenet-1k"}, BaseModels: []string{"google/vit-base-patch16-224"},
				BaseModelRelation: "finetune", Metrics: []string{"accuracy"},
			},
		},
		{
			name: "lists written as strings and strings as lists",
			fm:   "license:\n- mit\n- apache-2.0\n- mit\ndatasets: beans\nbase_model:\n- a/b\n- c/d\nmetrics: accuracy\ntags: solo",
			want: &Metadata{
				License: []string{"mit", "apache-2.0"}, Datasets: []string{"beans"},
				BaseModels: []string{"a/b", "c/d"}, Metrics: []string{"accuracy"}, Tags: []string{"solo"},
			},
		},
		{
			name: "YAML 1.1 booleans stay as written in string fields",
			fm:   "language:\n- en\n- no\n- null\n- ''\n- ' fr '\n- 2023-05-01\n- 12\ninference: off",
			want: &Metadata{Languages: []string{"en", "no", "fr", "2023-05-01", "12"}},
		},
		{
			name: "duplicate keys: the last one wins",
			fm:   "license: mit\ntags: [a]\nlicense: apache-2.0",
			want: &Metadata{License: []string{"apache-2.0"}, Tags: []string{"a"}},
		},
		{
			name: "wrong shapes are skipped with warnings",
			fm:   "license: {name: mit}\npipeline_tag: [a, b]\ntags: [a, [b], {c: d}]\nmodel-index: {name: x}",
			want: &Metadata{
				Tags: []string{"a"},
				Warnings: []string{
					"license: expected a string or a list, found a mapping",
					"tags: dropped nested lists or mappings",
					"pipeline_tag: expected a string, found a list",
					"model-index: expected a list, found a mapping; no eval rows",
				},
			},
		},
		{
			name: "dataset card",
			fm: "language:\n- en\nlicense:\n- bsd-3-clause\nsize_categories:\n- n<1K\ntask_categories:\n- image-segmentation\n" +
				"task_ids:\n- semantic-segmentation\nsource_datasets: original\npretty_name: Sample Segmentation\npaperswithcode_id: null",
			want: &Metadata{
				Languages: []string{"en"}, License: []string{"bsd-3-clause"}, SizeCategories: []string{"n<1K"},
				TaskCategories: []string{"image-segmentation"}, TaskIDs: []string{"semantic-segmentation"},
				SourceDatasets: []string{"original"}, PrettyName: "Sample Segmentation",
			},
		},
		{
			name: "model-index with odd values",
			fm: "model-index:\n- name: m\n  results:\n  - task: {type: text-classification, name: Text Classification}\n" +
				"    dataset: {type: glue, name: GLUE, config: 2012, split: validation, revision: abc}\n" +
				"    source: {name: Leaderboard, url: 'https://example.org'}\n" +
				"    metrics:\n    - {type: accuracy, value: 0.90, verified: yes}\n    - {type: f1, value: \"92.1\", name: F1}\n" +
				"    - {type: loss, value: .nan}\n    - {type: reward, value: 250.52 +/- 20.12, verified: 'true'}\n" +
				"    - {type: pct, value: 72%}\n    - {type: big, value: 1e5}\n    - {type: none}\n    - {type: date, value: 2023-05-01}",
			want: &Metadata{ModelIndex: []EvalRow{
				{ModelName: "m", TaskType: "text-classification", TaskName: "Text Classification", DatasetType: "glue", DatasetName: "GLUE",
					DatasetConfig: "2012", DatasetSplit: "validation", DatasetRevision: "abc", MetricType: "accuracy",
					Value: 0.9, ValueRaw: "0.90", Verified: true, SourceName: "Leaderboard", SourceURL: "https://example.org"},
				{ModelName: "m", TaskType: "text-classification", TaskName: "Text Classification", DatasetType: "glue", DatasetName: "GLUE",
					DatasetConfig: "2012", DatasetSplit: "validation", DatasetRevision: "abc", MetricType: "f1", MetricName: "F1",
					Value: 92.1, ValueRaw: "92.1", SourceName: "Leaderboard", SourceURL: "https://example.org"},
				{ModelName: "m", TaskType: "text-classification", TaskName: "Text Classification", DatasetType: "glue", DatasetName: "GLUE",
					DatasetConfig: "2012", DatasetSplit: "validation", DatasetRevision: "abc", MetricType: "loss",
					Value: nan, ValueRaw: ".nan", SourceName: "Leaderboard", SourceURL: "https://example.org"},
				{ModelName: "m", TaskType: "text-classification", TaskName: "Text Classification", DatasetType: "glue", DatasetName: "GLUE",
					DatasetConfig: "2012", DatasetSplit: "validation", DatasetRevision: "abc", MetricType: "reward",
					Value: nan, ValueRaw: "250.52 +/- 20.12", Verified: true, SourceName: "Leaderboard", SourceURL: "https://example.org"},
				{ModelName: "m", TaskType: "text-classification", TaskName: "Text Classification", DatasetType: "glue", DatasetName: "GLUE",
					DatasetConfig: "2012", DatasetSplit: "validation", DatasetRevision: "abc", MetricType: "pct",
					Value: nan, ValueRaw: "72%", SourceName: "Leaderboard", SourceURL: "https://example.org"},
				{ModelName: "m", TaskType: "text-classification", TaskName: "Text Classification", DatasetType: "glue", DatasetName: "GLUE",
					DatasetConfig: "2012", DatasetSplit: "validation", DatasetRevision: "abc", MetricType: "big",
					Value: 1e5, ValueRaw: "1e5", SourceName: "Leaderboard", SourceURL: "https://example.org"},
				{ModelName: "m", TaskType: "text-classification", TaskName: "Text Classification", DatasetType: "glue", DatasetName: "GLUE",
					DatasetConfig: "2012", DatasetSplit: "validation", DatasetRevision: "abc", MetricType: "none",
					Value: nan, ValueRaw: "", SourceName: "Leaderboard", SourceURL: "https://example.org"},
				{ModelName: "m", TaskType: "text-classification", TaskName: "Text Classification", DatasetType: "glue", DatasetName: "GLUE",
					DatasetConfig: "2012", DatasetSplit: "validation", DatasetRevision: "abc", MetricType: "date",
					Value: nan, ValueRaw: "2023-05-01", SourceName: "Leaderboard", SourceURL: "https://example.org"},
			}},
		},
		{
			name: "model-index: a result without task, non-mapping entries",
			fm: "model-index:\n- just a string\n- name: m\n  results:\n  - tasks: {type: x}\n    metrics: [{type: a, value: 1}]\n" +
				"  - task: {type: t}\n    metrics: [{type: b, value: 2}, 7]\n  - 3",
			want: &Metadata{
				ModelIndex: []EvalRow{{ModelName: "m", TaskType: "t", MetricType: "b", Value: 2, ValueRaw: "2"}},
				Warnings: []string{
					"model-index[0]: expected a mapping, found a string; skipped",
					"model-index[1].results[0]: no task mapping; skipped",
					"model-index[1].results[1].metrics[1]: expected a mapping, found a string; skipped",
					"model-index[1].results[2]: expected a mapping, found a string; skipped",
				},
			},
		},
		{
			name: "model-index without metrics is empty, not nil",
			fm:   "model-index:\n- name: m\n  results: []",
			want: &Metadata{ModelIndex: []EvalRow{}},
		},
		{
			name: "model-index null",
			fm:   "model-index:\nlicense: mit",
			want: &Metadata{License: []string{"mit"}},
		},
		{
			name: "anchors, aliases and merge keys",
			fm: "base: &ds {type: beans, name: Beans, split: test}\nmodel-index:\n- name: m\n  results:\n" +
				"  - task: &t {type: image-classification}\n    dataset: {<<: *ds, split: validation}\n    metrics: [{type: acc, value: 1}]\n" +
				"  - task: *t\n    dataset:\n      <<: [{name: First}, *ds]\n    metrics: [{type: acc, value: 2}]",
			want: &Metadata{ModelIndex: []EvalRow{
				{ModelName: "m", TaskType: "image-classification", DatasetType: "beans", DatasetName: "Beans", DatasetSplit: "validation", MetricType: "acc", Value: 1, ValueRaw: "1"},
				{ModelName: "m", TaskType: "image-classification", DatasetType: "beans", DatasetName: "First", DatasetSplit: "test", MetricType: "acc", Value: 2, ValueRaw: "2"},
			}},
		},
		{
			name: "null document",
			fm:   "~",
			want: &Metadata{},
		},
		{
			name: "comments only",
			fm:   "# nothing here\n",
			want: &Metadata{},
		},
		{
			name: "tabs PyYAML accepts: quoted, block scalar, comment",
			fm:   "a: \"x\ty\"\nb: 'p\tq'\nc: |\n  one\ttwo\n   \tthree\nlicense: mit # note\twith tab\n",
			want: &Metadata{License: []string{"mit"}},
		},
		{
			name: "tagged values read as written",
			fm:   "license: !!str 123\npipeline_tag: ! 5\ntags: !!seq [a]\nlibrary_name: !custom x",
			want: &Metadata{License: []string{"123"}, PipelineTag: "5", Tags: []string{"a"}, LibraryName: "x"},
		},
	}
	opts := cmp.Options{cmpopts.EquateNaNs(), cmpopts.EquateEmpty()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte("---\n"+tt.fm+"\n---\nbody\n"), tt.opt)
			if err != nil {
				t.Fatalf("Parse error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, opts); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
			if (tt.want.ModelIndex == nil) != (got.ModelIndex == nil) {
				t.Errorf("ModelIndex nil = %v, want %v", got.ModelIndex == nil, tt.want.ModelIndex == nil)
			}
		})
	}
}

// billionLaughs is the classic exponential alias bomb: 10 levels of 10
// references, 10^9 strings once expanded.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [\"lol\"]\n")
	for i := 1; i <= 9; i++ {
		b.WriteString("a")
		b.WriteByte(byte('0' + i))
		b.WriteString(": &a")
		b.WriteByte(byte('0' + i))
		b.WriteString(" [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a")
			b.WriteByte(byte('0' + i - 1))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		fm   string
		opt  Options
		want error
	}{
		{name: "syntax error", fm: "a: [1, 2", want: ErrInvalid},
		{name: "list instead of mapping", fm: "[]", want: ErrInvalid},
		{name: "scalar instead of mapping", fm: "hello", want: ErrInvalid},
		{name: "false instead of mapping", fm: "false", want: ErrInvalid},
		{name: "trailing tab after a value", fm: "model-index:\n- name: m\n  results:\n  - metrics:\n    - value: 0.918177\t", want: ErrInvalid},
		{name: "tab after the colon", fm: "license:  \tgpl-3.0", want: ErrInvalid},
		{name: "line holding only a tab", fm: "a: 1\n\t\nb: 2", want: ErrInvalid},
		{name: "tab inside a plain scalar", fm: "a: x\ty", want: ErrInvalid},
		{name: "tab in a flow sequence", fm: "a: [x,\ty]", want: ErrInvalid},
		{name: "tab before a comment", fm: "a: x\t# c", want: ErrInvalid},
		{name: "tab before block indentation", fm: "a: |\n  x\n\ty", want: ErrInvalid},
		{name: "tab indentation", fm: "a:\n\tb: 1", want: ErrInvalid},
		{name: "unhashable key", fm: "? [a]\n: b", want: ErrInvalid},
		{name: "mapping key from a template", fm: "{{card_data}}", want: ErrInvalid},
		{name: "merge key with a scalar", fm: "a: {<<: 1}", want: ErrInvalid},
		{name: "several documents", fm: "a: 1\n...\nb: 2", want: ErrInvalid},
		{name: "undefined alias", fm: "a: *nope", want: ErrInvalid},
		{name: "recursive alias", fm: "a: &x [1, *x]", want: ErrTooComplex},
		{name: "control character", fm: "a: x\x07", want: ErrInvalid},
		{name: "invalid utf-8", fm: "a: \xff", want: ErrInvalid},
		{name: "too large", fm: "license: mit\n" + strings.Repeat("# padding\n", 20), opt: Options{MaxBytes: 100}, want: ErrTooLarge},
		{name: "billion laughs", fm: billionLaughs(), want: ErrTooComplex},
		{name: "alias budget", fm: "a: &a [1, 2, 3]\nb: [*a, *a, *a]", opt: Options{MaxAliases: 8}, want: ErrTooComplex},
		{name: "deep nesting", fm: "a: " + strings.Repeat("[", 150) + strings.Repeat("]", 150), want: ErrTooComplex},
		{name: "nesting beyond the parser's own limit", fm: "a: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000), want: ErrTooComplex},
		{name: "deep block nesting", fm: deepBlock(40), opt: Options{MaxDepth: 20}, want: ErrTooComplex},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			md, err := Parse([]byte("---\n"+tt.fm+"\n---\n"), tt.opt)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse error = %v, want %v", err, tt.want)
			}
			if md != nil {
				t.Errorf("Parse returned Metadata %+v with an error; want nil", md)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Parse took %v; limits must fail fast", d)
			}
		})
	}
}

// TestParseLimitsAllow checks that the limits do not refuse what they should
// accept: an alias budget exactly used up and nesting exactly at the limit.
func TestParseLimitsAllow(t *testing.T) {
	tests := []struct {
		name string
		fm   string
		opt  Options
	}{
		{name: "alias budget used up", fm: "a: &a [1, 2, 3]\nb: [*a, *a]", opt: Options{MaxAliases: 8}},
		{name: "nesting at the limit", fm: deepBlock(19), opt: Options{MaxDepth: 20}},
		{name: "front matter at the size limit", fm: strings.Repeat("#", 96), opt: Options{MaxBytes: 96}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte("---\n"+tt.fm+"\n---\n"), tt.opt); err != nil {
				t.Errorf("Parse error = %v, want nil", err)
			}
		})
	}
}

// deepBlock returns a block mapping nested n levels deep.
func deepBlock(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(strings.Repeat(" ", i))
		b.WriteString("k:\n")
	}
	b.WriteString(strings.Repeat(" ", n))
	b.WriteString("v: 1")
	return b.String()
}

func TestParseNoFrontMatter(t *testing.T) {
	md, err := Parse([]byte("# Model\n\nNo metadata here.\n"), Options{})
	if err != nil {
		t.Fatalf("Parse error: %v", err)
	}
	if diff := cmp.Diff(&Metadata{}, md); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
}

func TestDefaultOptions(t *testing.T) {
	got := Options{}.withDefaults()
	want := DefaultOptions()
	if got != want {
		t.Errorf("Options{}.withDefaults() = %+v, want %+v", got, want)
	}
	custom := Options{MaxBytes: 1, MaxAliases: 2, MaxDepth: 3}
	if got := custom.withDefaults(); got != custom {
		t.Errorf("withDefaults changed set fields: %+v, want %+v", got, custom)
	}
}
