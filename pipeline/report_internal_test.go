package pipeline

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestRunReportWeightedMean checks that the run report sets the paper's
// weighted mean beside ours only when the run held out the paper's targets.
func TestRunReportWeightedMean(t *testing.T) {
	info, ref := chartRun() // the paper published dtd too, which the run did not hold out
	var md bytes.Buffer
	writeMarkdown(&md, info, ref, nil)
	line := func(label string) string {
		for _, l := range strings.Split(md.String(), "\n") {
			if strings.HasPrefix(l, "| "+label+" |") {
				return l
			}
		}
		t.Fatalf("no %q line in:\n%s", label, md.String())
		return ""
	}
	if l := line("**weighted mean**"); strings.Contains(l, "0.808") {
		t.Errorf("weighted mean line %q shows the paper's 0.808, a mean over other targets", l)
	}
	if !strings.Contains(md.String(), "not shown") {
		t.Error("no note says why the paper's weighted mean is not shown")
	}

	// Held out the paper's own targets: compared.
	ref = ref[:0:0]
	for _, tg := range info.Targets {
		ref = append(ref, chartRef("xgb_node2vec", tg, 0.9))
	}
	ref = append(ref, chartRef("xgb_node2vec", "_weighted_mean", 0.808))
	md.Reset()
	writeMarkdown(&md, info, ref, nil)
	if l := line("**weighted mean**"); !strings.Contains(l, "0.808") {
		t.Errorf("weighted mean line %q lacks the paper's 0.808", l)
	}
}

// TestReportTablesShowEveryBaseline checks that the headline Pearson table
// and the all-metrics table of a run report show every baseline the run
// evaluated — history_mean and probe, the strongest baselines of the
// model-recycling benchmark, included — in the order of ReportMethods, and
// the all-metrics table the reference predictions too.
func TestReportTablesShowEveryBaseline(t *testing.T) {
	info, _ := chartRun()
	s := info.Summary["clean"]
	for _, m := range []string{"history_mean", "probe", "random", "ref_xgb"} {
		s[m] = s["logme"]
	}
	info.References = []string{"ref_xgb"}
	info.Config.Protocols = []string{"clean"}
	var md bytes.Buffer
	writeMarkdown(&md, info, nil, nil)
	all := "| node2vec+gbdt | ref_xgb | metadata | history_mean | probe | logme | downloads | random |"
	for section, want := range map[string]string{
		// the reference predictions are rows of the ranking tables instead
		"## Pearson per target — clean protocol":             strings.Replace(all, " ref_xgb |", "", 1),
		"## All metrics, mean over targets — clean protocol": all,
	} {
		_, after, ok := strings.Cut(md.String(), section+"\n")
		if !ok {
			t.Fatalf("no %q section in:\n%s", section, md.String())
		}
		var header string
		for _, l := range strings.Split(after, "\n") {
			if strings.HasPrefix(l, "| ") {
				header = l
				break
			}
		}
		_, cols, _ := strings.Cut(header, " | ") // drop the first column's title
		if got := "| " + cols; got != want {
			t.Errorf("%s: header %q, want the methods %q", section, header, want)
		}
	}
}

// TestReportWithinLineage checks that a run whose methods have a Pearson
// within lineage shows it in the all-metrics table, that a run without
// base-model groups does not, and that the metrics section defines it
// either way (baseline and eval reports show it too).
func TestReportWithinLineage(t *testing.T) {
	info, _ := chartRun()
	info.Config.Protocols = []string{"clean"}
	render := func() string {
		var md bytes.Buffer
		writeMarkdown(&md, info, nil, nil)
		return md.String()
	}
	row := "| pearson_within_lineage | "
	definition := "| `pearson_within_lineage` | `pearson` within each group of models that share a base model"
	md := render()
	if strings.Contains(md, row) {
		t.Errorf("a run without lineage has a pearson_within_lineage row:\n%s", md)
	}
	if !strings.Contains(md, definition) {
		t.Errorf("no definition %q in:\n%s", definition, md)
	}
	info.Summary["clean"]["node2vec+gbdt"]["pearson_within_lineage"] = map[string]MeanSD{"_mean": {Mean: 0.28, N: 5}}
	md = render()
	for _, want := range []string{row + "0.280 ±", definition} {
		if !strings.Contains(md, want) {
			t.Errorf("a run with lineage: no %q in:\n%s", want, md)
		}
	}
}

// TestReportSaysColdOrWarm checks that a run report says whether its
// targets were cold or warm, and for warm ones K.
func TestReportSaysColdOrWarm(t *testing.T) {
	info, _ := chartRun()
	for probe, want := range map[int]string{
		0:  "cold targets: nothing recorded on a target is used",
		10: "warm targets, K = 10: per target and seed, the accuracies of 10 models",
	} {
		info.Config.Probe = probe
		var md bytes.Buffer
		writeMarkdown(&md, info, nil, nil)
		if !strings.Contains(md.String(), want) {
			t.Errorf("probe %d: no %q in:\n%s", probe, want, md.String())
		}
	}
}

// TestReportAveragedColumn: under selection.combine level the settings
// table counts each target's averaged candidates, read back from
// report.json; a report.json written before selections kept their members
// (or under combine best) has no such column.
func TestReportAveragedColumn(t *testing.T) {
	chosen := Candidate{Learner: LearnerNone, Weighting: WeightMinMax, Blend: 0.5}
	other := chosen
	other.Blend = 1
	info := &ReportInfo{Config: DefaultConfig(), Selection: map[string]*Selection{
		"a": {Chosen: chosen, Scores: []CandidateScore{{Candidate: chosen, Score: 0.8}, {Candidate: other, Score: 0.79}},
			Members: []Candidate{other, chosen}},
		"b": {Chosen: chosen, Scores: []CandidateScore{{Candidate: chosen, Score: 0.7}}},
	}}
	for _, tc := range []struct {
		combine string
		want    []string
	}{
		{CombineLevel, []string{"| inner folds | averaged |", "| a | none/blend 0.5 | 0.800 | 0.000 | none/blend 1 (0.790) | 0 | 2 |",
			"| b | none/blend 0.5 | 0.700 | 0.000 |  | 0 | 1 |"}},
		{CombineBest, []string{"| inner folds |\n", "| a | none/blend 0.5 | 0.800 | 0.000 | none/blend 1 (0.790) | 0 |\n"}},
	} {
		info.Config.Selection.Combine = tc.combine
		b, err := json.Marshal(info)
		if err != nil {
			t.Fatal(err)
		}
		var back ReportInfo
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		var md bytes.Buffer
		writeSelection(&md, &back)
		for _, w := range tc.want {
			if !strings.Contains(md.String(), w) {
				t.Errorf("combine %s: no %q in:\n%s", tc.combine, w, md.String())
			}
		}
	}
}
