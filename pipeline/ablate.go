package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/zoograph/zoograph/pipeline/evaluate"
	"github.com/zoograph/zoograph/store"
)

// An ablation variant is the configured method with one part taken away;
// everything else — seeds, targets, model sets, the search space of the
// settings it keeps — stays as configured.
type ablationVariant struct {
	name, what string
	apply      func(Config) Config
	// when says whether the configured method has the part (nil: always).
	when func(Config) bool
	// only, when set, says whether the variant can differ from the full
	// method of cfg on the zoo; the others are left out.
	only func(cfg Config, zoo *store.Tables) bool
}

var ablationVariants = []ablationVariant{
	{name: "no graph learner", what: "learner none: no embeddings, no embedding features", apply: func(c Config) Config {
		c.Learner, c.Selection.Learners = LearnerNone, nil
		return c
	}, only: func(cfg Config, zoo *store.Tables) bool {
		// Nested selection leaves the graph learners out of its candidates on
		// a graph over max_graph_nodes (counted here without the base models
		// that are no model rows, so never over).
		return cfg.Selection.Mode != SelectNested || cfg.Selection.MaxGraphNodes == 0 ||
			len(zoo.Models)+len(zoo.Datasets) <= cfg.Selection.MaxGraphNodes || !slices.Contains(cfg.Selection.Learners, LearnerNone)
	}},
	{name: "no cross-fitting", what: "one embedding on every history result: a training row's graph features see its own label", apply: func(c Config) Config {
		c.FeatureOptions.CrossFitFolds = 0
		return c
	}, when: func(c Config) bool {
		return crossFitFolds(c) > 1 && (c.Learner != LearnerNone || c.Selection.Mode == SelectNested && slices.ContainsFunc(c.Selection.Learners,
			func(l Learner) bool { return l != LearnerNone }))
	}, only: func(cfg Config, zoo *store.Tables) bool {
		return cfg.Selection.Mode != SelectNested || cfg.Selection.MaxGraphNodes == 0 || len(zoo.Models)+len(zoo.Datasets) <= cfg.Selection.MaxGraphNodes
	}},
	{"no history features", "no fine-tuning-history features, hence no prior either", func(c Config) Config {
		c.FeatureOptions.NoHistory = true
		c.Blend, c.Selection.Blends = 1, nil
		return c
	}, nil, nil},
	{"no prior", "blend 1: no history prior (the metadata stacking stays as configured)", func(c Config) Config {
		c.Blend, c.Selection.Blends = 1, nil
		return c
	}, nil, nil},
	{"prior only", "blend 0 and no metadata stacking: the history prior alone (the prior still chosen by selection)", func(c Config) Config {
		c.Blend, c.Selection.Blends = 0, nil
		c.MetadataWeight, c.Selection.MetadataWeights = 0, nil
		return c
	}, nil, nil},
	{name: "no metadata stacking", what: "metadata_weight 0: the method's score without the metadata-only regressor averaged in", apply: func(c Config) Config {
		c.MetadataWeight, c.Selection.MetadataWeights = 0, nil
		return c
	}, when: func(c Config) bool {
		return c.MetadataWeight > 0 || c.Selection.Mode == SelectNested && stacks(c.Selection.MetadataWeights)
	}},
	{name: "no failure model", what: "failure_aware off: one regressor on every fine-tune", apply: func(c Config) Config {
		c.FailureAware, c.Selection.FailureAware = false, nil
		return c
	}, when: func(c Config) bool {
		return slices.Contains(failureValues(c), true) && (c.FailureAware || c.Selection.Mode == SelectNested)
	}},
	{name: "no averaging", what: "selection.combine best: the chosen candidate alone, not the average of those level with it", apply: func(c Config) Config {
		c.Selection.Combine = CombineBest
		return c
	}, when: func(c Config) bool { return c.Selection.Mode == SelectNested && c.Selection.Combine != CombineBest }},
	{name: "no low-rank model", what: "no low-rank model features nor prior (a zoo without dataset distances only)", apply: func(c Config) Config {
		c.FeatureOptions.NoLowRank = true
		return withoutPrior(c, PriorLowRank)
	}, only: func(_ Config, zoo *store.Tables) bool { return len(zoo.DatasetDistances) == 0 }},
	{name: "no collaborative filter", what: "no collaborative-filter features nor prior (a warm run on a zoo without dataset distances only)", apply: func(c Config) Config {
		c.FeatureOptions.NoCF = true
		return withoutPrior(c, PriorCF)
	}, when: func(c Config) bool { return c.Probe > 0 && !c.FeatureOptions.NoCF },
		only: func(_ Config, zoo *store.Tables) bool { return len(zoo.DatasetDistances) == 0 }},
}

// withoutPrior takes prior out of c's search space and, if it is the
// configured prior, puts the default one in its place.
func withoutPrior(c Config, prior string) Config {
	c.Selection.Priors = slices.DeleteFunc(slices.Clone(c.Selection.Priors), func(p string) bool { return p == prior })
	if c.Prior == prior {
		c.Prior = ""
	}
	return c
}

// Ablation compares the configured method with itself minus one part at a
// time, on the same seeds, targets and model sets (clean protocol).
type Ablation struct {
	Method  string        `json:"method"`
	Targets []string      `json:"targets"`
	Seeds   int           `json:"seeds"`
	Rows    []AblationRow `json:"rows"`
	// Full is the run of the configured method.
	Full *Result `json:"-"`
}

// AblationRow is one variant: its clean-protocol Pearson (simple and
// weighted mean over targets, mean over seeds), Spearman, and the paired
// difference to the full method over every (target, seed) with a 95%
// Student-t interval.
type AblationRow struct {
	Variant     string  `json:"variant"`
	What        string  `json:"what"`
	Pearson     float64 `json:"pearson_mean"`
	Weighted    float64 `json:"pearson_weighted_mean"`
	Spearman    float64 `json:"spearman_mean"`
	Delta       float64 `json:"delta_pearson"`
	DeltaLo     float64 `json:"delta_pearson_lo95"`
	DeltaHi     float64 `json:"delta_pearson_hi95"`
	DeltaWeight float64 `json:"delta_pearson_weighted_mean"`
	Pairs       int     `json:"pairs"`
	// ByTarget is the mean over seeds of the paired Pearson difference per
	// target.
	ByTarget map[string]float64 `json:"delta_pearson_by_target"`
}

// Ablate runs the configured method and each ablation variant (and reads
// the metadata-only regressor from the full run's baseline), and pairs
// their per-(target, seed) Pearson.
func Ablate(ctx context.Context, zoo *store.Tables, cfg Config, opt Options) (*Ablation, error) {
	cfg.Protocols = []string{"clean"}
	if !slices.Contains(cfg.Baselines, "metadata") {
		cfg.Baselines = append(slices.Clone(cfg.Baselines), "metadata")
	}
	if opt.Logger != nil {
		opt.Logger.Info("ablation variant", "variant", "full")
	}
	full, err := Run(ctx, zoo, cfg, opt)
	if err != nil {
		return nil, err
	}
	method := cfg.Method()
	ref := perTargetSeed(full.Metrics, method)
	a := &Ablation{Method: method, Targets: full.Targets, Seeds: cfg.Seeds, Full: full}
	a.Rows = append(a.Rows, ablationRow("full", "the configured method ("+method+")", full.Metrics, method, ref))
	for _, v := range ablationVariants {
		if (v.when != nil && !v.when(cfg)) || (v.only != nil && !v.only(cfg, zoo)) {
			continue
		}
		vc := v.apply(cfg)
		// The same baselines, so that the clean protocol evaluates every
		// variant on the same model set (their intersection); the metadata
		// regressor's predictions cover the method's models and are not
		// needed again.
		vc.Baselines = slices.DeleteFunc(slices.Clone(cfg.Baselines), func(b Baseline) bool { return b == BaselineMetadata })
		if err := vc.Validate(); err != nil {
			return nil, fmt.Errorf("ablation %s: %w", v.name, err)
		}
		if opt.Logger != nil {
			opt.Logger.Info("ablation variant", "variant", v.name)
		}
		res, err := Run(ctx, zoo, vc, opt)
		if err != nil {
			return nil, fmt.Errorf("ablation %s: %w", v.name, err)
		}
		a.Rows = append(a.Rows, ablationRow(v.name, v.what, res.Metrics, vc.Method(), ref))
	}
	a.Rows = append(a.Rows, ablationRow("metadata only", "a regressor on metadata features alone (the metadata baseline)", full.Metrics, "metadata", ref))
	return a, nil
}

type targetSeed struct {
	target string
	seed   int64
}

// perTargetSeed returns the clean-protocol metric rows of one method, keyed
// by metric and (target, seed); the aggregate targets included.
func perTargetSeed(metrics []store.Metric, method string) map[string]map[targetSeed]float64 {
	out := map[string]map[targetSeed]float64{}
	for _, m := range metrics {
		if m.Protocol != "clean" || m.Method != method || m.Seed == nil {
			continue
		}
		if out[m.Metric] == nil {
			out[m.Metric] = map[targetSeed]float64{}
		}
		out[m.Metric][targetSeed{m.Target, *m.Seed}] = m.Value
	}
	return out
}

func ablationRow(name, what string, metrics []store.Metric, method string, ref map[string]map[targetSeed]float64) AblationRow {
	got := perTargetSeed(metrics, method)
	row := AblationRow{Variant: name, What: what}
	mean := func(metric, target string) float64 {
		var s, n float64
		for k, v := range got[metric] {
			if k.target == target && !math.IsNaN(v) {
				s += v
				n++
			}
		}
		return s / n
	}
	row.Pearson, row.Weighted, row.Spearman = mean("pearson", "_mean"), mean("pearson", "_weighted_mean"), mean("spearman", "_mean")
	var diffs []float64
	var dw, nw float64
	row.ByTarget = map[string]float64{}
	perTarget := map[string]int{}
	for k, v := range got["pearson"] {
		r, ok := ref["pearson"][k]
		if !ok || math.IsNaN(v) || math.IsNaN(r) {
			continue
		}
		switch k.target {
		case "_mean":
		case "_weighted_mean":
			dw += v - r
			nw++
		default:
			diffs = append(diffs, v-r)
			row.ByTarget[k.target] += v - r
			perTarget[k.target]++
		}
	}
	for t, n := range perTarget {
		row.ByTarget[t] /= float64(n)
	}
	row.DeltaWeight = dw / nw
	row.Delta, row.DeltaLo, row.DeltaHi = meanCI95(diffs)
	row.Pairs = len(diffs)
	return row
}

// meanCI95 returns the mean of x and its two-sided 95% Student-t interval.
func meanCI95(x []float64) (mean, lo, hi float64) {
	n := float64(len(x))
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	for _, v := range x {
		mean += v
	}
	mean /= n
	if n < 2 {
		return mean, math.NaN(), math.NaN()
	}
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	se := math.Sqrt(ss / (n - 1) / n)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(0.975)
	return mean, mean - t*se, mean + t*se
}

// WriteMarkdown writes the ablation table.
func (a *Ablation) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "## Ablation\n\nClean protocol, %s × %s, every variant on the same seeds and model sets. "+
		"Δ is the variant minus the full method, paired over (target, seed), with its 95%% Student-t interval; "+
		"a part earns its place when removing it makes Δ negative with an interval below 0.\n\n", counted(len(a.Targets), "target"), counted(a.Seeds, "seed"))
	fmt.Fprintf(w, "| variant | Pearson mean | weighted mean | Spearman mean | Δ Pearson [95%% CI] | Δ weighted |\n|---|---:|---:|---:|---:|---:|\n")
	for _, r := range a.Rows {
		delta := "—"
		if r.Variant != "full" {
			delta = fmt.Sprintf("%+.3f [%+.3f, %+.3f]", r.Delta, r.DeltaLo, r.DeltaHi)
		}
		dw := "—"
		if r.Variant != "full" {
			dw = fmt.Sprintf("%+.3f", r.DeltaWeight)
		}
		fmt.Fprintf(w, "| %s: %s | %.3f | %.3f | %.3f | %s | %s |\n", r.Variant, r.What, r.Pearson, r.Weighted, r.Spearman, delta, dw)
	}
	fmt.Fprintf(w, "\nΔ Pearson per target (mean over seeds):\n\n| variant |")
	for _, t := range a.Targets {
		fmt.Fprintf(w, " %s |", t)
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---:|", len(a.Targets)))
	for _, r := range a.Rows[1:] {
		fmt.Fprintf(w, "| %s |", r.Variant)
		for _, t := range a.Targets {
			fmt.Fprintf(w, " %+.3f |", r.ByTarget[t])
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

// FileAblation is an ablation directory's results (WriteAblation).
const FileAblation = "ablation.json"

// WriteAblation writes dir/ablation.md, dir/ablation.json and the full
// method's run directory dir/full. dir must not exist or be empty.
func WriteAblation(dir string, a *Ablation, zoo *store.Tables, zooDir, zooChecksum string) error {
	if err := prepareRunDir(dir); err != nil {
		return err
	}
	if err := WriteRun(filepath.Join(dir, "full"), a.Full, zoo, zooDir, zooChecksum); err != nil {
		return err
	}
	rows := slices.Clone(a.Rows)
	for i := range rows { // JSON has no NaN: an undefined interval is 0 pairs wide
		r := &rows[i]
		for _, f := range []*float64{&r.Pearson, &r.Weighted, &r.Spearman, &r.Delta, &r.DeltaLo, &r.DeltaHi, &r.DeltaWeight} {
			if math.IsNaN(*f) {
				*f = 0
			}
		}
	}
	b := *a
	b.Rows = rows
	if err := evaluate.WriteJSONFile(filepath.Join(dir, FileAblation), &b); err != nil {
		return err
	}
	var md bytes.Buffer
	md.WriteString("# zoograph ablation\n\n")
	a.WriteMarkdown(&md)
	return store.WriteFileAtomic(filepath.Join(dir, "ablation.md"), md.Bytes())
}
