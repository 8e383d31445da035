package pipeline

import (
	"math"
	"slices"
	"testing"

	"github.com/zoograph/zoograph/store"
)

// Table tests of Clean's steps, one table per step, on small hand-built
// inputs with the expected values written out.

var nan = math.NaN()

// handData returns a Data indexing the given model and dataset ids, in that
// order, with nothing else filled in: the input of a single step.
func handData(models, datasets []string) *Data {
	d := &Data{modelIdx: map[string]int{}, datasetIdx: map[string]int{}}
	for i, id := range models {
		d.Models = append(d.Models, store.Model{ModelID: id, ReportedAccuracy: nan})
		d.modelIdx[id] = i
	}
	for i, id := range datasets {
		d.Datasets = append(d.Datasets, store.Dataset{DatasetID: id})
		d.datasetIdx[id] = i
	}
	d.sources = make([][]int, len(models))
	d.reportedOn = d.sources // what a card's result may be on: here what it was trained on
	return d
}

// sameFloat says whether got and want are equal within 1e-12, NaN equal to NaN.
func sameFloat(got, want float64) bool {
	if math.IsNaN(got) || math.IsNaN(want) {
		return math.IsNaN(got) && math.IsNaN(want)
	}
	return got == want || math.Abs(got-want) <= 1e-12
}

func sameFloats(got, want []float64) bool {
	return slices.EqualFunc(got, want, sameFloat)
}

func sameMatrix(got, want [][]float64) bool {
	return slices.EqualFunc(got, want, func(a, b []float64) bool { return sameFloats(a, b) })
}

func TestCleanModels(t *testing.T) {
	type model struct {
		id, modelType string
		params        int64
		reported      float64
	}
	tests := []struct {
		name      string
		rows      []store.Model
		finetunes []store.Finetune
		want      []model
	}{
		{
			name: "sorted by id",
			rows: []store.Model{{ModelID: "b", ReportedAccuracy: 0.5}, {ModelID: "a", ReportedAccuracy: 0.25}},
			want: []model{{"a", "", 0, 0.25}, {"b", "", 0, 0.5}},
		},
		{
			name: "rows of one model merged, the first row's known values first",
			rows: []store.Model{
				{ModelID: "a", NumParameters: 5, ReportedAccuracy: nan},
				{ModelID: "a", ModelType: "vit", NumParameters: 7, ReportedAccuracy: 0.75},
			},
			want: []model{{"a", "vit", 5, 0.75}},
		},
		{
			name:      "a fine-tuned model without metadata gets a row of its own",
			rows:      []store.Model{{ModelID: "a", ReportedAccuracy: 0.5}},
			finetunes: []store.Finetune{{ModelID: "c", DatasetID: "x"}, {ModelID: "a", DatasetID: "x"}},
			want:      []model{{"a", "", 0, 0.5}, {"c", "", 0, nan}},
		},
		{
			name:      "fine-tunes without a model or dataset id are ignored",
			finetunes: []store.Finetune{{ModelID: "", DatasetID: "x"}, {ModelID: "c", DatasetID: ""}},
			want:      []model{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []model{}
			for _, m := range cleanModels(tt.rows, tt.finetunes) {
				got = append(got, model{m.ModelID, m.ModelType, m.NumParameters, m.ReportedAccuracy})
			}
			if !slices.EqualFunc(got, tt.want, func(a, b model) bool {
				return a.id == b.id && a.modelType == b.modelType && a.params == b.params && sameFloat(a.reported, b.reported)
			}) {
				t.Errorf("cleanModels = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCleanDatasets(t *testing.T) {
	type dataset struct {
		id      string
		classes int64
	}
	tests := []struct {
		name   string
		tables store.Tables
		models []store.Model
		want   []dataset
	}{
		{
			name:   "the datasets table, sorted, the last row of an id winning",
			tables: store.Tables{Datasets: []store.Dataset{{DatasetID: "y", NumClasses: 3}, {DatasetID: "x", NumClasses: 2}, {DatasetID: "y", NumClasses: 4}}},
			want:   []dataset{{"x", 2}, {"y", 4}},
		},
		{
			name: "datasets named by fine-tunes, distances and models get a row with only the id",
			tables: store.Tables{
				Datasets:         []store.Dataset{{DatasetID: "x", NumClasses: 2}},
				Finetunes:        []store.Finetune{{ModelID: "m", DatasetID: "f"}, {ModelID: "m", DatasetID: "x"}},
				DatasetDistances: []store.DatasetDistance{{DatasetA: "da", DatasetB: "db", Distance: 1}},
			},
			models: []store.Model{{ModelID: "m", SourceDatasets: []string{"src"}, PretrainDataset: "pre"}},
			want:   []dataset{{"da", 0}, {"db", 0}, {"f", 0}, {"pre", 0}, {"src", 0}, {"x", 2}},
		},
		{
			name: "empty ids are ignored",
			tables: store.Tables{
				Finetunes:        []store.Finetune{{ModelID: "m", DatasetID: ""}},
				DatasetDistances: []store.DatasetDistance{{DatasetA: "", DatasetB: "db"}},
			},
			models: []store.Model{{ModelID: "m", SourceDatasets: []string{""}}},
			want:   []dataset{{"db", 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []dataset{}
			for _, ds := range cleanDatasets(&tt.tables, tt.models) {
				got = append(got, dataset{ds.DatasetID, ds.NumClasses})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("cleanDatasets = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMeanAccuracy(t *testing.T) {
	ft := func(m, ds string, acc float64, method string) store.Finetune {
		return store.Finetune{ModelID: m, DatasetID: ds, Accuracy: acc, Method: method}
	}
	tests := []struct {
		name      string
		finetunes []store.Finetune
		want      [][]float64 // [dataset x, y][model a, b]
	}{
		{
			name:      "the mean of repeated full runs",
			finetunes: []store.Finetune{ft("a", "x", 0.5, "full"), ft("a", "x", 0.7, "full"), ft("b", "y", 0.25, "full")},
			want:      [][]float64{{0.6, nan}, {nan, 0.25}},
		},
		{
			name:      "other methods are not fine-tuning accuracy",
			finetunes: []store.Finetune{ft("a", "x", 0.5, "full"), ft("a", "x", 0.9, "lora"), ft("b", "x", 0.9, "lora")},
			want:      [][]float64{{0.5, nan}, {nan, nan}},
		},
		{
			name: "NaN and infinite accuracies and unknown ids are ignored",
			finetunes: []store.Finetune{ft("a", "x", nan, "full"), ft("a", "x", math.Inf(1), "full"), ft("a", "x", 0.4, "full"),
				ft("zz", "x", 0.9, "full"), ft("a", "zz", 0.9, "full"), ft("", "", 0.9, "full")},
			want: [][]float64{{0.4, nan}, {nan, nan}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := handData([]string{"a", "b"}, []string{"x", "y"})
			if got := d.meanAccuracy(tt.finetunes); !sameMatrix(got, tt.want) {
				t.Errorf("meanAccuracy = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDropReason(t *testing.T) {
	cfg := CleanConfig{MinDatasetModels: 3, ChanceMargin: 0.1, CollapsedShare: 0.5}
	tests := []struct {
		name    string
		classes int64
		vals    []float64
		cfg     CleanConfig
		want    string
	}{
		{"usable", 10, []float64{0.5, 0.6, 0.7}, cfg, ""},
		{"too few models", 10, []float64{0.5, 0.6}, cfg, "2 fine-tuned models, fewer than 3"},
		{"every accuracy equal", 10, []float64{0.5, 0.5, 0.5}, cfg, "every model has the same accuracy"},
		// 4 classes: chance 0.25, threshold 0.25 + 0.1·0.75 = 0.325.
		{"median no better than chance", 4, []float64{0.2, 0.3, 0.9}, cfg,
			"median accuracy 0.3000 is no better than chance (4 classes): failed runs"},
		{"median just above chance", 4, []float64{0.2, 0.33, 0.9}, cfg, ""},
		{"unknown classes are never at chance", 0, []float64{0.01, 0.02, 0.03}, cfg, ""},
		{"collapsed runs", 10, []float64{0.5, 0.7, 0.7, 0.7}, cfg, "75% of the models share one accuracy value: collapsed runs"},
		{"half sharing one value is not collapsed", 10, []float64{0.5, 0.6, 0.7, 0.7}, cfg, ""},
		{"collapse check off", 10, []float64{0.5, 0.7, 0.7, 0.7}, CleanConfig{MinDatasetModels: 3}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dropReason(store.Dataset{DatasetID: "x", NumClasses: tt.classes}, tt.vals, tt.cfg); got != tt.want {
				t.Errorf("dropReason = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestScreenDatasets(t *testing.T) {
	d := handData([]string{"a", "b", "c"}, []string{"x", "y", "z"})
	d.acc = [][]float64{
		{0.2, 0.6, 0.4},
		{0.5, 0.5, nan},
		{nan, nan, nan},
	}
	norm, history, dropped := d.screenDatasets(CleanConfig{MinDatasetModels: 2})
	wantNorm := [][]float64{
		{0, 1, 0.5},
		{nan, nan, nan}, // equal accuracies have no range to normalise by
		{nan, nan, nan},
	}
	if !sameMatrix(norm, wantNorm) {
		t.Errorf("norm = %v, want %v", norm, wantNorm)
	}
	if want := []bool{true, false, false}; !slices.Equal(history, want) {
		t.Errorf("history = %v, want %v", history, want)
	}
	// A dataset without records is not dropped: it never was history.
	if want := []DroppedDataset{{Dataset: "y", Why: "every model has the same accuracy"}}; !slices.Equal(dropped, want) {
		t.Errorf("dropped = %v, want %v", dropped, want)
	}
}

func TestReadDistances(t *testing.T) {
	dist := func(a, b string, v float64) store.DatasetDistance {
		return store.DatasetDistance{DatasetA: a, DatasetB: b, Distance: v}
	}
	tests := []struct {
		name     string
		rows     []store.DatasetDistance
		dist     [][]float64
		meanDist []float64
		scale    float64
	}{
		{
			name: "symmetric, the last row of a pair winning; self, unknown and non-finite rows ignored",
			rows: []store.DatasetDistance{dist("x", "y", 2), dist("y", "x", 4), dist("y", "z", 6),
				dist("x", "x", 1), dist("x", "z", nan), dist("x", "z", math.Inf(1)), dist("x", "zz", 1)},
			dist:     [][]float64{{0, 4, nan}, {4, 0, 6}, {nan, 6, 0}},
			meanDist: []float64{4, 5, 6},
			scale:    5, // the median of 4 and 6
		},
		{
			name:     "no distances: unit scale",
			dist:     [][]float64{{0, nan, nan}, {nan, 0, nan}, {nan, nan, 0}},
			meanDist: []float64{nan, nan, nan},
			scale:    1,
		},
		{
			name:     "a zero median is no scale",
			rows:     []store.DatasetDistance{dist("x", "y", 0)},
			dist:     [][]float64{{0, 0, nan}, {0, 0, nan}, {nan, nan, 0}},
			meanDist: []float64{0, 0, nan},
			scale:    1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := handData(nil, []string{"x", "y", "z"})
			d.readDistances(tt.rows)
			if !sameMatrix(d.dist, tt.dist) {
				t.Errorf("dist = %v, want %v", d.dist, tt.dist)
			}
			if !sameFloats(d.meanDist, tt.meanDist) {
				t.Errorf("meanDist = %v, want %v", d.meanDist, tt.meanDist)
			}
			if d.distScale != tt.scale {
				t.Errorf("distScale = %v, want %v", d.distScale, tt.scale)
			}
		})
	}
}

func TestMeanScores(t *testing.T) {
	score := func(m, ds, method string, v float64) store.Score {
		return store.Score{ModelID: m, DatasetID: ds, Method: method, Score: v}
	}
	tests := []struct {
		name string
		rows []store.Score
		want map[string][][]float64 // method -> [dataset x, y][model a, b]
	}{
		{
			name: "the mean of duplicates, per method",
			rows: []store.Score{score("a", "x", "logme", 1), score("a", "x", "logme", 2), score("b", "y", "probe", -3)},
			want: map[string][][]float64{
				"logme": {{1.5, nan}, {nan, nan}},
				"probe": {{nan, nan}, {nan, -3}},
			},
		},
		{
			name: "NaN and infinite scores and unknown ids are ignored",
			rows: []store.Score{score("a", "x", "logme", nan), score("a", "x", "logme", math.Inf(-1)),
				score("zz", "x", "logme", 1), score("b", "y", "logme", 2), score("a", "zz", "other", 1)},
			want: map[string][][]float64{"logme": {{nan, nan}, {nan, 2}}},
		},
		{name: "no scores", want: map[string][][]float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := handData([]string{"a", "b"}, []string{"x", "y"})
			got := d.meanScores(tt.rows)
			if len(got) != len(tt.want) {
				t.Fatalf("meanScores has methods %v, want %v", sortedKeys(got), sortedKeys(tt.want))
			}
			for method, want := range tt.want {
				if !sameMatrix(got[method], want) {
					t.Errorf("meanScores[%s] = %v, want %v", method, got[method], want)
				}
			}
		})
	}
}

// TestCleanSteps checks that Clean puts its steps together: the indexes
// match the sorted rows, and the drop reasons name their dataset.
func TestCleanSteps(t *testing.T) {
	tables := &store.Tables{
		Models: []store.Model{{ModelID: "b", ReportedAccuracy: nan}, {ModelID: "a", ReportedAccuracy: nan}},
		Finetunes: []store.Finetune{
			{ModelID: "a", DatasetID: "x", Accuracy: 0.2, Method: "full"},
			{ModelID: "b", DatasetID: "x", Accuracy: 0.6, Method: "full"},
			{ModelID: "a", DatasetID: "y", Accuracy: 0.5, Method: "full"},
		},
		DatasetDistances: []store.DatasetDistance{{DatasetA: "x", DatasetB: "y", Distance: 3}},
	}
	d, err := Clean(tables, CleanConfig{MinDatasetModels: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range d.Models {
		if j, _ := d.ModelIndex(m.ModelID); j != i {
			t.Errorf("ModelIndex(%s) = %d, want %d", m.ModelID, j, i)
		}
	}
	if got, want := d.acc, [][]float64{{0.2, 0.6}, {0.5, nan}}; !sameMatrix(got, want) {
		t.Errorf("acc = %v, want %v", got, want)
	}
	if want := []DroppedDataset{{Dataset: "y", Why: "1 fine-tuned models, fewer than 2"}}; !slices.Equal(d.Dropped, want) {
		t.Errorf("Dropped = %v, want %v", d.Dropped, want)
	}
	if d.distScale != 3 || !d.hasDistances {
		t.Errorf("distScale = %v, hasDistances = %v; want 3, true", d.distScale, d.hasDistances)
	}
	if _, err := Clean(&store.Tables{}, CleanConfig{}); err == nil {
		t.Error("Clean of a zoo without fine-tunes: no error")
	}
}
