package store

import (
	"time"

	"github.com/apache/arrow/go/v15/arrow"
)

// SchemaVersion is the version of the table schemas and of manifest.json this
// package writes. It changes when a column is renamed, removed or changes
// type, and when a column is added that merges depend on; adding another
// column does not change it. This package reads every version up to its
// own, and refuses to read or write a zoo of a newer one.
//
// Versions:
//
//  1. The first.
//  2. scores and dataset_distances have a source column, as models and
//     finetunes do, and MergeZoo replaces their rows by source. A version 1
//     file, without the column, still reads: ReadZoo and MergeZoo give its
//     rows the source LegacySource names. A zoograph of version 1 reads a
//     version 2 zoo's files but, merging into it, would drop the column:
//     the version keeps it away.
const SchemaVersion = 2

// Row is the set of table row types. Every row type in tables.go satisfies
// it, and every generic function of the package takes one.
type Row interface {
	Model | Dataset | Card | Eval | Finetune | Score | DatasetDistance | ReferenceResult | Prediction | Metric
}

// Table names. A zoo directory holds table NAME in file NAME.parquet.
const (
	TableModels           = "models"
	TableDatasets         = "datasets"
	TableCards            = "cards"
	TableEvals            = "evals"
	TableFinetunes        = "finetunes"
	TableScores           = "scores"
	TableDatasetDistances = "dataset_distances"
	TableReferenceResults = "reference_results"
	TablePredictions      = "predictions"
	TableMetrics          = "metrics"
)

// TableNames lists every table in a fixed order: the zoo tables of Tables,
// then the run tables.
func TableNames() []string {
	return []string{
		TableModels, TableDatasets, TableCards, TableEvals, TableFinetunes, TableScores,
		TableDatasetDistances, TableReferenceResults, TablePredictions, TableMetrics,
	}
}

// TableName returns the name of T's table, e.g. "finetunes" for Finetune.
func TableName[T Row]() string { return codecFor[T]().table }

// Columns returns the column names of T's table in schema order.
func Columns[T Row]() []string { return codecFor[T]().columnNames() }

// Schema returns the Arrow schema of T's table. The schema is shared: do not
// modify it.
func Schema[T Row]() *arrow.Schema { return codecFor[T]().schema }

func codecFor[T Row]() *codec[T] {
	var c any
	switch any(*new(T)).(type) {
	case Model:
		c = modelCodec
	case Dataset:
		c = datasetCodec
	case Card:
		c = cardCodec
	case Eval:
		c = evalCodec
	case Finetune:
		c = finetuneCodec
	case Score:
		c = scoreCodec
	case DatasetDistance:
		c = datasetDistanceCodec
	case ReferenceResult:
		c = referenceResultCodec
	case Prediction:
		c = predictionCodec
	case Metric:
		c = metricCodec
	}
	return c.(*codec[T])
}

// The columns of each table, in field order; column names are the snake_case
// field names. Nullability follows the comments in tables.go.

var modelCodec = newCodec(TableModels,
	unique(stringCol("model_id", required, func(r *Model) *string { return &r.ModelID })),
	unique(stringCol("hub_oid", nullable, func(r *Model) *string { return &r.HubOID })),
	stringCol("author", nullable, func(r *Model) *string { return &r.Author }),
	unique(stringCol("sha", nullable, func(r *Model) *string { return &r.SHA })),
	timeCol("created_at", nullable, func(r *Model) *time.Time { return &r.CreatedAt }),
	timeCol("last_modified", nullable, func(r *Model) *time.Time { return &r.LastModified }),
	stringCol("pipeline_tag", nullable, func(r *Model) *string { return &r.PipelineTag }),
	stringCol("library_name", nullable, func(r *Model) *string { return &r.LibraryName }),
	listCol("tags", func(r *Model) *[]string { return &r.Tags }),
	int64Col("downloads", required, func(r *Model) *int64 { return &r.Downloads }),
	int64Col("downloads_all_time", required, func(r *Model) *int64 { return &r.DownloadsAllTime }),
	int64Col("likes", required, func(r *Model) *int64 { return &r.Likes }),
	stringCol("gated", nullable, func(r *Model) *string { return &r.Gated }),
	listCol("architectures", func(r *Model) *[]string { return &r.Architectures }),
	stringCol("model_type", nullable, func(r *Model) *string { return &r.ModelType }),
	int64Col("num_parameters", nullable, func(r *Model) *int64 { return &r.NumParameters }),
	int64Col("input_size", nullable, func(r *Model) *int64 { return &r.InputSize }),
	int64Col("output_size", nullable, func(r *Model) *int64 { return &r.OutputSize }),
	int64Col("num_labels", nullable, func(r *Model) *int64 { return &r.NumLabels }),
	listCol("source_datasets", func(r *Model) *[]string { return &r.SourceDatasets }),
	stringCol("pretrain_dataset", nullable, func(r *Model) *string { return &r.PretrainDataset }),
	float64Col("reported_accuracy", nullable, func(r *Model) *float64 { return &r.ReportedAccuracy }),
	listCol("base_models", func(r *Model) *[]string { return &r.BaseModels }),
	stringCol("license", nullable, func(r *Model) *string { return &r.License }),
	listCol("languages", func(r *Model) *[]string { return &r.Languages }),
	stringCol("source", required, func(r *Model) *string { return &r.Source }),
	timeCol("crawled_at", nullable, func(r *Model) *time.Time { return &r.CrawledAt }),
)

var datasetCodec = newCodec(TableDatasets,
	unique(stringCol("dataset_id", required, func(r *Dataset) *string { return &r.DatasetID })),
	unique(stringCol("hub_oid", nullable, func(r *Dataset) *string { return &r.HubOID })),
	stringCol("author", nullable, func(r *Dataset) *string { return &r.Author }),
	timeCol("created_at", nullable, func(r *Dataset) *time.Time { return &r.CreatedAt }),
	timeCol("last_modified", nullable, func(r *Dataset) *time.Time { return &r.LastModified }),
	listCol("tags", func(r *Dataset) *[]string { return &r.Tags }),
	listCol("task_categories", func(r *Dataset) *[]string { return &r.TaskCategories }),
	listCol("size_categories", func(r *Dataset) *[]string { return &r.SizeCategories }),
	int64Col("num_examples", nullable, func(r *Dataset) *int64 { return &r.NumExamples }),
	int64Col("num_classes", nullable, func(r *Dataset) *int64 { return &r.NumClasses }),
	listCol("languages", func(r *Dataset) *[]string { return &r.Languages }),
	stringCol("license", nullable, func(r *Dataset) *string { return &r.License }),
	int64Col("downloads", required, func(r *Dataset) *int64 { return &r.Downloads }),
	int64Col("likes", required, func(r *Dataset) *int64 { return &r.Likes }),
	stringCol("source", required, func(r *Dataset) *string { return &r.Source }),
	timeCol("crawled_at", nullable, func(r *Dataset) *time.Time { return &r.CrawledAt }),
)

var cardCodec = newCodec(TableCards,
	stringCol("repo_type", required, func(r *Card) *string { return &r.RepoType }),
	stringCol("repo_id", required, func(r *Card) *string { return &r.RepoID }),
	stringCol("revision", nullable, func(r *Card) *string { return &r.Revision }),
	unique(stringCol("etag", nullable, func(r *Card) *string { return &r.ETag })),
	unique(stringCol("text", required, func(r *Card) *string { return &r.Text })),
	timeCol("fetched_at", required, func(r *Card) *time.Time { return &r.FetchedAt }),
)

var evalCodec = newCodec(TableEvals,
	stringCol("model_id", required, func(r *Eval) *string { return &r.ModelID }),
	stringCol("model_name", nullable, func(r *Eval) *string { return &r.ModelName }),
	stringCol("task_type", nullable, func(r *Eval) *string { return &r.TaskType }),
	stringCol("dataset_type", nullable, func(r *Eval) *string { return &r.DatasetType }),
	stringCol("dataset_name", nullable, func(r *Eval) *string { return &r.DatasetName }),
	stringCol("dataset_config", nullable, func(r *Eval) *string { return &r.DatasetConfig }),
	stringCol("dataset_split", nullable, func(r *Eval) *string { return &r.DatasetSplit }),
	stringCol("metric_type", nullable, func(r *Eval) *string { return &r.MetricType }),
	stringCol("metric_name", nullable, func(r *Eval) *string { return &r.MetricName }),
	float64Col("value", nullable, func(r *Eval) *float64 { return &r.Value }),
	stringCol("value_raw", nullable, func(r *Eval) *string { return &r.ValueRaw }),
	boolCol("verified", func(r *Eval) *bool { return &r.Verified }),
	stringCol("source", required, func(r *Eval) *string { return &r.Source }),
)

var finetuneCodec = newCodec(TableFinetunes,
	stringCol("model_id", required, func(r *Finetune) *string { return &r.ModelID }),
	stringCol("dataset_id", required, func(r *Finetune) *string { return &r.DatasetID }),
	int64Col("run", required, func(r *Finetune) *int64 { return &r.Run }),
	float64Col("accuracy", nullable, func(r *Finetune) *float64 { return &r.Accuracy }),
	stringCol("method", required, func(r *Finetune) *string { return &r.Method }),
	float64Col("epochs", nullable, func(r *Finetune) *float64 { return &r.Epochs }),
	int64Col("batch_size", nullable, func(r *Finetune) *int64 { return &r.BatchSize }),
	float64Col("learning_rate", nullable, func(r *Finetune) *float64 { return &r.LearningRate }),
	float64Col("train_seconds", nullable, func(r *Finetune) *float64 { return &r.TrainSeconds }),
	int64Col("seed", nullable, func(r *Finetune) *int64 { return &r.Seed }),
	stringCol("source", required, func(r *Finetune) *string { return &r.Source }),
)

var scoreCodec = newCodec(TableScores,
	stringCol("model_id", required, func(r *Score) *string { return &r.ModelID }),
	stringCol("dataset_id", required, func(r *Score) *string { return &r.DatasetID }),
	stringCol("method", required, func(r *Score) *string { return &r.Method }),
	float64Col("score", required, func(r *Score) *float64 { return &r.Score }),
	float64Col("runtime_seconds", nullable, func(r *Score) *float64 { return &r.RuntimeSeconds }),
	since(2, stringCol("source", required, func(r *Score) *string { return &r.Source })),
)

var datasetDistanceCodec = newCodec(TableDatasetDistances,
	stringCol("dataset_a", required, func(r *DatasetDistance) *string { return &r.DatasetA }),
	stringCol("dataset_b", required, func(r *DatasetDistance) *string { return &r.DatasetB }),
	float64Col("distance", required, func(r *DatasetDistance) *float64 { return &r.Distance }),
	stringCol("method", required, func(r *DatasetDistance) *string { return &r.Method }),
	since(2, stringCol("source", required, func(r *DatasetDistance) *string { return &r.Source })),
)

var referenceResultCodec = newCodec(TableReferenceResults,
	stringCol("source", required, func(r *ReferenceResult) *string { return &r.Source }),
	stringCol("method", required, func(r *ReferenceResult) *string { return &r.Method }),
	stringCol("metric", required, func(r *ReferenceResult) *string { return &r.Metric }),
	stringCol("target", required, func(r *ReferenceResult) *string { return &r.Target }),
	float64Col("value", required, func(r *ReferenceResult) *float64 { return &r.Value }),
)

var predictionCodec = newCodec(TablePredictions,
	stringCol("target", required, func(r *Prediction) *string { return &r.Target }),
	stringCol("model_id", required, func(r *Prediction) *string { return &r.ModelID }),
	stringCol("method", required, func(r *Prediction) *string { return &r.Method }),
	int64Col("seed", required, func(r *Prediction) *int64 { return &r.Seed }),
	float64Col("predicted", required, func(r *Prediction) *float64 { return &r.Predicted }),
	float64Col("actual", nullable, func(r *Prediction) *float64 { return &r.Actual }),
)

var metricCodec = newCodec(TableMetrics,
	stringCol("protocol", required, func(r *Metric) *string { return &r.Protocol }),
	stringCol("method", required, func(r *Metric) *string { return &r.Method }),
	stringCol("target", required, func(r *Metric) *string { return &r.Target }),
	stringCol("metric", required, func(r *Metric) *string { return &r.Metric }),
	int64PtrCol("seed", func(r *Metric) **int64 { return &r.Seed }),
	float64Col("value", nullable, func(r *Metric) *float64 { return &r.Value }),
)
