package transfergraph

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/zoograph/zoograph/store"
	"github.com/zoograph/zoograph/store/storetest"
)

func imageDir(t testing.TB) string {
	return storetest.Shared(t, "transfergraph/image_classification")
}

const textFixture = "testdata/sequence_classification"

// equateNaN compares tables whose null floats are NaN.
var equateNaN = cmpopts.EquateNaNs()

func TestImportImage(t *testing.T) {
	tables, rep, err := Import(context.Background(), imageDir(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Task != TaskImage || rep.Source != "transfergraph/image_classification" {
		t.Errorf("task, source = %q, %q; want image, transfergraph/image_classification", rep.Task, rep.Source)
	}
	wantCounts := map[string]int{
		"models":                185,
		"datasets":              69, // the 69 matrix names already include the 12 feature rows and food101
		"finetunes":             2254,
		"finetunes_lora":        0,
		"finetunes_repeated":    0,
		"scores":                2466,
		"dataset_distances":     69 * 68,
		"reference_results":     2601, // 20 tables, 14 or 15 methods × (8 datasets + average)
		"models_without_config": 0,
	}
	for k, want := range wantCounts {
		if got := rep.Counts[k]; got != want {
			t.Errorf("Counts[%q] = %d, want %d", k, got, want)
		}
	}
	checkLengths(t, tables, wantCounts)
	if len(rep.ResultTables) != 20 {
		t.Errorf("found %d result tables, want 20", len(rep.ResultTables))
	}

	// The two truncated lines of the score file; line numbers count the
	// header as line 1, as `sed -n 1052p` does.
	wantProblems := []Problem{
		{File: fileScores, Line: 1052, Kind: KindShortLine},
		{File: fileScores, Line: 2309, Kind: KindShortLine},
	}
	if diff := cmp.Diff(wantProblems, rep.Problems, cmpopts.IgnoreFields(Problem{}, "Reason")); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}

	wantModel := store.Model{
		ModelID:          "Aftabhussain/Tomato_Leaf_Classifier",
		Author:           "Aftabhussain",
		Architectures:    []string{"ViTForImageClassification"},
		ModelType:        "vit",
		NumParameters:    85800194,
		InputSize:        224,
		OutputSize:       768,
		NumLabels:        2,
		SourceDatasets:   []string{"['Bacterial_spot', 'Healthy']"},
		PretrainDataset:  "hfpics",
		ReportedAccuracy: 1,
		Source:           "transfergraph/image_classification",
	}
	if diff := cmp.Diff(wantModel, tables.Models[0], equateNaN); diff != "" {
		t.Errorf("first model (-want +got):\n%s", diff)
	}
	beans := findModel(tables.Models, "michaelbenayoun/vit-base-beans")
	if beans == nil || beans.ModelType != "" || beans.NumParameters != 0 || beans.SourceDatasets[0] != "cifar10" {
		t.Errorf("michaelbenayoun/vit-base-beans = %+v; want no model_type, no parameter count, trained on cifar10", beans)
	}
	wantFinetune := store.Finetune{
		ModelID: "firebolt/llama_or_what2", DatasetID: "cifar100", Accuracy: 0.9138000011444092,
		Method: MethodFull, Epochs: 30, BatchSize: 64, LearningRate: 0.01, TrainSeconds: 8569.779,
		Source: "transfergraph/image_classification",
	}
	if diff := cmp.Diff(wantFinetune, tables.Finetunes[0], equateNaN); diff != "" {
		t.Errorf("first finetune (-want +got):\n%s", diff)
	}
	wantScore := store.Score{
		ModelID: "Aftabhussain/Tomato_Leaf_Classifier", DatasetID: "pets", Method: "logme",
		Score: 0.8949567588976511, RuntimeSeconds: 20.116324424743652, Source: "transfergraph/image_classification",
	}
	if diff := cmp.Diff(wantScore, tables.Scores[0]); diff != "" {
		t.Errorf("first score (-want +got):\n%s", diff)
	}
	// Every score and distance carries the source, so a re-import replaces them.
	for _, d := range tables.DatasetDistances {
		if d.Source != wantScore.Source {
			t.Fatalf("distance %+v: want source %q", d, wantScore.Source)
		}
	}
	for _, sc := range tables.Scores {
		if sc.Source != wantScore.Source {
			t.Fatalf("score %+v: want source %q", sc, wantScore.Source)
		}
	}
	byMethod := map[string]int{}
	dtd := 0
	for _, s := range tables.Scores {
		byMethod[s.Method]++
		if s.DatasetID == "dtd" {
			dtd++
		}
	}
	if byMethod["logme"] != 1233 || byMethod["reg_h_score"] != 1233 || dtd != 418 {
		t.Errorf("scores per method %v, dtd %d; want 1233 each and 418 on dtd (duplicates kept)", byMethod, dtd)
	}
	checkDistances(t, tables.DatasetDistances, 69, "domain_similarity:google/vit-base-patch16-224")

	wantFirstDataset := store.Dataset{DatasetID: "caltech101", NumExamples: 3060, NumClasses: 101, Source: "transfergraph/image_classification"}
	if diff := cmp.Diff(wantFirstDataset, tables.Datasets[0]); diff != "" {
		t.Errorf("first dataset (-want +got):\n%s", diff)
	}
	ids := map[string]bool{}
	for _, d := range tables.Datasets {
		ids[d.DatasetID] = true
	}
	for _, id := range []string{"food101", "imagenet", "['Bacterial_spot', 'Healthy']", "smallnorb_label_azimuth"} {
		if !ids[id] {
			t.Errorf("dataset %q missing", id)
		}
	}

	ref := findResult(tables.ReferenceResults, "xgb_homoGATConv_all_normalize_without_transfer", "top@1", "_weighted_mean")
	if ref == nil || ref.Value != 0.879525205834014 || ref.Source != "transfergraph/image_classification" {
		t.Errorf("top@1 weighted mean of xgb_homoGATConv = %+v, want 0.879525205834014", ref)
	}
	if r := findResult(tables.ReferenceResults, "LogME", "weighted_kendall", "dtd"); r == nil {
		t.Error("w-kendall table not imported as weighted_kendall")
	}
}

func TestImportImageStrict(t *testing.T) {
	_, _, err := Import(context.Background(), imageDir(t), Options{Strict: true})
	var p Problem
	if !errors.As(err, &p) {
		t.Fatalf("strict import: err = %v, want a Problem", err)
	}
	if p.File != fileScores || p.Line != 1052 || p.Kind != KindShortLine {
		t.Errorf("strict import failed on %+v, want %s:1052 short line", p, fileScores)
	}
}

func TestImportText(t *testing.T) {
	for _, task := range []string{"", "text", "sequence_classification"} {
		t.Run("task="+task, func(t *testing.T) {
			tables, rep, err := Import(context.Background(), textFixture, Options{Task: task})
			if err != nil {
				t.Fatal(err)
			}
			checkTextFixture(t, tables, rep)
		})
	}
}

// checkTextFixture checks the import of testdata/sequence_classification.
func checkTextFixture(t *testing.T, tables *store.Tables, rep *Report) {
	t.Helper()
	const src = "transfergraph/sequence_classification"
	if rep.Task != TaskText || rep.Source != src {
		t.Errorf("task, source = %q, %q; want text, %s", rep.Task, rep.Source, src)
	}
	wantCounts := map[string]int{
		"models":                6,
		"datasets":              7, // 5 feature rows (incl. the misspelt glut/qqp) + glue/qqp, dair-ai/emotion from the matrix
		"finetunes":             20,
		"finetunes_lora":        6, // 5 lora + 1 lor
		"finetunes_repeated":    4,
		"scores":                17,
		"dataset_distances":     30, // 6 × 5; the legacy gpt2 matrix is ignored
		"reference_results":     18, // 2 tables × 3 methods × (2 datasets + average)
		"models_without_config": 0,
	}
	if diff := cmp.Diff(wantCounts, rep.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	checkLengths(t, tables, wantCounts)
	var lines []int
	for _, p := range rep.Problems {
		if p.File != fileRecords || p.Kind != KindFragment {
			t.Errorf("problem %+v, want a fragment of %s", p, fileRecords)
		}
		lines = append(lines, p.Line)
	}
	if diff := cmp.Diff([]int{17, 20, 22, 25}, lines); diff != "" {
		t.Errorf("fragment lines (-want +got):\n%s", diff)
	}

	type run struct {
		model, dataset, method string
		run                    int64
	}
	var got []run
	for _, f := range tables.Finetunes {
		got = append(got, run{f.ModelID, f.DatasetID, f.Method, f.Run})
	}
	const (
		a = "Jeevesh8/init_bert_ft_qqp-33"
		b = "ali2066/finetuned_sentence_itr1_2e-05_all_26_02_2022-04_03_26"
		c = "vaariis/distilbert-base-uncased-finetuned-emotion"
		d = "philschmid/tiny-distilbert-classification"
		e = "cambridgeltl/guardian_news_distilbert-base-uncased"
		f = "bert-base-uncased"
	)
	want := []run{
		{a, "tweet_eval/irony", "full", 0}, {b, "tweet_eval/irony", "full", 0}, {c, "tweet_eval/irony", "full", 0},
		{d, "tweet_eval/irony", "full", 0}, {e, "tweet_eval/irony", "full", 0}, {f, "tweet_eval/irony", "full", 0},
		{a, "glue/sst2", "full", 0}, {b, "glue/sst2", "full", 0}, {c, "glue/sst2", "full", 0}, {b, "glue/sst2", "full", 1},
		{a, "tweet_eval/offensive", "full", 0}, {a, "tweet_eval/offensive", "full", 1}, {a, "tweet_eval/offensive", "full", 2},
		{a, "tweet_eval/offensive", "lora", 0}, {c, "tweet_eval/offensive", "lora", 0}, {d, "tweet_eval/offensive", "lora", 0},
		{e, "ag_news", "lora", 0}, {f, "ag_news", "full", 0}, {b, "ag_news", "lora", 0}, {b, "ag_news", "lora", 1},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(run{})); diff != "" {
		t.Errorf("finetunes (-want +got):\n%s", diff)
	}
	missing := tables.Finetunes[4]
	if !math.IsNaN(missing.Accuracy) || missing.LearningRate != 0.0005 || missing.Epochs != 8 || missing.TrainSeconds != 505.1 {
		t.Errorf("run without eval_accuracy = %+v; want accuracy NaN, lr 5e-4, 8 epochs, 505.1 s", missing)
	}
	wantLoRA := store.Finetune{
		ModelID: e, DatasetID: "ag_news", Accuracy: 0.8842105263157894, Method: "lora", Epochs: 4,
		BatchSize: 24, LearningRate: 0.0004, TrainSeconds: 3000, Seed: 42, Source: src,
	}
	if diff := cmp.Diff(wantLoRA, tables.Finetunes[16]); diff != "" {
		t.Errorf("LoRA run (-want +got):\n%s", diff)
	}

	wantModels := []store.Model{
		{ModelID: a, Author: "Jeevesh8", Architectures: []string{"BertForSequenceClassification"}, ModelType: "bert",
			NumParameters: 109483778, NumLabels: 2, SourceDatasets: []string{"glue/qqp"}, ReportedAccuracy: math.NaN(), Source: src},
		{ModelID: d, Author: "philschmid", Architectures: []string{"DistilBertForSequenceClassification"}, ModelType: "distilbert",
			NumParameters: 62172, NumLabels: 2, SourceDatasets: []string{"glue/sst2"}, ReportedAccuracy: math.NaN(), Source: src},
		{ModelID: e, Author: "cambridgeltl", Architectures: []string{"DistilBertForSequenceClassification"}, ModelType: "distilbert",
			NumParameters: 66957317, NumLabels: 5, ReportedAccuracy: math.NaN(), Source: src},
		{ModelID: f, Architectures: []string{"BertForMaskedLM"}, ModelType: "bert",
			NumParameters: 109482240, NumLabels: 2, ReportedAccuracy: math.NaN(), Source: src},
	}
	gotModels := []store.Model{tables.Models[0], tables.Models[3], tables.Models[4], tables.Models[5]}
	if diff := cmp.Diff(wantModels, gotModels, equateNaN); diff != "" {
		t.Errorf("models (-want +got):\n%s", diff)
	}
	if m := tables.Models[1]; m.ReportedAccuracy != 0.8299 || m.SourceDatasets[0] != "glue/sst2" {
		t.Errorf("model 1 = %+v, want accuracy 0.8299 trained on glue/sst2", m)
	}

	var ids []string
	for _, d := range tables.Datasets {
		ids = append(ids, d.DatasetID)
	}
	wantIDs := []string{"tweet_eval/irony", "glue/sst2", "tweet_eval/offensive", "ag_news", "glut/qqp", "glue/qqp", "dair-ai/emotion"}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("datasets (-want +got):\n%s", diff)
	}
	checkDistances(t, tables.DatasetDistances, 6, "domain_similarity:EleutherAI/gpt-neo-125m")

	methods := map[string]int{}
	for _, s := range tables.Scores {
		methods[s.Method]++
	}
	if methods["logme"] != 9 || methods["reg_h_score"] != 8 {
		t.Errorf("scores per method = %v, want logme 9 (one duplicate kept), reg_h_score 8", methods)
	}
	metrics := map[string]int{}
	for _, r := range tables.ReferenceResults {
		metrics[r.Metric]++
		if r.Source != src {
			t.Errorf("reference result %+v: source %q", r, r.Source)
		}
	}
	if diff := cmp.Diff(map[string]int{"pearson": 9, "weighted_kendall": 9}, metrics); diff != "" {
		t.Errorf("reference results per metric (-want +got):\n%s", diff)
	}
	if findResult(tables.ReferenceResults, "LogME", "pearson", "_weighted_mean") == nil ||
		findResult(tables.ReferenceResults, "LogME", "pearson", "glue/sst2") == nil {
		t.Error("reference results lack LogME pearson on glue/sst2 or its weighted mean")
	}
}

func TestImportTextStrict(t *testing.T) {
	_, _, err := Import(context.Background(), textFixture, Options{Strict: true})
	var p Problem
	if !errors.As(err, &p) || p.File != fileRecords || p.Line != 17 || p.Kind != KindFragment {
		t.Fatalf("strict import: err = %v, want the fragment at %s:17", err, fileRecords)
	}
}

// checkDistances checks that ds holds every ordered pair of n names but the
// diagonal, each value equal to its mirror.
func checkDistances(t *testing.T, ds []store.DatasetDistance, n int, method string) {
	t.Helper()
	if len(ds) != n*(n-1) {
		t.Errorf("%d distances, want %d", len(ds), n*(n-1))
	}
	type pair struct{ a, b string }
	m := make(map[pair]float64, len(ds))
	for _, d := range ds {
		if d.DatasetA == d.DatasetB {
			t.Errorf("diagonal pair %+v", d)
		}
		if d.Method != method {
			t.Errorf("distance method %q, want %q", d.Method, method)
		}
		m[pair{d.DatasetA, d.DatasetB}] = d.Distance
	}
	if len(m) != len(ds) {
		t.Errorf("%d distinct pairs among %d rows", len(m), len(ds))
	}
	for p, v := range m {
		if w, ok := m[pair{p.b, p.a}]; !ok || w != v {
			t.Errorf("distance %v = %v, mirror = %v (present %v)", p, v, w, ok)
			return
		}
	}
}

func TestImportErrors(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, textFixture, dir)
	tests := []struct {
		name   string
		src    string
		opt    Options
		change func(t *testing.T, dir string)
		want   string // substring of the error
	}{
		{name: "missing directory", src: filepath.Join(dir, "nope"), want: "nope"},
		{name: "not a directory", src: filepath.Join(dir, fileRecords), want: "not a directory"},
		{name: "bad task", src: dir, opt: Options{Task: "audio"}, want: `unknown task "audio"`},
		{name: "wrong task", src: dir, opt: Options{Task: "image"}, want: `records.csv:1: header has no column "epochs"`},
		// The task given is the other layout's: the error says which the header is.
		{name: "wrong task named", src: dir, opt: Options{Task: "image"},
			want: "the header is the transfergraph/sequence_classification layout's; give --task text, or no --task to tell it from the header"},
		{name: "unsupported scheme", src: "ftp://example.com/x", want: "unsupported scheme"},
		// The directory above an experiment's: the error names it.
		{name: "the directory above", src: filepath.Dir(dir),
			want: "no records.csv in it: give an experiment directory, such as " + dir},
		{
			name:   "missing core file",
			src:    dir,
			change: func(t *testing.T, dir string) { remove(t, filepath.Join(dir, fileScores)) },
			want:   fileScores,
		},
		{
			name:   "missing distance file",
			src:    dir,
			change: func(t *testing.T, dir string) { remove(t, filepath.Join(dir, layouts[TaskText].distances)) },
			want:   layouts[TaskText].distances,
		},
		{
			name: "wrong header",
			src:  dir,
			change: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, fileConfig), "model,architecture\nx/y,Foo\n")
			},
			want: `model_config_dataset.csv:1: header has no column "architectures"`,
		},
		{
			name:   "empty file",
			src:    dir,
			change: func(t *testing.T, dir string) { write(t, filepath.Join(dir, fileFeatures), "") },
			want:   "target_dataset_features.csv: empty file",
		},
		{
			name:   "empty records",
			src:    dir,
			change: func(t *testing.T, dir string) { write(t, filepath.Join(dir, fileRecords), "") },
			want:   "records.csv: empty file",
		},
		{
			name: "header-only records",
			src:  dir,
			change: func(t *testing.T, dir string) {
				b, err := os.ReadFile(filepath.Join(dir, fileRecords))
				if err != nil {
					t.Fatal(err)
				}
				header, _, _ := strings.Cut(string(b), "\n")
				write(t, filepath.Join(dir, fileRecords), header+"\n")
			},
			want: "records.csv: no fine-tuning records: nothing to import",
		},
		{
			name:   "unknown layout",
			src:    dir,
			change: func(t *testing.T, dir string) { write(t, filepath.Join(dir, fileRecords), "a,b\n1,2\n") },
			want:   "cannot tell the layout",
		},
		{
			name: "impossible accuracy",
			src:  dir,
			change: func(t *testing.T, dir string) {
				b, err := os.ReadFile(filepath.Join(dir, fileRecords))
				if err != nil {
					t.Fatal(err)
				}
				write(t, filepath.Join(dir, fileRecords), strings.Replace(string(b), ",0.6764397905759162,", ",1.7,", 1))
			},
			want: `records.csv:2:15: bad value: column "eval_accuracy" is 1.7: store: not an accuracy`,
		},
		{
			name: "distance header",
			src:  dir,
			change: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, layouts[TaskText].distances), "x,a,b\na,0,1\nb,1,0\n")
			},
			want: "want a header of an empty cell then dataset names",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.change != nil {
				d := t.TempDir()
				copyDir(t, textFixture, d)
				tt.change(t, d)
				tt.src = d
			}
			_, _, err := Import(context.Background(), tt.src, tt.opt)
			if err == nil {
				t.Fatalf("Import succeeded, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestImportCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := Import(ctx, textFixture, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// checkLengths checks the row count of every table against counts.
func checkLengths(t *testing.T, tables *store.Tables, counts map[string]int) {
	t.Helper()
	for _, tt := range []struct {
		table string
		got   int
	}{
		{"models", len(tables.Models)},
		{"datasets", len(tables.Datasets)},
		{"finetunes", len(tables.Finetunes)},
		{"scores", len(tables.Scores)},
		{"dataset_distances", len(tables.DatasetDistances)},
		{"reference_results", len(tables.ReferenceResults)},
	} {
		if want := counts[tt.table]; tt.got != want {
			t.Errorf("%s: %d rows, want %d", tt.table, tt.got, want)
		}
	}
}

func findModel(ms []store.Model, id string) *store.Model {
	for i := range ms {
		if ms[i].ModelID == id {
			return &ms[i]
		}
	}
	return nil
}

func findResult(rs []store.ReferenceResult, method, metric, target string) *store.ReferenceResult {
	for i := range rs {
		if rs[i].Method == method && rs[i].Metric == metric && rs[i].Target == target {
			return &rs[i]
		}
	}
	return nil
}

// copyDir copies the files of src (one level of subdirectories) into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, p string) {
	t.Helper()
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkImportImage(b *testing.B) {
	dir := imageDir(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Import(context.Background(), dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestImportResultTargetsFlat checks that a result table naming its targets
// as the rank directories do (glue_sst2) gives results on the dataset ids
// (glue/sst2), so that a run takes them as its targets.
func TestImportResultTargetsFlat(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, textFixture, dir)
	write(t, filepath.Join(dir, "result_analysis", "pearson_correlation.csv"),
		",glue_sst2,tweet_eval_irony,average\nLogME,0.8,0.1,0.3\n")
	tables, _, err := Import(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"glue/sst2", "tweet_eval/irony", "_weighted_mean"} {
		if findResult(tables.ReferenceResults, "LogME", "pearson", target) == nil {
			t.Errorf("no LogME pearson result on %s", target)
		}
	}
	for _, r := range tables.ReferenceResults {
		if strings.Contains(r.Target, "_eval_") || r.Target == "glue_sst2" {
			t.Errorf("result %+v names a rank directory, not a dataset", r)
		}
	}
}

// TestImportFileUnreadable: a file of the layout that cannot be read (a
// directory in its place) is named once in the error.
func TestImportFileUnreadable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, fileRecords)
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	_, _, err := Import(context.Background(), dir, Options{})
	if err == nil || strings.Count(err.Error(), path) != 1 || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("err = %v, want one naming %s once", err, path)
	}
}

// TestImportRepositoryRoot: a clone of the TransferGraph repository given
// whole gets its experiment directories named in the error.
func TestImportRepositoryRoot(t *testing.T) {
	root := t.TempDir()
	exp := filepath.Join(root, "resources", "experiments", "image_classification")
	if err := os.MkdirAll(exp, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(exp, fileRecords), "model,finetuned_dataset\n")
	_, _, err := Import(context.Background(), root, Options{})
	want := "no records.csv in it: give an experiment directory, such as " + exp
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}
