// Package transfergraph imports the public TransferGraph benchmark (Li et
// al., "Model Selection with Model Zoo via Graph Learning", arXiv 2404.03988)
// into zoo tables.
//
// An experiment directory of the TransferGraph repository,
// resources/experiments/<task>/, holds five core CSV files and the authors'
// result tables:
//
//	records.csv                           fine-tuning runs (the labels)      -> finetunes
//	model_config_dataset.csv              model metadata                     -> models
//	transferability_score_records.csv     LogME and Reg-H-Score              -> scores
//	target_dataset_features.csv           dataset size and class count       -> datasets
//	corr_domain_similarity_<probe>.csv    dataset-dataset distance matrix    -> dataset_distances
//	result_analysis/<metric>_correlation.csv  published results (optional)   -> reference_results
//
// Both published layouts are read: image_classification and
// sequence_classification. They differ in the columns of records.csv and
// model_config_dataset.csv, in the column that names a model's "trained on"
// dataset (labels for image, dataset for text) and in the distance file; see
// the layout table in layout.go.
//
// The files have known defects: truncated lines, fragments of rows split
// across lines, missing values, repeated runs. Import keeps every real
// record as recorded — repeated runs are numbered by store.Finetune.Run,
// LoRA runs are kept with Method "lora", duplicated scores are kept — and
// skips only rows that are malformed, reporting each with its file, line
// (and column, for a bad value) and reason (or failing on the first one in
// strict mode). A number must be finite: Python's nan, inf and -inf, which
// strconv.ParseFloat accepts, are bad numbers (an empty field is how the
// files say "unknown"), but in a transferability score, where the
// TransferGraph evaluation gives them a meaning. Cleaning and
// de-duplication are the pipeline's business, not the importer's.
//
// The source is a local directory or an http(s) base URL of the same layout
// (for example a raw-file URL of resources/experiments/<task>/). Import
// writes nothing; the caller stores the tables.
package transfergraph
