package pipeline_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

// rankConfig is fastConfig for Recommend: one seed, the default settings
// without nested selection (Run's tests cover it; TestRecommendSelects
// checks that Recommend runs it).
func rankConfig() pipeline.Config {
	cfg := fastConfig(nil)
	cfg.Seeds = 1
	cfg.Selection.Mode = pipeline.SelectFixed
	return cfg
}

func modalityOf(tables *store.Tables) map[string]string {
	out := map[string]string{}
	for _, m := range tables.Models {
		out[m.ModelID] = strings.TrimSuffix(m.PipelineTag, "-classification")
	}
	return out
}

// TestRecommendModality ranks for a text and an image dataset described by
// metadata alone, and for datasets of the zoo: a text dataset never gets an
// image model, nor an image dataset a text model.
func TestRecommendModality(t *testing.T) {
	tables, _ := smallZoo(t)
	modality := modalityOf(tables)
	ctx := context.Background()
	tests := []struct {
		name     string
		target   pipeline.Target
		modality string
	}{
		{"described text", pipeline.Target{Describe: &pipeline.Description{Name: "my-reviews", Modality: "text",
			Task: "text-classification", NumClasses: 2, NumExamples: 12000, Languages: []string{"en"}, Domain: "product reviews"}}, "text"},
		{"described image", pipeline.Target{Describe: &pipeline.Description{Name: "my-birds", Modality: "image",
			Task: "image-classification", NumClasses: 200, NumExamples: 6000, Domain: "fine-grained birds"}}, "image"},
		{"zoo text dataset", pipeline.Target{ID: "reviews-movies"}, "text"},
		{"zoo image dataset", pipeline.Target{ID: "fine-cars"}, "image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := pipeline.Recommend(ctx, tables, rankConfig(), tt.target, pipeline.RecommendOptions{Calibration: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Models) < 10 {
				t.Fatalf("%d recommendations", len(r.Models))
			}
			for _, m := range r.Models {
				if modality[m.ModelID] != tt.modality || m.Kind.Modality != tt.modality {
					t.Errorf("rank %d: %s (%s, kind %+v) for a %s dataset", m.Rank, m.ModelID, modality[m.ModelID], m.Kind, tt.modality)
				}
				if !(m.Low <= m.Predicted && m.Predicted <= m.High) || m.Low < 0 || m.High > 1 {
					t.Errorf("%s: predicted %.3f outside its interval [%.3f, %.3f]", m.ModelID, m.Predicted, m.Low, m.High)
				}
				if m.History == 0 || len(m.Evidence) == 0 {
					t.Errorf("%s: no evidence (history %d)", m.ModelID, m.History)
				}
			}
			other, article := map[string]string{"text": "image", "image": "text"}[tt.modality], map[string]string{"text": "a", "image": "an"}[tt.modality]
			if r.Filter.Excluded[other+" model for "+article+" "+tt.modality+" dataset"] == 0 {
				t.Errorf("filter %v: no %s model left out", r.Filter.Lines(), other)
			}
			for i := 1; i < len(r.Models); i++ {
				if r.Models[i].Score > r.Models[i-1].Score || r.Models[i].Predicted > r.Models[i-1].Predicted+1e-12 {
					t.Errorf("not sorted at rank %d", i+1)
				}
			}
			if len(r.Nearest) == 0 || r.Calibration.Slope <= 0 || len(r.Calibration.Datasets) != 3 {
				t.Errorf("nearest %v, calibration %+v", r.Nearest, r.Calibration)
			}
			if r.Described && (r.DistancesFromMetadata == 0 || r.Nearest[0].Source != pipeline.DistanceMethodMetadata) {
				t.Errorf("described target: %d distances from metadata, nearest %+v", r.DistancesFromMetadata, r.Nearest[0])
			}
		})
	}
}

// TestRecommendInherits removes the records of some fine-tuned models: they
// are still ranked, through their base model's history, and flagged.
func TestRecommendInherits(t *testing.T) {
	tables, _ := smallZoo(t)
	var orphans []string
	for _, m := range tables.Models {
		if len(m.BaseModels) == 1 && m.PipelineTag == "image-classification" && len(orphans) < 4 {
			orphans = append(orphans, m.ModelID)
		}
	}
	zoo := *tables
	zoo.Finetunes = slices.DeleteFunc(slices.Clone(tables.Finetunes), func(f store.Finetune) bool { return slices.Contains(orphans, f.ModelID) })
	r, err := pipeline.Recommend(context.Background(), &zoo, rankConfig(), pipeline.Target{ID: "fine-cars"}, pipeline.RecommendOptions{Calibration: -1})
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]string{}
	for _, m := range tables.Models {
		if len(m.BaseModels) == 1 {
			base[m.ModelID] = m.BaseModels[0]
		}
	}
	found := 0
	for _, m := range r.Models {
		if !slices.Contains(orphans, m.ModelID) {
			if m.Basis != "own history" {
				t.Errorf("%s: basis %q", m.ModelID, m.Basis)
			}
			continue
		}
		found++
		if m.Basis != "base model's history" || m.Via != base[m.ModelID] || m.History == 0 {
			t.Errorf("%s: basis %q via %q (history %d), want its base model %s", m.ModelID, m.Basis, m.Via, m.History, base[m.ModelID])
		}
	}
	if found != len(orphans) || r.Filter.Inherited != len(orphans) {
		t.Errorf("%d of %d models without history ranked; filter says %d inherited", found, len(orphans), r.Filter.Inherited)
	}
}

// TestRecommendIgnoresTargetRecords scrambles the target's recorded
// accuracies and the reported accuracies of the models trained on it: the
// ranking and the predicted accuracies stay the same.
func TestRecommendIgnoresTargetRecords(t *testing.T) {
	tables, targets := smallZoo(t)
	target := targets[0]
	run := func(zoo *store.Tables) *pipeline.Recommendations {
		r, err := pipeline.Recommend(context.Background(), zoo, rankConfig(), pipeline.Target{ID: target}, pipeline.RecommendOptions{Calibration: 2})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a := run(tables)
	scrambled, reported := scrambleCount(tables, target, nil)
	n := 0
	for i, f := range scrambled.Finetunes {
		if f.DatasetID == target {
			scrambled.Finetunes[i].Accuracy = math.Mod(float64(i)*0.618, 1)
			n++
		}
	}
	b := run(scrambled)
	if n == 0 || reported == 0 || len(a.Models) != len(b.Models) {
		t.Fatalf("%d records and %d reported accuracies scrambled; %d vs %d models", n, reported, len(a.Models), len(b.Models))
	}
	recorded := 0
	for i := range a.Models {
		x, y := a.Models[i], b.Models[i]
		if x.ModelID != y.ModelID || x.Score != y.Score || x.Predicted != y.Predicted || x.Low != y.Low {
			t.Fatalf("rank %d: %+v vs %+v", i+1, x, y)
		}
		if !math.IsNaN(x.Recorded) {
			recorded++
		}
	}
	if recorded == 0 {
		t.Error("no recorded accuracy shown")
	}
}

func TestRecommendErrors(t *testing.T) {
	tables, _ := smallZoo(t)
	ctx := context.Background()
	_, err := pipeline.Recommend(ctx, tables, rankConfig(), pipeline.Target{ID: "no-such-data"}, pipeline.RecommendOptions{})
	if !errors.Is(err, pipeline.ErrUnknownTarget) || !strings.Contains(err.Error(), "--describe") || !strings.Contains(err.Error(), "modality:") {
		t.Errorf("unknown target: %v; want ErrUnknownTarget saying how to describe it", err)
	}
	desc := func(name string, distances map[string]float64) pipeline.Target {
		return pipeline.Target{Describe: &pipeline.Description{Name: name, Modality: "image", Task: "image-classification", Distances: distances}}
	}
	var de *pipeline.DescriptionError
	_, err = pipeline.Recommend(ctx, tables, rankConfig(), desc("fine-cars", nil), pipeline.RecommendOptions{})
	if !errors.As(err, &de) || de.Field != "name" {
		t.Errorf("a description named like a zoo dataset: %v", err)
	}
	_, err = pipeline.Recommend(ctx, tables, rankConfig(), desc("mine", map[string]float64{"nowhere": 1}), pipeline.RecommendOptions{})
	if !errors.As(err, &de) || de.Field != "distances.nowhere" {
		t.Errorf("a distance to an unknown dataset: %v", err)
	}
	// Scores that would be ignored: of a model the zoo lacks, or of a
	// method the zoo has no scores of.
	scored := desc("mine", nil)
	scored.Describe.Scores = map[string]map[string]float64{"logme": {tables.Models[0].ModelID: 1, "nobody/m": 2}}
	_, err = pipeline.Recommend(ctx, tables, rankConfig(), scored, pipeline.RecommendOptions{})
	if !errors.As(err, &de) || de.Field != "scores.logme.nobody/m" || !strings.Contains(de.Msg, "no such model") {
		t.Errorf("a score of a model the zoo lacks: %v", err)
	}
	noRegH := *tables
	noRegH.Scores = slices.DeleteFunc(slices.Clone(tables.Scores), func(s store.Score) bool { return s.Method == "reg_h_score" })
	scored.Describe.Scores = map[string]map[string]float64{"reg_h_score": {tables.Models[0].ModelID: 1}}
	_, err = pipeline.Recommend(ctx, &noRegH, rankConfig(), scored, pipeline.RecommendOptions{})
	if !errors.As(err, &de) || de.Field != "scores.reg_h_score" || !strings.Contains(de.Msg, "no reg_h_score scores") {
		t.Errorf("a score of a method the zoo has none of: %v", err)
	}
	// A distance on a zoo that records none: no scale to put it on.
	noDist := *tables
	noDist.DatasetDistances = nil
	_, err = pipeline.Recommend(ctx, &noDist, rankConfig(), desc("mine", map[string]float64{"fine-cars": 1}), pipeline.RecommendOptions{})
	if !errors.As(err, &de) || de.Field != "distances.fine-cars" || !strings.Contains(de.Msg, "records no dataset distances") {
		t.Errorf("a distance on a zoo without distances: %v", err)
	}
	// Two set the scale, and may change which datasets are nearest.
	two := desc("mine", map[string]float64{"fine-cars": 1, "medical-retina": 5})
	if _, err = pipeline.Recommend(ctx, &noDist, rankConfig(), two, pipeline.RecommendOptions{Calibration: -1}); err != nil {
		t.Errorf("two distances on a zoo without distances: %v", err)
	}
	bad := desc("mine", nil)
	bad.Describe.Modality = "smell"
	if _, err = pipeline.Recommend(ctx, tables, rankConfig(), bad, pipeline.RecommendOptions{}); !errors.As(err, &de) || de.Field != "modality" {
		t.Errorf("an unknown modality: %v", err)
	}
}

// TestRecommendGivenDistances: distances given in the description replace
// metadata for those datasets.
func TestRecommendGivenDistances(t *testing.T) {
	tables, _ := smallZoo(t)
	target := pipeline.Target{Describe: &pipeline.Description{Name: "my-cars", Modality: "image", Task: "image-classification",
		NumClasses: 196, Distances: map[string]float64{"fine-birds": 0.5, "fine-aircraft": 0.6}}}
	r, err := pipeline.Recommend(context.Background(), tables, rankConfig(), target, pipeline.RecommendOptions{Calibration: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Nearest) < 2 || r.Nearest[0].Dataset != "fine-birds" || r.Nearest[0].Source != "given" || r.Nearest[1].Dataset != "fine-aircraft" {
		t.Errorf("nearest %+v, want the given distances first", r.Nearest)
	}
}

// TestRecommendSelects: with nested selection, Recommend reports the
// settings chosen for the target.
func TestRecommendSelects(t *testing.T) {
	tables, targets := smallZoo(t)
	cfg := rankConfig()
	cfg.Selection = pipeline.DefaultSelection()
	cfg.Selection.Learners = []pipeline.Learner{pipeline.LearnerNone}
	cfg.Selection.GBDTMaxDepths = []int{3}
	r, err := pipeline.Recommend(context.Background(), tables, cfg, pipeline.Target{ID: targets[0]}, pipeline.RecommendOptions{Calibration: -1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Settings.Learner != pipeline.LearnerNone || r.Settings.GBDTMaxDepth != 3 || !slices.Contains(cfg.Selection.Blends, r.Settings.Blend) {
		t.Errorf("settings %+v: not from the search space", r.Settings)
	}
}

// undescribed returns tables whose target has no metadata (only its id)
// and that hold no dataset distances.
func undescribed(tables *store.Tables, target string) store.Tables {
	bare := *tables
	bare.Datasets = slices.Clone(tables.Datasets)
	for i, ds := range bare.Datasets {
		if ds.DatasetID == target {
			bare.Datasets[i] = store.Dataset{DatasetID: target}
		}
	}
	bare.DatasetDistances = nil
	return bare
}

// TestRecommendUndescribedTarget ranks for a zoo dataset that neither
// metadata nor distances describe (a model-recycling column without a
// datasets.csv row): it is of the kind of the models recorded on it, where
// it was an error saying the zoo does not say what it is.
func TestRecommendUndescribedTarget(t *testing.T) {
	tables, _ := smallZoo(t)
	const target = "reviews-movies"
	bare := undescribed(tables, target)
	r, err := pipeline.Recommend(context.Background(), &bare, rankConfig(), pipeline.Target{ID: target}, pipeline.RecommendOptions{Calibration: -1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Description.Modality != "text" {
		t.Errorf("modality %q, want text", r.Description.Modality)
	}
	modality := modalityOf(tables)
	if len(r.Models) == 0 {
		t.Fatal("no recommendation")
	}
	for _, m := range r.Models {
		if modality[m.ModelID] != "text" {
			t.Errorf("%s (%s) recommended for a text dataset", m.ModelID, modality[m.ModelID])
		}
	}
}
