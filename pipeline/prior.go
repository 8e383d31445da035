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
	// PriorCF is the collaborative filter's prediction from the revealed
	// models (cf.go), on warm runs only.
	PriorCF = "cf_revealed"
)

// priorNames are the valid values of Config.Prior; "" is the default.
var priorNames = []string{"", PriorHistoryMean, PriorLowRank, PriorCF}

func validatePrior(field, p string) error {
	if !slices.Contains(priorNames, p) {
		return fmt.Errorf("config: %s %q: want empty (the similarity-weighted history), %s, %s or %s", field, p, PriorHistoryMean, PriorLowRank, PriorCF)
	}
	return nil
}

// priorsFor keeps the priors of list that are columns of d's feature
// table under cfg: the history mean and the low-rank prediction exist on
// zoos without dataset distances only, the collaborative filter's on their
// warm runs only (Config.Probe > 0, FeatureConfig.NoCF off). The default
// ("") is always kept.
func priorsFor(d *Data, list []string, cfg Config) []string {
	if !d.hasDistances {
		if cfg.Probe > 0 && !cfg.FeatureOptions.NoCF {
			return list
		}
		list = slices.DeleteFunc(slices.Clone(list), func(p string) bool { return p == PriorCF })
		if len(list) == 0 {
			list = []string{""}
		}
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
