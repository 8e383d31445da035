// Package recycling imports the model-recycling benchmark (Choshen et al.,
// "Where to start? Analyzing the potential value of intermediate models",
// arXiv 2211.00107; the IBM/model-recycling repository) into zoo tables.
//
// A benchmark directory holds
//
//	models_tested.csv   one row per model: eleven fixed columns, then one
//	                    accuracy column per dataset                  -> models, finetunes, scores
//	datasets.csv        optional: Hub-style metadata of the datasets  -> datasets
//
// The fixed columns of models_tested.csv (any order) are model_name,
// base_model, size, tokenizer, model_type, classification, layers,
// from_flax, from_tf, last_modified and mnli_lp; every other column is a
// dataset, whatever its name and however many there are. They become:
//
//   - models: model_id, author (the id's owner), base_models (the
//     base_model lineage), num_parameters (size), model_type,
//     last_modified, source "model-recycling"; the fields the models table
//     has no column for are tags: "num_layers:12", "tokenizer:<id>",
//     "classification_head", "from_flax", "from_tf";
//   - finetunes: one full fine-tune per non-empty dataset cell, the
//     accuracy in [0, 1], source "model-recycling" — or, for a dataset
//     datasets.csv marks as a regression (num_classes present and empty,
//     stsb), the correlation it is scored by, in [−1, 1]; a dataset
//     datasets.csv does not type (no row, no num_classes column, no file)
//     takes values in [−1, 1] too, its negative ones, which no accuracy
//     has, counted in one Problem of kind "correlation", never an error;
//   - scores: mnli_lp, the accuracy of a linear probe on MNLI over the
//     model's frozen features, as method "linear_probe" on dataset "mnli".
//     It is computed without fine-tuning, like LogME, so it is an honest
//     input for every target; it lives in the scores table — not in a model
//     column — because that is what it is, a no-fine-tuning score of the
//     model measured on one dataset, and the models table stays the Hub's
//     shape (a model probed on more datasets needs no new column). The
//     pipeline reads it as a model-level feature and the "probe" baseline.
//     An mnli_lp of 0 is the source's placeholder for a probe never run (a
//     linear probe on 3-class MNLI cannot score 0): it is no score, and one
//     Problem of kind "not measured" counts its rows (Counts
//     "probe_not_measured"), never an error, even when strict;
//   - datasets: one per dataset column, and one per datasets.csv row, with
//     task_categories, size_categories, num_classes and languages from
//     the metadata, and the rest as tags: "task:<task>",
//     "domain:<domain>", "hub_id:<id>", "hub_config:<config>". A dataset
//     column without a metadata row is a dataset without metadata.
//
// Bad input is reported with its file, line and column (1-based, the
// header is line 1): a missing fixed column or a repeated column in the
// header is an error; a duplicated model, a malformed fixed value, a
// non-numeric or out-of-range accuracy or probe score is a Problem (a
// duplicated model's row is skipped, but when its accuracies equal the
// first row's and only it has a probe score, that score is kept). By
// default a Problem is skipped and listed in the Report — a bad accuracy or
// probe cell alone, a row with a bad id or metadata whole — and with
// Options.Strict the first one is the error. A dataset column written as
// percentages (at least as many values in (1, 100] as in range) is an
// error at its first such cell, strict or not. Import writes nothing; every
// row carries source "model-recycling", so store.MergeZoo puts the tables
// into an existing zoo replacing this source's rows only.
package recycling
