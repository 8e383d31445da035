package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zoograph/zoograph/crawler/hubtest"
	"github.com/zoograph/zoograph/store"
)

// TestCommandsFailCleanly covers the small defects of issue 16 item 7:
// usage errors caught before any work, messages without repeated
// prefixes, and no output directory left behind by a failure.
func TestCommandsFailCleanly(t *testing.T) {
	zoo, targets := sampleZoo(t)
	tmp := t.TempDir()
	full := filepath.Join(tmp, "full")
	writeTestFile(t, filepath.Join(full, "report.md"), "an earlier run\n")
	preds := filepath.Join(tmp, "unknown-models.csv")
	writeTestFile(t, preds, "target,model,score\n"+targets[0]+",nobody/m1,0.5\n"+targets[0]+",nobody/m2,0.7\n")
	baselineDir := filepath.Join(tmp, "baseline-report") // what baseline and eval write
	writeTestFile(t, filepath.Join(baselineDir, "report.json"), `{"protocol": "clean", "targets": {"dtd": {}}}`)
	writeTestFile(t, filepath.Join(baselineDir, "report.md"), "# baselines\n")
	ablationDir := filepath.Join(tmp, "ablation") // what ablate writes beside full/
	writeTestFile(t, filepath.Join(ablationDir, "ablation.json"), `{"rows": []}`)
	notDir := filepath.Join(tmp, "a-file")
	writeTestFile(t, notDir, "x")

	tests := []struct {
		name     string
		args     []string
		code     int
		stderr   string // must contain
		unwanted string // must not contain
		absent   string // a path that must not exist afterwards
	}{
		{name: "rank negative top", args: []string{"rank", "--zoo", zoo, "--target", targets[0], "--top", "-5"},
			code: exitUsage, stderr: "--top -5: want 0 (all) or more"},
		{name: "report of a directory that is no run", args: []string{"report", tmp},
			code: exitFailure, stderr: "zoograph report: " + tmp + " is not a run directory", unwanted: "report: report:"},
		{name: "report of an ablation directory", args: []string{"report", ablationDir},
			code: exitFailure, stderr: "is an ablation, not a run directory: its full method's run is " + filepath.Join(ablationDir, "full")},
		{name: "demo into an existing directory", args: []string{"demo", "--out", full},
			code: exitFailure, stderr: "zoograph demo: " + full + ": file already exists", unwanted: "demo: demo:"},
		{name: "crawl of an unknown kind", args: []string{"crawl", "spaces", "--out", filepath.Join(tmp, "c")},
			code: exitUsage, stderr: `zoograph crawl: kind "spaces"`, unwanted: "crawl: crawl:"},
		{name: "baseline of a missing zoo", args: []string{"baseline", "--zoo", filepath.Join(tmp, "no-zoo"), "--out", filepath.Join(tmp, "b2")},
			code: exitFailure, stderr: "read zoo " + filepath.Join(tmp, "no-zoo"), unwanted: "read zoo: store: read zoo"},
		{name: "rank negative calibration", args: []string{"rank", "--zoo", zoo, "--target", targets[0], "--calibration", "-5"},
			code: exitUsage, stderr: "--calibration -5: give a number of datasets, or -1 for none"},
		{name: "rank unknown target", args: []string{"rank", "--zoo", zoo, "--target", "no-such-dataset"},
			code: exitUsage, stderr: `zoograph rank: no dataset "no-such-dataset"`, unwanted: "rank: rank:"},
		{name: "baseline fails", args: []string{"baseline", "--zoo", zoo, "--out", filepath.Join(tmp, "b"), "--targets", "imagenet-21k"},
			code: exitFailure, stderr: `target "imagenet-21k": no recorded fine-tuning accuracy`, absent: filepath.Join(tmp, "b")},
		{name: "baseline of a target the zoo lacks", args: []string{"baseline", "--zoo", zoo, "--out", filepath.Join(tmp, "b"), "--targets", "no-such-dataset"},
			code: exitUsage, stderr: `no dataset "no-such-dataset" in the zoo`, absent: filepath.Join(tmp, "b")},
		{name: "eval fails", args: []string{"eval", "--zoo", zoo, "--predictions", preds, "--out", filepath.Join(tmp, "e")},
			code: exitFailure, stderr: "none of the 2 predictions", absent: filepath.Join(tmp, "e")},
		{name: "run into a full directory, checked first", args: []string{"run", "--zoo", filepath.Join(tmp, "no-zoo"), "--out", full},
			code: exitFailure, stderr: "exists and is not empty"},
		{name: "report of a baseline report", args: []string{"report", baselineDir},
			code: exitFailure, stderr: "a baseline or eval report is rendered when written"},
		{name: "ablate under the paper protocol", args: []string{"ablate", "--zoo", zoo, "--out", filepath.Join(tmp, "ab"), "--protocol", "paper"},
			code: exitUsage, stderr: "clean protocol only", absent: filepath.Join(tmp, "ab")},
		{name: "import into a file, refused before the import", args: []string{"import", "transfergraph", importTextFixture, "--out", notDir},
			code: exitUsage, stderr: "not a directory", unwanted: "imported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr)
			}
			if tt.unwanted != "" && strings.Contains(stderr, tt.unwanted) {
				t.Errorf("stderr has %q:\n%s", tt.unwanted, stderr)
			}
			if tt.absent != "" {
				if _, err := os.Stat(tt.absent); !os.IsNotExist(err) {
					t.Errorf("%s left behind (stat: %v)", tt.absent, err)
				}
			}
		})
	}
}

// TestInspectCrawlProvenanceOnce checks that inspect shows a crawl, which
// commits its tables one by one, as one write.
func TestInspectCrawlProvenanceOnce(t *testing.T) {
	_, url := crawlHub(t, hubtest.Options{})
	zoo := filepath.Join(t.TempDir(), "zoo")
	t.Setenv("HF_TOKEN", crawlTestToken)
	if code, _, stderr := runCrawlCmd(t.Context(), "models", "--out", zoo, "--endpoint", url, "--cards", "--quota", "none"); code != exitOK {
		t.Fatalf("crawl: exit %d\n%s", code, stderr)
	}
	code, out, stderr := runCLI(t, "inspect", zoo)
	if code != exitOK {
		t.Fatalf("inspect: exit %d\n%s", code, stderr)
	}
	if n := strings.Count(out, "command: zoograph crawl models"); n != 1 {
		t.Errorf("the crawl's provenance is shown %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out, "provenance (1 write, oldest first)") {
		t.Errorf("inspect output lacks one write:\n%s", out)
	}
}

// TestGroupWrites checks how inspect shows the manifests of older crawls,
// which committed cards, evals and models one at a time: as one write.
func TestGroupWrites(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	crawl := func(table, rows string, watermark bool) store.Provenance {
		d := map[string]string{"started_at": "t0", "listed": "150", "rows": rows}
		if watermark {
			d["crawl.watermark"] = "w"
		}
		return store.Provenance{Source: "hub", Command: "zoograph crawl models", Detail: d, At: at, Tables: []string{table}}
	}
	imp := func() store.Provenance {
		return store.Provenance{Source: "tg", Command: "zoograph import", Detail: map[string]string{"location": "x"}, At: at,
			Tables: []string{"models", "finetunes"}}
	}
	in := []store.Provenance{
		crawl("cards", "143", false), crawl("evals", "51", false), crawl("models", "150", true),
		imp(), imp(), // two imports of the same source: two writes
		crawl("models", "150", true),
	}
	got := groupWrites(in)
	var tables, rows []string
	for _, p := range got {
		tables = append(tables, strings.Join(p.Tables, ","))
		rows = append(rows, p.Detail["rows"])
	}
	if diff := cmp.Diff([]string{"cards,evals,models", "models,finetunes", "models,finetunes", "models"}, tables); diff != "" {
		t.Errorf("grouped tables (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"cards 143, evals 51, models 150", "", "", "models 150"}, rows); diff != "" {
		t.Errorf("grouped rows (-want +got):\n%s", diff)
	}
	if got[0].Detail["crawl.watermark"] != "w" || in[0].Detail["rows"] != "143" {
		t.Errorf("group %+v; input changed: %+v", got[0], in[0])
	}
}

func TestSelfCommand(t *testing.T) {
	onPath := func(p string) func(string) (string, error) {
		return func(string) (string, error) {
			if p == "" {
				return "", os.ErrNotExist
			}
			return p, nil
		}
	}
	// Paths under a temporary root: selfCommand reads only their shape.
	root := t.TempDir()
	path := func(elem ...string) string { return filepath.Join(append([]string{root}, elem...)...) }
	goRun := path("go-build1234", "b001", "exe", "zoograph")
	cached := path("cache", "go-build", "5e", "5e5caf5aef8fbc49d66260a1e0bf7a22619a02fc5ee6c56e090542c5fe16427d-d", "zoograph")
	endsInD := path("build-d", "zoograph")
	installed := path("go", "bin", "zoograph")
	zg := path("zg")
	tests := []struct {
		name, arg0, exe string
		lookPath        func(string) (string, error)
		want            string
	}{
		{"go run", goRun, goRun, onPath(""), "go run ./cmd/zoograph"},
		{"go run, cached binary", cached, cached, onPath(""), "go run ./cmd/zoograph"},
		{"a directory that only ends in -d", endsInD, endsInD, onPath(""), endsInD},
		{"installed", "zoograph", installed, onPath(installed), "zoograph"},
		{"built in the clone", "./zoograph", path("src", "zoograph", "zoograph"), onPath(""), "./zoograph"},
		{"another zoograph on PATH", zg, zg, onPath(path("bin", "zoograph")), zg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := selfCommand(tt.arg0, tt.exe, tt.lookPath); got != tt.want {
				t.Errorf("selfCommand = %q, want %q", got, tt.want)
			}
		})
	}
}
