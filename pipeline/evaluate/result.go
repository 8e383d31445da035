package evaluate

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/zoograph/zoograph/store"
)

// aggregateTargets are the pseudo-targets of aggregate rows, in report order.
var aggregateTargets = []string{TargetMean, TargetWeightedMean}

// IsAggregate reports whether a metrics row's target is an aggregate
// ("_mean" or "_weighted_mean").
func IsAggregate(target string) bool { return slices.Contains(aggregateTargets, target) }

// buildMetrics turns evaluations into metrics rows: per series, each
// target's values and the two aggregates over targets; per seeded method,
// the mean over seeds with a nil seed.
//
// An aggregate is undefined (NaN) when any target's value is, as the paper
// drops a method that misses a target:
//
//	_mean          = (1/|T|) Σ_T v_T
//	_weighted_mean = Σ_T w_T v_T / Σ_T w_T,  w_T = max(a_T) − mean(a_T)
func buildMetrics(res *Result) []store.Metric {
	values := map[seriesTarget]Values{}
	for _, e := range res.Evaluations {
		k := seriesTarget{method: e.Method, target: e.Target}
		if e.Seed != nil {
			k.seed, k.has = *e.Seed, true
		}
		values[k] = e.Values
	}
	var rows []store.Metric
	for _, m := range res.Methods {
		if m.Seeds == nil {
			rows = appendMetricRows(rows, res, m.Name, nil, metricTable(res, values, seriesTarget{method: m.Name}))
			continue
		}
		var tables [][][]float64
		for _, s := range m.Seeds {
			t := metricTable(res, values, seriesTarget{method: m.Name, seed: s, has: true})
			tables = append(tables, t)
			rows = appendMetricRows(rows, res, m.Name, &s, t)
		}
		rows = appendMetricRows(rows, res, m.Name, nil, meanTable(tables))
	}
	return rows
}

// seriesTarget keys an evaluation: a method's series (its seed, if any) on
// a target.
type seriesTarget struct {
	method string
	seed   int64
	has    bool
	target string
}

// metricTable returns the values of the series k by target and metric:
// table[i][j] is metric j on target i, the targets followed by the two
// aggregates.
func metricTable(res *Result, values map[seriesTarget]Values, k seriesTarget) [][]float64 {
	names := MetricNames()
	nT := len(res.Targets)
	table := make([][]float64, nT+len(aggregateTargets))
	for i := range table {
		table[i] = make([]float64, len(names))
	}
	for j, name := range names {
		var sum, wsum, wtot float64
		for i, t := range res.Targets {
			k.target = t.ID
			v, ok := values[k]
			x := math.NaN()
			if ok {
				x, _ = v.Metric(name)
			}
			table[i][j] = x
			sum += x
			wsum += t.Weight * x
			wtot += t.Weight
		}
		table[nT][j] = math.NaN()
		table[nT+1][j] = math.NaN()
		if nT > 0 {
			table[nT][j] = sum / float64(nT)
			table[nT+1][j] = wsum / wtot
		}
	}
	return table
}

// meanTable is the cell-wise mean of the tables of a method's seeds.
func meanTable(tables [][][]float64) [][]float64 {
	mean := make([][]float64, len(tables[0]))
	for i := range mean {
		mean[i] = make([]float64, len(tables[0][i]))
		for j := range mean[i] {
			var sum float64
			for _, t := range tables {
				sum += t[i][j]
			}
			mean[i][j] = sum / float64(len(tables))
		}
	}
	return mean
}

// appendMetricRows appends the rows of one table of a method (seed nil:
// unseeded, or the mean over seeds).
func appendMetricRows(rows []store.Metric, res *Result, method string, seed *int64, table [][]float64) []store.Metric {
	names := MetricNames()
	nT := len(res.Targets)
	for i, row := range table {
		var target string
		if i < nT {
			target = res.Targets[i].ID
		} else {
			target = aggregateTargets[i-nT]
		}
		for j, v := range row {
			var s *int64
			if seed != nil {
				x := *seed
				s = &x
			}
			rows = append(rows, store.Metric{
				Protocol: string(res.Protocol), Method: method, Target: target,
				Metric: names[j], Seed: s, Value: v,
			})
		}
	}
	return rows
}

// Cell names one reported value: a method's metric on a target (or an
// aggregate).
type Cell struct {
	Method, Target, Metric string
}

// Summary is one reported value: a cell's mean over seeds with its spread.
// Every report (run, baseline, eval) summarises a cell by the one rule of
// SummarizeMetrics.
type Summary struct {
	// Mean is the mean of the cell's defined values.
	Mean float64
	// SD is the sample standard deviation (n − 1) of the values: 0 for a
	// single value (a single seed, or a method without seeds: no spread was
	// seen; N says how many values there were), NaN for none.
	SD float64
	// N counts the defined values behind Mean.
	N int
	// Tied reports that a top-k set behind the value depended on how tied
	// scores were broken (for an aggregate: on some target). Known only for
	// a Result from Evaluate.
	Tied bool
}

// MarshalJSON writes NaN as null; Tied only when set.
func (s Summary) MarshalJSON() ([]byte, error) {
	v := map[string]any{"mean": number(s.Mean), "sd": number(s.SD), "n": s.N}
	if s.Tied {
		v["tied"] = true
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads null as NaN.
func (s *Summary) UnmarshalJSON(b []byte) error {
	var v struct {
		Mean, SD *float64
		N        int
		Tied     bool
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Summary{Mean: math.NaN(), SD: math.NaN(), N: v.N, Tied: v.Tied}
	if v.Mean != nil {
		s.Mean = *v.Mean
	}
	if v.SD != nil {
		s.SD = *v.SD
	}
	return nil
}

// SummarizeMetrics summarises metrics rows by cell; rows of several
// protocols must be split first. The rule, the same for every report: a
// cell's values are its per-seed rows when it has any (a seeded method's
// row without a seed holds their mean and is not counted again), else its
// rows without a seed; NaN values (undefined on a seed) are left out;
// Mean, SD and N are then as documented on Summary.
func SummarizeMetrics(rows []store.Metric) map[Cell]Summary {
	seeded, unseeded := map[Cell][]float64{}, map[Cell][]float64{}
	for _, r := range rows {
		c := Cell{r.Method, r.Target, r.Metric}
		if r.Seed != nil {
			seeded[c] = append(seeded[c], r.Value)
		} else {
			unseeded[c] = append(unseeded[c], r.Value)
		}
	}
	out := map[Cell]Summary{}
	for c, vs := range unseeded {
		out[c] = summarize(vs)
	}
	for c, vs := range seeded {
		out[c] = summarize(vs)
	}
	return out
}

// summarize applies the rule of SummarizeMetrics to one cell's values.
func summarize(values []float64) Summary {
	var defined []float64
	for _, v := range values {
		if !math.IsNaN(v) {
			defined = append(defined, v)
		}
	}
	n := float64(len(defined))
	s := Summary{Mean: math.NaN(), SD: math.NaN(), N: len(defined)}
	if n == 0 {
		return s
	}
	s.Mean, s.SD = mean(defined), 0
	if n > 1 {
		var ss float64
		for _, v := range defined {
			ss += (v - s.Mean) * (v - s.Mean)
		}
		s.SD = math.Sqrt(ss / (n - 1))
	}
	return s
}

// Summaries returns every reported value of res by cell: SummarizeMetrics
// of its metrics, with Tied marked from its evaluations.
func Summaries(res *Result) map[Cell]Summary {
	out := SummarizeMetrics(res.Metrics)
	for _, e := range res.Evaluations {
		for _, name := range metricNames {
			if !e.Values.Tied(name) {
				continue
			}
			for _, t := range []string{e.Target, TargetMean, TargetWeightedMean} {
				c := Cell{e.Method, t, name}
				s := out[c]
				s.Tied = true
				out[c] = s
			}
		}
	}
	return out
}

func mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// ResultFromMetrics rebuilds a Result from metrics rows of one protocol
// (e.g. a run's metrics.parquet) so that it can be rendered again. The
// result has no ground truth, evaluations or weights: Targets carry only
// their ids, in order of first appearance, as do Methods.
func ResultFromMetrics(rows []store.Metric) (*Result, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: no metrics rows", ErrBadOptions)
	}
	res := &Result{Protocol: Protocol(rows[0].Protocol), Metrics: rows}
	methodIndex := map[string]int{}
	seen := map[string]bool{}
	for _, r := range rows {
		if Protocol(r.Protocol) != res.Protocol {
			return nil, fmt.Errorf("%w: metrics rows of protocols %q and %q; split them first", ErrBadOptions, res.Protocol, r.Protocol)
		}
		i, ok := methodIndex[r.Method]
		if !ok {
			i = len(res.Methods)
			methodIndex[r.Method] = i
			res.Methods = append(res.Methods, Method{Name: r.Method, Baseline: isBaselineName(r.Method)})
		}
		if r.Seed != nil && !slices.Contains(res.Methods[i].Seeds, *r.Seed) {
			res.Methods[i].Seeds = append(res.Methods[i].Seeds, *r.Seed)
		}
		if !IsAggregate(r.Target) && !seen[r.Target] {
			seen[r.Target] = true
			res.Targets = append(res.Targets, Target{ID: r.Target, Weight: math.NaN()})
		}
	}
	for i := range res.Methods {
		slices.Sort(res.Methods[i].Seeds)
	}
	return res, nil
}
