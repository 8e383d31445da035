package pipeline

import (
	"fmt"
	"math"
	"slices"
)

// Priors: the feature columns nested selection may blend in as the prior
// (Config.Prior), besides the default similarity-weighted history.
const (
	// PriorHistoryMean is the model's mean standardised accuracy on the
	// other history datasets (the history_mean baseline), so that selection
	// can at least match it.
	PriorHistoryMean = "hist_z_mean"
	// PriorLowRank is the low-rank model's prediction (lowrank.go).
	PriorLowRank = "lr_pred"
)

// priorNames are the valid values of Config.Prior; "" is the default.
var priorNames = []string{"", PriorHistoryMean, PriorLowRank}

func validatePrior(field, p string) error {
	if !slices.Contains(priorNames, p) {
		return fmt.Errorf("config: %s %q: want empty (the similarity-weighted history), %s or %s", field, p, PriorHistoryMean, PriorLowRank)
	}
	return nil
}

// priorsFor keeps the priors of list that are columns of d's feature
// table: the history mean and the low-rank prediction exist on zoos
// without dataset distances only. The default ("") is always kept.
func priorsFor(d *Data, list []string) []string {
	if !d.hasDistances {
		return list
	}
	out := slices.DeleteFunc(slices.Clone(list), func(p string) bool { return p != "" })
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

// priorColumn returns the column of the prior named prior when some test
// row has it; otherwise that of the default prior: priorFeature when some
// test row has it, else priorFallback; −1 when none is a column.
func priorColumn(ft *FeatureTable, prior string) int {
	has := func(col int) bool {
		if col < 0 {
			return false
		}
		r, _ := ft.Test.Dims()
		for i := range r {
			if !math.IsNaN(ft.Test.At(i, col)) {
				return true
			}
		}
		return false
	}
	if prior != "" {
		if col := slices.Index(ft.Names, prior); has(col) {
			return col
		}
	}
	col := slices.Index(ft.Names, priorFeature)
	if has(col) {
		return col
	}
	if fb := slices.Index(ft.Names, priorFallback); fb >= 0 {
		return fb
	}
	return col
}
