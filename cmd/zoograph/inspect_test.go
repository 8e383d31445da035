package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

// inspectZoo writes a small zoo and returns its directory and manifest.
func inspectZoo(t *testing.T) (string, *store.Manifest) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "zoo")
	created := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	tables := &store.Tables{
		Models: []store.Model{
			{ModelID: "google/vit-base-patch16-224", Author: "google", CreatedAt: created, Tags: []string{"vit", "pytorch"}, Downloads: 1234567, ReportedAccuracy: 0.81, Source: "hub"},
			{ModelID: "microsoft/resnet-50", Tags: nil, ReportedAccuracy: math.NaN(), Source: "hub"},
			{ModelID: "facebook/deit-tiny", Source: "hub", License: "apache-2.0"},
		},
		Finetunes: []store.Finetune{
			{ModelID: "google/vit-base-patch16-224", DatasetID: "cifar100", Accuracy: 0.9, Method: "full", Source: "test"},
			{ModelID: "microsoft/resnet-50", DatasetID: "cifar100", Accuracy: math.NaN(), Method: "lora", Source: "test"},
		},
		Scores: []store.Score{{ModelID: "m", DatasetID: "d", Method: "logme", Score: math.Inf(-1), RuntimeSeconds: math.NaN()}},
	}
	prov := store.Provenance{Source: "inspect-test", Command: "zoograph test", Detail: map[string]string{"origin": "unit test"}}
	if err := store.WriteZoo(t.Context(), dir, tables, prov); err != nil {
		t.Fatal(err)
	}
	m, err := store.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, m
}

func runInspectCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"inspect"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestInspectSummary(t *testing.T) {
	dir, m := inspectZoo(t)
	code, out, errs := runInspectCmd(t, dir)
	if code != exitOK {
		t.Fatalf("exit code %d, stderr %q", code, errs)
	}
	for _, want := range []string{
		fmt.Sprintf("schema version  %d", store.SchemaVersion), "checksum        " + m.Checksum(),
		"models", "finetunes", "scores", "models.parquet",
		"inspect-test", "tables=models,finetunes,scores", "command: zoograph test", "origin: unit test",
		"total",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Row counts are right-aligned in the ROWS column.
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && f[0] == "models" && f[1] != "3" {
			t.Errorf("models line %q: want 3 rows", line)
		}
		if len(f) > 2 && f[0] == "finetunes" && f[1] != "2" {
			t.Errorf("finetunes line %q: want 2 rows", line)
		}
	}
	if strings.Contains(out, "VERIFY") {
		t.Error("VERIFY column shown without --verify")
	}
}

func TestInspectJSON(t *testing.T) {
	dir, m := inspectZoo(t)
	// Flags may follow the directory.
	code, out, errs := runInspectCmd(t, dir, "--json", "--verify")
	if code != exitOK {
		t.Fatalf("exit code %d, stderr %q", code, errs)
	}
	var got zooSummary
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if got.Checksum != m.Checksum() || got.SchemaVersion != store.SchemaVersion || len(got.Provenance) != 1 {
		t.Errorf("summary %+v: want checksum %s, schema %d, one provenance entry", got, m.Checksum(), store.SchemaVersion)
	}
	want := map[string]int64{"models": 3, "finetunes": 2, "scores": 1}
	if len(got.Tables) != len(want) {
		t.Errorf("%d tables, want %d", len(got.Tables), len(want))
	}
	for _, tb := range got.Tables {
		if tb.Rows != want[tb.Name] || tb.Verified == nil || !*tb.Verified || tb.SHA256 != m.Tables[tb.Name].SHA256 {
			t.Errorf("table %+v: want %d rows, verified, sha256 of the manifest", tb, want[tb.Name])
		}
	}
}

func TestInspectVerify(t *testing.T) {
	dir, _ := inspectZoo(t)
	code, out, _ := runInspectCmd(t, "--verify", dir)
	if code != exitOK || !strings.Contains(out, "VERIFY") || strings.Contains(out, "FAILED") {
		t.Fatalf("intact zoo: exit %d, output:\n%s", code, out)
	}
	path := filepath.Join(dir, "finetunes.parquet")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x55
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runInspectCmd(t, "--verify", dir)
	if code != exitFailure {
		t.Errorf("damaged zoo: exit code %d, want %d", code, exitFailure)
	}
	if !strings.Contains(out, "FAILED") || !strings.Contains(out, "verify finetunes: finetunes.parquet: sha256") {
		t.Errorf("damaged zoo: output does not flag finetunes:\n%s", out)
	}
	if !strings.Contains(errs, "verify: 1 of 3 tables differ from manifest.json") {
		t.Errorf("stderr = %q", errs)
	}
}

func TestInspectTableText(t *testing.T) {
	dir, _ := inspectZoo(t)
	code, out, errs := runInspectCmd(t, dir, "models", "--limit", "2")
	if code != exitOK {
		t.Fatalf("exit code %d, stderr %q", code, errs)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want header, 2 rows and a footer:\n%s", len(lines), out)
	}
	header := strings.Fields(lines[0])
	if header[0] != "model_id" || header[len(header)-1] != "crawled_at" || len(header) != len(store.Columns[store.Model]()) {
		t.Errorf("header = %q", header)
	}
	// Columns are aligned: every line starts its second column at the same offset.
	col := strings.Index(lines[0], "hub_oid")
	for _, l := range lines[1:3] {
		if len(l) <= col || l[col-1] != ' ' || l[col] == ' ' {
			t.Errorf("line %q is not aligned with the header at %d", l, col)
		}
	}
	for _, want := range []string{"google/vit-base-patch16-224", "2024-05-06T07:08:09Z", "[vit, pytorch]", "1234567", "0.81", "null", "microsoft/resnet-50"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "facebook/deit-tiny") {
		t.Error("--limit 2 printed the third row")
	}
	if lines[3] != "(2 of 3 rows of models)" {
		t.Errorf("footer = %q", lines[3])
	}
}

func TestInspectTableJSONLines(t *testing.T) {
	dir, _ := inspectZoo(t)
	code, out, errs := runInspectCmd(t, dir, "--json", "scores")
	if code != exitOK {
		t.Fatalf("exit code %d, stderr %q", code, errs)
	}
	var rows []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
		}
		rows = append(rows, r)
	}
	if len(rows) != 1 {
		t.Fatalf("%d JSON lines, want 1:\n%s", len(rows), out)
	}
	r := rows[0]
	if r["model_id"] != "m" || r["score"] != "-Inf" || r["runtime_seconds"] != nil {
		t.Errorf("row = %v: want model_id m, score \"-Inf\", runtime_seconds null", r)
	}
	if !strings.HasPrefix(out, `{"model_id":"m","dataset_id":"d","method":"logme",`) {
		t.Errorf("keys not in column order: %s", out)
	}

	code, out, _ = runInspectCmd(t, dir, "models", "--json", "--limit", "5")
	if n := strings.Count(out, "\n"); code != exitOK || n != 3 {
		t.Errorf("models --limit 5: exit %d, %d lines, want 3:\n%s", code, n, out)
	}
}

func TestInspectErrors(t *testing.T) {
	dir, _ := inspectZoo(t)
	plain := t.TempDir()
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"not a zoo", []string{plain}, exitFailure, "not a zoo: no manifest.json"},
		{"missing dir", []string{filepath.Join(plain, "nope")}, exitFailure, "does not exist"},
		{"unknown table", []string{dir, "evals"}, exitFailure, `has no table "evals" (tables: models, finetunes, scores)`},
		{"no args", nil, exitUsage, "missing ZOO"},
		{"bad limit", []string{dir, "models", "--limit", "0"}, exitUsage, "--limit 0"},
		{"limit without a table", []string{dir, "--limit", "3"}, exitUsage, "--limit prints a TABLE's first rows: name one"},
		{"too many", []string{dir, "models", "extra"}, exitUsage, "too many arguments"},
		{"unknown flag", []string{dir, "--nope"}, exitUsage, "flag provided but not defined"},
		{"zoo as a flag", []string{"--zoo", dir}, exitUsage, "inspect takes the zoo as its argument, not --zoo: zoograph inspect ZOO [TABLE]"},
		{"zoo as a flag with =", []string{"-zoo=" + dir, "models"}, exitUsage, "inspect takes the zoo as its argument, not --zoo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runInspectCmd(t, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errs, tt.code, tt.stderr)
			}
		})
	}
}

func TestGroupAndHumanBytes(t *testing.T) {
	tests := []struct {
		n           int64
		group, size string
	}{
		{0, "0", "0 B"},
		{999, "999", "999 B"},
		{1000, "1,000", "1000 B"},
		{1536, "1,536", "1.5 KiB"},
		{1234567, "1,234,567", "1.2 MiB"},
		{-1234, "-1,234", "-1234 B"},
	}
	for _, tt := range tests {
		if g := group(tt.n); g != tt.group {
			t.Errorf("group(%d) = %q, want %q", tt.n, g, tt.group)
		}
		if h := humanBytes(tt.n); h != tt.size {
			t.Errorf("humanBytes(%d) = %q, want %q", tt.n, h, tt.size)
		}
	}
}

// TestInspectHistory: a zoo with evals shows how many became fine-tuning
// history, and why the others did not.
func TestInspectHistory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "zoo")
	card := "---\ntags: [generated_from_trainer]\n---\n# m\n\nThis model is a fine-tuned version of " +
		"[google/vit-base-patch16-224-in21k](https://huggingface.co/google/vit-base-patch16-224-in21k) on the beans dataset.\n" +
		"It achieves the following results on the evaluation set:\n- Loss: 0.1\n- Accuracy: 0.9812\n"
	tables := &store.Tables{
		Models: []store.Model{{ModelID: "u/vit-beans", ReportedAccuracy: math.NaN(), Source: "hub"},
			{ModelID: "u/other", ReportedAccuracy: math.NaN(), Source: "hub"}},
		Cards: []store.Card{{RepoType: "model", RepoID: "u/vit-beans", Text: card, FetchedAt: time.Now()}},
		Evals: []store.Eval{
			{ModelID: "u/vit-beans", TaskType: "image-classification", DatasetType: "beans", DatasetSplit: "train", MetricType: "accuracy", Value: 0.98123, Source: "card"},
			{ModelID: "u/vit-beans", TaskType: "image-classification", DatasetType: "beans", DatasetSplit: "train", MetricType: "loss", Value: 0.1, Source: "card"},
			{ModelID: "u/other", TaskType: "image-classification", DatasetType: "beans", DatasetSplit: "test", MetricType: "accuracy", Value: 0.9, Source: "card"},
		},
	}
	if err := store.WriteZoo(t.Context(), dir, tables, store.Provenance{Source: "test"}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "inspect", dir)
	if code != exitOK {
		t.Fatalf("inspect: exit %d\n%s", code, errs)
	}
	for _, want := range []string{"history from model-index: 1 records (1 base models, 1 datasets) from 3 evals",
		"0 models name a base model in base_model, 1 only in the Trainer sentence", "1 records are on the Trainer's evaluation set",
		"rejected: 1 no base model", "rejected: 1 metric not an accuracy-like score"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, "inspect", "--json", dir)
	var sum struct {
		History struct {
			Records  int            `json:"records"`
			Rejected map[string]int `json:"rejected"`
		} `json:"history"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &sum) != nil || sum.History.Records != 1 || len(sum.History.Rejected) != 2 {
		t.Errorf("inspect --json: exit %d, history %+v\n%s", code, sum.History, out)
	}
}

// TestTextOutputEscapesControls: names that reach a zoo from a model card
// or an imported file may hold terminal control sequences (ESC, BEL, C1,
// a bidi override) or bytes that are not UTF-8; text output shows them
// escaped, so printing a zoo cannot drive the terminal or fake a line.
func TestTextOutputEscapesControls(t *testing.T) {
	const evil = "x\x1b]0;owned\x07\x1b[2J\u009b\u202e\xff\ny"
	dir := filepath.Join(t.TempDir(), "zoo")
	tables := &store.Tables{
		Models: []store.Model{{ModelID: "org/" + evil, ReportedAccuracy: math.NaN(), Source: "import"}},
		Evals:  []store.Eval{{ModelID: "org/m", DatasetName: evil, DatasetConfig: evil, Value: 0.5, Source: "card"}},
	}
	if err := store.WriteZoo(t.Context(), dir, tables, store.Provenance{Source: "test"}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	r := &pipeline.Recommendations{Target: "t", Method: "m", Seeds: 1,
		Nearest: []pipeline.Neighbour{{Dataset: evil, Distance: 1, Source: "metadata"}},
		Models: []pipeline.Recommendation{{Rank: 1, ModelID: "org/" + evil, Via: evil, Recorded: math.NaN(),
			Evidence: []pipeline.DatasetAccuracy{{Dataset: evil, Accuracy: 0.5}}}}}
	if err := writeRankText(&b, r); err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{"rank": b.String()}
	for _, table := range []string{"models", "evals"} {
		code, out, errs := runInspectCmd(t, dir, table)
		if code != exitOK {
			t.Fatalf("inspect %s: exit %d: %s", table, code, errs)
		}
		outputs["inspect "+table] = out
	}
	for name, out := range outputs {
		if i := strings.IndexFunc(out, func(r rune) bool {
			return r == utf8.RuneError || r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r))
		}); i >= 0 {
			t.Errorf("%s: raw control or invalid byte at %d: %q", name, i, out)
		}
		if !strings.Contains(out, `x\x1b]0;owned\a\x1b[2J\u009b`) { // cells are cut at 40 characters
			t.Errorf("%s: lacks the escaped name:\n%s", name, out)
		}
	}
}

// TestStdoutEscapesControls: whatever a command prints on stdout (JSON
// included, whose encoder leaves C1 and bidi controls raw) reaches the
// terminal without a control character but newline and tab; JSON stays
// JSON and decodes to the same names.
func TestStdoutEscapesControls(t *testing.T) {
	const name = "org/x\u009b2J\u202eevil\x7f"
	dir := filepath.Join(t.TempDir(), "zoo")
	tables := &store.Tables{Models: []store.Model{{ModelID: name, ReportedAccuracy: math.NaN(), Source: "import"}}}
	if err := store.WriteZoo(t.Context(), dir, tables, store.Provenance{Source: "test"}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runInspectCmd(t, dir, "models", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if i := strings.IndexFunc(out, func(r rune) bool {
		return r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r))
	}); i >= 0 {
		t.Errorf("raw control character at %d: %q", i, out)
	}
	var row struct {
		ModelID string `json:"model_id"`
	}
	if err := json.Unmarshal([]byte(out), &row); err != nil || row.ModelID != name {
		t.Errorf("JSON %q decodes to %q, %v; want %q", out, row.ModelID, err, name)
	}
}

// TestProvenanceEscapesLineBreaks: a zoo's manifest may come from
// anywhere; a line break in a provenance source, command or detail is
// shown escaped, not as a line of inspect's own (a faked write).
func TestProvenanceEscapesLineBreaks(t *testing.T) {
	const fake = "\n  2020-01-01T00:00:00Z  hub  tables=models"
	dir := filepath.Join(t.TempDir(), "zoo")
	tables := &store.Tables{Models: []store.Model{{ModelID: "org/m", ReportedAccuracy: math.NaN(), Source: "import"}}}
	prov := store.Provenance{Source: "test" + fake, Command: "zoograph import x" + fake, Detail: map[string]string{"location" + fake: "u" + fake}}
	if err := store.WriteZoo(t.Context(), dir, tables, prov); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runInspectCmd(t, dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(out, "\n  2020-01-01") {
		t.Errorf("a provenance field's line break printed raw:\n%s", out)
	}
	if want := `zoograph import x\n  2020-01-01T00:00:00Z  hub`; !strings.Contains(out, want) {
		t.Errorf("output lacks the escaped command %q:\n%s", want, out)
	}
}

// TestInspectNoTrailingSpaces checks that the aligned tables of inspect end
// their lines at the last cell: padding after it is noise in a diff, a
// copied line or a terminal that shows whitespace.
func TestInspectNoTrailingSpaces(t *testing.T) {
	dir, _ := inspectZoo(t)
	for _, args := range [][]string{{dir}, {dir, "--verify"}, {dir, "models", "--limit", "2"}} {
		code, out, errs := runInspectCmd(t, args...)
		if code != exitOK {
			t.Fatalf("inspect %q: exit %d, stderr %q", args, code, errs)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.TrimRight(line, " ") != line {
				t.Errorf("inspect %q: line ends in spaces: %q", args, line)
			}
		}
	}
}
