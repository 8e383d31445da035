package evaluate

import (
	"bytes"
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

var zooDatasets = []string{"cifar100", "glue/sst2", "tweet_eval/irony"}

func TestReadPredictionsCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "preds.csv")
	writeFile(t, path, "\ufeffSeed,target,Model,score,method\n"+
		"1,cifar100,org/a,0.5,ours\n"+
		",glue_sst2,org/b,-1.5e-3,ours\n"+
		"2,tweet_eval/irony,org/c,,other\n")
	preds, err := ReadPredictions(path, ReadOptions{Datasets: zooDatasets})
	if err != nil {
		t.Fatal(err)
	}
	if len(preds) != 3 {
		t.Fatalf("%d predictions, want 3", len(preds))
	}
	a, b, c := preds[0], preds[1], preds[2]
	if a.Method != "ours" || a.Seed == nil || *a.Seed != 1 || a.Target != "cifar100" || a.ModelID != "org/a" || a.Score != 0.5 {
		t.Errorf("first %+v", a)
	}
	if b.Seed != nil || b.Target != "glue/sst2" || b.Score != -1.5e-3 {
		t.Errorf("second %+v (want unseeded, glue/sst2, -0.0015)", b)
	}
	if c.Method != "other" || !math.IsNaN(c.Score) {
		t.Errorf("third %+v (want method other, NaN score)", c)
	}
}

func TestReadPredictionsDefaultMethod(t *testing.T) {
	path := filepath.Join(t.TempDir(), "preds.csv")
	writeFile(t, path, "target,model,score\ncifar100,org/a,1\n")
	preds, err := ReadPredictions(path, ReadOptions{Method: "mine"})
	if err != nil {
		t.Fatal(err)
	}
	if preds[0].Method != "mine" {
		t.Errorf("method %q", preds[0].Method)
	}
}

func TestReadPredictionsErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		line    int
		column  int // 0: the line as a whole
		msg     string
	}{
		{"empty", "", 0, 0, "empty file"},
		{"no score column", "target,model\ncifar100,a\n", 1, 0, "lacks column(s) score"},
		{"duplicate column", "target,model,score,score\n", 1, 0, `"score" appears twice`},
		{"bad score", "target,model,score\ncifar100,a,1\ncifar100,b,high\n", 3, 12, `score "high" is not a number`},
		{"NaN score", "target,model,score\ncifar100,a,1\ncifar100,b,NaN\n", 3, 12, `score "NaN" is not a finite number (leave it empty for no prediction)`},
		{"infinite score", "model,target,score\na,cifar100,0.5\nb,cifar100,-inf\n", 3, 12, `score "-inf" is not a finite number`},
		{"infinite score, quoted, first column", "score,model,target\n\"+Inf\",a,cifar100\n", 2, 1, `score "+Inf" is not a finite number`},
		{"bad seed", "target,model,score,seed\ncifar100,a,1,x\n", 2, 0, `seed "x" is not an integer`},
		{"short row", "target,model,score\ncifar100,a\n", 2, 0, "wrong number of fields"},
		{"unknown target", "target,model,score\nimagenet,a,1\n", 2, 0, `unknown target "imagenet": not a dataset of the zoo`},
		{"mistyped target", "target,model,score\ncifar1000,a,1\n", 2, 0, `unknown target "cifar1000": not a dataset of the zoo; did you mean "cifar100"?`},
		{"empty model", "target,model,score\ncifar100,,1\n", 2, 0, "empty model"},
		{"no method", "target,model,score\ncifar100,a,1\n", 2, 0, "no method"},
		{"bare quote", "target,model,score\ncifar100,\"a,1\n", 2, 0, "extraneous or missing"},
		{"header only", "target,model,score\n", 0, 0, "no predictions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "p.csv")
			writeFile(t, path, tt.content)
			method := "m"
			if tt.name == "no method" {
				method = ""
			}
			_, err := ReadPredictions(path, ReadOptions{Datasets: zooDatasets, Method: method})
			var ce *CSVError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *CSVError", err)
			}
			if ce.File != path || ce.Line != tt.line || ce.Column != tt.column || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q (line %d, column %d), want line %d, column %d and %q", err, ce.Line, ce.Column, tt.line, tt.column, tt.msg)
			}
		})
	}
	if _, err := ReadPredictions(filepath.Join(t.TempDir(), "missing.csv"), ReadOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestReadPredictionsExperimentDir checks that the TransferGraph
// experiment directory given for its rank directory is refused with the
// rank directory to give, not as a target named rank_final.
func TestReadPredictionsExperimentDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "records.csv"), "model,finetuned_dataset,test_accuracy\n")
	writeFile(t, filepath.Join(dir, "rank_final", "cifar100", "lr_node2vec", "results.csv"), ",model,score\n0,org/c,2\n")
	_, err := ReadPredictions(dir, ReadOptions{Datasets: zooDatasets})
	if err == nil || !strings.Contains(err.Error(), "give its rank directory, "+filepath.Join(dir, "rank_final")) {
		t.Errorf("err = %v, want one naming the rank directory to give", err)
	}
	// Another directory of the experiment's that sorts before rank_final.
	writeFile(t, filepath.Join(dir, "features", "cifar100.csv"), "x\n")
	_, err = ReadPredictions(dir, ReadOptions{Datasets: zooDatasets})
	if err == nil || !strings.Contains(err.Error(), "give its rank directory, "+filepath.Join(dir, "rank_final")) {
		t.Errorf("with a features directory: err = %v, want one naming the rank directory to give", err)
	}
}

func TestReadPredictionsRankDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "glue_sst2", "xgb_node2vec", PaperResultsFile), ",model,score\n0,org/a,0.1\n1,org/b,\n2,org/a,0.3\n")
	writeFile(t, filepath.Join(dir, "glue_sst2", "xgb_node2vec", "results_0.5_128_0.csv"), ",model,score\n0,org/z,9\n")
	writeFile(t, filepath.Join(dir, "cifar100", "lr_node2vec", "results.csv"), ",model,score\n0,org/c,2\n")
	// A model_ratio re-run, which the TransferGraph evaluation skips.
	writeFile(t, filepath.Join(dir, "glue_sst2", "xgb_node2vec_model_ratio_0.1", PaperResultsFile), ",model,score\n0,org/a,0.1\n")
	var logs bytes.Buffer
	preds, err := ReadPredictions(dir, ReadOptions{Datasets: zooDatasets, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	// An empty score is no prediction, and said so with a count and where.
	first := filepath.Join(dir, "glue_sst2", "xgb_node2vec", PaperResultsFile) + ":3"
	if w := logs.String(); !strings.Contains(w, "level=WARN") || !strings.Contains(w, "count=1") || !strings.Contains(w, first) {
		t.Errorf("warning %q lacks level WARN, count=1 or %s", w, first)
	}
	// Repeated rank rows of a model are the layout's (one per repeated
	// run): said, not warned about.
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "repeated fine-tune run") && !strings.Contains(line, "level=INFO") {
			t.Errorf("repeated rank rows logged as %q, want level INFO", line)
		}
	}
	if !strings.Contains(logs.String(), "repeated fine-tune run") {
		t.Errorf("log %q does not count the models with repeated rank rows", logs.String())
	}
	if w := logs.String(); !strings.Contains(w, "model_ratio rank directories skipped") || !strings.Contains(w, "glue_sst2/xgb_node2vec_model_ratio_0.1") {
		t.Errorf("log %q does not say the model_ratio directory was skipped", w)
	}
	var got []string
	for _, p := range preds {
		got = append(got, p.Target+" "+p.Method+" "+p.ModelID)
	}
	want := []string{"cifar100 lr_node2vec org/c", "glue/sst2 xgb_node2vec org/a", "glue/sst2 xgb_node2vec org/b", "glue/sst2 xgb_node2vec org/a"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("predictions %q, want %q", got, want)
	}
	if !math.IsNaN(preds[2].Score) || preds[2].Seed != nil {
		t.Errorf("org/b %+v", preds[2])
	}

	// Ambiguous rank files, unknown target directories and bad files are errors.
	writeFile(t, filepath.Join(dir, "cifar100", "lr_node2vec", "results_2.csv"), ",model,score\n")
	if _, err := ReadPredictions(dir, ReadOptions{Datasets: zooDatasets}); err == nil || !strings.Contains(err.Error(), "several rank files") {
		t.Errorf("ambiguous: %v", err)
	}
	dir2 := t.TempDir()
	writeFile(t, filepath.Join(dir2, "imagenet", "m", "results.csv"), ",model,score\n0,a,1\n")
	if _, err := ReadPredictions(dir2, ReadOptions{Datasets: zooDatasets}); err == nil || !strings.Contains(err.Error(), "unknown target") {
		t.Errorf("unknown target: %v", err)
	}
	dir3 := t.TempDir()
	writeFile(t, filepath.Join(dir3, "cifar100", "m", "results.csv"), ",model,score\n0,a,x\n")
	var ce *CSVError
	if _, err := ReadPredictions(dir3, ReadOptions{Datasets: zooDatasets}); !errors.As(err, &ce) || ce.Line != 2 {
		t.Errorf("bad score in a rank file: %v", err)
	}
	if _, err := ReadPredictions(t.TempDir(), ReadOptions{}); err == nil {
		t.Error("an empty directory gave predictions")
	}
}

// TestReadPredictionsTooLarge: a predictions file or a rank file larger
// than the cap (a dump, a device behind the name) is refused before it is
// read into memory, with an error naming the file and the cap, each once.
func TestReadPredictionsTooLarge(t *testing.T) {
	old := maxFileBytes
	maxFileBytes = 1 << 20
	t.Cleanup(func() { maxFileBytes = old })
	dir := t.TempDir()
	csvFile := filepath.Join(dir, "preds.csv")
	writeFile(t, csvFile, "target,model,score,method\ncifar100,org/a,1,m\n")
	rankDir := filepath.Join(dir, "rank_final")
	rankFile := filepath.Join(rankDir, "cifar100", "lr_node2vec", PaperResultsFile)
	writeFile(t, rankFile, ",model,score\n0,org/a,1\n")
	for _, tt := range []struct{ path, big, kind string }{
		{csvFile, csvFile, "a predictions file"},
		{rankDir, rankFile, "a TransferGraph rank file"},
	} {
		if _, err := ReadPredictions(tt.path, ReadOptions{Datasets: zooDatasets}); err != nil {
			t.Fatalf("%s within the cap: %v", tt.path, err)
		}
		if err := os.Truncate(tt.big, maxFileBytes+1); err != nil {
			t.Fatal(err)
		}
		_, err := ReadPredictions(tt.path, ReadOptions{Datasets: zooDatasets})
		want := tt.big + " is larger than 1 MiB: not " + tt.kind
		if err == nil || err.Error() != want {
			t.Errorf("%s over the cap: err = %v, want %s", tt.path, err, want)
		}
	}
}

func TestTargetResolverAmbiguous(t *testing.T) {
	// "a/b" and "a_b" both flatten to "a_b": only exact names resolve.
	resolve := targetResolver([]string{"a/b", "x/y"})
	if got, err := resolve("a_b"); err != nil || got != "a/b" {
		t.Errorf("a_b → %q, %v", got, err)
	}
	resolve = targetResolver([]string{"a/b", "a_b"})
	if got, err := resolve("a_b"); err != nil || got != "a_b" {
		t.Errorf("exact a_b → %q, %v", got, err)
	}
	resolve = targetResolver([]string{"a/b_c", "a_b/c"})
	if _, err := resolve("a_b_c"); err == nil {
		t.Error("ambiguous a_b_c resolved")
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add("target,model,score,method,seed\ncifar100,a,1,m,2\n")
	f.Add(",model,score\n0,a,inf\n1,b,nan\n")
	f.Add("target,model,score\n\"x\ny\",a,1\n")
	f.Add("\ufefftarget;model;score\n")
	f.Fuzz(func(t *testing.T, content string) {
		preds, err := readCSV("fuzz.csv", []byte(content), csvDefaults{method: "m"}, func(s string) (string, error) { return s, nil }, &unscored{})
		if err != nil {
			var ce *CSVError
			if !errors.As(err, &ce) || ce.File != "fuzz.csv" {
				t.Fatalf("error %v is not a *CSVError naming the file", err)
			}
			return
		}
		for _, p := range preds {
			if math.IsInf(p.Score, 0) {
				t.Fatalf("infinite score accepted: %+v", p)
			}
			if p.Method == "" || p.Target == "" || p.ModelID == "" {
				t.Fatalf("incomplete prediction %+v", p)
			}
		}
	})
}
