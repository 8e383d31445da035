package crawler

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/zoograph/zoograph/crawler/card"
	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/store"
)

// A listing item as the Hub sends it with the default expand keys.
const vitJSON = `{
  "_id": "621ffdc136468d709f17b7d7", "id": "google/vit-base-patch16-224",
  "sha": "3f49326eb077187dfe1c2a2bb15fbd74e6ab91e3",
  "createdAt": "2022-03-02T23:29:05.000Z", "lastModified": "2023-09-05T15:27:12.000Z",
  "gated": false, "downloads": 2891417, "downloadsAllTime": 50000000, "likes": 792,
  "tags": ["transformers", "pytorch", "vit", "image-classification", "dataset:imagenet-1k"],
  "pipeline_tag": "image-classification", "library_name": "transformers",
  "config": {"architectures": ["ViTForImageClassification"], "model_type": "vit"},
  "safetensors": {"parameters": {"F32": 86567656}, "total": 86567656},
  "cardData": {
    "license": "apache-2.0", "language": "en", "datasets": ["imagenet-1k", "imagenet-21k"],
    "base_model": "google/vit-base-patch16-224-in21k",
    "model-index": [{"name": "vit", "results": [
      {"task": {"type": "image-classification"},
       "dataset": {"type": "imagenet-1k", "name": "ImageNet", "split": "validation"},
       "metrics": [{"type": "accuracy", "value": 81.1, "verified": true}, {"type": "f1", "value": 0.8}]},
      {"task": {"type": "image-classification"},
       "dataset": {"type": "cifar10", "name": "CIFAR-10"},
       "metrics": [{"type": "accuracy", "value": 0.99}]}
    ]}]
  }
}`

func TestModelRow(t *testing.T) {
	var m hub.ModelInfo
	if err := json.Unmarshal([]byte(vitJSON), &m); err != nil {
		t.Fatal(err)
	}
	md, err := card.FromCardData(m.CardData)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	got := ModelRow(&m, md, at)
	want := store.Model{
		ModelID:          "google/vit-base-patch16-224",
		HubOID:           "621ffdc136468d709f17b7d7",
		Author:           "google",
		SHA:              "3f49326eb077187dfe1c2a2bb15fbd74e6ab91e3",
		CreatedAt:        time.Date(2022, 3, 2, 23, 29, 5, 0, time.UTC),
		LastModified:     time.Date(2023, 9, 5, 15, 27, 12, 0, time.UTC),
		PipelineTag:      "image-classification",
		LibraryName:      "transformers",
		Tags:             []string{"transformers", "pytorch", "vit", "image-classification", "dataset:imagenet-1k"},
		Downloads:        2891417,
		DownloadsAllTime: 50000000,
		Likes:            792,
		Architectures:    []string{"ViTForImageClassification"},
		ModelType:        "vit",
		NumParameters:    86567656,
		SourceDatasets:   []string{"imagenet-1k", "imagenet-21k"},
		ReportedAccuracy: 0.811,
		BaseModels:       []string{"google/vit-base-patch16-224-in21k"},
		License:          "apache-2.0",
		Languages:        []string{"en"},
		Source:           "hub",
		CrawledAt:        at.UTC(),
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("ModelRow (-want +got):\n%s", diff)
	}
	if got.CrawledAt.Location() != time.UTC {
		t.Errorf("crawled_at location %v, want UTC", got.CrawledAt.Location())
	}

	evals := EvalRows(m.ID, md.ModelIndex, EvalSourceCardData)
	if len(evals) != 3 {
		t.Fatalf("got %d eval rows, want 3: %+v", len(evals), evals)
	}
	if e := evals[0]; e.ModelID != m.ID || e.MetricType != "accuracy" || math.Abs(e.Value-0.811) > 1e-12 || e.ValueRaw != "81.1" ||
		!e.Verified || e.DatasetSplit != "validation" || e.Source != "card_data" || e.ModelName != "vit" {
		t.Errorf("first eval row = %+v", e)
	}
}

// TestEvalRowsAccuracy checks the rule every writer of accuracies applies
// (store.CheckAccuracy): an accuracy eval's value is stored as a fraction
// in [0, 1] (card percentages divided by 100), or as null when it cannot be
// one; the card's text stays in value_raw. Other metrics are stored as
// written.
func TestEvalRowsAccuracy(t *testing.T) {
	tests := []struct {
		metric, raw string
		value, want float64 // want NaN: stored as null
	}{
		{"accuracy", "0.9", 0.9, 0.9},
		{"accuracy", "1", 1, 1},
		{"Accuracy", "93", 93, 0.93},
		{"acc", "250", 250, math.NaN()},
		{"accuracy", "-0.5", -0.5, math.NaN()},
		{"accuracy", ".inf", math.Inf(1), math.NaN()},
		{"accuracy", ".nan", math.NaN(), math.NaN()},
		{"f1", "85.3", 85.3, 85.3},
		{"loss", "-0.5", -0.5, -0.5},
	}
	for _, tt := range tests {
		rows := EvalRows("a/b", []card.EvalRow{{MetricType: tt.metric, Value: tt.value, ValueRaw: tt.raw}}, EvalSourceCard)
		got := rows[0]
		if !(math.Abs(got.Value-tt.want) < 1e-12 || math.IsNaN(got.Value) && math.IsNaN(tt.want)) || got.ValueRaw != tt.raw {
			t.Errorf("%s %s: value %v, raw %q; want %v, %q", tt.metric, tt.raw, got.Value, got.ValueRaw, tt.want, tt.raw)
		}
	}
}

func TestModelRowSparse(t *testing.T) {
	// A default list item: no author, no config, no card; gated; baseModels
	// from a detail call.
	m := hub.ModelInfo{RepoInfo: hub.RepoInfo{ID: "acme/tiny", Gated: hub.GatedManual},
		Safetensors: &hub.Safetensors{Parameters: map[string]int64{"F16": 10, "F32": 5}},
		BaseModels:  &hub.BaseModels{Models: []hub.RepoRef{{ID: "acme/base"}}}}
	got := ModelRow(&m, nil, time.Time{})
	if got.Author != "acme" || got.Gated != "manual" || got.NumParameters != 15 ||
		!math.IsNaN(got.ReportedAccuracy) || got.Source != "hub" || !got.CrawledAt.IsZero() {
		t.Errorf("ModelRow = %+v", got)
	}
	if diff := cmp.Diff([]string{"acme/base"}, got.BaseModels); diff != "" {
		t.Errorf("base models (-want +got):\n%s", diff)
	}
}

func TestReportedAccuracy(t *testing.T) {
	acc := func(dsType, dsName, metric string, v float64) card.EvalRow {
		return card.EvalRow{DatasetType: dsType, DatasetName: dsName, MetricType: metric, Value: v}
	}
	tests := []struct {
		name    string
		rows    []card.EvalRow
		sources []string
		want    float64 // NaN: none
	}{
		{"none", nil, []string{"cifar10"}, math.NaN()},
		{"no sources", []card.EvalRow{acc("cifar10", "", "accuracy", 0.9)}, nil, math.NaN()},
		{"fraction", []card.EvalRow{acc("cifar10", "", "accuracy", 0.9)}, []string{"cifar10"}, 0.9},
		{"percent", []card.EvalRow{acc("cifar10", "", "accuracy", 93)}, []string{"cifar10"}, 0.93},
		{"owner prefix", []card.EvalRow{acc("cifar10", "", "accuracy", 0.5)}, []string{"uoft-cs/cifar10"}, 0.5},
		{"by name, case", []card.EvalRow{acc("x", "CIFAR10", "Accuracy", 0.7)}, []string{"cifar10"}, 0.7},
		{"other dataset", []card.EvalRow{acc("mnist", "", "accuracy", 0.99)}, []string{"cifar10"}, math.NaN()},
		{"other metric", []card.EvalRow{acc("cifar10", "", "f1", 0.8)}, []string{"cifar10"}, math.NaN()},
		{"not numeric", []card.EvalRow{acc("cifar10", "", "accuracy", math.NaN())}, []string{"cifar10"}, math.NaN()},
		{"out of range", []card.EvalRow{acc("cifar10", "", "accuracy", 250)}, []string{"cifar10"}, math.NaN()},
		{"first wins", []card.EvalRow{acc("mnist", "", "accuracy", 0.1), acc("cifar10", "", "acc", 0.6), acc("cifar10", "", "accuracy", 0.7)},
			[]string{"cifar10", "mnist"}, 0.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ReportedAccuracy(tt.rows, tt.sources)
			if math.IsNaN(tt.want) != math.IsNaN(got) || (!math.IsNaN(got) && math.Abs(got-tt.want) > 1e-12) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDatasetRow(t *testing.T) {
	const item = `{"_id": "621ffdd236468d709f181d58", "id": "uoft-cs/cifar10",
	  "lastModified": "2024-01-04T16:37:12.000Z", "downloads": 60000, "likes": 70,
	  "tags": ["task_categories:image-classification", "size_categories:10K<n<100K", "language:en", "license:unknown"],
	  "cardData": {"license": ["unknown"], "task_categories": ["image-classification"],
	    "dataset_info": [{"config_name": "plain_text",
	      "features": [{"name": "img", "dtype": "image"},
	                   {"name": "label", "dtype": {"class_label": {"names": {"0": "airplane", "1": "automobile", "2": "bird"}}}}],
	      "splits": [{"name": "train", "num_examples": 50000}, {"name": "test", "num_examples": 10000}]}]}}`
	var d hub.DatasetInfo
	if err := json.Unmarshal([]byte(item), &d); err != nil {
		t.Fatal(err)
	}
	md, err := card.FromCardData(d.CardData)
	if err != nil {
		t.Fatal(err)
	}
	got := DatasetRow(&d, md, time.Time{})
	want := store.Dataset{
		DatasetID:      "uoft-cs/cifar10",
		HubOID:         "621ffdd236468d709f181d58",
		Author:         "uoft-cs",
		LastModified:   time.Date(2024, 1, 4, 16, 37, 12, 0, time.UTC),
		Tags:           d.Tags,
		TaskCategories: []string{"image-classification"},
		SizeCategories: []string{"10K<n<100K"}, // from the tags: the card has none
		NumExamples:    60000,
		NumClasses:     3,
		Languages:      []string{"en"},
		License:        "unknown",
		Downloads:      60000,
		Likes:          70,
		Source:         "hub",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DatasetRow (-want +got):\n%s", diff)
	}
}

func TestDatasetInfoCountsOddShapes(t *testing.T) {
	for _, cd := range []map[string]any{
		nil,
		{"dataset_info": "text"},
		{"dataset_info": []any{1, "x"}},
		{"dataset_info": map[string]any{"splits": "x", "features": []any{map[string]any{"dtype": map[string]any{"class_label": 3}}}}},
		{"dataset_info": map[string]any{"splits": []any{map[string]any{"num_examples": 1.5}}}},
	} {
		if n, k := datasetInfoCounts(cd); n != 0 || k != 0 {
			t.Errorf("datasetInfoCounts(%v) = %d, %d; want 0, 0", cd, n, k)
		}
	}
}

func TestCardRow(t *testing.T) {
	c := &hub.Card{RepoID: "a/b", Commit: "abc", ETag: `"e"`, Text: []byte("# hi")}
	got := CardRow("model", c, time.Unix(10, 0))
	want := store.Card{RepoType: "model", RepoID: "a/b", Revision: "abc", ETag: `"e"`, Text: "# hi", FetchedAt: time.Unix(10, 0).UTC()}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CardRow (-want +got):\n%s", diff)
	}
	c.Commit = "" // no X-Repo-Commit: the revision asked for
	if got := CardRow("model", c, time.Unix(10, 0)); got.Revision != "main" {
		t.Errorf("CardRow without a commit: revision %q, want main", got.Revision)
	}
}
