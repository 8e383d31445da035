package transfergraph

import (
	"fmt"
	"strings"
)

// Tasks.
const (
	TaskImage = "image"
	TaskText  = "text"
)

// File names of an experiment directory.
const (
	fileRecords  = "records.csv"
	fileConfig   = "model_config_dataset.csv"
	fileScores   = "transferability_score_records.csv"
	fileFeatures = "target_dataset_features.csv"
	dirResults   = "result_analysis"
)

// layout is what differs between the published experiment directories.
type layout struct {
	task   string // TaskImage or TaskText
	source string // store Source of every row, e.g. "transfergraph/image_classification"

	// distances is the distance file the TransferGraph code reads; probe is
	// the model whose embeddings it compares.
	distances string
	probe     string

	records recordColumns
	config  configColumns
}

// recordColumns names the columns of records.csv.
type recordColumns struct {
	model, dataset, accuracy string
	epochs, batchSize, lr    string
	runtime                  string
	seed                     string // "" when the layout has none
	peft                     string // "" when the layout has none (every run is a full fine-tune)
}

// configColumns names the columns of model_config_dataset.csv.
type configColumns struct {
	model, architectures, modelType, numParams, numLabels, accuracy string
	inputSize, outputSize                                           string // "" when the layout has none
	trainedOn                                                       string // the graph's "trained on" dataset node
	pretrain                                                        string // declared pre-training dataset; "" when none
}

var layouts = map[string]*layout{
	TaskImage: {
		task:      TaskImage,
		source:    "transfergraph/image_classification",
		distances: "corr_domain_similarity_google_vit_base_patch16_224_imagenet.csv",
		probe:     "google/vit-base-patch16-224",
		records: recordColumns{
			model: "model", dataset: "finetuned_dataset", accuracy: "eval_accuracy",
			epochs: "epochs", batchSize: "batch_size", lr: "lr", runtime: "train_runtime",
		},
		config: configColumns{
			model: "model", architectures: "architectures", modelType: "model_type",
			numParams: "number_of_parameters", numLabels: "#labels", accuracy: "accuracy",
			inputSize: "input_shape", outputSize: "output_shape",
			trainedOn: "labels", pretrain: "dataset",
		},
	},
	TaskText: {
		task:      TaskText,
		source:    "transfergraph/sequence_classification",
		distances: "corr_domain_similarity_EleutherAI_gpt-neo-125m_gpt.csv",
		probe:     "EleutherAI/gpt-neo-125m",
		records: recordColumns{
			model: "model", dataset: "finetuned_dataset", accuracy: "eval_accuracy",
			epochs: "num_train_epochs", batchSize: "batch_size", lr: "learning_rate",
			runtime: "train_runtime", seed: "seed", peft: "peft_method",
		},
		config: configColumns{
			model: "model", architectures: "architectures", modelType: "model_type",
			numParams: "number_of_parameters", numLabels: "number_of_labels", accuracy: "accuracy",
			trainedOn: "dataset",
		},
	},
}

// columns lists the non-empty column names of a records layout: the ones
// a row must reach.
func (c recordColumns) columns() []string {
	return nonEmpty(c.epochs, c.batchSize, c.lr, c.runtime, c.accuracy, c.seed, c.peft)
}

// columns lists the metadata columns of a config layout except accuracy,
// which the text layout's last row omits.
func (c configColumns) columns() []string {
	return nonEmpty(c.architectures, c.modelType, c.numParams, c.numLabels, c.inputSize, c.outputSize, c.trainedOn, c.pretrain)
}

func nonEmpty(s ...string) []string {
	out := s[:0:0]
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// parseTask normalises Options.Task.
func parseTask(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case "image", "image_classification":
		return TaskImage, nil
	case "text", "sequence_classification":
		return TaskText, nil
	}
	return "", fmt.Errorf("unknown task %q (want image or text)", s)
}

// detectTask tells the layout from the header of records.csv.
func detectTask(header []string) (string, error) {
	has := make(map[string]bool, len(header))
	for _, h := range header {
		has[strings.TrimSpace(h)] = true
	}
	switch {
	case has["peft_method"] || has["learning_rate"] || has["num_train_epochs"]:
		return TaskText, nil
	case has["lr"] && has["epochs"]:
		return TaskImage, nil
	}
	return "", fmt.Errorf("%s:1: cannot tell the layout from the header (want the columns of image_classification or sequence_classification; header: %s)", fileRecords, headerString(header))
}

// metricNames maps the stem of a result_analysis/<stem>_correlation.csv file
// to our metric name.
var metricNames = []struct{ stem, metric string }{
	{"pearson", "pearson"},
	{"spearman", "spearman"},
	{"kendall", "kendall"},
	{"w-kendall", "weighted_kendall"},
	{"top@1", "top@1"}, {"top@2", "top@2"}, {"top@3", "top@3"}, {"top@4", "top@4"}, {"top@5", "top@5"},
	{"rel@1", "rel@1"}, {"rel@2", "rel@2"}, {"rel@3", "rel@3"}, {"rel@4", "rel@4"}, {"rel@5", "rel@5"},
	{"rrel@1", "rrel@1"}, {"rrel@3", "rrel@3"}, {"rrel@5", "rrel@5"},
	{"p@1", "p@1"}, {"p@3", "p@3"}, {"p@5", "p@5"},
}

// scoreMethods maps the suffix of the metric column of
// transferability_score_records.csv ("TransferabilityMethod.LOG_ME"; older
// files say "TransferabilityMetric.LOG_ME") to scores.method.
var scoreMethods = map[string]string{
	"LOG_ME":      "logme",
	"LOGME":       "logme",
	"REG_H_SCORE": "reg_h_score",
}

func scoreMethod(v string) (string, bool) {
	if i := strings.LastIndexByte(v, '.'); i >= 0 {
		prefix := v[:i]
		if prefix != "TransferabilityMethod" && prefix != "TransferabilityMetric" {
			return "", false
		}
		v = v[i+1:]
	}
	m, ok := scoreMethods[strings.ToUpper(v)]
	return m, ok
}
