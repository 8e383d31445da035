package evaluate

import (
	"fmt"
	"math"
	"slices"

	"github.com/zoograph/zoograph/store"
)

// historyMean holds, per dataset, every model's accuracy standardised over
// the dataset's models: the history_mean baseline's inputs.
type historyMean struct {
	datasets []string                      // sorted, so sums are reproducible
	z        map[string]map[string]float64 // dataset → model → z
}

// newHistoryMean standardises the full fine-tunes of the datasets keep
// lists (nil = every dataset).
func newHistoryMean(finetunes []store.Finetune, keep []string) *historyMean {
	sum := map[string]map[string]float64{}
	count := map[string]map[string]float64{}
	var kept map[string]bool
	if keep != nil {
		kept = map[string]bool{}
		for _, ds := range keep {
			kept[ds] = true
		}
	}
	for _, f := range finetunes {
		if !isFull(f.Method) || !finite(f.Accuracy) || kept != nil && !kept[f.DatasetID] {
			continue
		}
		if sum[f.DatasetID] == nil {
			sum[f.DatasetID], count[f.DatasetID] = map[string]float64{}, map[string]float64{}
		}
		sum[f.DatasetID][f.ModelID] += f.Accuracy
		count[f.DatasetID][f.ModelID]++
	}
	h := &historyMean{z: map[string]map[string]float64{}}
	for ds, acc := range sum {
		var s, ss, n float64
		for _, m := range sortedKeys(acc) { // in order: sums are reproducible
			v := acc[m] / count[ds][m]
			acc[m] = v
			s += v
			ss += v * v
			n++
		}
		mean := s / n
		sd := math.Sqrt(math.Max(0, ss/n-mean*mean))
		if n < 2 || sd == 0 {
			continue
		}
		for m, v := range acc {
			acc[m] = (v - mean) / sd
		}
		h.z[ds] = acc
	}
	h.datasets = sortedKeys(h.z)
	return h
}

// score is model m's mean z over the datasets other than t; ok is false
// when it has none.
func (h *historyMean) score(t, m string) (float64, bool) {
	var s, n float64
	for _, ds := range h.datasets {
		if ds == t {
			continue
		}
		if v, ok := h.z[ds][m]; ok {
			s += v
			n++
		}
	}
	return s / n, n > 0
}

// modelScores returns the history_mean or probe scores of the given models
// on t, and a note when the zoo has none.
func (ev *evaluator) modelScores(method, t string, models []string) ([]Prediction, string) {
	var out []Prediction
	switch method {
	case BaselineHistoryMean:
		if ev.history == nil {
			ev.history = newHistoryMean(ev.zoo.Finetunes, ev.historyDatasets)
		}
		for _, m := range models {
			if v, ok := ev.history.score(t, m); ok {
				out = append(out, Prediction{Method: method, Target: t, ModelID: m, Score: v})
			}
		}
		if len(out) == 0 {
			return nil, fmt.Sprintf("no model has fine-tuning records outside %s", t)
		}
	case BaselineProbe:
		if ev.probe == nil {
			ev.probe = probeScores(ev.zoo.Scores)
		}
		for _, m := range models {
			if v, ok := ev.probe[m]; ok {
				out = append(out, Prediction{Method: method, Target: t, ModelID: m, Score: v})
			}
		}
		if len(out) == 0 {
			return nil, "the zoo has no probe scores"
		}
	}
	return out, ""
}

// probeScores is each model's mean finite score of the methods other than
// logme and reg_h_score.
func probeScores(scores []store.Score) map[string]float64 {
	sum, n := map[string]float64{}, map[string]float64{}
	for _, s := range scores {
		if s.Method == BaselineLogME || s.Method == BaselineRegHScore || !finite(s.Score) {
			continue
		}
		sum[s.ModelID] += s.Score
		n[s.ModelID]++
	}
	for m := range sum {
		sum[m] /= n[m]
	}
	return sum
}

// withinLineage is WithinLineage over models ids, grouped by their first
// base model in the zoo, with non-finite scores replaced as Compute does.
func (ev *evaluator) withinLineage(a, s []float64, ids []string) float64 {
	groups := make([]string, len(ids))
	any := false
	for i, id := range ids {
		if m := ev.models[id]; m != nil && len(m.BaseModels) > 0 {
			groups[i] = m.BaseModels[0]
			any = true
		}
	}
	if !any {
		return math.NaN()
	}
	s = slices.Clone(s)
	ReplaceNonFinite(s)
	return WithinLineage(a, s, groups)
}
