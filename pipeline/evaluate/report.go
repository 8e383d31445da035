package evaluate

import (
	"bufio"
	"bytes"
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

	"github.com/zoograph/zoograph/store"
)

// Files written by WriteReport.
const (
	MetricsFile  = "metrics.parquet"
	JSONFile     = "report.json"
	MarkdownFile = "report.md"
)

// MatchTolerance is the largest |ours − published| the report counts as a
// match.
const MatchTolerance = 1e-9

const matchToleranceText = "1e-9"

// ErrOutDirNotEmpty is returned by CheckOutDir (and Report.Write) for an
// existing directory with files in it when overwriting was not asked for.
var ErrOutDirNotEmpty = errors.New("exists and is not empty")

// CheckOutDir is the one check of an output directory, made before any
// work: a missing directory (the writer creates it, so a failure before
// leaves nothing behind) or an empty one is fine; a non-empty one is
// refused with ErrOutDirNotEmpty unless overwrite is set, in which case
// its files are replaced as the report is written — but never those of a
// run directory (pipeline.FileConfig, pipeline.FilePredictions) or a zoo.
func CheckOutDir(dir string, overwrite bool) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("output %s exists and is not a directory", dir)
	}
	if overwrite {
		// Overwriting replaces a baseline or eval report; a run's directory
		// (its config and predictions, which report re-renders from) or a
		// zoo would lose what no report holds.
		for _, f := range []string{"config.json", "predictions.parquet", store.ManifestFile} {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				return fmt.Errorf("%s holds a run or a zoo (%s): overwriting replaces only a baseline or eval report; choose another directory", dir, f)
			}
		}
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s %w", dir, ErrOutDirNotEmpty)
	}
	return nil
}

// Report is what a report directory holds. Its Write is the one report
// writer: it serves run (pipeline.WriteRun) as well as baseline and eval
// (WriteReport).
type Report struct {
	// Files are written first, in order (a run's config, predictions and
	// reference results).
	Files []File
	// Metrics is metrics.parquet.
	Metrics []store.Metric
	// JSON is report.json: one indented JSON document.
	JSON any
	// Markdown renders report.md, written last.
	Markdown func(w io.Writer) error
}

// File is one more file of a report directory: Write writes it at path,
// atomically.
type File struct {
	Name  string
	Write func(path string) error
}

// TableFile is the Parquet file name holding rows.
func TableFile[T store.Row](name string, rows []T) File {
	return File{Name: name, Write: func(path string) error { return store.WriteFile(path, rows) }}
}

// JSONDocument is the file name holding v as indented JSON.
func JSONDocument(name string, v any) File {
	return File{Name: name, Write: func(path string) error { return WriteJSONFile(path, v) }}
}

// Write checks dir with CheckOutDir(dir, overwrite), creates it and writes
// the report's files, each atomically (store.WriteFile,
// store.WriteFileAtomic): the files, metrics.parquet, report.json and
// report.md last.
func (r *Report) Write(dir string, overwrite bool) error {
	if err := CheckOutDir(dir, overwrite); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := append(slices.Clone(r.Files), TableFile(MetricsFile, r.Metrics), JSONDocument(JSONFile, r.JSON), File{
		Name: MarkdownFile,
		Write: func(path string) error {
			var md bytes.Buffer
			if err := r.Markdown(&md); err != nil {
				return err
			}
			return store.WriteFileAtomic(path, md.Bytes())
		},
	})
	for _, f := range files {
		if err := f.Write(filepath.Join(dir, f.Name)); err != nil {
			return fmt.Errorf("write %s: %w", f.Name, err)
		}
	}
	return nil
}

// WriteJSONFile writes v to path atomically as one indented JSON document.
func WriteJSONFile(path string, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return store.WriteFileAtomic(path, b.Bytes())
}

// MethodFromPublished maps a method name of the published TransferGraph
// tables to zoograph's: LogME → logme, Reg-H-Score → reg_h_score; other
// names are kept.
func MethodFromPublished(name string) string {
	switch name {
	case "LogME":
		return BaselineLogME
	case "Reg-H-Score":
		return BaselineRegHScore
	}
	return name
}

// references indexes the published values res can be compared with, by
// cell (method names mapped with MethodFromPublished); the first row of a
// cell wins. A published aggregate (the paper's `average`, our weighted
// mean) is a mean over the paper's targets: it is kept only where the
// method's published targets for that metric are exactly res's targets, and
// reported in skipped otherwise, since a mean over other targets compares
// nothing.
func references(ref []store.ReferenceResult, res *Result) (pub map[Cell]float64, skipped []Cell) {
	pub = map[Cell]float64{}
	type series struct{ method, metric string }
	covered := map[series]map[string]bool{}
	for _, r := range ref {
		c := Cell{MethodFromPublished(r.Method), r.Target, r.Metric}
		if _, dup := pub[c]; !dup {
			pub[c] = r.Value
		}
		if !IsAggregate(r.Target) {
			k := series{c.Method, c.Metric}
			if covered[k] == nil {
				covered[k] = map[string]bool{}
			}
			covered[k][r.Target] = true
		}
	}
	same := func(targets map[string]bool) bool {
		if len(targets) != len(res.Targets) {
			return false
		}
		for _, t := range res.Targets {
			if !targets[t.ID] {
				return false
			}
		}
		return true
	}
	for c := range pub {
		if IsAggregate(c.Target) && !same(covered[series{c.Method, c.Metric}]) {
			delete(pub, c)
			skipped = append(skipped, c)
		}
	}
	slices.SortFunc(skipped, func(a, b Cell) int {
		return strings.Compare(a.Method+"\x00"+a.Metric+"\x00"+a.Target, b.Method+"\x00"+b.Metric+"\x00"+b.Target)
	})
	return pub, skipped
}

// WriteReport writes the evaluations of results (one per protocol) into
// dir, which must be missing or empty unless overwrite is set:
// metrics.parquet (store.Metric rows of every protocol), report.json (one
// JSON document: every value per method, target and aggregate, with the
// published value and difference where ref has one — for one protocol its
// document, for several {"protocols": {"clean": …, "paper": …}}, each
// element the document of that protocol alone) and report.md
// (RenderMarkdown of each). ref may be nil.
func WriteReport(dir string, results []*Result, ref []store.ReferenceResult, overwrite bool) error {
	r := &Report{Markdown: func(w io.Writer) error {
		for i, res := range results {
			if i > 0 {
				fmt.Fprintln(w)
			}
			if err := RenderMarkdown(w, res, ref); err != nil {
				return err
			}
		}
		return nil
	}}
	docs := jsonProtocols{Protocols: map[Protocol]jsonReport{}}
	for _, res := range results {
		r.Metrics = append(r.Metrics, res.Metrics...)
		docs.Protocols[res.Protocol] = jsonDocument(res, ref)
		r.JSON = docs.Protocols[res.Protocol]
	}
	if len(results) > 1 {
		r.JSON = docs
	}
	return r.Write(dir, overwrite)
}

// jsonProtocols is report.json for several protocols: one document, each
// protocol's report under its name.
type jsonProtocols struct {
	Protocols map[Protocol]jsonReport `json:"protocols"`
}

// number is a float64 that encodes NaN and ±Inf as JSON null.
type number float64

func (n number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

type jsonReport struct {
	Protocol Protocol     `json:"protocol"`
	Metrics  []string     `json:"metrics"`
	Targets  []jsonTarget `json:"targets"`
	Methods  []jsonMethod `json:"methods"`
}

type jsonTarget struct {
	ID                string `json:"id"`
	GroundTruthModels int    `json:"ground_truth_models"`
	EvaluatedModels   int    `json:"evaluated_models"`
	Weight            number `json:"weight"`
	// The failure rule (see Failure) and the fine-tunes it flags, of the
	// ground truth and of the evaluated models.
	Chance           number `json:"chance"`
	TypicalAccuracy  number `json:"typical_accuracy"`
	FailureThreshold number `json:"failure_threshold"`
	FailedModels     int    `json:"failed_models"`
	FailedEvaluated  int    `json:"failed_evaluated_models"`
}

type jsonMethod struct {
	Name     string  `json:"name"`
	Baseline bool    `json:"baseline"`
	Seeds    []int64 `json:"seeds"`
	// Values: target (or aggregate) → metric → value.
	Values      map[string]map[string]jsonCell `json:"values"`
	Evaluations []jsonEvaluation               `json:"evaluations,omitempty"`
}

type jsonCell struct {
	Value     number  `json:"value"`
	SD        *number `json:"sd,omitempty"`
	Seeds     int     `json:"seeds,omitempty"`
	Tied      bool    `json:"tied,omitempty"`
	Published *number `json:"published,omitempty"`
	Diff      *number `json:"diff,omitempty"`
}

type jsonEvaluation struct {
	Seed   *int64            `json:"seed"`
	Target string            `json:"target"`
	Pairs  int               `json:"pairs"`
	Models int               `json:"models"`
	Note   string            `json:"note,omitempty"`
	Values map[string]number `json:"values"`
	Tied   []string          `json:"tied,omitempty"`
}

// WriteJSON writes the report.json document of res.
func WriteJSON(w io.Writer, res *Result, ref []store.ReferenceResult) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonDocument(res, ref))
}

// jsonDocument returns the report.json document of res.
func jsonDocument(res *Result, ref []store.ReferenceResult) jsonReport {
	sums := Summaries(res)
	pub, _ := references(ref, res)
	doc := jsonReport{Protocol: res.Protocol, Metrics: MetricNames(), Targets: []jsonTarget{}, Methods: []jsonMethod{}}
	for _, t := range res.Targets {
		doc.Targets = append(doc.Targets, jsonTarget{ID: t.ID, GroundTruthModels: len(t.Models), EvaluatedModels: len(t.Evaluated), Weight: number(t.Weight),
			Chance: number(t.Failure.Chance), TypicalAccuracy: number(t.Failure.Typical), FailureThreshold: number(t.Failure.Threshold()),
			FailedModels: len(t.Failed), FailedEvaluated: len(t.EvaluatedFailed())})
	}
	for _, m := range res.Methods {
		jm := jsonMethod{Name: m.Name, Baseline: m.Baseline, Seeds: m.Seeds, Values: map[string]map[string]jsonCell{}}
		for _, t := range columns(res) {
			cells := map[string]jsonCell{}
			for _, name := range metricNames {
				c := Cell{m.Name, t, name}
				s, ok := sums[c]
				if !ok {
					continue
				}
				jc := jsonCell{Value: number(s.Mean), Tied: s.Tied}
				if len(m.Seeds) > 0 {
					sd := number(s.SD)
					jc.SD, jc.Seeds = &sd, s.N
				}
				if p, ok := pub[c]; ok {
					pv, d := number(p), number(s.Mean-p)
					jc.Published, jc.Diff = &pv, &d
				}
				cells[name] = jc
			}
			if len(cells) > 0 {
				jm.Values[t] = cells
			}
		}
		for _, e := range res.Evaluations {
			if e.Method != m.Name {
				continue
			}
			je := jsonEvaluation{Seed: e.Seed, Target: e.Target, Pairs: len(e.Pairs), Note: e.Note, Values: map[string]number{}}
			models := map[string]bool{}
			for _, p := range e.Pairs {
				models[p.ModelID] = true
			}
			je.Models = len(models)
			for _, name := range metricNames {
				v, _ := e.Values.Metric(name)
				je.Values[name] = number(v)
				if e.Values.Tied(name) {
					je.Tied = append(je.Tied, name)
				}
			}
			jm.Evaluations = append(jm.Evaluations, je)
		}
		doc.Methods = append(doc.Methods, jm)
	}
	return doc
}

// columns lists the targets then the aggregates.
func columns(res *Result) []string {
	var out []string
	for _, t := range res.Targets {
		out = append(out, t.ID)
	}
	return append(out, aggregateTargets...)
}

func columnTitle(t string) string {
	switch t {
	case TargetMean:
		return "mean"
	case TargetWeightedMean:
		return "weighted mean"
	}
	return t
}

// formatValue prints a metric value: 4 decimals, 2 for percentiles, "n/a"
// when undefined.
func formatValue(metric string, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	if strings.HasPrefix(metric, "p@") {
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

// formatDiff prints ours − published: "0" within MatchTolerance, else with
// the value's decimals, or in e-notation when those would show zero.
func formatDiff(metric string, d float64) string {
	switch {
	case math.IsNaN(d):
		return "n/a"
	case math.Abs(d) <= MatchTolerance:
		return "0"
	}
	decimals, smallest := 4, 0.5e-4
	if strings.HasPrefix(metric, "p@") {
		decimals, smallest = 2, 0.5e-2
	}
	if math.Abs(d) < smallest {
		return strconv.FormatFloat(d, 'e', 1, 64)
	}
	return strconv.FormatFloat(d, 'f', decimals, 64)
}

func formatSummary(metric string, s Summary) string {
	out := formatValue(metric, s.Mean)
	if s.N > 1 {
		out += " ± " + formatValue(metric, s.SD)
	}
	if s.Tied {
		out += " †"
	}
	return out
}

// RenderMarkdown writes the report.md document of res: what was evaluated,
// the targets, the agreement with the published tables (when ref has rows
// for an evaluated method), undefined evaluations and one table per metric
// (RenderMetricTable).
func RenderMarkdown(w io.Writer, res *Result, ref []store.ReferenceResult) error {
	bw := bufio.NewWriter(w)
	sums := Summaries(res)
	pub, skipped := references(ref, res)

	fmt.Fprintf(bw, "# zoograph evaluation — `%s` protocol\n\n", res.Protocol)
	switch res.Protocol {
	case ProtocolPaper:
		fmt.Fprintf(bw, "Protocol `paper` follows the TransferGraph evaluation script exactly: ground truth is each model's best run "+
			"(models whose best run is LoRA dropped), duplicate predictions and duplicate baseline scores are kept, "+
			"non-finite scores are replaced by twice the extreme finite score, and baselines are restricted to the models the evaluated method predicts, "+
			"each score row counted once per prediction row of its model (a model predicted once per repeated fine-tune run contributes k_pred × k_score pairs).\n\n")
	case ProtocolClean:
		fmt.Fprintf(bw, "Protocol `clean`: full fine-tunes only, one accuracy per model (mean of repeated runs), "+
			"one score per model and method (mean of duplicates), every method and baseline on the same models. "+
			"Published numbers, where shown, were computed under the paper's protocol.\n\n")
	}
	var methods []string
	for _, m := range res.Methods {
		name := "`" + m.Name + "`"
		if len(m.Seeds) > 0 {
			name += fmt.Sprintf(" (%d seeds)", len(m.Seeds))
		}
		methods = append(methods, name)
	}
	fmt.Fprintf(bw, "Methods: %s.\n\n", strings.Join(methods, ", "))
	fmt.Fprintf(bw, "Reading the tables: one table per metric, methods × targets. "+
		"For a method with published numbers (the zoo's reference results; LogME → `logme`, Reg-H-Score → `reg_h_score`) "+
		"three lines: **ours**, **published**, **Δ** = ours − published (`0` when |Δ| ≤ %s). "+
		"`n/a`: undefined (fewer than %d models, constant scores, or no data). "+
		"`±`: standard deviation over seeds. `†`: the top-k set depended on how tied scores were broken "+
		"(ours: by model id; the paper: wherever numpy's unstable argsort left them). "+
		"`weighted mean` = Σ w·v / Σ w with w = max − mean of the target's accuracies (the paper's `average`); `mean` is the plain mean. "+
		"The published `random` row is the expected accuracy of one random pick (mean accuracy for every k) while ours draws seeded random scores, "+
		"so the two differ by design.\n\n",
		matchToleranceText, MinModels)
	var notCompared []string
	for _, m := range res.Methods {
		if slices.ContainsFunc(skipped, func(c Cell) bool { return c.Method == m.Name }) {
			notCompared = append(notCompared, "`"+m.Name+"`")
		}
	}
	if len(notCompared) > 0 {
		fmt.Fprintf(bw, "The published means of %s are over the paper's targets, not over the %d evaluated here, "+
			"so they are not compared: their published and Δ cells are left empty.\n\n", strings.Join(notCompared, ", "), len(res.Targets))
	}

	if len(res.Targets) > 0 && res.Targets[0].Models != nil {
		fmt.Fprintf(bw, "## Targets\n\n`failed`: the ground-truth fine-tunes that failed (accuracy at or below the threshold; see `pearson_working` under Metrics), "+
			"of all and of the evaluated models; chance = 1/number of classes (0 when unknown), typical = median accuracy.\n\n"+
			"| target | ground-truth models | evaluated models | weight | chance | typical | failed below | failed (all / evaluated) |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, t := range res.Targets {
			fmt.Fprintf(bw, "| %s | %d | %d | %s | %s | %s | %s | %d / %d |\n", t.ID, len(t.Models), len(t.Evaluated), formatValue("", t.Weight),
				formatValue("", t.Failure.Chance), formatValue("", t.Failure.Typical), formatValue("", t.Failure.Threshold()), len(t.Failed), len(t.EvaluatedFailed()))
		}
		fmt.Fprintln(bw)
	}

	renderAgreement(bw, res, sums, pub)
	renderNotes(bw, res)
	RenderDefinitions(bw)

	for _, name := range metricNames {
		fmt.Fprintf(bw, "## %s\n\n", name)
		renderTable(bw, res, name, sums, pub)
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}

// RenderDefinitions writes the "Metrics" section of a report: the
// definition of every metric and aggregate Evaluate reports.
func RenderDefinitions(w io.Writer) {
	fmt.Fprintf(w, "## Metrics\n\n"+
		"Per target T: a_i is model i's recorded fine-tuning accuracy on T (the protocol's ground truth), s_i the method's score, "+
		"over the n models the protocol evaluates; K_k are the k models of highest score, ties broken by model id "+
		"(the paper's code broke them wherever numpy's unstable sort left them). A metric is `n/a` with fewer than %d models "+
		"or when a correlation's input is constant.\n\n"+
		"| metric | definition | reads |\n|---|---|---|\n"+
		"| `pearson` | Pearson correlation of a and s | does the score track the accuracy (the user's metric; higher is better) |\n"+
		"| `pearson_within_lineage` | `pearson` within each group of models that share a base model (their first `base_models` entry; models without one left out), "+
		"over the groups of at least %d models, averaged with the groups' sizes as weights: Σ_g n_g·r_g / Σ_g n_g | which checkpoint of one base model is best, where telling the bases apart is easy |\n"+
		"| `spearman` | Pearson correlation of the ranks of a and s, tied values given their average rank | is the order right, whatever the scale |\n"+
		"| `pearson_working` | `pearson` over the models whose fine-tune on T did not fail. A fine-tune failed when a ≤ c + %g·(1 − c) (no better than chance) "+
		"or a − c < (ã − c)/2 (closer to chance than to the typical fine-tune), with c = 1/number of classes of T (0 when unknown) and ã the median of T's ground-truth accuracies | "+
		"does the score rank the fine-tunes that worked, rather than only spot the ones that collapsed |\n"+
		"| `regret@k` (k = 1, 3) | max_i a_i − max_{i∈K_k} a_i | the accuracy lost by fine-tuning the best of the top k recommended instead of the best model (0 is perfect; lower is better) |\n"+
		"| `kendall` | Kendall's tau-b: (n_c − n_d)/√((n_0 − n_a)(n_0 − n_s)) over the n_0 = n(n−1)/2 pairs (n_c concordant, n_d discordant, n_a and n_s tied in a and in s; scipy `kendalltau`) | pairwise order agreement |\n"+
		"| `weighted_kendall` | the mean of scipy's `weightedtau` with a and with s as the ranking key: Kendall's tau where a pair counts 1/(r_i+1) + 1/(r_j+1), r = rank from the top | order agreement that weighs the top of the ranking most |\n"+
		"| `top@k` (k = 1…5) | max_{i∈K_k} a_i | the best accuracy among the top k recommended |\n"+
		"| `rel@k` | top@k / max_i a_i | top@k relative to the best |\n"+
		"| `rrel@k` (k = 1, 3, 5) | max(0, (top@k − ā)/(max_i a_i − ā)), ā the mean accuracy | top@k between average (0) and best (1) |\n"+
		"| `p@k` (k = 1, 3, 5) | the percentile of top@k among the a_i, scipy `percentileofscore(kind='rank')`: (#{a_i < v} + #{a_i ≤ v} + [#{a_i < v} < #{a_i ≤ v}])·50/n, v = top@k | top@k as a percentile |\n"+
		"| `mean` | Σ_T v_T / (number of targets) | |\n"+
		"| `weighted mean` | Σ_T w_T v_T / Σ_T w_T, w_T = max(a_T) − mean(a_T) (the paper's `average`) | dominated by the targets with the widest spread |\n"+
		"| ± | sample standard deviation over seeds | |\n\n",
		MinModels, MinLineageGroup, ChanceMargin)
}

// RenderMetricTable writes one metric's markdown table: methods × targets
// and both means, with published values and differences from ref.
func RenderMetricTable(w io.Writer, res *Result, metric string, ref []store.ReferenceResult) error {
	if !slices.Contains(metricNames, metric) {
		return fmt.Errorf("unknown metric %q", metric)
	}
	bw := bufio.NewWriter(w)
	pub, _ := references(ref, res)
	renderTable(bw, res, metric, Summaries(res), pub)
	return bw.Flush()
}

func renderTable(w io.Writer, res *Result, metric string, sums map[Cell]Summary, pub map[Cell]float64) {
	cols := columns(res)
	hasRef := func(method string) bool {
		for _, t := range cols {
			if _, ok := pub[Cell{method, t, metric}]; ok {
				return true
			}
		}
		return false
	}
	anyRef := false
	for _, m := range res.Methods {
		anyRef = anyRef || hasRef(m.Name)
	}

	header := []string{"method"}
	align := []string{"---"}
	if anyRef {
		header = append(header, "")
		align = append(align, "---")
	}
	for _, t := range cols {
		header = append(header, columnTitle(t))
		align = append(align, "---:")
	}
	fmt.Fprintf(w, "| %s |\n|%s|\n", strings.Join(header, " | "), strings.Join(align, "|"))

	for _, m := range res.Methods {
		ours := []string{"`" + m.Name + "`"}
		if anyRef {
			ours = append(ours, "ours")
		}
		published := []string{"", "published"}
		diff := []string{"", "Δ"}
		for _, t := range cols {
			c := Cell{m.Name, t, metric}
			s, ok := sums[c]
			if !ok {
				s = Summary{Mean: math.NaN(), SD: math.NaN()}
			}
			ours = append(ours, formatSummary(metric, s))
			if p, ok := pub[c]; ok {
				published = append(published, formatValue(metric, p))
				diff = append(diff, formatDiff(metric, s.Mean-p))
			} else {
				published = append(published, "")
				diff = append(diff, "")
			}
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(ours, " | "))
		if hasRef(m.Name) {
			fmt.Fprintf(w, "| %s |\n| %s |\n", strings.Join(published, " | "), strings.Join(diff, " | "))
		}
	}
}

// renderAgreement summarises, per metric and method with published values,
// how many cells match within MatchTolerance and the largest difference.
func renderAgreement(w io.Writer, res *Result, sums map[Cell]Summary, pub map[Cell]float64) {
	var compared []string
	for _, m := range res.Methods {
		if m.Name == BaselineRandom {
			continue // the published row is another quantity (see the reading guide)
		}
		for c := range pub {
			if c.Method == m.Name {
				compared = append(compared, m.Name)
				break
			}
		}
	}
	if len(compared) == 0 {
		return
	}
	fmt.Fprintf(w, "## Agreement with the published tables\n\n"+
		"Per metric and method: the cells within %s of the published value, of the cells published "+
		"(in brackets the largest |Δ|), and how many top-k cells depend on tie-breaking (†).\n\n", matchToleranceText)
	fmt.Fprintf(w, "| metric | %s |\n|---|%s\n", strings.Join(compared, " | "), strings.Repeat("---|", len(compared)))
	for _, name := range metricNames {
		row := []string{name}
		published := false
		for _, m := range compared {
			var n, match, tied int
			worst := 0.0
			for _, t := range columns(res) {
				c := Cell{m, t, name}
				p, ok := pub[c]
				if !ok {
					continue
				}
				n++
				published = true
				s := sums[c]
				d := math.Abs(s.Mean - p)
				if math.IsNaN(d) {
					d = math.Inf(1)
				}
				if d <= MatchTolerance {
					match++
				}
				if s.Tied {
					tied++
				}
				worst = max(worst, d)
			}
			switch {
			case n == 0:
				row = append(row, "")
			default:
				cell := fmt.Sprintf("%d/%d (max %s)", match, n, strconv.FormatFloat(worst, 'g', 2, 64))
				if tied > 0 {
					cell += fmt.Sprintf(", %d †", tied)
				}
				row = append(row, cell)
			}
		}
		if published {
			fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
		}
	}
	fmt.Fprintln(w)
}

// renderNotes lists undefined evaluations and their reasons, grouped.
func renderNotes(w io.Writer, res *Result) {
	type group struct{ method, note string }
	var order []group
	targets := map[group][]string{}
	for _, e := range res.Evaluations {
		if e.Note == "" {
			continue
		}
		g := group{e.Method, e.Note}
		if _, ok := targets[g]; !ok {
			order = append(order, g)
		}
		if !slices.Contains(targets[g], e.Target) {
			targets[g] = append(targets[g], e.Target)
		}
	}
	if len(order) == 0 {
		return
	}
	fmt.Fprintf(w, "## Undefined values\n\n")
	for _, g := range order {
		fmt.Fprintf(w, "- `%s` on %s: %s.\n", g.method, strings.Join(targets[g], ", "), g.note)
	}
	fmt.Fprintln(w)
}
