package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/crawler/hubtest"
	"github.com/zoograph/zoograph/pipeline/recycling"
	"github.com/zoograph/zoograph/store"
	"github.com/zoograph/zoograph/store/storetest"
)

// importTextFixture is the sequence_classification fixture of the importer.
const importTextFixture = "../../pipeline/transfergraph/testdata/sequence_classification"

// importSharedImage returns the shared image_classification benchmark;
// without it the test fails under CI and is skipped elsewhere.
func importSharedImage(t *testing.T) string {
	t.Helper()
	return storetest.Shared(t, "transfergraph/image_classification")
}

func TestImportCommand(t *testing.T) {
	tests := []struct {
		name       string
		src        func(t *testing.T) string
		extra      []string
		counts     map[string]int
		source     string
		wantOutput []string
	}{
		{
			name: "image",
			src:  importSharedImage,
			counts: map[string]int{
				"models": 185, "datasets": 69, "finetunes": 2254, "scores": 2466,
				"dataset_distances": 69 * 68, "reference_results": 2601,
			},
			source: "transfergraph/image_classification",
			wantOutput: []string{
				"finetunes             2254",
				"skipped 2 malformed rows:",
				"transferability_score_records.csv:1052: short line",
				"transferability_score_records.csv:2309: short line",
			},
		},
		{
			name:  "text fixture, flags first",
			src:   func(*testing.T) string { return importTextFixture },
			extra: []string{"--task", "text"},
			counts: map[string]int{
				"models": 6, "datasets": 7, "finetunes": 20, "scores": 17,
				"dataset_distances": 30, "reference_results": 18,
			},
			source: "transfergraph/sequence_classification",
			wantOutput: []string{
				"(6 LoRA, 4 repeated runs)",
				"skipped 4 malformed rows:",
				"records.csv:17: fragment",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src(t)
			zoo := filepath.Join(t.TempDir(), "zoo")
			args := append([]string{"import"}, tt.extra...)
			args = append(args, "transfergraph", src, "--out", zoo)
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), args, &stdout, &stderr); code != exitOK {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
			}
			for _, want := range tt.wantOutput {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, stdout.String())
				}
			}

			tables, m, err := store.ReadZoo(zoo)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
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
				if want := tt.counts[c.table]; c.got != want {
					t.Errorf("zoo table %s: %d rows, want %d", c.table, c.got, want)
				}
			}
			if len(m.Provenance) == 0 {
				t.Fatal("manifest has no provenance")
			}
			p := m.Provenance[len(m.Provenance)-1]
			if p.Source != tt.source || p.Detail["location"] != src || !strings.Contains(p.Command, "import transfergraph") {
				t.Errorf("provenance = %+v, want source %s, location %s", p, tt.source, src)
			}
		})
	}
}

func TestImportCommandErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no kind", []string{"import", "--out", dir}, exitUsage, "missing benchmark kind"},
		{"unknown kind", []string{"import", "model-zoo", "x", "--out", dir}, exitUsage, `unknown benchmark "model-zoo"`},
		{"no source", []string{"import", "transfergraph", "--out", dir}, exitUsage, "want exactly one SRC"},
		{"two sources", []string{"import", "transfergraph", "a", "b", "--out", dir}, exitUsage, "want exactly one SRC"},
		{"no out", []string{"import", "transfergraph", importTextFixture}, exitUsage, "--out is required"},
		{"bad task", []string{"import", "transfergraph", importTextFixture, "--out", dir, "--task", "audio"}, exitUsage, `--task "audio"`},
		{"unknown flag", []string{"import", "transfergraph", importTextFixture, "--bogus"}, exitUsage, "bogus"},
		{"missing source", []string{"import", "transfergraph", filepath.Join(dir, "nope"), "--out", filepath.Join(dir, "zoo")}, exitFailure, "nope"},
		{"strict", []string{"import", "transfergraph", importTextFixture, "--out", filepath.Join(dir, "strict"), "--strict"}, exitFailure, "records.csv:17: fragment"},
		{"recycling with task", []string{"import", "model-recycling", "x", "--out", dir, "--task", "text"}, exitUsage, "--task applies to transfergraph only"},
		{"recycling missing dir", []string{"import", "model-recycling", filepath.Join(dir, "nope"), "--out", filepath.Join(dir, "zoo")}, exitFailure, "models_tested.csv"},
		{"credentials in the source URL", []string{"import", "transfergraph", "https://user:s3cret@127.0.0.1:1/x", "--out", filepath.Join(dir, "zoo")}, exitFailure, "must not carry credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr.String())
			}
			if strings.Contains(stderr.String(), "s3cret") {
				t.Errorf("stderr repeats the password:\n%s", stderr.String())
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "strict")); !os.IsNotExist(err) {
		t.Errorf("strict import that failed left %s behind (err %v)", filepath.Join(dir, "strict"), err)
	}
}

// TestImportRecyclingCommand imports the model-recycling fixture into a
// zoo that already holds another benchmark, twice: the other source's rows
// stay, this source's are replaced, not doubled.
func TestImportRecyclingCommand(t *testing.T) {
	const fixture = "../../pipeline/recycling/testdata/good"
	zoo := filepath.Join(t.TempDir(), "zoo")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"import", "transfergraph", importTextFixture, "--out", zoo}, &stdout, &stderr); code != exitOK {
		t.Fatalf("transfergraph import: exit %d, stderr:\n%s", code, stderr.String())
	}
	before, _, err := store.ReadZoo(zoo)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		stdout.Reset()
		if code := run(context.Background(), []string{"import", "model-recycling", fixture, "--out", zoo}, &stdout, &stderr); code != exitOK {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
		}
	}
	for _, want := range []string{"models           4  (4 rows read; 3 fine-tuned, 1 with a probe score only; replaced 4 earlier rows; kept 6 other rows)",
		"finetunes        8  (replaced 8 earlier rows; kept 20 other rows)", "no malformed values"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	after, m, err := store.ReadZoo(zoo)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(after.Models), len(before.Models)+4; got != want {
		t.Errorf("%d models, want %d (the transfergraph ones and 4)", got, want)
	}
	if got, want := len(after.Finetunes), len(before.Finetunes)+8; got != want {
		t.Errorf("%d finetunes, want %d", got, want)
	}
	if got, want := len(after.Scores), len(before.Scores)+4; got != want {
		t.Errorf("%d scores, want %d", got, want)
	}
	if len(after.DatasetDistances) != len(before.DatasetDistances) || len(after.ReferenceResults) != len(before.ReferenceResults) {
		t.Error("tables the import does not own changed")
	}
	if p := m.Provenance[len(m.Provenance)-1]; p.Source != "model-recycling" || !strings.Contains(p.Command, "import model-recycling") {
		t.Errorf("provenance %+v", p)
	}

	stderr.Reset()
	code := run(context.Background(), []string{"import", "model-recycling", "../../pipeline/recycling/testdata/bad", "--out", zoo, "--strict"}, &stdout, &stderr)
	if code != exitFailure || !strings.Contains(stderr.String(), `models_tested.csv:3:12: column "sst2": bad number`) {
		t.Errorf("strict import of the bad fixture: exit %d, stderr:\n%s", code, stderr.String())
	}
}

func TestImportCommandHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"import", "-h"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stderr.String(), "Usage: zoograph import transfergraph SRC --out ZOO") {
		t.Errorf("help lacks the synopsis:\n%s", stderr.String())
	}
}

// TestImportKeepsCrawl follows the README's "Real data" steps in order:
// crawl into a zoo, import a benchmark into the same zoo, import it again.
// The crawl's rows survive both imports; the second import replaces the
// first's rows instead of doubling them.
func TestImportKeepsCrawl(t *testing.T) {
	h, url := crawlHub(t, hubtest.Options{})
	zoo := filepath.Join(t.TempDir(), "zoo")
	t.Setenv("HF_TOKEN", crawlTestToken)
	if code, _, stderr := runCrawlCmd(context.Background(), "models", "--out", zoo, "--endpoint", url, "--cards", "--quota", "none"); code != exitOK {
		t.Fatalf("crawl: exit %d; stderr:\n%s", code, stderr)
	}
	crawled, _, err := store.ReadZoo(zoo)
	if err != nil {
		t.Fatal(err)
	}
	if len(crawled.Models) != h.NumModels() || len(crawled.Cards) == 0 || len(crawled.Evals) == 0 {
		t.Fatalf("crawl wrote %d models (want %d), %d cards, %d evals", len(crawled.Models), h.NumModels(), len(crawled.Cards), len(crawled.Evals))
	}

	for i := range 2 {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{"import", "transfergraph", importTextFixture, "--out", zoo}, &stdout, &stderr); code != exitOK {
			t.Fatalf("import %d: exit %d; stderr:\n%s", i+1, code, stderr.String())
		}
		if want := fmt.Sprintf("kept %d other rows", h.NumModels()); !strings.Contains(stdout.String(), want) {
			t.Errorf("import %d: output lacks %q:\n%s", i+1, want, stdout.String())
		}
		tables, m, err := store.ReadZoo(zoo)
		if err != nil {
			t.Fatal(err)
		}
		var hub, bench int
		for _, r := range tables.Models {
			switch r.Source {
			case "hub":
				hub++
			case "transfergraph/sequence_classification":
				bench++
			}
		}
		if hub != len(crawled.Models) || bench != 6 || len(tables.Models) != hub+bench {
			t.Errorf("import %d: models %d from the hub (want %d), %d from the benchmark (want 6), %d in all",
				i+1, hub, len(crawled.Models), bench, len(tables.Models))
		}
		if len(tables.Cards) != len(crawled.Cards) || len(tables.Evals) != len(crawled.Evals) {
			t.Errorf("import %d: cards %d -> %d, evals %d -> %d: the crawl's tables changed",
				i+1, len(crawled.Cards), len(tables.Cards), len(crawled.Evals), len(tables.Evals))
		}
		if len(tables.Finetunes) != 20 || len(tables.Scores) != 17 {
			t.Errorf("import %d: %d finetunes, %d scores; want the benchmark's 20 and 17", i+1, len(tables.Finetunes), len(tables.Scores))
		}
		if n := len(m.Provenance); m.Provenance[n-1].Source != "transfergraph/sequence_classification" {
			t.Errorf("import %d: last provenance %+v", i+1, m.Provenance[n-1])
		}
	}
}

// TestImportWithoutRecordsKeepsZoo re-imports both benchmarks from copies
// whose records file holds its header alone, as a truncated download
// would: each import fails naming the file, and the zoo read back still
// holds the earlier imports' rows.
func TestImportWithoutRecordsKeepsZoo(t *testing.T) {
	const recyclingFixture = "../../pipeline/recycling/testdata/good"
	tmp := t.TempDir()
	zoo := filepath.Join(tmp, "zoo")
	for _, args := range [][]string{
		{"import", "transfergraph", importTextFixture, "--out", zoo},
		{"import", "model-recycling", recyclingFixture, "--out", zoo},
	} {
		if code, _, stderr := runCLI(t, args...); code != exitOK {
			t.Fatalf("%s: exit %d; stderr:\n%s", args[1], code, stderr)
		}
	}
	before, _, err := store.ReadZoo(zoo)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		kind, fixture, file, want string
	}{
		{"transfergraph", importTextFixture, "records.csv", "records.csv: no fine-tuning records: nothing to import"},
		{"model-recycling", recyclingFixture, "models_tested.csv", "models_tested.csv: no fine-tuning accuracy (0 rows read): nothing to import"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			src := filepath.Join(tmp, tt.kind)
			if err := os.CopyFS(src, os.DirFS(tt.fixture)); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(src, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			header, _, _ := strings.Cut(string(data), "\n")
			writeTestFile(t, filepath.Join(src, tt.file), header+"\n")

			code, stdout, stderr := runCLI(t, "import", tt.kind, src, "--out", zoo)
			if code != exitFailure || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s", code, exitFailure, tt.want, stderr)
			}
			if strings.Contains(stdout, "imported") {
				t.Errorf("stdout says it imported:\n%s", stdout)
			}
			after, _, err := store.ReadZoo(zoo)
			if err != nil {
				t.Fatal(err)
			}
			if len(after.Models) != len(before.Models) || len(after.Finetunes) != len(before.Finetunes) ||
				len(after.Datasets) != len(before.Datasets) || len(after.Scores) != len(before.Scores) {
				t.Errorf("zoo changed: models %d -> %d, finetunes %d -> %d, datasets %d -> %d, scores %d -> %d",
					len(before.Models), len(after.Models), len(before.Finetunes), len(after.Finetunes),
					len(before.Datasets), len(after.Datasets), len(before.Scores), len(after.Scores))
			}
		})
	}
}

// TestImportReplacesStaleRows re-imports the model-recycling fixture
// without its last model into a zoo that also holds another source's scores
// and distances: read back from the zoo's Parquet files, the dropped
// model's row and probe score are gone, the other source's rows, of the
// same key too, are intact, and the summary says what was replaced.
func TestImportReplacesStaleRows(t *testing.T) {
	const fixture = "../../pipeline/recycling/testdata/good"
	tmp := t.TempDir()
	zoo := filepath.Join(tmp, "zoo")
	if code, _, stderr := runCLI(t, "import", "model-recycling", fixture, "--out", zoo); code != exitOK {
		t.Fatalf("import: exit %d; stderr:\n%s", code, stderr)
	}
	first, _, err := store.ReadZoo(zoo)
	if err != nil {
		t.Fatal(err)
	}
	var other store.Tables
	for _, s := range first.Scores {
		s.Source, s.Score = "other", 0.5
		other.Scores = append(other.Scores, s)
	}
	other.DatasetDistances = []store.DatasetDistance{{DatasetA: "mnli", DatasetB: "rte", Distance: 1, Method: "probe", Source: "other"}}
	if _, err := store.MergeZoo(t.Context(), zoo, &other, store.Provenance{Source: "other"}); err != nil {
		t.Fatal(err)
	}

	src := filepath.Join(tmp, "fewer")
	if err := os.CopyFS(src, os.DirFS(fixture)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(src, "models_tested.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(data), "\n"), "\n")
	dropped, _, _ := strings.Cut(lines[len(lines)-1], ",")
	writeTestFile(t, filepath.Join(src, "models_tested.csv"), strings.Join(lines[:len(lines)-1], ""))

	code, stdout, stderr := runCLI(t, "import", "model-recycling", src, "--out", zoo)
	if code != exitOK {
		t.Fatalf("re-import: exit %d; stderr:\n%s", code, stderr)
	}
	m, err := store.ReadManifest(zoo)
	if err != nil {
		t.Fatal(err)
	}
	models, err := store.ReadFile[store.Model](m.TablePath(zoo, store.TableModels))
	if err != nil {
		t.Fatal(err)
	}
	scores, err := store.ReadFile[store.Score](m.TablePath(zoo, store.TableScores))
	if err != nil {
		t.Fatal(err)
	}
	dists, err := store.ReadFile[store.DatasetDistance](m.TablePath(zoo, store.TableDatasetDistances))
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(models, func(m store.Model) bool { return m.ModelID == dropped }) {
		t.Errorf("%s's model row stayed", dropped)
	}
	var mine, others int
	for _, s := range scores {
		switch {
		case s.Source == "other":
			others++
		case s.Source != recycling.Source:
			t.Errorf("score %+v of an unknown source", s)
		case s.ModelID == dropped:
			t.Errorf("%s's stale score stayed: %+v", dropped, s)
		default:
			mine++
		}
	}
	if mine != len(first.Scores)-1 || others != len(first.Scores) {
		t.Errorf("scores: %d of %s, %d of other; want %d and %d", mine, recycling.Source, others, len(first.Scores)-1, len(first.Scores))
	}
	if len(dists) != 1 || dists[0] != other.DatasetDistances[0] {
		t.Errorf("distances %+v, want the other source's row intact", dists)
	}
	want := fmt.Sprintf("scores           3  (linear_probe on mnli: the mnli_lp column; 0 rows at 0, the source's \"not measured\", have none; replaced %d earlier rows; kept %d other rows)",
		len(first.Scores), len(first.Scores))
	if !strings.Contains(stdout, want) {
		t.Errorf("output lacks %q:\n%s", want, stdout)
	}
}

// TestImportRefusesNonZooDir checks that an import or a crawl into a
// directory that holds files no zoo write made is refused, naming the
// directory and a file, and leaves the files as they were; and that a
// directory a killed first import or crawl left behind is written into.
func TestImportRefusesNonZooDir(t *testing.T) {
	dir := t.TempDir()
	notes, keep := filepath.Join(dir, "notes.txt"), filepath.Join(dir, "models.parquet")
	writeTestFile(t, notes, "mine")
	writeTestFile(t, keep, "keep")
	for _, args := range [][]string{
		{"import", "transfergraph", importTextFixture, "--out", dir},
		{"import", "model-recycling", "x", "--out", dir},
		{"crawl", "models", "--out", dir, "--endpoint", "http://127.0.0.1:1"}, // refused before any request
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "holds notes.txt, which is no zoo file") {
			t.Errorf("%v: exit %d, want %d and a line naming notes.txt\n%s", args, code, exitUsage, stderr.String())
		}
		for f, want := range map[string]string{notes: "mine", keep: "keep"} {
			if b, err := os.ReadFile(f); err != nil || string(b) != want {
				t.Errorf("%v: %s changed (%v)", args, f, err)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, store.ManifestFile)); !os.IsNotExist(err) {
			t.Errorf("%v: a manifest was written (%v)", args, err)
		}
	}
	// What a killed first write leaves: a table without a manifest and a
	// temporary file; with a crawl's state beside them, anything its merge
	// wrote. The import goes on in both.
	for name, files := range map[string][]string{
		"killed import": {"finetunes.parquet", ".models.parquet.tmp-1234"},
		"killed crawl":  {".crawl/models/state.json", "models.parquet", "stray-merge-output"},
	} {
		out := filepath.Join(t.TempDir(), "zoo")
		for _, f := range files {
			writeTestFile(t, filepath.Join(out, f), "x")
		}
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{"import", "transfergraph", importTextFixture, "--out", out}, &stdout, &stderr); code != exitOK {
			t.Errorf("%s: exit %d, want the import to go on\n%s", name, code, stderr.String())
		}
	}
}

// TestImportRecyclingSaysUnread checks that a model-recycling import names
// the datasets.csv rows that are no dataset column (datasets without a
// record) and the datasets.csv columns it does not read, where both were
// silent.
func TestImportRecyclingSaysUnread(t *testing.T) {
	src := t.TempDir()
	data, err := os.ReadFile("../../pipeline/recycling/testdata/good/models_tested.csv")
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(src, "models_tested.csv"), string(data))
	writeTestFile(t, filepath.Join(src, "datasets.csv"), "license,dataset,task,num_classes\n"+
		"mit,sst2,sentiment,2\napache-2.0,ghost,topic,4\n")
	code, stdout, stderr := runCLI(t, "import", "model-recycling", src, "--out", filepath.Join(t.TempDir(), "zoo"))
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		"datasets.csv rows that name no column of models_tested.csv (datasets without records): ghost",
		"datasets.csv columns not read: license",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}
