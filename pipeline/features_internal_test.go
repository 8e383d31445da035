package pipeline

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/zoograph/zoograph/store"
)

// Table tests of the feature families of Features, one per family, on
// small hand-built Data with the expected values written out.

// familyCase is one row of a family: the pair and the values expected.
type familyCase struct {
	name   string
	mi, di int
	want   []float64
}

// checkFamily checks a family's names, then fills each case's row.
func checkFamily(t *testing.T, f featureFamily, names []string, cases []familyCase) {
	t.Helper()
	if !slices.Equal(f.names, names) {
		t.Fatalf("names = %q, want %q", f.names, names)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := make([]float64, len(f.names))
			f.fill(dst, c.mi, c.di)
			if !sameFloats(dst, c.want) {
				t.Errorf("row (model %d, dataset %d) = %v, want %v", c.mi, c.di, dst, c.want)
			}
		})
	}
}

// nanMatrix returns a rows×cols matrix of NaN.
func nanMatrix(rows, cols int) [][]float64 { return newMatrix(rows, cols, nan) }

func TestMetadataFamily(t *testing.T) {
	d := handData([]string{"m0", "m1"}, []string{"x", "pre", "far"})
	d.Models[0] = store.Model{ModelID: "m0", NumParameters: 1000, InputSize: 224, NumLabels: 10, ReportedAccuracy: 0.8,
		ModelType: "vit", Architectures: []string{"A", "B"}, PretrainDataset: "pre", Downloads: 9, Likes: 0}
	d.Models[1] = store.Model{ModelID: "m1", ModelType: "bert", ReportedAccuracy: nan, Likes: 99}
	d.Datasets[0] = store.Dataset{DatasetID: "x", NumExamples: 1000, NumClasses: 10}
	d.modelType = map[string]float64{"bert": 0, "vit": 1}
	d.architecture = map[string]float64{"A,B": 0}
	d.pretrain = map[string]float64{"pre": 0}
	d.dist = [][]float64{
		{0, 2, 4},
		{2, 0, nan},
		{4, nan, 0},
	}
	names := []string{"model_log_parameters", "model_input_size", "model_output_size", "model_log_labels",
		"model_reported_accuracy", "model_type", "model_architecture", "model_pretrain_dataset",
		"model_log_downloads", "model_log_likes", "dataset_log_examples", "dataset_log_classes", "source_distance"}
	checkFamily(t, metadataFamily(d, 2), names, []familyCase{
		{"known metadata; source distance over the row's largest", 0, 0,
			[]float64{math.Log(1000), 224, nan, math.Log(10), 0.8, 1, 0, 0, math.Log(10), 0,
				math.Log(1000), math.Log(10), 0.5}},
		{"unknown metadata is NaN, counts are log1p", 1, 0,
			[]float64{nan, nan, nan, nan, nan, 0, nan, nan, 0, math.Log(100), math.Log(1000), math.Log(10), nan}},
		{"the pretraining dataset itself is at distance 0", 0, 1,
			[]float64{math.Log(1000), 224, nan, math.Log(10), 0.8, 1, 0, 0, math.Log(10), 0, nan, nan, 0}},
	})
}

func TestHistoryFamily(t *testing.T) {
	// Datasets: target T, history a, b, c, and n without usable history.
	d := handData([]string{"m0", "m1"}, []string{"T", "a", "b", "c", "n"})
	d.hasHistory = []bool{true, true, true, true, false}
	d.norm = [][]float64{
		{0.9, nan}, // T: held out, never used
		{0.5, 0.3}, // a: the label of a's rows, never its own feature
		{0.2, nan},
		{0.8, nan},
		{0.1, nan}, // n: not history
	}
	// Distances from a: b at 1, c at 2, every mean distance 1, so the
	// hubness-corrected distances are 0 and 1, standardised 0 and 2: b
	// weighs 1 and c exp(−2/k) in the kernel of width k.
	d.dist = nanMatrix(5, 5)
	for i := range 5 {
		d.dist[i][i] = 0
	}
	d.dist[1][2], d.dist[2][1] = 1, 1
	d.dist[1][3], d.dist[3][1] = 2, 2
	d.meanDist = []float64{1, 1, 1, 1, 1}
	kernel := func(k float64) float64 { w := math.Exp(-2 / k); return (0.2 + w*0.8) / (1 + w) }
	names := []string{"hist_mean", "hist_sd", "hist_max", "hist_min", "hist_count", "hist_nearest",
		"hist_sim_0.25", "hist_sim_0.5", "hist_sim_1", "hist_sim_2"}
	checkFamily(t, historyFamily(d, 0), names, []familyCase{
		{"a's row: b and c, b nearest", 0, 1,
			[]float64{0.5, 0.3, 0.8, 0.2, 2, 0.2, kernel(0.25), kernel(0.5), kernel(1), kernel(2)}},
		{"the target's row: a, b and c, no distances known", 0, 0,
			[]float64{0.5, math.Sqrt(0.06), 0.8, 0.2, 3, nan, nan, nan, nan, nan}},
		{"no history but the row's own", 1, 1,
			[]float64{nan, nan, nan, nan, 0, nan, nan, nan, nan, nan}},
	})
}

func TestScoreSimilarityFamily(t *testing.T) {
	d := handData([]string{"m0", "m1", "m2", "m3", "m4"}, []string{"T", "a", "b", "c"})
	d.hasHistory = []bool{true, true, true, true}
	d.norm = [][]float64{
		{1, 1, 1, 1, 1},
		{nan, nan, nan, nan, nan},
		{0, 0.25, 0.5, 0.75, 1}, // agrees with a's scores: r = 1, weight 1
		{1, 0.75, 0.5, 0.25, 0}, // disagrees: r = −1, weight 0
	}
	logme := nanMatrix(4, 5)
	logme[1] = []float64{1, 2, 3, 4, 5}
	d.scores = map[string][][]float64{"logme": logme, "probe": nanMatrix(4, 5)}
	checkFamily(t, scoreSimilarityFamily(d, 0), []string{"hist_logme_sim"}, []familyCase{
		{"a's row: b's accuracy alone", 1, 1, []float64{0.25}},
		{"a's row, another model", 3, 1, []float64{0.75}},
		{"no scores on the row's dataset", 1, 0, []float64{nan}},
	})
	d.scores["reg_h_score"] = logme
	if f := scoreSimilarityFamily(d, 0); !slices.Equal(f.names, []string{"hist_logme_sim", "hist_reg_h_score_sim"}) {
		t.Errorf("with both scores: names = %q", f.names)
	}
}

func TestTransferFamily(t *testing.T) {
	d := handData([]string{"m0", "m1", "m2"}, []string{"x"})
	d.scores = map[string][][]float64{
		"logme":       {{1, 2, 3}},
		"reg_h_score": {{nan, 5, 7}},
		"probe":       {{9, 9, 9}}, // not a transferability score: no column
	}
	z := 1 / math.Sqrt(2.0/3) // 1 over the population sd of 1, 2, 3
	checkFamily(t, transferFamily(d), []string{"transfer_logme", "transfer_reg_h_score"}, []familyCase{
		{"below the mean", 0, 0, []float64{-z, nan}},
		{"at the mean", 1, 0, []float64{0, -1}},
		{"above the mean", 2, 0, []float64{z, 1}},
	})
	delete(d.scores, "logme")
	delete(d.scores, "reg_h_score")
	if f := transferFamily(d); len(f.names) != 0 {
		t.Errorf("without scores: names = %q, want none", f.names)
	}
}

func TestAgreementFamily(t *testing.T) {
	d := handData([]string{"m0", "m1"}, []string{"T", "a", "b", "c"})
	d.hasHistory = []bool{true, true, true, true}
	d.z = [][]float64{
		{5, 5}, // the target: never used
		{9, 9}, // the row's dataset: never used
		{1, nan},
		{3, -1},
	}
	d.agree = nanMatrix(4, 4)
	d.agree[1][3], d.agree[3][1] = 0.4, 0.4
	d.sources = [][]int{{1}, {3}}
	d.probe = []float64{0.7, nan}
	d.base = []float64{0, nan}
	ta := &targetAgreement{d: d, t: 0, rows: []*agreementRow{
		nil, {w: []float64{0, 0, 0.25, 0.75}, sim: []float64{nan, nan, 0.5, 0.866}}, nil, nil,
	}}
	names := []string{"hist_z_mean", "hist_agree", "source_similarity", "transfer_probe", "model_base"}
	checkFamily(t, agreementFamily(d, 0, &TargetGraph{agree: ta}), names, []familyCase{
		// (0.25·1 + 0.75·3) / (0.25 + 0.75); trained on a itself: similarity 1.
		{"trained on the row's dataset", 0, 1, []float64{2, 2.5, 1, 0.7, 0}},
		// Trained on c: a and c's agreement.
		{"trained on another history dataset", 1, 1, []float64{-1, -1, 0.4, nan, nan}},
	})
}

// fixedEmbedding is an Embedding with given vectors; scoringEmbedding adds
// the pair score u·100 + v of a GNN learner's decoder.
type fixedEmbedding map[int32][]float32

func (e fixedEmbedding) Vector(node int32) []float32 { return e[node] }

type scoringEmbedding struct{ fixedEmbedding }

func (scoringEmbedding) Score(u, v int32) float64 { return float64(u)*100 + float64(v) }

func TestAffinityFamily(t *testing.T) {
	// Model 0 is node 0, dataset 0 node 1.
	tg := &TargetGraph{Model: []int32{0}, Dataset: []int32{1}}
	emb := fixedEmbedding{0: {3, 4}, 1: {4, 3}}
	cos := 24 / math.Sqrt(25*25+1e-12)
	checkFamily(t, affinityFamily(tg, emb), []string{"emb_dot", "emb_cosine"}, []familyCase{
		{"dot and cosine", 0, 0, []float64{24, cos}},
	})
	checkFamily(t, affinityFamily(tg, scoringEmbedding{emb}), []string{"emb_dot", "emb_cosine", "emb_score"}, []familyCase{
		{"and the learner's pair score", 0, 0, []float64{24, cos, 1}},
	})
	// Cross-fitted: dataset 0 is the target (node 1), datasets 1 and 2
	// (nodes 2, 3) are in folds 0 and 1.
	tg = &TargetGraph{Model: []int32{0}, Dataset: []int32{1, 2, 3}}
	a := fixedEmbedding{0: {1, 0}, 1: {2, 0}, 2: {3, 0}, 3: {4, 0}}
	b := fixedEmbedding{0: {0, 1}, 1: {0, 4}, 2: {0, 5}, 3: {0, 6}}
	cf := &crossFitted{folds: []Embedding{a, b}, group: []int{-1, 0, 1}}
	checkFamily(t, affinityFamily(tg, cf), []string{"emb_dot", "emb_cosine"}, []familyCase{
		{"a training row reads its dataset's fold", 0, 1, []float64{3, 1}},
		{"the other fold", 0, 2, []float64{6, 1}},
		{"a test row averages the folds", 0, 0, []float64{3, 1}},
	})
}

func TestEmbeddingFamily(t *testing.T) {
	tg := &TargetGraph{Model: []int32{0, 1}, Dataset: []int32{2}}
	emb := fixedEmbedding{0: {1, 2}, 1: {3, 4}, 2: {5, 6}}
	checkFamily(t, embeddingFamily(tg, emb), []string{"m_f0", "m_f1", "d_f0", "d_f1"}, []familyCase{
		{"the model's vector, then the dataset's", 1, 0, []float64{3, 4, 5, 6}},
	})
}

// TestFeatureFamiliesOrder checks which families a spec selects, and their
// column order.
func TestFeatureFamiliesOrder(t *testing.T) {
	d := handData([]string{"m0"}, []string{"T", "a"})
	d.hasHistory = []bool{true, true}
	d.norm, d.dist, d.meanDist = nanMatrix(2, 1), nanMatrix(2, 2), []float64{nan, nan}
	d.scores = map[string][][]float64{"logme": nanMatrix(2, 1)}
	tg := &TargetGraph{Model: []int32{0}, Dataset: []int32{1, 2}, agree: &targetAgreement{}}
	emb := fixedEmbedding{0: {1}, 1: {1}, 2: {1}}
	first := func(spec featureSpec) []string {
		var out []string
		for _, f := range featureFamilies(d, 0, tg, emb, spec) {
			out = append(out, f.names[0])
		}
		return out
	}
	tests := []struct {
		name string
		spec featureSpec
		want []string // each family's first column
	}{
		{"metadata", featureSpec{metadata: true}, []string{"model_log_parameters"}},
		{"paper", featureSpec{metadata: true, embeddings: true}, []string{"model_log_parameters", "m_f0"}},
		{"zoograph", featureSpec{metadata: true, history: true, transfer: true, affinity: true},
			[]string{"model_log_parameters", "hist_mean", "hist_logme_sim", "transfer_logme", "emb_dot"}},
		{"zoograph without distances", featureSpec{metadata: true, history: true, transfer: true, affinity: true, agreement: true},
			[]string{"model_log_parameters", "hist_mean", "hist_logme_sim", "transfer_logme", "hist_z_mean", "emb_dot"}},
		{"transfer without history", featureSpec{transfer: true}, []string{"transfer_logme"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := first(tt.spec); !slices.Equal(got, tt.want) {
				t.Errorf("families = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFeatureRowsProbeTooLarge: a warm run whose probe reveals every model
// of the history datasets has no training rows, and the error says the
// probe is why.
func TestFeatureRowsProbeTooLarge(t *testing.T) {
	d := handData([]string{"m0", "m1", "m2"}, []string{"T", "a", "b"})
	d.hasHistory = []bool{true, true, true}
	d.acc = [][]float64{{0.5, 0.6, 0.7}, {0.4, 0.5, 0.6}, {0.3, 0.5, 0.9}}
	d.norm = d.acc
	for _, tt := range []struct {
		name  string
		probe int
		want  string
	}{
		{"cold", 0, ""},
		{"probe 1", 1, ""},
		{"probe 3", 3, "features for T: no training rows (no other dataset has usable history, or probe = 3 reveals every model recorded there)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := featureRows(d, 0, &TargetGraph{Probe: tt.probe, Seed: 1}, 0, nil)
			if got := fmt.Sprint(err); tt.want == "" && err != nil || tt.want != "" && got != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestProbeHidesHistory: the history datasets with no more models than the
// probe are named, with the largest probe that keeps them all; datasets
// without history are not.
func TestProbeHidesHistory(t *testing.T) {
	d := handData([]string{"m0", "m1", "m2", "m3"}, []string{"T", "a", "b", "c"})
	d.hasHistory = []bool{true, true, true, false}
	d.acc = [][]float64{
		{0.5, 0.6, 0.7, 0.8}, // T: 4 models
		{0.4, nan, 0.6, nan}, // a: 2
		{0.3, 0.5, 0.9, nan}, // b: 3
		{0.1, nan, nan, nan}, // c: 1, no history
	}
	for _, tt := range []struct {
		name   string
		probe  int
		hidden []string
		keep   int
	}{
		{"cold", 0, nil, 0},
		{"probe below every dataset", 1, nil, 1},
		{"probe hides one", 2, []string{"a (2 models)"}, 1},
		{"probe hides two", 3, []string{"a (2 models)", "b (3 models)"}, 1},
		{"probe hides all", 4, []string{"T (4 models)", "a (2 models)", "b (3 models)"}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hidden, keep := probeHidesHistory(d, tt.probe)
			if !slices.Equal(hidden, tt.hidden) || keep != tt.keep {
				t.Errorf("probe %d: got %q, keep %d; want %q, keep %d", tt.probe, hidden, keep, tt.hidden, tt.keep)
			}
		})
	}
}
