package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/pipeline/demo"
	"github.com/zoograph/zoograph/store"
)

// sampleZoo writes a small generated zoo (metadata, fine-tuning history,
// scores, distances) and returns its directory and two target datasets.
func sampleZoo(t *testing.T) (string, []string) {
	t.Helper()
	s := demo.GenerateSample(demo.SampleOptions{BaseModels: 30, Seed: 5})
	tables := &store.Tables{Datasets: s.Datasets, Finetunes: s.Finetunes, Scores: s.Scores, DatasetDistances: s.Distances}
	for _, m := range s.Models {
		tables.Models = append(tables.Models, store.Model{ModelID: m.ID, ModelType: m.ModelType,
			Architectures: m.Architectures, NumParameters: m.NumParameters, SourceDatasets: []string{m.SourceDataset},
			Downloads: m.Downloads, ReportedAccuracy: m.SourceAccuracy, Tags: []string{}, Source: "test"})
	}
	dir := filepath.Join(t.TempDir(), "zoo")
	if err := store.WriteZoo(t.Context(), dir, tables, store.Provenance{Source: "test", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return dir, s.Targets[:2]
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// smallConfig writes the default config with a smaller search space and
// fewer trees, for commands run in tests.
func smallConfig(t *testing.T) string {
	t.Helper()
	cfg := pipeline.DefaultConfig()
	cfg.GBDT.Trees = 80
	cfg.Selection.GBDTMaxDepths, cfg.Selection.GBDTTrees = []int{3}, []int{80}
	cfg.Selection.Blends = []float64{1, 0.5, 0}
	cfg.Selection.MaxInnerFolds = 4
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunReportRank(t *testing.T) {
	zoo, targets := sampleZoo(t)
	small := smallConfig(t)
	runDir := filepath.Join(t.TempDir(), "run")
	code, out, errs := runCLI(t, "run", "--zoo", zoo, "--out", runDir, "--config", small, "--targets", strings.Join(targets, ","), "--seeds", "2")
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range append([]string{"Pearson per target", "zoograph+gbdt", "_mean"}, targets...) {
		if !strings.Contains(out, want) {
			t.Errorf("run output lacks %q:\n%s", want, out)
		}
	}
	if md, err := os.ReadFile(filepath.Join(runDir, pipeline.FileReportMD)); err != nil || !strings.Contains(string(md), "Settings chosen per target") {
		t.Errorf("report.md lacks the settings chosen per target (%v)", err)
	}
	for _, f := range []string{pipeline.FileConfig, pipeline.FileReportMD, pipeline.FileMetrics, pipeline.FilePredictions} {
		if _, err := os.Stat(filepath.Join(runDir, f)); err != nil {
			t.Errorf("run directory: %v", err)
		}
	}

	// Re-run from the saved config into a new directory: same metrics.
	again := filepath.Join(t.TempDir(), "again")
	if code, out, errs := runCLI(t, "run", "--zoo", zoo, "--out", again, "--config", filepath.Join(runDir, pipeline.FileConfig)); code != exitOK {
		t.Fatalf("run --config: exit %d\n%s\n%s", code, out, errs)
	}
	m1, err1 := store.ReadFile[store.Metric](filepath.Join(runDir, pipeline.FileMetrics))
	m2, err2 := store.ReadFile[store.Metric](filepath.Join(again, pipeline.FileMetrics))
	if err1 != nil || err2 != nil || len(m1) != len(m2) {
		t.Fatalf("metrics: %d rows (%v) vs %d rows (%v)", len(m1), err1, len(m2), err2)
	}
	for i := range m1 {
		if m1[i].Method != "random" && m1[i].Value != m2[i].Value && !(m1[i].Value != m1[i].Value && m2[i].Value != m2[i].Value) {
			t.Fatalf("re-run from config.json differs: %+v vs %+v", m1[i], m2[i])
		}
	}

	if code, out, errs := runCLI(t, "report", runDir); code != exitOK || !strings.Contains(out, "Pearson per target") {
		t.Errorf("report: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "rank", "--zoo", zoo, "--target", targets[0], "--top", "5", "--seeds", "1", "--selection", "fixed")
	if code != exitOK || strings.Count(out, "\n") < 7 {
		t.Errorf("rank: exit %d\n%s\n%s", code, out, errs)
	}

	// Usage and failure exit codes.
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"run", "--zoo", zoo}, exitUsage},
		{[]string{"run", "--zoo", zoo, "--out", filepath.Join(t.TempDir(), "x"), "--learner", "deepwalk"}, exitUsage},
		{[]string{"run", "--zoo", filepath.Join(t.TempDir(), "nozoo"), "--out", filepath.Join(t.TempDir(), "y")}, exitFailure},
		{[]string{"run", "--zoo", zoo, "--out", runDir}, exitFailure}, // never overwrites
		{[]string{"report", filepath.Join(t.TempDir(), "norun")}, exitFailure},
		{[]string{"rank", "--zoo", zoo, "--target", "no-such-dataset"}, exitUsage},
		{[]string{"rank", "--zoo", zoo}, exitUsage},
		{[]string{"nosuchcommand"}, exitUsage},
	} {
		if code, out, errs := runCLI(t, tc.args...); code != tc.want {
			t.Errorf("%v: exit %d, want %d\n%s\n%s", tc.args, code, tc.want, out, errs)
		}
	}

	// A target the zoo lacks is a usage error that names what could be one.
	for _, cmd := range []string{"run", "ablate"} {
		code, out, errs := runCLI(t, cmd, "--zoo", zoo, "--out", filepath.Join(t.TempDir(), cmd), "--targets", targets[0]+",no-such-dataset")
		if code != exitUsage || !strings.Contains(errs, `no dataset "no-such-dataset" in the zoo`) || !strings.Contains(errs, targets[0]) {
			t.Errorf("%s --targets with an unknown dataset: exit %d, want %d, and the datasets that could be targets\n%s\n%s", cmd, code, exitUsage, out, errs)
		}
	}
}

func TestDemoCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, out, errs := runCLI(t, "demo", "--out", dir, "--base-models", "30", "--num-targets", "1", "--seeds", "1")
	if code != exitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"crawled it with the real crawler", "model-index results", "Pearson per target", "logme", "downloads", "report.md",
		"described only by", "regret", " rank --zoo "} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.TrimRight(line, " ") != line {
			t.Errorf("demo output line ends in spaces: %q", line)
		}
	}
	// The printed rank command reproduces the demo's top 5.
	_, cmdline, ok := strings.Cut(out, "rank it yourself: ")
	cmdline, _, _ = strings.Cut(cmdline, "\n")
	args := strings.Fields(cmdline)
	i := slices.Index(args, "rank")
	if !ok || i < 0 || !slices.Contains(args, "--seeds") {
		t.Fatalf("demo prints no rank command with its seeds: %q", cmdline)
	}
	code, rankOut, errs := runCLI(t, args[i:]...)
	if code != exitOK {
		t.Fatalf("%s: exit %d\n%s", cmdline, code, errs)
	}
	if got, want := topModels(rankOut), topModels(out); len(want) != 5 || !slices.Equal(got, want) {
		t.Errorf("%s ranks %v, the demo %v", cmdline, got, want)
	}
	if code, _, _ := runCLI(t, "demo", "--out", dir); code != exitFailure {
		t.Errorf("demo into an existing directory: exit %d, want %d", code, exitFailure)
	}
	if code, _, _ := runCLI(t, "demo", "--num-targets", "9"); code != exitUsage {
		t.Errorf("demo --num-targets 9: exit %d, want %d", code, exitUsage)
	}
	// The old spelling still works, with a deprecation line.
	if code, _, errs := runCLI(t, "demo", "--targets", "9"); code != exitUsage || !strings.Contains(errs, "--targets is deprecated; use --num-targets") {
		t.Errorf("demo --targets 9: exit %d, want %d; stderr:\n%s", code, exitUsage, errs)
	}
}

// topModels returns the model and predicted accuracy of the lines ranked
// 1 to 5 of a ranking table.
func topModels(out string) []string {
	var top []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && len(top) < 5 && f[0] == strconv.Itoa(len(top)+1) {
			top = append(top, f[1]+" "+f[2])
		}
	}
	return top
}

func TestHelp(t *testing.T) {
	for _, c := range commands {
		code, _, errs := runCLI(t, c.name, "-h")
		if code != exitOK || !strings.Contains(errs, "Usage: zoograph "+c.name) {
			t.Errorf("%s -h: exit %d\n%s", c.name, code, errs)
		}
	}
	if code, out, _ := runCLI(t, "help"); code != exitOK || !strings.Contains(out, "Commands:") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
}

// TestAblateHelpProtocol checks that ablate's -h shows the protocol it
// runs, clean, as --protocol's default, not run's clean,paper.
func TestAblateHelpProtocol(t *testing.T) {
	code, _, errs := runCLI(t, "ablate", "-h")
	if code != exitOK {
		t.Fatalf("ablate -h: exit %d\n%s", code, errs)
	}
	i := strings.Index(errs, "\n  -protocol")
	if i < 0 {
		t.Fatalf("ablate -h has no --protocol:\n%s", errs)
	}
	help := errs[i:]
	if j := strings.Index(help, "\n  -"); j > 0 {
		help = help[:j]
	}
	if !strings.Contains(help, "(default clean)") {
		t.Errorf("ablate -h, --protocol:\n%s\nwant (default clean)", help)
	}
}

// TestLoadConfigKeys checks that a run's config.json is snake_case
// throughout and that a config.json written before the regressor options
// had JSON tags ("Ridge", "Trees", "MaxDepth") still loads.
func TestLoadConfigKeys(t *testing.T) {
	dir := t.TempDir()
	cfg := pipeline.DefaultConfig()
	b, err := json.MarshalIndent(struct {
		Config pipeline.Config `json:"config"`
	}{cfg}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if keys := regexp.MustCompile(`"([A-Za-z0-9_+]*[A-Z][A-Za-z0-9_]*)":`).FindAllString(string(b), -1); len(keys) > 0 {
		t.Errorf("config.json has keys that are not snake_case: %v", keys)
	}
	current := filepath.Join(dir, "current.json")
	writeTestFile(t, current, string(b))
	got, err := loadConfig(current, pipeline.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if got.GBDT != cfg.GBDT || got.Forest != cfg.Forest || got.Linear != cfg.Linear {
		t.Errorf("round trip: gbdt %+v, forest %+v, linear %+v", got.GBDT, got.Forest, got.Linear)
	}

	old := filepath.Join(dir, "old.json")
	writeTestFile(t, old, `{"config": {"protocols": ["clean"], "seeds": 2, "learner": "node2vec", "regressor": "gbdt", "features": "zoograph",
	  "linear": {"Ridge": 0.5, "Standardize": true, "ImputeMissing": false},
	  "forest": {"Trees": 50, "MaxDepth": 4, "MinSamplesLeaf": 1, "MaxFeatures": "sqrt", "Bootstrap": true, "MaxBins": 256, "Workers": 0, "Seed": 0},
	  "gbdt": {"Trees": 300, "MaxDepth": 3, "LearningRate": 0.05, "Lambda": 1, "Alpha": 0, "Gamma": 0, "MinChildWeight": 1,
	           "Subsample": 1, "ColsampleByTree": 0.8, "MaxBins": 256, "EarlyStoppingRounds": 0, "Workers": 0, "Seed": 0}},
	  "zoo": "zoo", "zoo_checksum": "abc"}`)
	got, err = loadConfig(old, pipeline.DefaultConfig())
	if err != nil {
		t.Fatalf("old config: %v", err)
	}
	if got.Linear.Ridge != 0.5 || !got.Linear.Standardize || got.Forest.Trees != 50 || got.Forest.MaxDepth != 4 ||
		got.GBDT.Trees != 300 || got.GBDT.MaxDepth != 3 || got.GBDT.LearningRate != 0.05 || got.GBDT.ColsampleByTree != 0.8 {
		t.Errorf("old config read as linear %+v, forest %+v, gbdt %+v", got.Linear, got.Forest, got.GBDT)
	}

	typo := filepath.Join(dir, "typo.json")
	writeTestFile(t, typo, `{"config": {"gbdt": {"max_dept": 3}}}`)
	if _, err := loadConfig(typo, pipeline.DefaultConfig()); err == nil || !strings.Contains(err.Error(), "max_dept") {
		t.Errorf("config with a misspelt key: %v, want an error naming it", err)
	}
}

func TestRunReferencePredictionsFlag(t *testing.T) {
	zoo, targets := sampleZoo(t)
	tables, _, err := store.ReadZoo(zoo)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("method,target,model,score\n")
	first := true
	for i, f := range tables.Finetunes {
		if f.DatasetID != targets[0] {
			continue
		}
		if first { // no score: no prediction, and a warning naming the line
			fmt.Fprintf(&b, "theirs,%s,%s,\n", f.DatasetID, f.ModelID)
			first = false
			continue
		}
		fmt.Fprintf(&b, "theirs,%s,%s,%g\n", f.DatasetID, f.ModelID, f.Accuracy+0.01*float64(i%5))
	}
	refs := filepath.Join(t.TempDir(), "theirs.csv")
	if err := os.WriteFile(refs, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	runDir := filepath.Join(t.TempDir(), "run")
	code, out, errs := runCLI(t, "run", "--zoo", zoo, "--out", runDir, "--targets", targets[0], "--seeds", "1", "--selection", "fixed", "--reference-predictions", refs)
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "Reference predictions") || !strings.Contains(out, "theirs") {
		t.Errorf("run output lacks the reference predictions:\n%s", out)
	}
	if n := strings.Count(errs, "empty score"); n != 1 || !strings.Contains(errs, "theirs.csv:2") {
		t.Errorf("the record without a score: %d warnings, want 1 naming theirs.csv:2\n%s", n, errs)
	}
	md, err := os.ReadFile(filepath.Join(runDir, pipeline.FileReportMD))
	if err != nil || !strings.Contains(string(md), "| `theirs` (reference) |") {
		t.Errorf("report.md lacks theirs (%v)", err)
	}

	// A bad file fails before the run starts: no run directory.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("method,target,model,score\ntheirs,no-such-dataset,m,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badRun := filepath.Join(t.TempDir(), "badrun")
	code, _, errs = runCLI(t, "run", "--zoo", zoo, "--out", badRun, "--targets", targets[0], "--seeds", "1", "--reference-predictions", bad)
	if code != exitFailure || !strings.Contains(errs, "bad.csv:2") {
		t.Errorf("bad reference file: exit %d, want %d and the file and line\n%s", code, exitFailure, errs)
	}
	if _, err := os.Stat(badRun); err == nil {
		t.Error("a run directory was created before the reference predictions were read")
	}
}

// TestDecileLog checks that a run without a terminal logs its progress
// about ten times, the last at the end, however many tasks it has.
func TestDecileLog(t *testing.T) {
	for _, total := range []int{3, 10, 304} {
		var d decileLog
		var logged []int
		for done := 1; done <= total; done++ {
			if d.next(done, total) {
				logged = append(logged, done)
			}
		}
		if len(logged) > 10 || logged[len(logged)-1] != total {
			t.Errorf("%d tasks: logged at %v, want at most 10 lines ending at %d", total, logged, total)
		}
	}
}

// TestRunProbeHidesHistory checks that a probe as large as a history
// dataset's number of models is said up front: the datasets it hides from
// the training rows, and the largest probe that keeps them.
func TestRunProbeHidesHistory(t *testing.T) {
	zoo, targets := sampleZoo(t)
	tables, _, err := store.ReadZoo(zoo)
	if err != nil {
		t.Fatal(err)
	}
	models := map[string]map[string]bool{}
	for _, f := range tables.Finetunes {
		if models[f.DatasetID] == nil {
			models[f.DatasetID] = map[string]bool{}
		}
		models[f.DatasetID][f.ModelID] = true
	}
	smallest, k := "", 0
	for ds, ms := range models {
		if ds != targets[0] && (smallest == "" || len(ms) < k || len(ms) == k && ds < smallest) {
			smallest, k = ds, len(ms)
		}
	}
	runDir := filepath.Join(t.TempDir(), "run")
	code, out, errs := runCLI(t, "run", "--zoo", zoo, "--out", runDir, "--targets", targets[0], "--seeds", "1", "--selection", "fixed",
		"--probe", fmt.Sprint(k), "--protocol", "clean")
	want := fmt.Sprintf("probe = %d reveals every model of", k)
	if code != exitOK || !strings.Contains(errs, want) || !strings.Contains(errs, smallest+" (") || !strings.Contains(errs, fmt.Sprintf("probe = %d or less keeps them", k-1)) {
		t.Errorf("exit %d; stderr lacks %q naming %s and probe %d:\n%s\n%s", code, want, smallest, k-1, errs, out)
	}
}

// TestRunSummary checks the table run and report print: every baseline of
// the report's headline table (random and history_mean included) and
// whether the targets were cold or warm.
func TestRunSummary(t *testing.T) {
	pearson := func(v float64) map[string]map[string]pipeline.MeanSD {
		m := map[string]pipeline.MeanSD{}
		for _, tg := range []string{"rte", "_mean", "_weighted_mean"} {
			m[tg] = pipeline.MeanSD{Mean: v, N: 2}
		}
		return map[string]map[string]pipeline.MeanSD{"pearson": m}
	}
	for _, tc := range []struct {
		name  string
		probe int
		kind  string
	}{
		{"cold", 0, "cold targets"},
		{"warm", 10, "warm targets, K = 10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info := pipeline.ReportInfo{Method: "zoograph+gbdt", Targets: []string{"rte"},
				Summary: map[string]map[string]map[string]map[string]pipeline.MeanSD{"clean": {
					"zoograph+gbdt": pearson(0.5), "history_mean": pearson(0.45), "random": pearson(0), "probe": pearson(0.2)}}}
			info.Config = pipeline.DefaultConfig()
			info.Config.Protocols, info.Config.Seeds, info.Config.Probe = []string{"clean"}, 2, tc.probe
			dir := t.TempDir()
			b, err := json.Marshal(info)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, pipeline.FileReportJSON), b, 0o644); err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			if err := printRunSummary(&env{stdout: &out, stderr: &out}, dir); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(out.String(), "\n")
			if want := fmt.Sprintf("Pearson per target (clean protocol, mean over 2 seeds, %s):", tc.kind); lines[0] != want {
				t.Errorf("first line %q, want %q", lines[0], want)
			}
			if got, want := strings.Fields(lines[2]), []string{"target", "zoograph+gbdt", "history_mean", "probe", "random"}; !slices.Equal(got, want) {
				t.Errorf("columns %q, want %q", got, want)
			}
		})
	}
}

// TestAblateProgress checks that ablate, whose variants are runs of their
// own, logs progress where no bar is drawn, as run does: each run's tenths,
// after a line naming the variant; and what every run notes, once.
func TestAblateProgress(t *testing.T) {
	zoo, targets := sampleZoo(t)
	out := filepath.Join(t.TempDir(), "ablation")
	code, stdout, errs := runCLI(t, "ablate", "--zoo", zoo, "--out", out, "--config", smallConfig(t), "--seeds", "1", "--targets", targets[0])
	if code != exitOK {
		t.Fatalf("ablate: exit %d\n%s\n%s", code, stdout, errs)
	}
	variants, finished := strings.Count(errs, `msg="ablation variant"`), 0
	for _, line := range strings.Split(errs, "\n") {
		if strings.Contains(line, "msg=progress") {
			f := strings.Fields(line)
			if len(f) >= 2 && strings.TrimPrefix(f[len(f)-2], "tasks=") == strings.TrimPrefix(f[len(f)-1], "of=") {
				finished++
			}
		}
	}
	if variants < 3 || finished != variants {
		t.Errorf("ablate logged %d variants and %d finished runs, want as many, at least 3:\n%s", variants, finished, errs)
	}
	// The variants' runs repeat the full run's notes: said once.
	if n := strings.Count(errs, `msg="baseline left out: the zoo has no data for it" baseline=probe`); n != 1 {
		t.Errorf("ablate said %d times that the probe baseline is left out, want once:\n%s", n, errs)
	}
}

// TestDecileLogRuns checks that the progress log starts again with each
// run of a command that makes several.
func TestDecileLogRuns(t *testing.T) {
	var d decileLog
	logged := 0
	for range 2 {
		for done := 1; done <= 20; done++ {
			if d.next(done, 20) {
				logged++
			}
		}
	}
	if logged != 20 {
		t.Errorf("logged %d lines over two runs of 20 tasks, want 10 each", logged)
	}
}

// TestShowProgressRuns checks that the bar of a command making several
// runs (ablate's variants) starts again with each run instead of staying
// finished after the first.
func TestShowProgressRuns(t *testing.T) {
	var errb bytes.Buffer
	e := &env{stderr: &errb, log: slog.New(slog.NewTextHandler(&errb, nil)), terminal: true}
	bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(&errb), progressbar.OptionSetDescription("ablate"))
	show := showProgress(e, bar)
	for done := 1; done <= 4; done++ {
		show(done, 4)
	}
	show(1, 6)
	if bar.IsFinished() || bar.State().CurrentNum != 1 || bar.State().Max != 6 {
		t.Errorf("second run's first step: finished %v, at %d of %d; want 1 of 6, not finished", bar.IsFinished(), bar.State().CurrentNum, bar.State().Max)
	}
}

// TestAblateSaysWhereItWrote checks that ablate, after its table, says
// where the ablation and the full method's run are, as run says where its
// report is.
func TestAblateSaysWhereItWrote(t *testing.T) {
	zoo, targets := sampleZoo(t)
	out := filepath.Join(t.TempDir(), "ablation")
	code, stdout, errs := runCLI(t, "ablate", "--zoo", zoo, "--out", out, "--config", smallConfig(t),
		"--seeds", "1", "--targets", targets[0], "--selection", "fixed")
	if code != exitOK {
		t.Fatalf("ablate: exit %d\n%s", code, errs)
	}
	want := "ablation: " + filepath.Join(out, "ablation.md") + " (also ablation.json); the full method's run: " + filepath.Join(out, "full") + "\n"
	if !strings.HasSuffix(stdout, want) {
		t.Errorf("ablate output ends\n%s\nwant it to end with\n%s", stdout[max(0, len(stdout)-300):], want)
	}
	for _, f := range []string{"ablation.md", "ablation.json", filepath.Join("full", "report.json")} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("ablate wrote no %s: %v", f, err)
		}
	}
}
