package evaluate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/store"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// fixtureResult evaluates the sequence_classification fixture.
func fixtureResult(t *testing.T, protocol Protocol) (*Result, []store.ReferenceResult) {
	t.Helper()
	zoo := importBenchmark(t, filepath.Join("testdata", "sequence_classification"))
	res, err := Evaluate(context.Background(), zoo, nil, Options{
		Protocol:    protocol,
		Baselines:   ComputedBaselines(),
		RandomSeeds: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res, zoo.ReferenceResults
}

func TestWriteReport(t *testing.T) {
	res, ref := fixtureResult(t, ProtocolPaper)
	dir := filepath.Join(t.TempDir(), "run")
	if err := WriteReport(dir, []*Result{res}, ref, false); err != nil {
		t.Fatal(err)
	}

	rows, err := store.ReadFile[store.Metric](filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(res.Metrics) {
		t.Fatalf("%d rows read back, %d written", len(rows), len(res.Metrics))
	}
	for i, r := range rows {
		w := res.Metrics[i]
		if r.Protocol != w.Protocol || r.Method != w.Method || r.Target != w.Target || r.Metric != w.Metric ||
			compareSeeds(r.Seed, w.Seed) != 0 || !closeTo(r.Value, w.Value, 0) {
			t.Fatalf("row %d: read %+v, wrote %+v", i, r, w)
		}
	}

	data, err := os.ReadFile(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Protocol string
		Targets  []struct {
			ID                string  `json:"id"`
			GroundTruthModels int     `json:"ground_truth_models"`
			Weight            float64 `json:"weight"`
		}
		Methods []struct {
			Name   string
			Seeds  []int64
			Values map[string]map[string]struct {
				Value     *float64
				SD        *float64
				Published *float64
				Diff      *float64
			}
			Evaluations []struct {
				Target string
				Pairs  int
				Note   string
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	if doc.Protocol != "paper" || len(doc.Targets) != 2 || len(doc.Methods) != 4 {
		t.Fatalf("report.json: protocol %q, %d targets, %d methods", doc.Protocol, len(doc.Targets), len(doc.Methods))
	}
	logme := doc.Methods[0]
	cell := logme.Values["glue/cola"]["pearson"]
	if logme.Name != "logme" || cell.Value == nil || cell.Published == nil || cell.Diff == nil ||
		math.Abs(*cell.Diff) > 1e-9 || math.Abs(*cell.Value-*cell.Published) > 1e-9 {
		t.Errorf("logme glue/cola pearson in report.json: %+v", cell)
	}
	if _, ok := logme.Values[TargetWeightedMean]["p@5"]; !ok {
		t.Error("no weighted mean in report.json")
	}
	downloads := doc.Methods[2]
	if v := downloads.Values["glue/cola"]["pearson"].Value; downloads.Name != "downloads" || v != nil {
		t.Errorf("downloads: %s pearson %v, want null", downloads.Name, v)
	}
	if len(downloads.Evaluations) != 2 || downloads.Evaluations[0].Note == "" {
		t.Errorf("downloads evaluations %+v", downloads.Evaluations)
	}
	random := doc.Methods[3]
	if len(random.Seeds) != 3 || random.Values["glue/cola"]["kendall"].SD == nil {
		t.Errorf("random: seeds %v, sd %v", random.Seeds, random.Values["glue/cola"]["kendall"].SD)
	}

	md, err := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "report_sequence_paper.md"), md)
}

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test -update after checking):\n%s", path, got)
	}
}

func TestRenderMarkdownReadable(t *testing.T) {
	res, ref := fixtureResult(t, ProtocolPaper)
	var b bytes.Buffer
	if err := RenderMarkdown(&b, res, ref); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"# zoograph evaluation — `paper` protocol",
		"## Agreement with the published tables",
		"| pearson | 3/3 (max ",
		"## pearson",
		"| method |  | glue/cola | tweet_eval/irony | mean | weighted mean |",
		"| `logme` | ours | 0.7091 | 0.8875 |",
		"|  | published | 0.7091 | 0.8875 |  | 0.7854 |",
		"## Metrics",
		"| `regret@k` (k = 1, 3) |",
		"|  | Δ | 0 | 0 |  | 0 |",
		"`downloads` on glue/cola, tweet_eval/irony: the zoo has no download counts.",
		" ± ",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}

	// Without references: one line per method, no published column.
	b.Reset()
	if err := RenderMetricTable(&b, res, MetricKendall, nil); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); strings.Contains(got, "published") || !strings.HasPrefix(got, "| method | glue/cola |") {
		t.Errorf("table without references:\n%s", got)
	}
	if err := RenderMetricTable(&b, res, "nope", nil); err == nil {
		t.Error("unknown metric rendered")
	}
}

func TestFormatting(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"value", formatValue("pearson", 0.123456), "0.1235"},
		{"percentile", formatValue("p@1", 99.44134), "99.44"},
		{"undefined", formatValue("pearson", math.NaN()), "n/a"},
		{"match", formatDiff("pearson", 3e-16), "0"},
		{"tiny", formatDiff("pearson", 2e-6), "2.0e-06"},
		{"visible", formatDiff("pearson", -0.0625), "-0.0625"},
		{"percent", formatDiff("p@3", 1.5), "1.50"},
		{"diff undefined", formatDiff("pearson", math.NaN()), "n/a"},
		{"seeded", formatSummary("kendall", Summary{Mean: 0.1, SD: 0.02, N: 5}), "0.1000 ± 0.0200"},
		{"tied", formatSummary("top@1", Summary{Mean: 0.9, SD: 0, N: 1, Tied: true}), "0.9000 †"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestCheckOutDir(t *testing.T) {
	base := t.TempDir()
	fresh := filepath.Join(base, "a", "b")
	if err := CheckOutDir(fresh, false); err != nil {
		t.Fatalf("new dir: %v", err)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Fatalf("CheckOutDir created %s (stat: %v); WriteReport creates it", fresh, err)
	}
	if err := os.MkdirAll(fresh, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CheckOutDir(fresh, false); err != nil {
		t.Fatalf("existing empty dir: %v", err)
	}
	if err := os.WriteFile(filepath.Join(fresh, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := CheckOutDir(fresh, false)
	if !errors.Is(err, ErrOutDirNotEmpty) {
		t.Errorf("non-empty dir: %v, want ErrOutDirNotEmpty", err)
	}
	if strings.Contains(err.Error(), "--") {
		t.Errorf("the library names a flag: %v", err)
	}
	if err := CheckOutDir(fresh, true); err != nil {
		t.Errorf("non-empty dir with force: %v", err)
	}
	if err := CheckOutDir(filepath.Join(fresh, "x"), true); err == nil {
		t.Error("a file accepted as output directory")
	}
}

// TestSummarizeMetrics checks the one rule every report summarises a cell
// by: per-seed rows over the unseeded mean row, NaN values left out, sd 0
// for a single value and NaN for none.
func TestSummarizeMetrics(t *testing.T) {
	seed := func(s int64) *int64 { return &s }
	nan := math.NaN()
	tests := []struct {
		name string
		rows []store.Metric
		want Summary
	}{
		{"unseeded", []store.Metric{{Value: 0.5}}, Summary{Mean: 0.5, SD: 0, N: 1}},
		{"one seed", []store.Metric{{Value: 0.5, Seed: seed(1)}, {Value: 0.5}}, Summary{Mean: 0.5, SD: 0, N: 1}},
		{"seeds over the mean row", []store.Metric{{Value: 0.2, Seed: seed(1)}, {Value: 0.4, Seed: seed(2)}, {Value: 99}},
			Summary{Mean: 0.3, SD: math.Sqrt(0.02), N: 2}},
		{"undefined seed left out", []store.Metric{{Value: 0.2, Seed: seed(1)}, {Value: nan, Seed: seed(2)}, {Value: nan}},
			Summary{Mean: 0.2, SD: 0, N: 1}},
		{"nothing defined", []store.Metric{{Value: nan, Seed: seed(1)}}, Summary{Mean: nan, SD: nan, N: 0}},
	}
	same := func(a, b float64) bool { return math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) < 1e-15 }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.rows {
				tt.rows[i].Method, tt.rows[i].Target, tt.rows[i].Metric = "m", "t", MetricPearson
			}
			got := SummarizeMetrics(tt.rows)[Cell{"m", "t", MetricPearson}]
			if !same(got.Mean, tt.want.Mean) || !same(got.SD, tt.want.SD) || got.N != tt.want.N {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			var back Summary
			if err := json.Unmarshal(b, &back); err != nil || !same(back.Mean, got.Mean) || !same(back.SD, got.SD) || back.N != got.N {
				t.Errorf("JSON %s read back as %+v (%v)", b, back, err)
			}
		})
	}
}

func TestMethodFromPublished(t *testing.T) {
	for in, want := range map[string]string{"LogME": "logme", "Reg-H-Score": "reg_h_score", "random": "random", "xgb_node2vec": "xgb_node2vec"} {
		if got := MethodFromPublished(in); got != want {
			t.Errorf("MethodFromPublished(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPublishedAggregatesComparable checks that a published mean is set
// beside ours only when both are over the same targets: evaluating two of
// three published targets leaves the weighted mean's published and Δ cells
// empty, with a note, while the per-target cells are still compared.
func TestPublishedAggregatesComparable(t *testing.T) {
	published := func(targets ...string) []store.ReferenceResult {
		var ref []store.ReferenceResult
		for _, tg := range append(targets, TargetWeightedMean) {
			ref = append(ref, store.ReferenceResult{Source: "tg", Method: "LogME", Metric: MetricPearson, Target: tg, Value: 0.5})
		}
		return ref
	}
	res := mustEvaluate(t, toyZoo(), nil, Options{Baselines: []string{BaselineLogME}})
	tests := []struct {
		name       string
		ref        []store.ReferenceResult
		comparable bool
	}{
		{"same targets", published("t1", "t2"), true},
		{"more published targets", published("t1", "t2", "t3"), false},
		{"fewer published targets", published("t1"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var js bytes.Buffer
			if err := WriteJSON(&js, res, tt.ref); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Methods []struct {
					Name   string
					Values map[string]map[string]struct{ Published, Diff *float64 }
				}
			}
			if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			cell := doc.Methods[0].Values[TargetWeightedMean][MetricPearson]
			if got := cell.Published != nil && cell.Diff != nil; got != tt.comparable {
				t.Errorf("weighted mean: published %v, diff %v; want compared %v", cell.Published, cell.Diff, tt.comparable)
			}
			if doc.Methods[0].Values["t1"][MetricPearson].Diff == nil {
				t.Error("t1: no Δ, want the per-target cell compared")
			}

			var md bytes.Buffer
			if err := RenderMarkdown(&md, res, tt.ref); err != nil {
				t.Fatal(err)
			}
			note := "The published means of `logme` are over the paper's targets, not over the 2 evaluated here"
			if got := strings.Contains(md.String(), note); got == tt.comparable {
				t.Errorf("markdown has the note: %v, want %v", got, !tt.comparable)
			}
			var table bytes.Buffer
			if err := RenderMetricTable(&table, res, MetricPearson, tt.ref); err != nil {
				t.Fatal(err)
			}
			// The Δ line: method, label, t1, t2, mean, weighted mean.
			for _, line := range strings.Split(table.String(), "\n") {
				if !strings.Contains(line, "| Δ |") {
					continue
				}
				cells := strings.Split(line, "|") // "", method, label, t1, t2, mean, weighted mean, ""
				if got := strings.TrimSpace(cells[len(cells)-2]) != ""; got != tt.comparable {
					t.Errorf("Δ line %q: weighted mean cell filled %v, want %v", line, got, tt.comparable)
				}
			}
		})
	}
}
