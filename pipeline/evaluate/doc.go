// Package evaluate scores predicted transferability against recorded
// fine-tuning accuracy, the way the TransferGraph paper does (Li et al.,
// arXiv 2404.03988) and the way it should be done.
//
// For one target dataset T it pairs every model's recorded accuracy a_i on T
// with a method's predicted score s_i and computes Pearson, Spearman,
// Pearson among the fine-tunes that did not fail (pearson_working; see
// Failure for the rule), top-k regret, Kendall tau-b, weighted Kendall,
// top@k, rel@k, rrel@k and p@k (see ComputeFlagged and Values for the
// formulas; RenderDefinitions writes them into reports). Over targets it computes the simple mean
// (target "_mean") and the paper's weighted mean (target "_weighted_mean",
// weight max(a_T) − mean(a_T)); over seeds, mean ± standard deviation.
//
// Two protocols decide which (accuracy, score) pairs enter a target's
// metrics:
//
//   - ProtocolPaper reproduces the authors' evaluation script exactly, quirks
//     included, so numbers are comparable with the published tables: the
//     ground truth is each model's best run on T (full fine-tune or LoRA),
//     models whose best run is LoRA are dropped, duplicate predictions and
//     duplicate baseline scores are kept as extra points, non-finite scores
//     are replaced, and baselines are evaluated on the models the evaluated
//     method predicts, joined to its rows on model: a model with k_pred
//     prediction rows (one per repeated full fine-tune) and k_score score
//     rows gives k_pred × k_score points; a method that predicts each
//     model once (zoograph's own) leaves k_pred at the model's full
//     fine-tunes with an accuracy, as the paper's pipeline predicts them.
//   - ProtocolClean uses full fine-tunes only, one accuracy per (model,
//     dataset) (the mean of repeated runs), one score per (model, method)
//     (the mean of its finite duplicates; a model with no finite score is
//     unscored), and evaluates every method and baseline on exactly the
//     same models: those every method scores.
//
// Baselines computed here: LogME and Reg-H-Score (from the zoo's scores
// table), most-downloaded (a model's downloads as its score) and random
// (seeded uniform scores). A metadata-only regressor's predictions are passed
// in as Predictions with method "metadata".
//
// Evaluate returns a Result whose Metrics rows follow the metrics.parquet
// contract. SummarizeMetrics is the one rule by which every report
// summarises a value over seeds; Report.Write is the one report writer (and
// CheckOutDir its check of the output directory), used by WriteReport for
// metrics.parquet, report.json and report.md and by the pipeline for a run
// directory; RenderMarkdown renders the tables for other reports.
//
// evaluate reads store tables and nothing else: it never trains, never reads
// the network and knows nothing of graphs.
package evaluate
