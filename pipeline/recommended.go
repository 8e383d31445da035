package pipeline

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/zoograph/zoograph/store"
)

// RecommendedTop is the number of models the "Recommended models" table of
// a run report shows per target.
const RecommendedTop = 5

// TargetRecommendation is what a run would have recommended for one
// held-out target — its best predicted models — beside what was recorded.
type TargetRecommendation struct {
	Target string             `json:"target"`
	Models []RecommendedModel `json:"models"`
	// Best is the model with the best recorded accuracy on the target.
	Best         string  `json:"best"`
	BestAccuracy float64 `json:"best_accuracy"`
	// Regret is BestAccuracy minus the recorded accuracy of the first
	// recommendation; RegretTop is BestAccuracy minus the best recorded
	// accuracy among the recommendations (in accuracy points, 0 = found).
	Regret    float64 `json:"regret"`
	RegretTop float64 `json:"regret_top"`
}

// RecommendedModel is one row of the table.
type RecommendedModel struct {
	Rank     int     `json:"rank"`
	ModelID  string  `json:"model_id"`
	Score    float64 `json:"score"`    // mean predicted score over seeds
	Recorded float64 `json:"recorded"` // recorded accuracy on the target
}

// recommendedFrom ranks, per target, the models by their mean predicted
// score over seeds (method's predictions) and keeps the top k with their
// recorded accuracies. Predictions without a recorded accuracy are skipped
// (a run predicts only models with one).
func recommendedFrom(preds []store.Prediction, method string, targets []string, k int) []TargetRecommendation {
	type agg struct {
		sum, n, actual float64
	}
	by := map[string]map[string]*agg{}
	for _, p := range preds {
		if p.Method != method || math.IsNaN(p.Actual) || math.IsNaN(p.Predicted) {
			continue
		}
		if by[p.Target] == nil {
			by[p.Target] = map[string]*agg{}
		}
		a := by[p.Target][p.ModelID]
		if a == nil {
			a = &agg{actual: p.Actual}
			by[p.Target][p.ModelID] = a
		}
		a.sum += p.Predicted
		a.n++
	}
	var out []TargetRecommendation
	for _, t := range targets {
		models := by[t]
		if len(models) == 0 {
			continue
		}
		rows := make([]RecommendedModel, 0, len(models))
		tr := TargetRecommendation{Target: t, BestAccuracy: math.Inf(-1)}
		for _, id := range sortedKeys(models) {
			a := models[id]
			rows = append(rows, RecommendedModel{ModelID: id, Score: a.sum / a.n, Recorded: a.actual})
			if a.actual > tr.BestAccuracy {
				tr.Best, tr.BestAccuracy = id, a.actual
			}
		}
		slices.SortStableFunc(rows, func(a, b RecommendedModel) int {
			return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.ModelID, b.ModelID))
		})
		rows = rows[:min(k, len(rows))]
		bestTop := math.Inf(-1)
		for i := range rows {
			rows[i].Rank = i + 1
			bestTop = math.Max(bestTop, rows[i].Recorded)
		}
		tr.Models = rows
		tr.Regret = tr.BestAccuracy - rows[0].Recorded
		tr.RegretTop = tr.BestAccuracy - bestTop
		out = append(out, tr)
	}
	return out
}

// writeRecommended writes the "Recommended models" section of report.md.
func writeRecommended(w io.Writer, recs []TargetRecommendation) {
	if len(recs) == 0 {
		return
	}
	fmt.Fprintf(w, "## Recommended models\n\n")
	fmt.Fprintf(w, "What the run would have recommended for each held-out target: its %d best predicted models "+
		"(by their score, the method's prediction averaged over seeds: an order, not an accuracy), their recorded accuracy, and the regret — the best recorded accuracy minus "+
		"that of the first recommendation (and of the best of the %d).\n\n", RecommendedTop, RecommendedTop)
	fmt.Fprintf(w, "| target | rank | model | score | recorded | regret |\n|---|---:|---|---:|---:|---:|\n")
	var regret, regretTop float64
	for _, r := range recs {
		for _, m := range r.Models {
			target, reg := "", ""
			if m.Rank == 1 {
				target = r.Target
				reg = fmt.Sprintf("%.4f (top %d: %.4f)", r.Regret, len(r.Models), r.RegretTop)
			}
			fmt.Fprintf(w, "| %s | %d | %s | %.3f | %.4f | %s |\n", target, m.Rank, m.ModelID, m.Score, m.Recorded, reg)
		}
		fmt.Fprintf(w, "| | best | %s | | %.4f | |\n", r.Best, r.BestAccuracy)
		regret += r.Regret
		regretTop += r.RegretTop
	}
	n := float64(len(recs))
	fmt.Fprintf(w, "\nMean regret over %d targets: %.4f for the first recommendation, %.4f for the best of the top %d.\n\n",
		len(recs), regret/n, regretTop/n, RecommendedTop)
}

// writeHistory writes where the run's history came from, when the zoo's
// model cards added some.
func writeHistory(w io.Writer, h *HistoryReport) {
	if h == nil {
		return
	}
	fmt.Fprintf(w, "## History from model-index results\n\n")
	fmt.Fprintf(w, "%d of the zoo's %d eval rows became fine-tuning records (%d base models, %d datasets); "+
		"%d models name their base model only in the Trainer sentence.\n\n", h.Records, h.Evals, h.BaseModels, h.Datasets,
		h.Lineage[LineageTrainer])
	if reasons := h.RejectReasons(); len(reasons) > 0 {
		fmt.Fprintf(w, "Rows left out:\n\n")
		for _, r := range reasons {
			fmt.Fprintf(w, "- %s\n", r)
		}
		fmt.Fprintln(w)
	}
}
