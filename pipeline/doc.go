// Package pipeline runs zoograph's experiments: it loads a zoo, cleans it,
// and for every (target dataset, seed) builds the model–dataset graph without
// anything recorded on the target, learns node embeddings, assembles
// features, trains a regressor that predicts fine-tuning accuracy, predicts
// every model's accuracy on the target, and evaluates the predictions
// leave-one-dataset-out against the recorded accuracies.
//
// The stages are plain functions with typed inputs and outputs:
//
//	Load → Clean → per (target, seed): BuildGraph → Embed → Features → Train → Predict
//	     → Evaluate → Aggregate → Report
//
// Load adds the fine-tuning history the zoo's crawled model cards hold
// (WithHistory: model-index results credited to the base model the card
// names). Recommend answers the practitioner's question for one dataset — of
// the zoo, or described by its metadata alone (Description) — with the same
// stages: candidates that fit its modality and task, scores calibrated to
// accuracies with an interval, and the evidence behind each.
//
// Every random choice derives from Config.Seed, so a run is reproducible;
// (target, seed) tasks run in parallel up to Config.Workers.
//
// pipeline is the only package that speaks both the store's vocabulary
// (tables and rows) and graphlearn's (graphs, embeddings, regressors).
package pipeline
