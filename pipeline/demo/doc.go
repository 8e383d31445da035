// Package demo runs zoograph's whole main job offline on a generated sample
// hub: it serves the sample through the in-process Hub replica on loopback,
// crawls it with the real crawler (metadata, cards, model-index evals), reads
// fine-tuning history from the evals, adds the sample's fine-tuning history,
// runs the leave-one-dataset-out pipeline and writes a run directory with the
// full report and charts; last, it ranks models for a sample dataset kept out
// of the hub (SampleOptions.HoldOut), described only by a YAML file.
//
// The sample (GenerateSample) is written by zoograph itself: a seeded
// generator of model families, datasets in domains, lineage, cards and
// fine-tuning accuracies produced by a planted latent structure, so the
// correlation the pipeline finds is meaningful and checkable.
package demo
