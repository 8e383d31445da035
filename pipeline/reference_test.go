package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

// writeRankDir writes predictions in the TransferGraph rank layout
// dir/<target>/<method>/results_1.0_128_0.csv: every model with a record
// on the target but the skipped one, scored by its accuracy plus a
// deterministic wobble.
func writeRankDir(t *testing.T, dir, method string, tables *store.Tables, targets []string, skip string) {
	t.Helper()
	for _, target := range targets {
		d := filepath.Join(dir, strings.ReplaceAll(target, "/", "_"), method)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString(",model,score\n")
		seen := map[string]bool{}
		for i, f := range tables.Finetunes {
			if f.DatasetID != target || f.ModelID == skip || seen[f.ModelID] {
				continue
			}
			seen[f.ModelID] = true
			fmt.Fprintf(&b, "%d,%s,%g\n", len(seen)-1, f.ModelID, f.Accuracy+0.05*float64(i%7-3))
		}
		if err := os.WriteFile(filepath.Join(d, "results_1.0_128_0.csv"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRunReferencePredictions: someone else's predictions are evaluated
// beside zoograph's, under every protocol, on the same model set (clean:
// a model they do not predict leaves every method's set), and reported.
func TestRunReferencePredictions(t *testing.T) {
	tables, targets := smallZoo(t)
	targets = targets[:2]
	var skip string
	for _, f := range tables.Finetunes {
		if f.DatasetID == targets[0] {
			skip = f.ModelID
			break
		}
	}
	refDir := filepath.Join(t.TempDir(), "rank_final")
	// Predictions for a target outside the run are ignored.
	writeRankDir(t, refDir, "theirs", tables, append(slices.Clone(targets), tables.Datasets[len(tables.Datasets)-1].DatasetID), skip)

	cfg := fastConfig(targets)
	cfg.Seeds = 1
	cfg.Selection.Mode = pipeline.SelectFixed // what is selected does not matter here
	cfg.ReferencePredictions = refDir
	res, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.References, []string{"theirs"}) {
		t.Fatalf("references %v, want [theirs]", res.References)
	}
	for _, protocol := range cfg.Protocols {
		ev := res.Eval[protocol]
		if got := len(ev.Targets); got != len(targets) {
			t.Errorf("%s: %d targets evaluated, want %d", protocol, got, len(targets))
		}
		for _, e := range ev.Evaluations {
			if e.Method == "theirs" && (e.Note != "" || !(e.Values.Pearson > 0.5)) {
				t.Errorf("%s %s: theirs pearson %v (%s)", protocol, e.Target, e.Values.Pearson, e.Note)
			}
		}
	}
	// Clean: ours, theirs and every baseline on the same models, without
	// the one they skipped.
	clean := res.Eval["clean"]
	for _, tg := range clean.Targets {
		if tg.ID == targets[0] && slices.Contains(tg.Evaluated, skip) {
			t.Errorf("%s: %s, which theirs does not predict, is evaluated", tg.ID, skip)
		}
		for _, e := range clean.Evaluations {
			if e.Target != tg.ID || e.Note != "" {
				continue
			}
			var models []string
			for _, p := range e.Pairs {
				models = append(models, p.ModelID)
			}
			if !slices.Equal(models, tg.Evaluated) {
				t.Errorf("clean %s %s: %d models, want the common %d", e.Method, e.Target, len(models), len(tg.Evaluated))
			}
		}
	}

	dir := filepath.Join(t.TempDir(), "run")
	if err := pipeline.WriteRun(dir, res, tables, "zoo", "abc"); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, pipeline.FileReportMD))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## Ranking metrics — clean protocol", "## Ranking metrics — paper protocol",
		"| `theirs` (reference) |", "### regret@3 per target — clean protocol",
		"## Failed fine-tunes", "## Metrics", "| `pearson_working` |",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, pipeline.FileReportJSON))
	if err != nil {
		t.Fatal(err)
	}
	var info pipeline.ReportInfo
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.References, []string{"theirs"}) || info.Config.ReferencePredictions != refDir {
		t.Errorf("report.json: references %v, config %q", info.References, info.Config.ReferencePredictions)
	}
	if v := info.Summary["clean"]["theirs"]["regret@1"]["_weighted_mean"]; v.N != 1 || !(v.Mean >= 0) {
		t.Errorf("report.json: theirs weighted regret@1 %+v", v)
	}
	if f := info.Failures["clean"][targets[0]]; f.Models == 0 || f.Evaluated == 0 || f.Threshold <= f.Chance {
		t.Errorf("report.json: failures on %s %+v", targets[0], f)
	}
}

func TestReadReferencePredictionsErrors(t *testing.T) {
	tables, targets := smallZoo(t)
	cfg := fastConfig(targets)
	if preds, err := pipeline.ReadReferencePredictions(tables, cfg, nil); preds != nil || err != nil {
		t.Errorf("no reference: %v, %v", preds, err)
	}
	for _, tt := range []struct{ name, method, want string }{
		{"own method", cfg.Method(), "rename it"},
		{"baseline", "metadata", "rename it"},
		{"computed baseline", "logme", "rename it"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeRankDir(t, dir, tt.method, tables, targets[:1], "")
			cfg.ReferencePredictions = dir
			if _, err := pipeline.ReadReferencePredictions(tables, cfg, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one saying %q", err, tt.want)
			}
		})
	}
	// A malformed file is named with its line.
	dir := t.TempDir()
	writeRankDir(t, dir, "theirs", tables, targets[:1], "")
	file := filepath.Join(dir, strings.ReplaceAll(targets[0], "/", "_"), "theirs", "results_1.0_128_0.csv")
	if err := os.WriteFile(file, []byte(",model,score\n0,org/m,high\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.ReferencePredictions = dir
	if _, err := pipeline.ReadReferencePredictions(tables, cfg, nil); err == nil || !strings.Contains(err.Error(), file+":2") {
		t.Errorf("err = %v, want one naming %s:2", err, file)
	}
	cfg.ReferencePredictions = filepath.Join(dir, "missing")
	if _, err := pipeline.ReadReferencePredictions(tables, cfg, nil); err == nil {
		t.Error("a missing directory accepted")
	}
}

// TestRunPartialReference: reference predictions for some of a run's
// targets are set beside the run's method on those targets alone, simple
// and weighted means computed as the run's own are.
func TestRunPartialReference(t *testing.T) {
	tables, targets := smallZoo(t)
	if len(targets) < 3 {
		t.Fatalf("the small zoo has %d targets, want 3", len(targets))
	}
	targets = targets[:3]
	refDir := filepath.Join(t.TempDir(), "rank_final")
	writeRankDir(t, refDir, "theirs", tables, targets[:2], "")
	cfg := fastConfig(targets)
	cfg.Seeds = 1
	cfg.Selection.Mode = pipeline.SelectFixed
	cfg.ReferencePredictions = refDir
	res, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	if err := pipeline.WriteRun(dir, res, tables, "zoo", "abc"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, pipeline.FileReportJSON))
	if err != nil {
		t.Fatal(err)
	}
	info := &pipeline.ReportInfo{}
	if err := json.Unmarshal(b, info); err != nil {
		t.Fatal(err)
	}
	s, f := info.Summary["clean"], info.Failures["clean"]
	if v := s["theirs"]["pearson"]["_mean"]; v.N != 0 {
		t.Fatalf("theirs has a mean over all targets (%+v) though it predicts two of three", v)
	}
	prs := pipeline.PartialReferences(info, "clean")
	if len(prs) != 1 || prs[0].Method != "theirs" || !slices.Equal(prs[0].Targets, targets[:2]) {
		t.Fatalf("partial references %+v, want theirs on %v", prs, targets[:2])
	}
	for _, side := range []struct {
		method string
		got    [2]float64
	}{{"theirs", prs[0].Theirs}, {info.Method, prs[0].Ours}} {
		a, b := s[side.method]["pearson"][targets[0]].Mean, s[side.method]["pearson"][targets[1]].Mean
		wa, wb := f[targets[0]].Weight, f[targets[1]].Weight
		want := [2]float64{(a + b) / 2, (wa*a + wb*b) / (wa + wb)}
		if !(wa > 0 && wb > 0) || math.Abs(side.got[0]-want[0]) > 1e-12 || math.Abs(side.got[1]-want[1]) > 1e-12 {
			t.Errorf("%s on %v: %v, want %v (weights %g, %g)", side.method, targets[:2], side.got, want, wa, wb)
		}
	}
	md, err := os.ReadFile(filepath.Join(dir, pipeline.FileReportMD))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "Reference predictions that cover only some targets") || !strings.Contains(string(md), "| `theirs` | 2 of 3 |") {
		t.Errorf("report.md lacks the comparison on the targets theirs predicts")
	}
}

// TestRunWarnsOfScreenedTarget: a target whose records the history screen
// leaves out (here: most of its models share one accuracy, collapsed runs)
// is still run, with a warning that names it and why.
func TestRunWarnsOfScreenedTarget(t *testing.T) {
	tables, targets := collapsedTarget(t)
	cfg := fastConfig(targets[:2])
	cfg.Seeds = 1
	cfg.Selection.Mode = pipeline.SelectFixed
	var log strings.Builder
	if _, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{Logger: slog.New(slog.NewTextHandler(&log, nil))}); err != nil {
		t.Fatal(err)
	}
	if want := "target " + targets[0] + ": the screen that keeps datasets as history left it out ("; !strings.Contains(log.String(), want) ||
		!strings.Contains(log.String(), "collapsed runs") || strings.Contains(log.String(), "target "+targets[1]+": the screen") {
		t.Errorf("log lacks a warning for %s alone (%q):\n%s", targets[0], want, log.String())
	}
}

// TestRunScreenedDefaultTarget: a dataset the history screen leaves out is
// still a default target when the zoo's reference results name it; the log
// must not say it is no default target.
func TestRunScreenedDefaultTarget(t *testing.T) {
	tables, targets := collapsedTarget(t)
	for _, target := range targets[:2] {
		tables.ReferenceResults = append(tables.ReferenceResults,
			store.ReferenceResult{Source: "test", Method: "LogME", Metric: "pearson", Target: target, Value: 0.5})
	}
	cfg := fastConfig(nil)
	cfg.Seeds = 1
	cfg.Selection.Mode = pipeline.SelectFixed
	var log strings.Builder
	res, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.Targets, targets[0]) {
		t.Fatalf("targets %v lack %s, which the reference results name", res.Targets, targets[0])
	}
	for _, line := range strings.Split(log.String(), "\n") {
		if strings.Contains(line, "kept out of the history") && strings.Contains(line, "default target") && strings.Contains(line, targets[0]+":") {
			t.Errorf("log says default target %s is not one:\n%s", targets[0], line)
		}
	}
}

// collapsedTarget is the small zoo with its first target's records
// collapsed: all but three of its models share one accuracy, so the history
// screen leaves it out.
func collapsedTarget(t *testing.T) (*store.Tables, []string) {
	tables, targets := smallZoo(t)
	n := 0
	for i := range tables.Finetunes {
		if f := &tables.Finetunes[i]; f.DatasetID == targets[0] {
			if n > 2 {
				f.Accuracy = 0.5
			}
			n++
		}
	}
	return tables, targets
}
