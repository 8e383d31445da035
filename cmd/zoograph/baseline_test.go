package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

// evalTestZoo writes a small zoo: two targets, eight models with full
// fine-tunes, LogME and Reg-H-Score scores, download counts and a published
// LogME Pearson cell.
func evalTestZoo(t *testing.T) string {
	t.Helper()
	tb := &store.Tables{
		Models:           []store.Model{},
		Datasets:         []store.Dataset{},
		Finetunes:        []store.Finetune{},
		Scores:           []store.Score{},
		ReferenceResults: []store.ReferenceResult{},
	}
	for _, ds := range []string{"glue/sst2", "cifar100"} {
		tb.Datasets = append(tb.Datasets, store.Dataset{DatasetID: ds, Source: "test"})
	}
	for i := range 8 {
		id := fmt.Sprintf("org/m%d", i)
		tb.Models = append(tb.Models, store.Model{ModelID: id, ModelType: "vit", Downloads: int64(100 * (i + 1)), ReportedAccuracy: math.NaN(), Source: "test"})
		for j, ds := range []string{"glue/sst2", "cifar100"} {
			acc := 0.5 + 0.05*float64(i) - 0.02*float64(j*i%3)
			tb.Finetunes = append(tb.Finetunes, store.Finetune{ModelID: id, DatasetID: ds, Accuracy: acc, Method: "full",
				Epochs: math.NaN(), LearningRate: math.NaN(), TrainSeconds: math.NaN(), Source: "test"})
			tb.Scores = append(tb.Scores,
				store.Score{ModelID: id, DatasetID: ds, Method: "logme", Score: float64((i * 5) % 8), RuntimeSeconds: math.NaN()},
				store.Score{ModelID: id, DatasetID: ds, Method: "reg_h_score", Score: acc * 10, RuntimeSeconds: math.NaN()},
			)
		}
	}
	tb.ReferenceResults = append(tb.ReferenceResults,
		store.ReferenceResult{Source: "test", Method: "LogME", Metric: "pearson", Target: "cifar100", Value: 0.25})
	dir := filepath.Join(t.TempDir(), "zoo")
	if err := store.WriteZoo(t.Context(), dir, tb, store.Provenance{Source: "test", Command: "evalTestZoo"}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func runCmd(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestBaselineCommand(t *testing.T) {
	zoo := evalTestZoo(t)
	out := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := runCmd("baseline", "--zoo", zoo, "--out", out, "--seeds", "3")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, f := range []string{"metrics.parquet", "report.json", "report.md"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if !strings.Contains(stdout, "| `logme` | ours |") || !strings.Contains(stdout, "report.md") {
		t.Errorf("stdout:\n%s", stdout)
	}

	rows, err := store.ReadFile[store.Metric](filepath.Join(out, "metrics.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]bool{}
	for _, r := range rows {
		methods[r.Method] = true
		if r.Protocol != "paper" {
			t.Fatalf("row %+v", r)
		}
	}
	// Without --baselines, every baseline the zoo has data for, as run's:
	// history_mean too, and probe left out (the zoo has no probe score).
	for _, m := range []string{"logme", "reg_h_score", "downloads", "random", "history_mean"} {
		if !methods[m] {
			t.Errorf("no %s rows in metrics.parquet", m)
		}
	}
	if methods["probe"] || !strings.Contains(stderr, "baseline left out") {
		t.Errorf("probe: rows %v, want none and a line saying it was left out; stderr:\n%s", methods["probe"], stderr)
	}

	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "|  | published |") || !strings.Contains(string(md), "0.2500") {
		t.Errorf("report.md does not show the published cell:\n%s", md)
	}

	var doc map[string]any
	b, _ := os.ReadFile(filepath.Join(out, "report.json"))
	if err := json.Unmarshal(b, &doc); err != nil || doc["protocol"] != "paper" {
		t.Errorf("report.json: %v %v", err, doc["protocol"])
	}

	// A second run refuses the non-empty directory, unless --force.
	code, _, stderr = runCmd("baseline", "--zoo", zoo, "--out", out)
	if code != exitFailure || !strings.Contains(stderr, "--force") {
		t.Errorf("second run: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runCmd("baseline", "--zoo", zoo, "--out", out, "--force", "--protocol", "clean", "--methods", "logme,downloads")
	if code != exitOK {
		t.Fatalf("--force: exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "--methods is deprecated; use --baselines") {
		t.Errorf("--methods: no deprecation line in stderr:\n%s", stderr)
	}
	rows, err = store.ReadFile[store.Metric](filepath.Join(out, "metrics.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Protocol != "clean" || (r.Method != "logme" && r.Method != "downloads") {
			t.Fatalf("after --force: row %+v", r)
		}
	}

	// --force never overwrites a run's directory or a zoo: report.json and
	// the rest stay as they were.
	for _, marker := range []string{pipeline.FileConfig, pipeline.FilePredictions, store.ManifestFile} {
		dir := filepath.Join(t.TempDir(), "run")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{marker, "report.json"} {
			if err := os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		code, _, stderr = runCmd("baseline", "--zoo", zoo, "--out", dir, "--force", "--protocol", "clean")
		if code == exitOK || !strings.Contains(stderr, marker) {
			t.Errorf("--force on a directory with %s: exit %d, want a failure naming it\n%s", marker, code, stderr)
		}
		if b, err := os.ReadFile(filepath.Join(dir, "report.json")); err != nil || string(b) != "{}" {
			t.Errorf("--force on a directory with %s changed its report.json (%v)", marker, err)
		}
	}
}

func TestBaselineCommandErrors(t *testing.T) {
	zoo := evalTestZoo(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no zoo", []string{"baseline", "--out", "x"}, exitUsage, "--zoo and --out are required"},
		{"bad protocol", []string{"baseline", "--zoo", zoo, "--out", "x", "--protocol", "fast"}, exitUsage, "unknown protocol"},
		{"bad method", []string{"baseline", "--zoo", zoo, "--out", "x", "--baselines", "logme,magic"}, exitUsage, `unknown baseline "magic"`},
		{"no method", []string{"baseline", "--zoo", zoo, "--out", "x", "--baselines", ","}, exitUsage, "no baseline"},
		{"bad flag", []string{"baseline", "--zoo", zoo, "--out", "x", "--nope"}, exitUsage, "nope"},
		{"stray argument", []string{"baseline", "--zoo", zoo, "--out", "x", "extra"}, exitUsage, "unexpected argument"},
		{"missing zoo", []string{"baseline", "--zoo", filepath.Join(t.TempDir(), "none"), "--out", filepath.Join(t.TempDir(), "o")}, exitFailure, "read zoo"},
		// A target the zoo lacks is a usage error, as in run, with the
		// dataset it likely stands for.
		{"unknown target", []string{"baseline", "--zoo", zoo, "--out", filepath.Join(t.TempDir(), "o"), "--targets", "imagenet"}, exitUsage, `no dataset "imagenet" in the zoo`},
		{"mistyped target", []string{"baseline", "--zoo", zoo, "--out", filepath.Join(t.TempDir(), "o"), "--targets", "cifar1000"}, exitUsage,
			`zoograph baseline: no dataset "cifar1000" in the zoo; did you mean "cifar100"?`},
		{"help", []string{"baseline", "-h"}, exitOK, "Usage: zoograph baseline"},
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

// TestBaselineProtocols checks a list of protocols: one report directory,
// each protocol's rows, one report.json document per protocol in order.
func TestBaselineProtocols(t *testing.T) {
	zoo := evalTestZoo(t)
	out := filepath.Join(t.TempDir(), "run")
	code, _, stderr := runCmd("baseline", "--zoo", zoo, "--out", out, "--protocol", "clean,paper", "--baselines", "logme")
	if code != exitOK {
		t.Fatalf("--protocol clean,paper: exit %d, stderr:\n%s", code, stderr)
	}
	rows, err := store.ReadFile[store.Metric](filepath.Join(out, "metrics.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	protocols := map[string]bool{}
	for _, r := range rows {
		protocols[r.Protocol] = true
	}
	if !protocols["clean"] || !protocols["paper"] || len(protocols) != 2 {
		t.Errorf("metrics of protocols %v, want clean and paper", protocols)
	}
	// One JSON document, each protocol's report under its name.
	b, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Protocols map[string]struct {
			Protocol string
			Methods  []any
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("report.json is not one JSON document: %v", err)
	}
	var got []any
	for _, p := range []string{"clean", "paper"} {
		if r, ok := doc.Protocols[p]; ok && r.Protocol == p && len(r.Methods) > 0 {
			got = append(got, p)
		}
	}
	if len(got) != 2 || len(doc.Protocols) != 2 {
		t.Errorf("report.json documents of protocols %v, want [clean paper]", got)
	}
}

// TestBaselineDefaultTargetsAsRun checks that on a zoo without LogME or
// Reg-H-Score (model recycling) baseline's default targets are run's: a
// dataset of collapsed runs, which the history screen leaves out and run
// takes no target of, is no target of baseline either, where baseline
// evaluated it and put it in its means.
func TestBaselineDefaultTargetsAsRun(t *testing.T) {
	src := t.TempDir()
	var b strings.Builder
	b.WriteString("model_name,base_model,size,tokenizer,model_type,classification,layers,from_flax,from_tf,last_modified,mnli_lp,alpha,beta,flat\n")
	for i := range 24 {
		fmt.Fprintf(&b, "o/m%d,roberta-base,1,o/m%d,roberta,True,12,False,False,2022-08-04T10:36:41Z,%.3f,%.3f,%.3f,0.5\n",
			i, i, 0.4+0.01*float64(i%7), 0.6+0.01*float64(i), 0.9-0.01*float64((i*5)%24))
	}
	if err := os.WriteFile(filepath.Join(src, "models_tested.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	zoo := filepath.Join(t.TempDir(), "zoo")
	if code, _, stderr := runCLI(t, "import", "model-recycling", src, "--out", zoo); code != exitOK {
		t.Fatalf("import: exit %d; stderr:\n%s", code, stderr)
	}
	out := filepath.Join(t.TempDir(), "base")
	code, stdout, stderr := runCLI(t, "baseline", "--zoo", zoo, "--out", out, "--seeds", "2")
	if code != exitOK {
		t.Fatalf("baseline: exit %d; stderr:\n%s", code, stderr)
	}
	lines := strings.Split(stdout, "\n")
	if len(lines) < 3 {
		t.Fatalf("baseline printed %d lines, want a table:\n%s", len(lines), stdout)
	}
	header := lines[2]
	if !strings.Contains(header, "alpha") || !strings.Contains(header, "beta") || strings.Contains(header, "flat") {
		t.Errorf("targets of the table %q: want alpha and beta, not flat (collapsed)\n%s", header, stdout)
	}
}

// TestBaselinePublishedProtocol checks that the printed table says, under
// the clean protocol, that its published rows are the paper protocol's, as
// report.md says; under the paper protocol there is nothing to say.
func TestBaselinePublishedProtocol(t *testing.T) {
	zoo := evalTestZoo(t)
	out := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := runCmd("baseline", "--zoo", zoo, "--out", out, "--protocol", "clean,paper", "--seeds", "2")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"Pearson (clean protocol; the published rows were computed under the paper protocol):\n", "Pearson (paper protocol):\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}

// TestEvalFlagsSeedIsRuns: baseline and eval seed the random baseline as
// run does by default, so that its rows agree across the three commands.
func TestEvalFlagsSeedIsRuns(t *testing.T) {
	fs := flag.NewFlagSet("baseline", flag.ContinueOnError)
	var o evalOptions
	bindEvalFlags(fs, &o, "every target")
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if want := pipeline.DefaultConfig().Seed; o.seed != want {
		t.Errorf("default --seed %d, want run's %d", o.seed, want)
	}
}
