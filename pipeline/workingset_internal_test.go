package pipeline

import (
	"math"
	"slices"
	"testing"

	"github.com/zoograph/zoograph/store"
)

// TestWorkingSetRule writes out which models and datasets a pruned zoo
// keeps: the recorded and scored models, their whole lineage above, for
// Recommend the models within three base steps below a recorded one, the
// datasets named by a record, a score, a distance, a kept model or the
// target.
func TestWorkingSetRule(t *testing.T) {
	model := func(id string, base string, sources ...string) store.Model {
		m := store.Model{ModelID: id, SourceDatasets: sources, ReportedAccuracy: math.NaN()}
		if base != "" {
			m.BaseModels = []string{base}
		}
		return m
	}
	tables := &store.Tables{
		Models: []store.Model{
			model("o/recorded", "o/base", "d/src-of-recorded"),
			model("o/base", "o/root"),
			model("o/root", ""),
			model("o/scored", ""),
			model("o/child", "o/recorded"),        // 1 step below: inherits
			model("o/grandchild", "o/child"),      // 2
			model("o/great", "o/grandchild"),      // 3
			model("o/great2", "o/great", "d/far"), // 4: too far
			model("o/sibling", "o/base"),          // below an unrecorded base only
			model("o/alone", "", "d/alone-src"),
		},
		Datasets: []store.Dataset{{DatasetID: "d/crawled"}, {DatasetID: "d/mine"}},
		Finetunes: []store.Finetune{
			{ModelID: "o/recorded", DatasetID: "d/rec", Method: "full", Accuracy: 0.8},
		},
		Scores:           []store.Score{{ModelID: "o/scored", DatasetID: "d/scored", Method: "logme", Score: 1}},
		DatasetDistances: []store.DatasetDistance{{DatasetA: "d/rec", DatasetB: "d/dist", Distance: 1}},
	}
	models := cleanModels(tables.Models, tables.Finetunes)
	datasets := cleanDatasets(tables, models)
	keptModels, keptDatasets := workingSet(tables, models, datasets, pinned{datasets: []string{"d/mine"}, inheritors: true})
	var gotM, gotD []string
	for _, m := range keptModels {
		gotM = append(gotM, m.ModelID)
	}
	for _, ds := range keptDatasets {
		gotD = append(gotD, ds.DatasetID)
	}
	wantM := []string{"o/base", "o/child", "o/grandchild", "o/great", "o/recorded", "o/root", "o/scored"}
	wantD := []string{"d/dist", "d/mine", "d/rec", "d/src-of-recorded"} // a score names no dataset of its own (cleanDatasets)
	if !slices.Equal(gotM, wantM) {
		t.Errorf("models kept %v, want %v", gotM, wantM)
	}
	if !slices.Equal(gotD, wantD) {
		t.Errorf("datasets kept %v, want %v", gotD, wantD)
	}

	// Run's working set leaves out the models that only inherit a history:
	// it predicts and evaluates recorded models alone.
	runModels, _ := workingSet(tables, models, datasets, pinned{})
	var gotRun []string
	for _, m := range runModels {
		gotRun = append(gotRun, m.ModelID)
	}
	if want := []string{"o/base", "o/recorded", "o/root", "o/scored"}; !slices.Equal(gotRun, want) {
		t.Errorf("models kept for run %v, want %v", gotRun, want)
	}

	cfg := DefaultConfig().Clean
	cfg.MaxCells = 1
	d, err := cleanKeeping(tables, cfg, pinned{datasets: []string{"d/mine"}, inheritors: true})
	if err != nil {
		t.Fatal(err)
	}
	var left WorkingSet
	if d.WorkingSet != nil {
		left = *d.WorkingSet
	}
	if left.ModelsLeftOut != len(models)-len(wantM) || left.DatasetsLeftOut != len(datasets)-len(wantD) || len(d.Models) != len(wantM) {
		t.Errorf("Clean kept %d models, pruned %d models and %d datasets; want %d kept, %d and %d pruned",
			len(d.Models), left.ModelsLeftOut, left.DatasetsLeftOut, len(wantM), len(models)-len(wantM), len(datasets)-len(wantD))
	}
	if _, ok := d.DatasetIndex("d/mine"); !ok {
		t.Error("the target was pruned")
	}
	cfg.MaxCells = 0
	if d, err := Clean(tables, cfg); err != nil || d.WorkingSet != nil || len(d.Models) != len(models) {
		t.Errorf("MaxCells 0 pruned (%v)", err)
	}
}

// TestWorkingSetSources: a kept model's training datasets (d.sources: the
// trained-on edges of the graph and the source_similarity feature) are
// the same past the bound as below it, those its repo id names included
// ("o/bert-finetuned-imdb" names imdb, a crawled dataset nothing records).
func TestWorkingSetSources(t *testing.T) {
	model := func(id string, sources ...string) store.Model {
		return store.Model{ModelID: id, SourceDatasets: sources, ReportedAccuracy: math.NaN()}
	}
	ft := func(m, ds string, acc float64) store.Finetune {
		return store.Finetune{ModelID: m, DatasetID: ds, Method: "full", Accuracy: acc}
	}
	tables := &store.Tables{
		Models: []store.Model{
			model("o/bert-finetuned-imdb"),
			model("o/roberta-base-rotten-tomatoes", "d/declared"),
			model("o/distilbert-agnews"),
			model("o/unrecorded-sst2"),
		},
		Datasets: []store.Dataset{{DatasetID: "imdb"}, {DatasetID: "rotten_tomatoes"}, {DatasetID: "ag_news"},
			{DatasetID: "sst2"}, {DatasetID: "x/other"}},
		Finetunes: []store.Finetune{ft("o/bert-finetuned-imdb", "d/rec", 0.8), ft("o/roberta-base-rotten-tomatoes", "d/rec", 0.7),
			ft("o/distilbert-agnews", "d/rec", 0.6)},
	}
	sources := func(maxCells int) map[string][]string {
		t.Helper()
		cfg := DefaultConfig().Clean
		cfg.MaxCells = maxCells
		d, err := Clean(tables, cfg)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		for mi, m := range d.Models {
			out[m.ModelID] = []string{}
			for _, di := range d.sources[mi] {
				out[m.ModelID] = append(out[m.ModelID], d.Datasets[di].DatasetID)
			}
			slices.Sort(out[m.ModelID])
		}
		return out
	}
	full, pruned := sources(0), sources(1)
	if len(pruned) != 3 {
		t.Fatalf("pruned zoo: sources %v, want those of the 3 recorded models", pruned)
	}
	for id, got := range pruned {
		if want := full[id]; !slices.Equal(got, want) {
			t.Errorf("%s: trained on %v past the bound, %v below it", id, got, want)
		}
	}
}
