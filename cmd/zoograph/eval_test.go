package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/store"
)

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEvalCommandCSV(t *testing.T) {
	zoo := evalTestZoo(t)
	var b strings.Builder
	b.WriteString("method,seed,target,model,score\n")
	for _, seed := range []string{"1", "2"} {
		for i := range 8 {
			// "ours" ranks the models by index: the accuracies' order.
			b.WriteString("ours," + seed + ",cifar100,org/m" + string(rune('0'+i)) + "," + string(rune('0'+i)) + "\n")
		}
	}
	preds := filepath.Join(t.TempDir(), "preds.csv")
	writeTestFile(t, preds, b.String())
	out := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := runCmd("eval", "--zoo", zoo, "--predictions", preds, "--out", out, "--baselines", "logme,random", "--seeds", "2")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "| `ours` |") {
		t.Errorf("stdout:\n%s", stdout)
	}
	rows, err := store.ReadFile[store.Metric](filepath.Join(out, "metrics.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	seeds := map[int64]bool{}
	var meanRow bool
	for _, r := range rows {
		if r.Method != "ours" {
			continue
		}
		if r.Target != "cifar100" && r.Target != "_mean" && r.Target != "_weighted_mean" {
			t.Errorf("ours evaluated on %s; the predictions cover cifar100 only", r.Target)
		}
		if r.Seed != nil {
			seeds[*r.Seed] = true
		} else if r.Metric == "spearman" && r.Target == "cifar100" {
			meanRow = true
		}
	}
	if len(seeds) != 2 || !meanRow {
		t.Errorf("seeds %v, mean row %v", seeds, meanRow)
	}
	if _, err := os.Stat(filepath.Join(out, "report.md")); err != nil {
		t.Error(err)
	}
	if strings.Contains(stderr, "no metrics on some targets") {
		t.Errorf("a warning about targets without metrics where every target has them:\n%s", stderr)
	}
	// A requested target the predictions do not cover: a warning naming it
	// and why, not only an n/a in the report.
	code, _, stderr = runCmd("eval", "--zoo", zoo, "--predictions", preds, "--out", filepath.Join(t.TempDir(), "o2"),
		"--baselines", "", "--targets", "cifar100,glue/sst2", "--protocol", "clean")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"no metrics on some targets", "method=ours", "targets=glue/sst2", "no ours predictions for glue/sst2"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("target without predictions: stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestEvalCommandRankDirectory(t *testing.T) {
	zoo := evalTestZoo(t)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString(",model,score\n")
	for i := range 8 {
		b.WriteString(string(rune('0'+i)) + ",org/m" + string(rune('0'+i)) + "," + string(rune('9'-i)) + "\n")
	}
	writeTestFile(t, filepath.Join(dir, "glue_sst2", "xgb_node2vec", "results_1.0_128_0.csv"), b.String())
	writeTestFile(t, filepath.Join(dir, "glue_sst2", "lr_node2vec", "results_1.0_128_0.csv"), b.String())
	out := filepath.Join(t.TempDir(), "run")
	code, _, stderr := runCmd("eval", "--zoo", zoo, "--predictions", dir, "--out", out, "--baselines", "", "--methods", "xgb_node2vec", "--protocol", "clean")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	rows, err := store.ReadFile[store.Metric](filepath.Join(out, "metrics.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Method != "xgb_node2vec" || r.Protocol != "clean" {
			t.Fatalf("row %+v", r)
		}
		// Scores fall as accuracy rises on glue/sst2: a perfect inversion.
		if r.Target == "glue/sst2" && r.Metric == "spearman" && r.Value != -1 {
			t.Errorf("spearman %v, want -1", r.Value)
		}
	}
}

// TestEvalCommandEmptyScores checks that empty scores, no prediction for
// their models, are evaluated without them and said so on stderr with
// their count and the first one's line.
func TestEvalCommandEmptyScores(t *testing.T) {
	zoo := evalTestZoo(t)
	preds := filepath.Join(t.TempDir(), "preds.csv")
	var b strings.Builder
	b.WriteString("target,model,score\n")
	for i := range 8 {
		score := string(rune('0' + i))
		if i == 2 || i == 5 {
			score = ""
		}
		b.WriteString("cifar100,org/m" + string(rune('0'+i)) + "," + score + "\n")
	}
	writeTestFile(t, preds, b.String())
	code, _, stderr := runCmd("eval", "--zoo", zoo, "--predictions", preds, "--out", filepath.Join(t.TempDir(), "o"), "--baselines", "")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"level=WARN", "empty score are no prediction", "count=2", "first=" + preds + ":4"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "more than once") {
		t.Errorf("a warning about repeated predictions where there are none:\n%s", stderr)
	}
	// The same models again with other scores: a warning counting them (m2
	// had no score, so its score now conflicts with nothing).
	b.WriteString("cifar100,org/m1,9\ncifar100,org/m3,3\ncifar100,org/m4,0.5\ncifar100,org/m2,7\n")
	writeTestFile(t, preds, b.String())
	code, _, stderr = runCmd("eval", "--zoo", zoo, "--predictions", preds, "--out", filepath.Join(t.TempDir(), "o"), "--baselines", "")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"more than once with different scores", "models=2", "org/m1 on cifar100"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("repeated predictions: stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestEvalCommandErrors(t *testing.T) {
	zoo := evalTestZoo(t)
	bad := filepath.Join(t.TempDir(), "bad.csv")
	writeTestFile(t, bad, "target,model,score\ncifar100,org/m1,0.5\ncifar100,org/m2,high\n")
	unknown := filepath.Join(t.TempDir(), "unknown.csv")
	writeTestFile(t, unknown, "target,model,score\nimagenet,org/m1,0.5\n")
	unknownModels := filepath.Join(t.TempDir(), "unknown-models.csv")
	writeTestFile(t, unknownModels, "target,model,score\ncifar100,nobody/m1,0.5\ncifar100,nobody/m2,0.7\n")
	good := filepath.Join(t.TempDir(), "good.csv")
	writeTestFile(t, good, "target,model,score,method\ncifar100,org/m1,0.5,logme\n")
	nan := filepath.Join(t.TempDir(), "nan.csv")
	writeTestFile(t, nan, "target,model,score\ncifar100,org/m1,0.5\ncifar100,org/m2,NaN\n")
	inf := filepath.Join(t.TempDir(), "inf.csv")
	writeTestFile(t, inf, "model,score,target\norg/m1,0.5,cifar100\norg/m2,0.25,cifar100\norg/m3,-Inf,cifar100\n")
	missing := filepath.Join(t.TempDir(), "none.csv")
	out := func() string { return filepath.Join(t.TempDir(), "o") }
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no predictions flag", []string{"eval", "--zoo", zoo, "--out", "x"}, exitUsage, "--predictions"},
		{"bad baseline", []string{"eval", "--zoo", zoo, "--predictions", bad, "--out", "x", "--baselines", "oracle"}, exitUsage, `unknown baseline "oracle"`},
		{"bad csv", []string{"eval", "--zoo", zoo, "--predictions", bad, "--out", out()}, exitFailure, bad + `:3:17: score "high" is not a number`},
		{"NaN score", []string{"eval", "--zoo", zoo, "--predictions", nan, "--out", out()}, exitFailure, nan + `:3:17: score "NaN" is not a finite number`},
		{"infinite score", []string{"eval", "--zoo", zoo, "--predictions", inf, "--out", out()}, exitFailure, inf + `:4:8: score "-Inf" is not a finite number`},
		{"unknown target", []string{"eval", "--zoo", zoo, "--predictions", unknown, "--out", out()}, exitFailure, `unknown target "imagenet"`},
		{"mistyped --targets", []string{"eval", "--zoo", zoo, "--predictions", good, "--out", out(), "--targets", "Cifar100"}, exitUsage,
			`zoograph eval: no dataset "Cifar100" in the zoo; did you mean "cifar100"?`},
		{"only unknown models", []string{"eval", "--zoo", zoo, "--predictions", unknownModels, "--out", out()}, exitFailure,
			`none of the 2 predictions on the evaluated targets names a model with a recorded accuracy on its target (e.g. model "nobody/m1" on cifar100)`},
		{"missing file", []string{"eval", "--zoo", zoo, "--predictions", missing, "--out", out()}, exitFailure, "--predictions " + missing + ": no such file"},
		{"missing method", []string{"eval", "--zoo", zoo, "--predictions", good, "--out", out(), "--methods", "ours"}, exitFailure, `no predictions of method "ours"; it has logme`},
		{"method clashes with a baseline", []string{"eval", "--zoo", zoo, "--predictions", good, "--out", out()}, exitFailure, `"logme" is also a computed baseline`},
		{"help", []string{"eval", "-h"}, exitOK, "Usage: zoograph eval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
}

// TestTargetsHelpOfEachCommand checks that eval's and baseline's -h say
// the default targets of that command, not of both.
func TestTargetsHelpOfEachCommand(t *testing.T) {
	for _, tt := range []struct{ command, want, not string }{
		{"eval", "(default: the datasets the predictions cover)", "LogME"},
		{"baseline", "(default: those with LogME or Reg-H-Score scores, else run's", "predictions"},
	} {
		code, _, help := runCmd(tt.command, "-h")
		_, targets, _ := strings.Cut(help, "\n  -targets list\n")
		targets, _, _ = strings.Cut(targets, "\n  -")
		if code != exitOK || !strings.Contains(targets, tt.want) || strings.Contains(targets, tt.not) {
			t.Errorf("%s -h: exit %d, --targets:\n%s\nwant %q, not %q", tt.command, code, targets, tt.want, tt.not)
		}
	}
}
