package pipeline_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

// trainerCard is a Trainer-generated README of a fine-tune of base on
// dataset, listing results on the evaluation set.
func trainerCard(base, dataset string, results ...string) string {
	var b strings.Builder
	b.WriteString("---\ntags:\n- generated_from_trainer\n---\n\n# m\n\n")
	b.WriteString("This model is a fine-tuned version of [" + base + "](https://huggingface.co/" + base + ") on the " + dataset + " dataset.\n")
	if len(results) > 0 {
		b.WriteString("It achieves the following results on the evaluation set:\n")
		for _, r := range results {
			b.WriteString("- " + r + "\n")
		}
	}
	b.WriteString("\n## Model description\n")
	return b.String()
}

func eval(model, dataset, config, split, metric string, value float64) store.Eval {
	return store.Eval{ModelID: model, TaskType: "text-classification", DatasetType: dataset, DatasetConfig: config,
		DatasetSplit: split, MetricType: metric, MetricName: metric, Value: value, ValueRaw: "x", Source: "card"}
}

func TestHistoryFromEvals(t *testing.T) {
	nan := math.NaN()
	type rec struct {
		base, dataset, metric, split string
		value                        float64
	}
	tests := []struct {
		name   string
		models []store.Model
		cards  map[string]string // model -> README
		evals  []store.Eval
		want   []rec
		reject map[string]int
	}{
		{
			name:   "base_model front matter, test split",
			models: []store.Model{{ModelID: "u/m", BaseModels: []string{"org/base"}}},
			evals:  []store.Eval{eval("u/m", "emotion", "", "test", "accuracy", 0.93)},
			want:   []rec{{"org/base", "emotion", "accuracy", "test", 0.93}},
		},
		{
			name:  "Trainer sentence, train split confirmed by the evaluation set",
			cards: map[string]string{"u/m": trainerCard("org/base", "emotion", "Loss: 0.2", "Accuracy: 0.9265")},
			evals: []store.Eval{eval("u/m", "emotion", "default", "train", "accuracy", 0.92654)},
			want:  []rec{{"org/base", "emotion", "accuracy", "evaluation-set", 0.92654}},
		},
		{
			name:   "train split not confirmed",
			cards:  map[string]string{"u/m": trainerCard("org/base", "emotion", "Accuracy: 0.5")},
			evals:  []store.Eval{eval("u/m", "emotion", "", "train", "accuracy", 0.93), eval("u/m", "emotion", "", "", "f1", 0.9)},
			reject: map[string]int{pipeline.RejectSplit: 2},
		},
		{
			name:   "no base model",
			models: []store.Model{{ModelID: "u/m"}},
			evals:  []store.Eval{eval("u/m", "emotion", "", "test", "accuracy", 0.9)},
			reject: map[string]int{pipeline.RejectNoBaseModel: 1},
		},
		{
			name:   "a merge",
			models: []store.Model{{ModelID: "u/m", BaseModels: []string{"a/x", "b/y"}}},
			evals:  []store.Eval{eval("u/m", "emotion", "", "test", "accuracy", 0.9)},
			reject: map[string]int{pipeline.RejectSeveralBases: 1},
		},
		{
			name:   "quantized",
			models: []store.Model{{ModelID: "u/m", BaseModels: []string{"a/x"}}},
			cards:  map[string]string{"u/m": "---\nbase_model: a/x\nbase_model_relation: quantized\n---\n"},
			evals:  []store.Eval{eval("u/m", "emotion", "", "test", "accuracy", 0.9)},
			reject: map[string]int{pipeline.RejectNotFineTune: 1},
		},
		{
			name:   "metrics: percentages, aliases, rejects",
			models: []store.Model{{ModelID: "u/m", BaseModels: []string{"a/x"}}},
			evals: []store.Eval{
				eval("u/m", "d1", "", "test", "Top-1 Accuracy", 91.5),
				eval("u/m", "d2", "", "validation", "acc", 1),
				{ModelID: "u/m", DatasetType: "d3", DatasetSplit: "test", MetricType: "accuracy", Value: nan, ValueRaw: "72%"},
				eval("u/m", "d4", "", "test", "wer", 0.1),
				eval("u/m", "d5", "", "test", "accuracy", -0.1),
				eval("u/m", "d6", "", "test", "accuracy", 250),
				eval("u/m", "d7", "", "test", "accuracy", nan),
				eval("u/m", "d8", "", "test", "MCC", 0.4),
			},
			want: []rec{{"a/x", "d1", "accuracy", "test", 0.915}, {"a/x", "d2", "accuracy", "validation", 1},
				{"a/x", "d3", "accuracy", "test", 0.72}, {"a/x", "d8", "matthews_correlation", "test", 0.4}},
			reject: map[string]int{pipeline.RejectMetric: 1, pipeline.RejectRange: 2, pipeline.RejectNotNumeric: 1},
		},
		{
			name:   "splits",
			models: []store.Model{{ModelID: "u/m", BaseModels: []string{"a/x"}}},
			evals: []store.Eval{
				eval("u/m", "d1", "", "test[:10%]", "accuracy", 0.5),
				eval("u/m", "d2", "", "validation_matched", "accuracy", 0.5),
				eval("u/m", "d3", "", "dev", "accuracy", 0.5),
				eval("u/m", "d4", "", "train[:5000]", "accuracy", 0.5),
			},
			want: []rec{{"a/x", "d1", "accuracy", "test", 0.5}, {"a/x", "d2", "accuracy", "validation", 0.5},
				{"a/x", "d3", "accuracy", "validation", 0.5}},
			reject: map[string]int{pipeline.RejectSplit: 1},
		},
		{
			name:   "test before validation; one metric per dataset",
			models: []store.Model{{ModelID: "u/m", BaseModels: []string{"a/x"}}},
			evals: []store.Eval{
				eval("u/m", "d", "", "validation", "accuracy", 0.8),
				eval("u/m", "d", "", "test", "accuracy", 0.7),
				eval("u/m", "d", "", "test", "f1", 0.6),
			},
			// accuracy and f1 both have one base model: accuracy wins the tie.
			want:   []rec{{"a/x", "d", "accuracy", "test", 0.7}},
			reject: map[string]int{pipeline.RejectDuplicateSplit: 1, pipeline.RejectOtherMetric: 1},
		},
		{
			name:   "the metric most base models report",
			models: []store.Model{{ModelID: "u/m", BaseModels: []string{"a/x"}}, {ModelID: "u/n", BaseModels: []string{"a/y"}}},
			evals: []store.Eval{
				eval("u/m", "d", "", "test", "accuracy", 0.7),
				eval("u/m", "d", "", "test", "f1", 0.6),
				eval("u/n", "d", "", "test", "f1", 0.65),
			},
			want:   []rec{{"a/x", "d", "f1", "test", 0.6}, {"a/y", "d", "f1", "test", 0.65}},
			reject: map[string]int{pipeline.RejectOtherMetric: 1},
		},
		{
			name: "copied cards",
			models: []store.Model{{ModelID: "u/m", BaseModels: []string{"a/x"}}, {ModelID: "v/m", BaseModels: []string{"a/x"}},
				{ModelID: "w/m", BaseModels: []string{"a/x"}}},
			evals: []store.Eval{eval("u/m", "d", "", "test", "accuracy", 0.7), eval("v/m", "d", "", "test", "accuracy", 0.7),
				eval("w/m", "d", "", "test", "accuracy", 0.71)},
			want:   []rec{{"a/x", "d", "accuracy", "test", 0.7}, {"a/x", "d", "accuracy", "test", 0.71}},
			reject: map[string]int{pipeline.RejectCopy: 1},
		},
		{
			name:   "datasets: loaders, configs, ids",
			models: []store.Model{{ModelID: "u/m", BaseModels: []string{"a/x"}}},
			evals: []store.Eval{
				eval("u/m", "imagefolder", "alkzar90--croupier", "test", "accuracy", 0.5),
				eval("u/m", "imagefolder", "default", "test", "f1", 0.5),
				eval("u/m", "glue", "rte", "test", "accuracy", 0.6),
				eval("u/m", "glue", "mrpc", "test", "accuracy", 0.7),
				eval("u/m", "glue", "", "test", "precision", 0.8),
				eval("u/m", "cifar10", "plain_text", "test", "accuracy", 0.9),
				eval("u/m", "lewtun/dog_food", "lewtun--dog_food", "test", "accuracy", 0.4),
				eval("u/m", "[PETA", "", "test", "accuracy", 0.4),
				eval("u/m", "", "", "test", "accuracy", 0.4),
				eval("u/m", "glue", "rte\n| fake | row |", "test", "accuracy", 0.4), // no config: a line break
				eval("u/m", "imagefolder", "owner--na\x1bme", "test", "accuracy", 0.4),
			},
			want: []rec{{"a/x", "alkzar90/croupier", "accuracy", "test", 0.5}, {"a/x", "cifar10", "accuracy", "test", 0.9},
				{"a/x", "glue/mrpc", "accuracy", "test", 0.7}, {"a/x", "glue/rte", "accuracy", "test", 0.6},
				{"a/x", "lewtun/dog_food", "accuracy", "test", 0.4}},
			reject: map[string]int{pipeline.RejectLoader: 2, pipeline.RejectNoConfig: 1, pipeline.RejectNoDataset: 3},
		},
		{
			name:   "trained on other datasets",
			models: []store.Model{{ModelID: "u/m", BaseModels: []string{"a/x"}, SourceDatasets: []string{"nyu-mll/glue"}}},
			evals:  []store.Eval{eval("u/m", "glue", "rte", "test", "accuracy", 0.6), eval("u/m", "mteb/banking77", "", "test", "accuracy", 0.8)},
			want:   []rec{{"a/x", "glue", "accuracy", "test", 0.6}},
			reject: map[string]int{pipeline.RejectNotTrainedOn: 1},
		},
		{
			name:   "legacy base model id",
			models: []store.Model{{ModelID: "google-bert/bert-base-uncased"}},
			cards:  map[string]string{"u/m": trainerCard("bert-base-uncased", "imdb")},
			evals:  []store.Eval{eval("u/m", "imdb", "", "test", "accuracy", 0.9)},
			want:   []rec{{"google-bert/bert-base-uncased", "imdb", "accuracy", "test", 0.9}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tables := &store.Tables{Models: tt.models, Evals: tt.evals}
			for id, text := range tt.cards {
				tables.Cards = append(tables.Cards, store.Card{RepoType: "model", RepoID: id, Text: text})
			}
			h := pipeline.HistoryFromEvals(tables)
			var got []rec
			for _, r := range h.Records {
				got = append(got, rec{r.BaseModel, r.Dataset, r.Metric, r.Split, math.Round(r.Value*1e6) / 1e6})
			}
			slices.SortFunc(got, func(a, b rec) int {
				return strings.Compare(a.dataset+a.base+a.metric, b.dataset+b.base+b.metric)*4 + cmpFloat(a.value, b.value)
			})
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(rec{})); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			want := tt.reject
			if want == nil {
				want = map[string]int{}
			}
			if diff := cmp.Diff(want, h.Report.Rejected); diff != "" {
				t.Errorf("rejected (-want +got):\n%s", diff)
			}
			if n := h.Report.Records + sum(h.Report.Rejected); n != len(tt.evals) {
				t.Errorf("%d records + rejected, want every one of the %d evals", n, len(tt.evals))
			}
		})
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func TestWithHistory(t *testing.T) {
	tables := &store.Tables{
		Models:    []store.Model{{ModelID: "u/m"}, {ModelID: "org/base", PipelineTag: "fill-mask"}},
		Datasets:  []store.Dataset{{DatasetID: "Emotion", NumClasses: 6}},
		Finetunes: []store.Finetune{{ModelID: "org/base", DatasetID: "Emotion", Run: 0, Accuracy: 0.9, Method: "full"}},
		Cards:     []store.Card{{RepoType: "model", RepoID: "u/m", Text: trainerCard("org/base", "emotion")}},
		Evals: []store.Eval{eval("u/m", "emotion", "", "test", "accuracy", 0.93),
			eval("u/m", "new-data", "", "test", "accuracy", 0.5)},
	}
	before := len(tables.Finetunes)
	out, h := pipeline.WithHistory(tables)
	if len(tables.Finetunes) != before || len(tables.Models[0].BaseModels) != 0 || len(tables.Datasets) != 1 {
		t.Fatal("WithHistory modified its input")
	}
	// new-data is rejected: the model declares (in the Trainer sentence)
	// that it was trained on emotion.
	if h.Report.Records != 1 || h.Report.Rejected[pipeline.RejectNotTrainedOn] != 1 {
		t.Errorf("report %+v", h.Report)
	}
	want := store.Finetune{ModelID: "org/base", DatasetID: "Emotion", Run: 1, Accuracy: 0.93, Method: "full",
		Epochs: math.NaN(), LearningRate: math.NaN(), TrainSeconds: math.NaN(), Source: "model-index/accuracy"}
	if got := out.Finetunes[len(out.Finetunes)-1]; !cmp.Equal(want, got, cmp.Comparer(func(a, b float64) bool {
		return a == b || math.IsNaN(a) && math.IsNaN(b)
	})) {
		t.Errorf("record %+v, want %+v (the zoo's dataset id, run numbered after the existing one)", got, want)
	}
	if got := out.Models[0].BaseModels; !slices.Equal(got, []string{"org/base"}) || h.Lineage["u/m"] != pipeline.LineageTrainer {
		t.Errorf("lineage of u/m: %v (%s), want org/base from the Trainer sentence", got, h.Lineage["u/m"])
	}
	if h.Report.LineageAdded != 1 {
		t.Errorf("lineage added %d, want 1", h.Report.LineageAdded)
	}

	// A zoo without evals is returned as it is.
	plain := &store.Tables{Finetunes: tables.Finetunes}
	if out, _ := pipeline.WithHistory(plain); out != plain {
		t.Error("a zoo without evals was copied")
	}
}

// TestHistoryRealCards turns the evals of a crawl of the real cards into
// history and checks the accounting and the records.
func TestHistoryRealCards(t *testing.T) {
	_, tables := realCardsZoo(t)
	h := pipeline.HistoryFromEvals(tables)
	rep := h.Report
	t.Logf("%d evals of %d models, %d cards: %d records (%d base models, %d datasets; %d on the Trainer's evaluation set); lineage %v",
		rep.Evals, len(tables.Models), len(tables.Cards), rep.Records, rep.BaseModels, rep.Datasets, rep.TrainerSplit, rep.Lineage)
	for _, why := range rep.RejectReasons() {
		t.Log("  rejected:", why)
	}
	if rep.Evals != len(tables.Evals) || rep.Records+sum(rep.Rejected) != rep.Evals {
		t.Errorf("%d records + %d rejected != %d evals", rep.Records, sum(rep.Rejected), rep.Evals)
	}
	// 264 real cards name their base model in the Trainer sentence; a few
	// of those have a base_model too or are not served under their id.
	if rep.Lineage[pipeline.LineageTrainer] < 250 {
		t.Errorf("lineage %v: want most of the 264 Trainer sentences", rep.Lineage)
	}
	if rep.Records < 80 || rep.Datasets < 20 {
		t.Errorf("%d records on %d datasets; want the Trainer cards' results", rep.Records, rep.Datasets)
	}
	byDataset := map[string]map[string]bool{}
	for _, r := range h.Records {
		if r.Value < 0 || r.Value > 1 || r.BaseModel == r.Model || r.BaseModel == "" {
			t.Errorf("bad record %+v", r)
		}
		if byDataset[r.Dataset] == nil {
			byDataset[r.Dataset] = map[string]bool{}
		}
		byDataset[r.Dataset][r.BaseModel] = true
	}
	// Known results of the sample: three Swin sizes and ViT on cifar100.
	for _, b := range []string{"microsoft/swin-tiny-patch4-window7-224", "microsoft/swin-small-patch4-window7-224",
		"microsoft/swin-base-patch4-window7-224", "google/vit-base-patch16-224-in21k"} {
		if !byDataset["cifar100"][b] {
			t.Errorf("no record of %s on cifar100", b)
		}
	}
	// bert-base-uncased is the legacy id of the recorded google-bert model.
	if !byDataset["glue/rte"]["google-bert/bert-base-uncased"] {
		t.Errorf("glue/rte base models %v, want google-bert/bert-base-uncased", byDataset["glue/rte"])
	}
}

// BenchmarkHistoryFromEvals turns the evals of the real-cards crawl into
// history: parsing the cards (front matter and Trainer sentence) dominates.
func BenchmarkHistoryFromEvals(b *testing.B) {
	_, tables := realCardsZoo(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		pipeline.HistoryFromEvals(tables)
	}
	b.ReportMetric(float64(len(tables.Evals)*b.N)/b.Elapsed().Seconds(), "evals/s")
	b.ReportMetric(float64(len(tables.Cards)*b.N)/b.Elapsed().Seconds(), "cards/s")
}
