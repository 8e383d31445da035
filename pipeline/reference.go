package pipeline

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/zoograph/zoograph/pipeline/evaluate"
	"github.com/zoograph/zoograph/store"
)

// ReferenceMethod names the predictions of a reference CSV file without a
// method column.
const ReferenceMethod = "reference"

// ReadReferencePredictions reads cfg.ReferencePredictions (nil without
// one), resolving target names against the zoo's datasets (glue_sst2 for
// glue/sst2, as the TransferGraph layout writes them). A reference method
// may not be named like zoograph's own method or a baseline: its rows would
// be taken for theirs. Records without a score are no prediction, and log
// (nil: none) gets a warning counting them.
func ReadReferencePredictions(zoo *store.Tables, cfg Config, log *slog.Logger) ([]evaluate.Prediction, error) {
	if cfg.ReferencePredictions == "" {
		return nil, nil
	}
	preds, err := evaluate.ReadPredictions(cfg.ReferencePredictions, evaluate.ReadOptions{Datasets: zoo.DatasetIDs(), Method: ReferenceMethod, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("reference predictions: %w", err)
	}
	reserved := append([]string{cfg.Method(), evaluate.BaselineMetadata}, evaluate.ComputedBaselines()...)
	for _, m := range referenceMethods(preds) {
		if slices.Contains(reserved, m) {
			return nil, fmt.Errorf("reference predictions %s: method %q is also one of the run's own methods (%s); rename it",
				cfg.ReferencePredictions, m, strings.Join(reserved, ", "))
		}
	}
	return preds, nil
}

// referencesOn keeps the reference predictions of the run's targets.
func referencesOn(preds []evaluate.Prediction, targets []string) []evaluate.Prediction {
	var out []evaluate.Prediction
	for _, p := range preds {
		if slices.Contains(targets, p.Target) {
			out = append(out, p)
		}
	}
	return out
}

// referenceMethods lists the methods of reference predictions in order of
// first appearance.
func referenceMethods(preds []evaluate.Prediction) []string {
	var out []string
	for _, p := range preds {
		if !slices.Contains(out, p.Method) {
			out = append(out, p.Method)
		}
	}
	return out
}
