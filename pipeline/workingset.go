package pipeline

import "github.com/zoograph/zoograph/store"

// workingSet returns the models and datasets that a zoo past
// CleanConfig.MaxCells keeps, in their order. The stages hold dense
// dataset × model matrices, and a crawl of the Hub holds hundreds of
// thousands of models and thousands of datasets of which only the few
// connected to a fine-tuning record can be predicted, evaluated or
// recommended. So it keeps:
//
//   - the models named by a fine-tune or a score row, whatever its method,
//     and those pin names;
//   - their base models, and the bases of those, to the root: the lineage
//     the graph links them by;
//   - for Recommend (pin.inheritors), the models whose base model, or the
//     base of that up to three steps (its rule for a candidate without
//     history of its own), is one of the first: the candidates that inherit
//     a history. Run predicts and evaluates only recorded models, so it
//     leaves them out: on a crawl they are most of the working set;
//   - the datasets named by a fine-tune, a score or a distance row, by a
//     kept model as its source or pretraining dataset or in its repo id
//     (sourcesFromID: its training datasets too), and those pin names.
//
// Every other model has no record (and, for Recommend, none within three
// base steps above it): it can be no candidate, training row or evaluated
// model. It need not
// be unconnected, though: a model trained on a kept dataset, or a relative
// of a kept model that is none of these (a sibling under an unrecorded
// base, a fine-tune four steps down), has trained-on or lineage edges to
// the working set, and a kept base model may take its kind from its
// fine-tunes (modelKinds). Leaving them out changes the graph's walks, so
// the scores past the bound are those of the working set, not of the zoo
// cleaned whole: the bound trades that for memory. Models and datasets are
// Clean's rows (sorted by id).
func workingSet(t *store.Tables, models []store.Model, datasets []store.Dataset, pin pinned) ([]store.Model, []store.Dataset) {
	recorded := map[string]bool{}
	for _, id := range pin.models {
		recorded[id] = true
	}
	for _, f := range t.Finetunes {
		recorded[f.ModelID] = true
	}
	for _, s := range t.Scores {
		recorded[s.ModelID] = true
	}
	bases := make(map[string][]string, len(models))
	for _, m := range models {
		if len(m.BaseModels) > 0 {
			bases[m.ModelID] = m.BaseModels
		}
	}
	keep := map[string]bool{}
	var up func(id string)
	up = func(id string) { // the lineage above a kept model
		for _, b := range bases[id] {
			if !keep[b] {
				keep[b] = true
				up(b)
			}
		}
	}
	for id := range recorded {
		if !keep[id] {
			keep[id] = true
			up(id)
		}
	}
	for _, m := range models {
		if pin.inheritors && !keep[m.ModelID] && inherits(m.ModelID, bases, recorded) {
			keep[m.ModelID] = true
			up(m.ModelID)
		}
	}
	var kept []store.Model
	named := map[string]bool{}
	for _, id := range pin.datasets {
		named[id] = true
	}
	for _, m := range models {
		if keep[m.ModelID] {
			kept = append(kept, m)
			for _, s := range m.SourceDatasets {
				named[s] = true
			}
			named[m.PretrainDataset] = true
		}
	}
	names := newDatasetNames(datasets)
	for _, m := range kept {
		for _, di := range names.sourcesFromID(m.ModelID) {
			named[datasets[di].DatasetID] = true
		}
	}
	for _, f := range t.Finetunes {
		named[f.DatasetID] = true
	}
	for _, s := range t.Scores {
		named[s.DatasetID] = true
	}
	for _, x := range t.DatasetDistances {
		named[x.DatasetA], named[x.DatasetB] = true, true
	}
	var keptDatasets []store.Dataset
	for _, ds := range datasets {
		if named[ds.DatasetID] {
			keptDatasets = append(keptDatasets, ds)
		}
	}
	return kept, keptDatasets
}

// pinned names what a working set keeps although the zoo's records may
// not reach it: Recommend's target and the datasets its description gives
// distances to (datasets), the models recorded on the target (models),
// whose records Recommend hides from the zoo but reads (inferFromModels):
// they are kept as if recorded; and whether the models that inherit a
// history are kept (inheritors), Recommend's candidates.
type pinned struct {
	datasets, models []string
	inheritors       bool
}

// inherits reports whether a base model of id within three steps up its
// lineage has a record.
func inherits(id string, bases map[string][]string, recorded map[string]bool) bool {
	level := []string{id}
	for range 3 {
		var next []string
		for _, m := range level {
			for _, b := range bases[m] {
				if recorded[b] {
					return true
				}
				next = append(next, b)
			}
		}
		level = next
	}
	return false
}
