package store

import "time"

// Null conventions. Parquet columns that may be unknown are nullable; in Go the
// zero value stands for null so rows stay plain values:
//   - string columns declared nullable: "" is written as null;
//   - float64 columns declared nullable: NaN is written as null;
//   - time.Time columns: the zero time is written as null;
//   - int64 columns declared nullable: the field is a *int64 only where 0 is a
//     real value; elsewhere (counts that are never 0 when known, such as
//     num_parameters) 0 is written as null, as documented on the field.
//   - list columns are never null: an empty list is an empty list.

// Model is one row of the models table: a model repository on the Hub or a
// model of a benchmark.
type Model struct {
	ModelID          string    // "owner/name" as the Hub spells it; the key
	HubOID           string    // the Hub's _id; nullable
	Author           string    // nullable
	SHA              string    // head commit; nullable
	CreatedAt        time.Time // nullable
	LastModified     time.Time // nullable
	PipelineTag      string    // nullable
	LibraryName      string    // nullable
	Tags             []string
	Downloads        int64 // last 30 days
	DownloadsAllTime int64
	Likes            int64
	Gated            string   // "" (not gated), "auto" or "manual"; nullable
	Architectures    []string // from config.json, e.g. ViTForImageClassification
	ModelType        string   // from config.json, e.g. vit; nullable
	NumParameters    int64    // 0 = unknown (null)
	InputSize        int64    // input resolution (image) or max length (text); 0 = unknown (null)
	OutputSize       int64    // width of the feature layer; 0 = unknown (null)
	NumLabels        int64    // size of the classification head; 0 = unknown (null)
	SourceDatasets   []string // datasets the model was trained on (card `datasets`, benchmark "trained on")
	PretrainDataset  string   // declared pre-training corpus (benchmark `dataset` column); nullable
	ReportedAccuracy float64  // accuracy the model reports on its source dataset, in [0, 1] (CheckAccuracy); NaN = null
	BaseModels       []string // card base_model lineage
	License          string   // nullable
	Languages        []string
	Source           string    // provenance, e.g. "hub", "transfergraph/image_classification"
	CrawledAt        time.Time // nullable
}

// Dataset is one row of the datasets table: a dataset repository on the Hub
// or a benchmark dataset.
type Dataset struct {
	DatasetID      string    // the key, e.g. "cifar100" or "glue/sst2"
	HubOID         string    // nullable
	Author         string    // nullable
	CreatedAt      time.Time // nullable
	LastModified   time.Time // nullable
	Tags           []string
	TaskCategories []string
	SizeCategories []string
	NumExamples    int64 // 0 = unknown (null)
	NumClasses     int64 // 0 = unknown (null)
	Languages      []string
	License        string // nullable
	Downloads      int64
	Likes          int64
	Source         string
	CrawledAt      time.Time // nullable
}

// Card is one row of the cards table: a fetched README.
type Card struct {
	RepoType  string // "model" or "dataset"
	RepoID    string
	Revision  string // commit or ref the text was fetched at; nullable
	ETag      string // nullable
	Text      string
	FetchedAt time.Time
}

// Eval is one row of the evals table: one metric of a card's model-index.
type Eval struct {
	ModelID       string
	ModelName     string  // model-index name; nullable
	TaskType      string  // nullable
	DatasetType   string  // nullable
	DatasetName   string  // nullable
	DatasetConfig string  // nullable
	DatasetSplit  string  // nullable
	MetricType    string  // nullable
	MetricName    string  // nullable
	Value         float64 // NaN (null) when the value is not numeric; an accuracy's is a fraction, checked by CheckAccuracy
	ValueRaw      string  // the value as written; nullable
	Verified      bool
	Source        string // "card" (README) or "card_data" (API cardData)
}

// Finetune is one row of the finetunes table: one recorded fine-tuning run.
// Repeated runs of the same (model, dataset, method) are kept, numbered by Run.
type Finetune struct {
	ModelID      string
	DatasetID    string
	Run          int64   // 0 for the first run of the pair and method, 1 for the next, ...
	Accuracy     float64 // NaN = null (run recorded without a result); else in [0, 1] (CheckAccuracy)
	Method       string  // "full" or "lora"
	Epochs       float64 // NaN = null
	BatchSize    int64   // 0 = unknown (null)
	LearningRate float64 // NaN = null
	TrainSeconds float64 // NaN = null
	Seed         int64   // 0 = unknown (null)
	Source       string
}

// Score is one row of the scores table: a transferability score of a model
// on a dataset. Duplicated (model, dataset, method) rows are kept as recorded.
type Score struct {
	ModelID        string
	DatasetID      string
	Method         string  // "logme", "reg_h_score", ...
	Score          float64 // may be ±Inf or NaN as recorded
	RuntimeSeconds float64 // NaN = null
	Source         string  // provenance, e.g. "model-recycling"; since schema 2 (see LegacySource)
}

// DatasetDistance is one row of the dataset_distances table. The table holds
// both (a, b) and (b, a).
type DatasetDistance struct {
	DatasetA string
	DatasetB string
	Distance float64
	Method   string // e.g. "domain_similarity:google/vit-base-patch16-224"
	Source   string // provenance, e.g. "transfergraph/image_classification"; since schema 2 (see LegacySource)
}

// ReferenceResult is one cell of a published result table, e.g. the paper's
// pearson_correlation.csv.
type ReferenceResult struct {
	Source string // e.g. "transfergraph/image_classification"
	Method string // as published, e.g. "xgb_node2vec_all_normalize_without_transfer", "LogME"
	Metric string // our metric name: pearson, spearman, kendall, weighted_kendall, top@1, ...
	Target string // dataset id, or "_weighted_mean" for the published `average` column
	Value  float64
}

// Prediction is one row of a run's predictions table.
type Prediction struct {
	Target    string
	ModelID   string
	Method    string
	Seed      int64
	Predicted float64
	Actual    float64 // NaN = null
}

// Metric is one row of a run's metrics table.
type Metric struct {
	Protocol string // "paper" or "clean"
	Method   string
	Target   string // dataset id, "_mean" or "_weighted_mean"
	Metric   string
	Seed     *int64  // nil = not seeded (null)
	Value    float64 // NaN = undefined (null)
}
