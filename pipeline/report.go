package pipeline

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zoograph/zoograph/pipeline/evaluate"
	"github.com/zoograph/zoograph/store"
)

// Files of a run directory.
const (
	FileConfig      = "config.json"
	FileReportJSON  = "report.json"
	FileReportMD    = "report.md"
	FilePredictions = "predictions.parquet"
	FileMetrics     = "metrics.parquet"
	FileReference   = "reference_results.parquet"
)

// ReportInfo is report.json: everything about a run that the metrics and
// predictions tables do not hold, plus the aggregated numbers.
type ReportInfo struct {
	Method      string           `json:"method"`
	Config      Config           `json:"config"`
	ZooDir      string           `json:"zoo,omitempty"`
	ZooChecksum string           `json:"zoo_checksum,omitempty"`
	CreatedAt   time.Time        `json:"created_at"`
	Targets     []string         `json:"targets"`
	Features    []string         `json:"features"`
	Dropped     []DroppedDataset `json:"dropped_history,omitempty"`
	// WorkingSet is what Clean kept past clean.max_cells: the scores are
	// those of that part of the zoo (nil when it kept everything).
	WorkingSet *WorkingSet           `json:"working_set,omitempty"`
	GraphStats map[string]GraphStats `json:"graphs,omitempty"`
	// TimingsSeconds holds the stage timings (summed over parallel tasks)
	// and "wall", the run's elapsed time.
	TimingsSeconds map[string]float64 `json:"timings_seconds"`
	// Selection is what was chosen for each target (nested selection's
	// inner scores included).
	Selection map[string]*Selection `json:"selection,omitempty"`
	// Summary[protocol][method][metric][target] = mean and sd over seeds.
	Summary map[string]map[string]map[string]map[string]MeanSD `json:"summary"`
	// References are the methods of the config's reference predictions,
	// evaluated beside zoograph's on the same model set.
	References []string `json:"reference_methods,omitempty"`
	// Failures[protocol][target] is the rule behind pearson_working on the
	// target and the fine-tunes it flags.
	Failures map[string]map[string]TargetFailures `json:"failures,omitempty"`
	// Recommended is the "Recommended models" table per target.
	Recommended []TargetRecommendation `json:"recommended,omitempty"`
	// History counts the fine-tuning records derived from model-index
	// results (nil when the zoo has no evals).
	History *HistoryReport `json:"history,omitempty"`
}

// TargetFailures summarises evaluate.Failure on one target: chance (1/K, 0
// when unknown), the typical (median) accuracy, the accuracy at or below
// which a fine-tune failed, and how many of the ground-truth and of the
// evaluated models failed.
type TargetFailures struct {
	Chance          float64 `json:"chance"`
	Typical         float64 `json:"typical_accuracy"`
	Threshold       float64 `json:"threshold"`
	Failed          int     `json:"failed"`
	Models          int     `json:"models"`
	FailedEvaluated int     `json:"failed_evaluated"`
	Evaluated       int     `json:"evaluated"`
	// Weight is the target's weight in the weighted mean over targets,
	// max − mean of its ground-truth accuracies.
	Weight float64 `json:"weight"`
}

// failures summarises each protocol's failure rules by target.
func failures(eval map[string]*evaluate.Result) map[string]map[string]TargetFailures {
	out := map[string]map[string]TargetFailures{}
	for protocol, ev := range eval {
		if ev == nil {
			continue
		}
		out[protocol] = map[string]TargetFailures{}
		for _, t := range ev.Targets {
			if math.IsNaN(t.Failure.Typical) {
				continue // no accuracies: nothing to summarise (and NaN is no JSON)
			}
			out[protocol][t.ID] = TargetFailures{Chance: t.Failure.Chance, Typical: t.Failure.Typical, Threshold: t.Failure.Threshold(),
				Failed: len(t.Failed), Models: len(t.Models), FailedEvaluated: len(t.EvaluatedFailed()), Evaluated: len(t.Evaluated),
				Weight: t.Weight}
		}
	}
	return out
}

// MeanSD is a cell of a run's summary: evaluate.Summary, the one summary
// of every report (mean over seeds, sd 0 for a single value, N values).
type MeanSD = evaluate.Summary

// Summarize groups metric rows by protocol, method, metric and target,
// each cell summarised by the one rule of evaluate.SummarizeMetrics.
func Summarize(metrics []store.Metric) map[string]map[string]map[string]map[string]MeanSD {
	byProtocol := map[string][]store.Metric{}
	for _, r := range metrics {
		byProtocol[r.Protocol] = append(byProtocol[r.Protocol], r)
	}
	out := map[string]map[string]map[string]map[string]MeanSD{}
	for p, rows := range byProtocol {
		out[p] = map[string]map[string]map[string]MeanSD{}
		for c, s := range evaluate.SummarizeMetrics(rows) {
			if out[p][c.Method] == nil {
				out[p][c.Method] = map[string]map[string]MeanSD{}
			}
			if out[p][c.Method][c.Metric] == nil {
				out[p][c.Method][c.Metric] = map[string]MeanSD{}
			}
			out[p][c.Method][c.Metric][c.Target] = s
		}
	}
	return out
}

// WriteRun writes a run directory with evaluate's report writer:
// config.json, predictions.parquet, the zoo's reference results,
// metrics.parquet, report.json, the charts and report.md. dir must not
// exist or be empty (evaluate.ErrOutDirNotEmpty).
func WriteRun(dir string, res *Result, zoo *store.Tables, zooDir, zooChecksum string) error {
	info := &ReportInfo{
		Method: res.Method, Config: res.Config, ZooDir: zooDir, ZooChecksum: zooChecksum,
		CreatedAt: time.Now().UTC(), Targets: res.Targets, Features: res.Features, Dropped: res.Dropped, WorkingSet: res.WorkingSet,
		GraphStats: res.GraphStats, TimingsSeconds: map[string]float64{},
		Selection: res.Selection, Summary: Summarize(res.Metrics), References: res.References, Failures: failures(res.Eval),
		Recommended: recommendedFrom(res.Predictions, res.Method, res.Targets, RecommendedTop),
	}
	if res.History != nil && res.History.Evals > 0 {
		info.History = res.History
	}
	for k, v := range res.Timings {
		info.TimingsSeconds[k] = v
	}
	info.TimingsSeconds["wall"] = res.Wall.Seconds()
	files := []evaluate.File{
		evaluate.JSONDocument(FileConfig, struct {
			Config      Config `json:"config"`
			ZooDir      string `json:"zoo,omitempty"`
			ZooChecksum string `json:"zoo_checksum,omitempty"`
		}{res.Config, zooDir, zooChecksum}),
		evaluate.TableFile(FilePredictions, res.Predictions),
	}
	if len(zoo.ReferenceResults) > 0 {
		files = append(files, evaluate.TableFile(FileReference, zoo.ReferenceResults))
	}
	r := &evaluate.Report{Files: files, Metrics: res.Metrics, JSON: info,
		Markdown: func(w io.Writer) error { return renderMarkdown(w, dir, info, res.Predictions, zoo.ReferenceResults) }}
	return r.Write(dir, false)
}

// Render (re-)renders report.md and the charts of a run directory from its
// report.json, metrics, predictions and reference results.
func Render(dir string) error {
	var info ReportInfo
	b, err := os.ReadFile(filepath.Join(dir, FileReportJSON))
	if err != nil {
		if _, aerr := os.Stat(filepath.Join(dir, FileAblation)); aerr == nil {
			return fmt.Errorf("report: %s is an ablation, not a run directory: its full method's run is %s, and %s is rendered when written",
				dir, filepath.Join(dir, "full"), filepath.Join(dir, "ablation.md"))
		}
		return fmt.Errorf("report: %s is not a run directory: %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileConfig)); err != nil {
		// a report of baseline or eval: written rendered, with no run to re-render
		return fmt.Errorf("report: %s is not a run directory (no %s): a baseline or eval report is rendered when written", dir, FileConfig)
	}
	if err := json.Unmarshal(b, &info); err != nil {
		return fmt.Errorf("report: %s: %w", filepath.Join(dir, FileReportJSON), err)
	}
	metrics, err := store.ReadFile[store.Metric](filepath.Join(dir, FileMetrics))
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	preds, err := store.ReadFile[store.Prediction](filepath.Join(dir, FilePredictions))
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	ref, err := store.ReadFile[store.ReferenceResult](filepath.Join(dir, FileReference))
	if err != nil && !errors.Is(err, store.ErrNoTable) {
		return fmt.Errorf("report: %w", err)
	}
	info.Summary = Summarize(metrics)
	if info.Recommended == nil {
		info.Recommended = recommendedFrom(preds, info.Method, info.Targets, RecommendedTop)
	}
	var sb strings.Builder
	if err := renderMarkdown(&sb, dir, &info, preds, ref); err != nil {
		return err
	}
	return store.WriteFileAtomic(filepath.Join(dir, FileReportMD), []byte(sb.String()))
}

// renderMarkdown writes the charts of a run into dir and its report.md to w.
func renderMarkdown(w io.Writer, dir string, info *ReportInfo, preds []store.Prediction, ref []store.ReferenceResult) error {
	charts, err := renderCharts(dir, info, preds, ref)
	if err != nil {
		return fmt.Errorf("report charts: %w", err)
	}
	writeMarkdown(w, info, ref, charts)
	return nil
}

// bestPublished returns the published method with the highest weighted
// mean Pearson, other than the baselines, and its rows by target.
func bestPublished(ref []store.ReferenceResult, metric string) (string, map[string]float64) {
	byMethod := map[string]map[string]float64{}
	for _, r := range ref {
		if r.Metric != metric || isPublishedBaseline(r.Method) {
			continue
		}
		if byMethod[r.Method] == nil {
			byMethod[r.Method] = map[string]float64{}
		}
		byMethod[r.Method][r.Target] = r.Value
	}
	best, bestV := "", math.Inf(-1)
	for _, m := range sortedKeys(byMethod) {
		if v, ok := byMethod[m]["_weighted_mean"]; ok && v > bestV {
			best, bestV = m, v
		}
	}
	return best, byMethod[best]
}

func isPublishedBaseline(method string) bool {
	switch strings.ToLower(method) {
	case "logme", "reg-h-score", "reg_h_score", "random":
		return true
	}
	return false
}

// publishedRow returns the published rows of the named methods (e.g. LogME,
// Reg-H-Score) by target.
func publishedRow(ref []store.ReferenceResult, metric string, names ...string) map[string]float64 {
	out := map[string]float64{}
	for _, r := range ref {
		if r.Metric == metric && slices.Contains(names, r.Method) {
			out[r.Target] = r.Value
		}
	}
	return out
}

func writeMarkdown(w io.Writer, info *ReportInfo, ref []store.ReferenceResult, charts []string) {
	cfg := info.Config
	writeRunHeader(w, info)
	for _, protocol := range cfg.Protocols {
		s := info.Summary[protocol]
		if s == nil {
			continue
		}
		writePearsonTable(w, info, protocol, s, ref)
		writeRankingMetrics(w, info, protocol, s)
	}
	writeRecommended(w, info.Recommended)
	writeHistory(w, info.History)
	for _, protocol := range cfg.Protocols {
		if s := info.Summary[protocol]; s != nil {
			writeAllMetrics(w, info, protocol, s)
		}
	}
	writeFailures(w, info)
	evaluate.RenderDefinitions(w)
	if len(charts) > 0 {
		fmt.Fprintf(w, "## Charts\n\n")
		for _, c := range charts {
			fmt.Fprintf(w, "![%s](%s)\n\n", strings.TrimSuffix(c, filepath.Ext(c)), c)
		}
	}
	writeSelection(w, info)
	writeRunDetails(w, info)
}

// writeRunHeader writes the title and what was run.
func writeRunHeader(w io.Writer, info *ReportInfo) {
	fmt.Fprintf(w, "# zoograph run: %s\n\n", info.Method)
	cfg := info.Config
	learner := fmt.Sprintf("learner **%s**", cfg.Learner)
	if cfg.Selection.Mode == SelectNested && len(info.Selection) > 0 {
		learner = fmt.Sprintf("learner chosen per target **%s**", ChosenLearners(info.Selection))
	}
	fmt.Fprintf(w, "- %s, regressor **%s**, feature set **%s** (%d features)\n", learner, cfg.Regressor, cfg.Features, len(info.Features))
	seeds := fmt.Sprintf("seeds %d…%d", cfg.Seed, cfg.Seed+uint64(cfg.Seeds)-1)
	if cfg.Seeds == 1 {
		seeds = fmt.Sprintf("seed %d", cfg.Seed)
	}
	fmt.Fprintf(w, "- %s × %s (%s), leave-one-dataset-out, %s", counted(len(info.Targets), "target"), counted(cfg.Seeds, "seed"), seeds, TargetsKind(cfg))
	if cfg.Probe == 0 {
		fmt.Fprintf(w, ": nothing recorded on a target is used\n")
	} else {
		fmt.Fprintf(w, ": per target and seed, the accuracies of %d models drawn with the seed are revealed to the graph and features, and those models are left out of its evaluation\n", cfg.Probe)
	}
	if info.ZooChecksum != "" {
		fmt.Fprintf(w, "- zoo checksum `%s`\n", info.ZooChecksum)
	}
	fmt.Fprintf(w, "- wall time %.2f s\n\n", info.TimingsSeconds["wall"])
}

// TargetsKind says whether a run's targets were cold or warm (with K),
// for the report and the summary `run` prints.
func TargetsKind(cfg Config) string {
	if cfg.Probe == 0 {
		return "cold targets"
	}
	return fmt.Sprintf("warm targets, K = %d", cfg.Probe)
}

// writePearsonTable writes one protocol's Pearson per target, zoograph
// beside the baselines and, where the zoo has them, the published numbers.
func writePearsonTable(w io.Writer, info *ReportInfo, protocol string, s map[string]map[string]map[string]MeanSD, ref []store.ReferenceResult) {
	pubName, pub := bestPublished(ref, "pearson")
	pubLogME := publishedRow(ref, "pearson", "LogME")
	pubReg := publishedRow(ref, "pearson", "Reg-H-Score")
	fmt.Fprintf(w, "## Pearson per target — %s protocol\n\n", protocol)
	fmt.Fprintf(w, "%s\n\n", protocolNote(protocol))
	var cols []string // the reference predictions are rows of the ranking tables below
	for _, m := range ReportMethods(info, protocol) {
		if !slices.Contains(info.References, m) {
			cols = append(cols, m)
		}
	}
	fmt.Fprintf(w, "| target | %s |", strings.Join(cols, " | "))
	if pubName != "" {
		fmt.Fprintf(w, " paper best (published) | Δ vs paper | paper LogME | paper Reg-H-Score |")
	}
	fmt.Fprintf(w, "\n|---|%s", strings.Repeat("---:|", len(cols)))
	if pubName != "" {
		fmt.Fprintf(w, "---:|---:|---:|---:|")
	}
	fmt.Fprintln(w)
	for _, t := range append(slices.Clone(info.Targets), "_mean", "_weighted_mean") {
		label := t
		switch t {
		case "_mean":
			label = "**mean**"
		case "_weighted_mean":
			label = "**weighted mean**"
		}
		fmt.Fprintf(w, "| %s |", label)
		for _, c := range cols {
			fmt.Fprintf(w, " %s |", fmtMeanSD(s[c]["pearson"][t]))
		}
		if pubName != "" {
			p, ok := pub[t]
			switch t {
			case "_mean":
				p, ok = meanOver(pub, info.Targets)
			case "_weighted_mean":
				ok = ok && sameTargets(pub, info.Targets)
			}
			ours := s[info.Method]["pearson"][t].Mean
			fmt.Fprintf(w, " %s | %s | %s | %s |", fmtOpt(p, ok), fmtDelta(ours, p, ok),
				fmtRef(pubLogME, t, info.Targets), fmtRef(pubReg, t, info.Targets))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	if pubName != "" {
		fmt.Fprintf(w, "Paper best = `%s`, the published row with the highest weighted mean; "+
			"the paper's mean is over these targets. The published columns are the paper's numbers as published: "+
			"its protocol, whatever this table's, and its regressor saw each target's fine-tuning runtime (a leak). ", pubName)
		if len(info.References) > 0 {
			fmt.Fprintf(w, "The reference predictions given to this run, evaluated under this protocol and model set, are rows *(reference)* of the ranking tables below.")
		} else {
			fmt.Fprintf(w, "For the same predictions under this protocol and model set, run with `reference_predictions` (`--reference-predictions`).")
		}
		if !sameTargets(pub, info.Targets) {
			fmt.Fprintf(w, " The paper's weighted means are over its own targets, not these, so they are not shown.")
		}
		fmt.Fprintf(w, "\n\n")
	}
}

// writeAllMetrics writes one protocol's every metric, mean over targets,
// for every method, zoograph's first.
func writeAllMetrics(w io.Writer, info *ReportInfo, protocol string, s map[string]map[string]map[string]MeanSD) {
	fmt.Fprintf(w, "## All metrics, mean over targets — %s protocol\n\n", protocol)
	methods := ReportMethods(info, protocol)
	fmt.Fprintf(w, "| metric | %s |\n|---|%s\n", strings.Join(methods, " | "), strings.Repeat("---:|", len(methods)))
	for _, metric := range metricOrder {
		if metric == evaluate.MetricPearsonLineage && !hasLineage(info) {
			continue
		}
		fmt.Fprintf(w, "| %s |", metric)
		for _, m := range methods {
			fmt.Fprintf(w, " %s |", fmtMeanSD(s[m][metric]["_mean"]))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

// writeRunDetails writes the stage timings, the graphs, the datasets kept
// out of the history and the features.
func writeRunDetails(w io.Writer, info *ReportInfo) {
	fmt.Fprintf(w, "## Stage timings\n\nSeconds summed over the parallel (target, seed) tasks; wall is elapsed.\n\n| stage | seconds |\n|---|---:|\n")
	for _, k := range sortedKeys(info.TimingsSeconds) {
		fmt.Fprintf(w, "| %s | %.3f |\n", k, info.TimingsSeconds[k])
	}
	fmt.Fprintln(w)

	if len(info.GraphStats) > 0 {
		fmt.Fprintf(w, "## Graphs\n\n| target | nodes | edges | fine-tune edges | negative pairs |\n|---|---:|---:|---:|---:|\n")
		for _, t := range sortedKeys(info.GraphStats) {
			g := info.GraphStats[t]
			fmt.Fprintf(w, "| %s | %d | %d | %d | %d |\n", t, g.Nodes, g.Edges, g.FinetuneEdges, g.NegativePairs)
		}
		fmt.Fprintln(w)
	}
	if ws := info.WorkingSet; ws != nil {
		fmt.Fprintf(w, "## Working set\n\nThe zoo is past `clean.max_cells`: the run read its working set, %d models and %d datasets, "+
			"and left out %d models and %d datasets that are neither recorded (fine-tuned or scored), nor a base model above a recorded one, nor named by them "+
			"(README, *A crawl of the whole Hub*; `{\"clean\": {\"max_cells\": 0}}` reads the whole zoo).\n\n",
			ws.Models, ws.Datasets, ws.ModelsLeftOut, ws.DatasetsLeftOut)
	}
	if len(info.Dropped) > 0 {
		fmt.Fprintf(w, "## Cleaning\n\nDatasets kept out of the history (no graph edges, training rows or history features come from them)")
		if len(info.Config.Targets) == 0 && len(droppedOutside(info.Dropped, info.Targets)) == len(info.Dropped) {
			fmt.Fprintf(w, ", and so out of the default targets (`--targets` evaluates one all the same)")
		}
		fmt.Fprintf(w, ":\n\n")
		for _, d := range info.Dropped {
			fmt.Fprintf(w, "- %s\n", d)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "## Features\n\n`%s` feature set: %s.\n", info.Config.Features, summarizeFeatures(info.Features))
}

// metricOrder is the order of the all-metrics table; pearson_within_lineage
// is left out of a run where no method has it (no base-model group).
var metricOrder = []string{"pearson", evaluate.MetricPearsonLineage, "spearman", "pearson_working", "regret@1", "regret@3", "kendall", "weighted_kendall",
	"top@1", "top@3", "top@5", "rel@1", "rel@3", "rel@5", "rrel@1", "rrel@3", "rrel@5", "p@1", "p@3", "p@5"}

// hasLineage reports whether any method of the run has a Pearson within
// lineage: whether the run's models form a base-model group large enough.
func hasLineage(info *ReportInfo) bool {
	for _, s := range info.Summary {
		for _, m := range s {
			if v := m[evaluate.MetricPearsonLineage]["_mean"]; v.N > 0 {
				return true
			}
		}
	}
	return false
}

// reportBaselines is the order of the baselines in every table of a run
// report and in the run's printed summary: the strongest kinds first.
var reportBaselines = []string{"metadata", "history_mean", "probe", "logme", "reg_h_score", "downloads", "random"}

// ReportMethods orders the methods a run evaluated under protocol for the
// tables of its report (and the summary `run` prints): the run's method,
// the reference predictions, the baselines, then any other. Every table
// takes its columns or rows from it, so none leaves a baseline out.
func ReportMethods(info *ReportInfo, protocol string) []string {
	s := info.Summary[protocol]
	var out []string
	add := func(m string) {
		if s[m] != nil && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	add(info.Method)
	for _, m := range info.References {
		add(m)
	}
	for _, m := range reportBaselines {
		add(m)
	}
	for _, m := range sortedKeys(s) {
		add(m)
	}
	return out
}

func methodLabel(info *ReportInfo, m string) string {
	label := "`" + m + "`"
	switch {
	case m == info.Method:
		label = "**" + label + "**"
	case slices.Contains(info.References, m):
		label += " (reference)"
	}
	return label
}

// writeRankingMetrics writes the headline metrics of one protocol for every
// method: their means over targets, then one table per metric by target.
func writeRankingMetrics(w io.Writer, info *ReportInfo, protocol string, s map[string]map[string]map[string]MeanSD) {
	methods := ReportMethods(info, protocol)
	fmt.Fprintf(w, "## Ranking metrics — %s protocol\n\n", protocol)
	fmt.Fprintf(w, "Beside Pearson, for every method on the same models: Spearman, Pearson among the fine-tunes that did not fail "+
		"(`pearson_working`) and top-1 / top-3 regret (accuracy lost against the best model; lower is better); defined under Metrics. "+
		"Means over targets (simple / weighted), averaged over seeds.")
	if len(info.References) > 0 {
		fmt.Fprintf(w, " *(reference)*: someone else's predictions (`%s`), evaluated here under the same protocol and model set.", info.Config.ReferencePredictions)
	}
	fmt.Fprintf(w, "\n\n| method |")
	for _, m := range evaluate.HeadlineMetrics {
		fmt.Fprintf(w, " %s mean | %s weighted |", m, m)
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---:|", 2*len(evaluate.HeadlineMetrics)))
	for _, m := range methods {
		fmt.Fprintf(w, "| %s |", methodLabel(info, m))
		for _, metric := range evaluate.HeadlineMetrics {
			fmt.Fprintf(w, " %s | %s |", fmtMean(s[m][metric]["_mean"]), fmtMean(s[m][metric]["_weighted_mean"]))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	writePartialReferences(w, info, protocol)
	cols := append(slices.Clone(info.Targets), "_mean", "_weighted_mean")
	for _, metric := range evaluate.HeadlineMetrics {
		fmt.Fprintf(w, "### %s per target — %s protocol\n\n| method |", metric, protocol)
		for _, t := range cols {
			fmt.Fprintf(w, " %s |", columnLabel(t))
		}
		fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---:|", len(cols)))
		for _, m := range methods {
			fmt.Fprintf(w, "| %s |", methodLabel(info, m))
			for _, t := range cols {
				fmt.Fprintf(w, " %s |", fmtMeanSD(s[m][metric][t]))
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w)
	}
}

// PartialReference compares a reference method that predicts only some of
// a run's targets with the run's method on those targets alone: the means
// over targets of the whole run are undefined for it (an aggregate needs
// every target), and the run's own would be over other targets.
type PartialReference struct {
	Method  string
	Targets []string // the run's targets the reference has a Pearson on
	// Theirs and Ours are the Pearson means over Targets, simple and
	// weighted (NaN when the report holds no target weights).
	Theirs, Ours [2]float64
}

// PartialReferences lists, for one protocol, the reference methods of info
// with a Pearson on some but not all of the run's targets.
func PartialReferences(info *ReportInfo, protocol string) []PartialReference {
	s := info.Summary[protocol]
	var out []PartialReference
	for _, m := range info.References {
		var ts []string
		for _, t := range info.Targets {
			if s[m]["pearson"][t].N > 0 && s[info.Method]["pearson"][t].N > 0 {
				ts = append(ts, t)
			}
		}
		if len(ts) == 0 || len(ts) == len(info.Targets) {
			continue
		}
		pr := PartialReference{Method: m, Targets: ts}
		pr.Theirs = meansOver(s[m]["pearson"], ts, info.Failures[protocol])
		pr.Ours = meansOver(s[info.Method]["pearson"], ts, info.Failures[protocol])
		out = append(out, pr)
	}
	return out
}

// meansOver is the simple and the weighted mean of cells over targets ts,
// weighted as the run's weighted means are (TargetFailures.Weight).
func meansOver(cells map[string]MeanSD, ts []string, f map[string]TargetFailures) [2]float64 {
	var sum, wsum, wtot float64
	for _, t := range ts {
		v := cells[t].Mean
		sum += v
		wsum += f[t].Weight * v
		wtot += f[t].Weight
	}
	weighted := math.NaN()
	if wtot > 0 {
		weighted = wsum / wtot
	}
	return [2]float64{sum / float64(len(ts)), weighted}
}

// writePartialReferences writes PartialReferences for one protocol.
func writePartialReferences(w io.Writer, info *ReportInfo, protocol string) {
	prs := PartialReferences(info, protocol)
	if len(prs) == 0 {
		return
	}
	fmt.Fprintf(w, "Reference predictions that cover only some targets, beside `%s` on the same targets "+
		"(Pearson, simple / weighted mean over those targets):\n\n| reference | targets | reference | `%s` | Δ |\n|---|---:|---:|---:|---:|\n",
		info.Method, info.Method)
	for _, pr := range prs {
		fmt.Fprintf(w, "| `%s` | %d of %d | %s / %s | %s / %s | %s / %s |\n", pr.Method, len(pr.Targets), len(info.Targets),
			fmtOpt(pr.Theirs[0], true), fmtOpt(pr.Theirs[1], true), fmtOpt(pr.Ours[0], true), fmtOpt(pr.Ours[1], true),
			fmtDelta(pr.Ours[0], pr.Theirs[0], true), fmtDelta(pr.Ours[1], pr.Theirs[1], true))
	}
	fmt.Fprintln(w)
}

// writeFailures writes, per protocol and target, how many fine-tunes the
// failure rule of pearson_working flags.
func writeFailures(w io.Writer, info *ReportInfo) {
	if len(info.Failures) == 0 {
		return
	}
	fmt.Fprintf(w, "## Failed fine-tunes\n\nThe fine-tunes `pearson_working` leaves out (rule under Metrics): "+
		"chance = 1/number of classes (0 when unknown), typical = median accuracy, failed at or below the threshold; "+
		"of the target's ground truth and of the models evaluated.\n\n")
	for _, protocol := range info.Config.Protocols {
		f := info.Failures[protocol]
		if f == nil {
			continue
		}
		fmt.Fprintf(w, "| %s protocol | chance | typical | threshold | failed / models | failed / evaluated |\n|---|---:|---:|---:|---:|---:|\n", protocol)
		for _, t := range info.Targets {
			if x, ok := f[t]; ok {
				fmt.Fprintf(w, "| %s | %.4f | %.4f | %.4f | %d / %d | %d / %d |\n", t, x.Chance, x.Typical, x.Threshold, x.Failed, x.Models, x.FailedEvaluated, x.Evaluated)
			}
		}
		fmt.Fprintln(w)
	}
}

func columnLabel(t string) string {
	switch t {
	case "_mean":
		return "mean"
	case "_weighted_mean":
		return "weighted mean"
	}
	return t
}

func fmtMean(m MeanSD) string {
	if m.N == 0 || math.IsNaN(m.Mean) {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", m.Mean)
}

func protocolNote(p string) string {
	if p == "paper" {
		return "Paper protocol: the published TransferGraph evaluation rules (best run per model, baselines on their own rows), comparable with the published tables."
	}
	return "Clean protocol: full fine-tunes, one accuracy per model (mean of repeated runs), every method on the same model set. Mean ± sd over seeds."
}

func summarizeFeatures(names []string) string {
	var groups []string
	emb := 0
	for _, n := range names {
		if strings.HasPrefix(n, "m_f") || strings.HasPrefix(n, "d_f") {
			emb++
			continue
		}
		groups = append(groups, "`"+n+"`")
	}
	if emb > 0 {
		groups = append(groups, fmt.Sprintf("%d embedding columns (m_f*, d_f*)", emb))
	}
	return strings.Join(groups, ", ")
}

func meanOver(m map[string]float64, targets []string) (float64, bool) {
	var s float64
	for _, t := range targets {
		v, ok := m[t]
		if !ok {
			return 0, false
		}
		s += v
	}
	return s / float64(len(targets)), len(targets) > 0
}

func fmtRef(m map[string]float64, t string, targets []string) string {
	v, ok := m[t]
	switch t {
	case "_mean":
		v, ok = meanOver(m, targets)
	case "_weighted_mean":
		ok = ok && sameTargets(m, targets)
	}
	return fmtOpt(v, ok)
}

func fmtMeanSD(m MeanSD) string {
	if m.N == 0 || math.IsNaN(m.Mean) {
		return "n/a"
	}
	if m.N > 1 {
		return fmt.Sprintf("%.3f ± %.3f", m.Mean, m.SD)
	}
	return fmt.Sprintf("%.3f", m.Mean)
}

func fmtOpt(v float64, ok bool) string {
	if !ok || math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.3f", v)
}

func fmtDelta(ours, p float64, ok bool) string {
	if !ok || math.IsNaN(ours) || math.IsNaN(p) {
		return "–"
	}
	return fmt.Sprintf("%+.3f", ours-p)
}

// prepareRunDir makes dir, which must not exist or be empty
// (evaluate.CheckOutDir).
func prepareRunDir(dir string) error {
	if err := evaluate.CheckOutDir(dir, false); err != nil {
		return err
	}
	return os.MkdirAll(dir, 0o755)
}

// writeSelection writes the settings chosen for each target.
func writeSelection(w io.Writer, info *ReportInfo) {
	if len(info.Selection) == 0 {
		return
	}
	if info.Config.Selection.Mode != SelectNested {
		fmt.Fprintf(w, "## Settings\n\nFixed for every target (selection mode %s): %s.\n\n",
			info.Config.Selection.Mode, fixedSelection(info.Config))
		return
	}
	rule := "the best was run on T"
	if info.Config.Selection.Tiebreak == TiebreakRegret {
		rule = "of the candidates level with the best within one paired standard error, the one of the lowest mean inner " +
			"regret@1 was run on T (the runner-up is the best other candidate by inner score, which may score above it)"
	}
	header, averaged := "| target | chosen | inner score | inner regret@1 | runner-up | inner folds |\n|---|---|---:|---:|---|---:|", false
	switch info.Config.Selection.Combine {
	case CombineLevel, CombineLevelAll:
		which := "every candidate level with the best (within one paired standard error of its mean inner score)"
		if info.Config.Selection.Combine == CombineLevel {
			which += " that shares the chosen one's fit (learner, weighting, GNN objective, depth, failure model)"
		}
		rule += "; " + which + " was run on T as well, their standardised scores averaged with equal weights (averaged: how many)"
		header, averaged = "| target | chosen | inner score | inner regret@1 | runner-up | inner folds | averaged |\n|---|---|---:|---:|---|---:|---:|", true
	}
	fmt.Fprintf(w, "## Settings chosen per target\n\n"+
		"Nested leave-one-dataset-out: for each target T, every candidate of the search space was scored by the mean inner %s "+
		"over the datasets other than T held out in turn, with everything recorded on T hidden; %s.\n\n%s\n",
		info.Config.Selection.Objective, rule, header)
	for _, t := range sortedKeys(info.Selection) {
		s := info.Selection[t]
		scores := slices.Clone(s.Scores)
		slices.SortStableFunc(scores, func(a, b CandidateScore) int { return cmp.Compare(nanLow(b.Score), nanLow(a.Score)) })
		chosen, regret, second := "", "", ""
		if k := slices.IndexFunc(scores, func(cs CandidateScore) bool { return cs.Candidate == s.Chosen }); k >= 0 {
			chosen, regret = fmt.Sprintf("%.3f", scores[k].Score), "—"
			if !math.IsNaN(scores[k].Regret) { // a report.json written before regrets were kept
				regret = fmt.Sprintf("%.3f", scores[k].Regret)
			}
			scores = slices.Delete(scores, k, k+1)
		}
		if len(scores) > 0 {
			second = fmt.Sprintf("%s (%.3f)", scores[0].Candidate, scores[0].Score)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %d |", t, s.Chosen, chosen, regret, second, len(s.InnerFolds))
		if averaged {
			fmt.Fprintf(w, " %d |", max(1, len(s.Members)))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

func nanLow(x float64) float64 {
	if math.IsNaN(x) {
		return math.Inf(-1)
	}
	return x
}

// counted is n with its noun, plural unless n is 1: "1 seed", "5 seeds".
func counted(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
