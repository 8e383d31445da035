"""Writes a small experiment directory in TransferGraph's sequence_classification
layout, and its expected result_analysis tables.

Run from this directory:  python3 generate.py   (needs numpy, pandas, scipy;
the committed files were made with pandas 1.5.3 and scipy 1.10.1).

The expected tables follow the authors' evaluation script step by step with
pandas (the ground truth is groupby-idxmax over every run, then models whose
best run is LoRA are dropped; baselines keep duplicate score rows, are joined
in ground-truth order, then joined on model with the rows the pipeline
predicts (one per repeated full fine-tune, so k_pred × k_score pairs), and
non-finite scores are replaced by twice the extreme finite score; the
`average` column is weighted by max − mean of the ground truth).

What the data exercises, target by target:

glue/cola
  acme/bert-a      full 0.80, lora 0.70          best full            kept
  acme/bert-b      full 0.60, lora 0.75          best LoRA            dropped
  acme/roberta-c   full 0.70, full 0.72          repeated runs        kept at 0.72
  acme/distil-d    full 0.50                                          kept
  acme/electra-e   full 0.65, lora 0.65          tie, full first      kept
  acme/lora-f      lora 0.90                     LoRA only            dropped
  acme/gpt-g       full (no accuracy), lora 0.55, full 0.55
                                                 tie, LoRA first      dropped
  acme/untyped-h   full 0.66                     no model_type: not predicted by
                                                 the pipeline, so no baseline row
  scores: roberta-c has two LogME rows; distil-d's Reg-H-Score is -inf.
tweet_eval/irony
  bert-a has two full runs (0.60, 0.64) and two LogME rows; roberta-c's best
  run is LoRA; distil-d has three full runs (0.62, 0.58, 0.66).
ag_news has records only (not evaluated). One corrupt fragment line sits in
records.csv as in the published file.
"""

import csv
import math

import numpy as np
import pandas as pd
from scipy import stats

TARGETS = ["glue/cola", "tweet_eval/irony"]

CONFIG = [
    # model, architectures, labels, model_type, params, dataset, accuracy
    ("acme/bert-a", "['BertForSequenceClassification']", 2, "bert", 110e6, "glue/cola", 0.81),
    ("acme/bert-b", "['BertForSequenceClassification']", 2, "bert", 110e6, "", ""),
    ("acme/roberta-c", "['RobertaForSequenceClassification']", 3, "roberta", 125e6, "tweet_eval/sentiment", 0.7),
    ("acme/distil-d", "['DistilBertForSequenceClassification']", 2, "distilbert", 66e6, "glue/sst2", 0.9),
    ("acme/electra-e", "['ElectraForSequenceClassification']", 2, "electra", 14e6, "", ""),
    ("acme/lora-f", "['BertForSequenceClassification']", 2, "bert", 110e6, "", ""),
    ("acme/gpt-g", "['GPT2ForSequenceClassification']", 2, "gpt2", 124e6, "ag_news", 0.93),
    ("acme/untyped-h", "['BertForSequenceClassification']", 2, "", 110e6, "", ""),
]

# model, dataset, accuracy ("" = missing), peft ("" = full fine-tune)
RUNS = [
    ("acme/bert-a", "glue/cola", 0.80, ""),
    ("acme/bert-a", "glue/cola", 0.70, "lora"),
    ("acme/bert-b", "glue/cola", 0.60, ""),
    ("acme/bert-b", "glue/cola", 0.75, "lora"),
    ("acme/roberta-c", "glue/cola", 0.70, ""),
    ("acme/roberta-c", "glue/cola", 0.72, ""),
    ("acme/distil-d", "glue/cola", 0.50, ""),
    ("acme/electra-e", "glue/cola", 0.65, ""),
    ("acme/electra-e", "glue/cola", 0.65, "lora"),
    ("acme/lora-f", "glue/cola", 0.90, "lora"),
    ("acme/gpt-g", "glue/cola", "", ""),
    ("acme/gpt-g", "glue/cola", 0.55, "lora"),
    ("acme/gpt-g", "glue/cola", 0.55, ""),
    ("acme/untyped-h", "glue/cola", 0.66, ""),
    ("acme/bert-a", "tweet_eval/irony", 0.60, ""),
    ("acme/bert-a", "tweet_eval/irony", 0.64, ""),
    ("acme/bert-b", "tweet_eval/irony", 0.70, ""),
    ("acme/roberta-c", "tweet_eval/irony", 0.55, ""),
    ("acme/roberta-c", "tweet_eval/irony", 0.58, "lora"),
    ("acme/distil-d", "tweet_eval/irony", 0.62, ""),
    ("acme/distil-d", "tweet_eval/irony", 0.58, ""),
    ("acme/distil-d", "tweet_eval/irony", 0.66, ""),
    ("acme/electra-e", "tweet_eval/irony", 0.40, ""),
    ("acme/lora-f", "tweet_eval/irony", 0.50, "lora"),
    ("acme/gpt-g", "tweet_eval/irony", 0.68, ""),
    ("acme/untyped-h", "tweet_eval/irony", 0.52, ""),
    ("acme/bert-a", "ag_news", 0.90, ""),
    ("acme/bert-b", "ag_news", 0.91, ""),
    ("acme/roberta-c", "ag_news", 0.88, ""),
]

# method, model, target, score
SCORES = [
    ("LOG_ME", "acme/bert-a", "glue/cola", 1.0),
    ("LOG_ME", "acme/bert-b", "glue/cola", 2.0),
    ("LOG_ME", "acme/roberta-c", "glue/cola", 3.0),
    ("LOG_ME", "acme/roberta-c", "glue/cola", 2.5),
    ("LOG_ME", "acme/distil-d", "glue/cola", -1.0),
    ("LOG_ME", "acme/electra-e", "glue/cola", 0.5),
    ("LOG_ME", "acme/lora-f", "glue/cola", 4.0),
    ("LOG_ME", "acme/gpt-g", "glue/cola", 0.0),
    ("LOG_ME", "acme/untyped-h", "glue/cola", 1.5),
    ("REG_H_SCORE", "acme/bert-a", "glue/cola", 10.0),
    ("REG_H_SCORE", "acme/bert-b", "glue/cola", 12.0),
    ("REG_H_SCORE", "acme/roberta-c", "glue/cola", 14.0),
    ("REG_H_SCORE", "acme/distil-d", "glue/cola", -math.inf),
    ("REG_H_SCORE", "acme/electra-e", "glue/cola", 11.0),
    ("REG_H_SCORE", "acme/lora-f", "glue/cola", 13.0),
    ("REG_H_SCORE", "acme/gpt-g", "glue/cola", 9.0),
    ("REG_H_SCORE", "acme/untyped-h", "glue/cola", 8.0),
    ("LOG_ME", "acme/bert-a", "tweet_eval/irony", 0.3),
    ("LOG_ME", "acme/bert-b", "tweet_eval/irony", 0.9),
    ("LOG_ME", "acme/roberta-c", "tweet_eval/irony", 0.1),
    ("LOG_ME", "acme/distil-d", "tweet_eval/irony", 0.5),
    ("LOG_ME", "acme/electra-e", "tweet_eval/irony", -0.2),
    ("LOG_ME", "acme/lora-f", "tweet_eval/irony", 0.2),
    ("LOG_ME", "acme/gpt-g", "tweet_eval/irony", 0.7),
    ("LOG_ME", "acme/untyped-h", "tweet_eval/irony", 0.0),
    ("LOG_ME", "acme/bert-a", "tweet_eval/irony", 0.35),
    ("REG_H_SCORE", "acme/bert-a", "tweet_eval/irony", 5.0),
    ("REG_H_SCORE", "acme/bert-b", "tweet_eval/irony", 7.0),
    ("REG_H_SCORE", "acme/roberta-c", "tweet_eval/irony", 4.0),
    ("REG_H_SCORE", "acme/distil-d", "tweet_eval/irony", 6.0),
    ("REG_H_SCORE", "acme/electra-e", "tweet_eval/irony", 3.0),
    ("REG_H_SCORE", "acme/gpt-g", "tweet_eval/irony", 8.0),
    ("REG_H_SCORE", "acme/untyped-h", "tweet_eval/irony", 2.0),
]

RECORD_COLUMNS = [
    "", "model", "finetuned_dataset", "model_name", "dataset_name", "task_type", "batch_size",
    "lr_scheduler_type", "learning_rate", "gradient_accumulation_steps", "num_train_epochs", "seed",
    "dataset_path", "train_runtime", "eval_accuracy", "push_to_hub", "hub_model_id",
    "push_to_hub_organization", "hub_token", "peft_method", "lora_attention_dimension", "lora_alpha",
    "lora_dropout", "lora_bias",
]


def write_inputs():
    with open("records.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(RECORD_COLUMNS)
        for i, (model, dataset, acc, peft) in enumerate(RUNS):
            lora = peft != ""
            w.writerow([
                i, model, dataset, model, dataset, "SEQUENCE_CLASSIFICATION", 32 if lora else 16, "linear",
                4e-4 if lora else 2e-5, 1, 4 if lora else 5, 42, dataset, 100.0 + i, acc, False, "", "", "",
                peft, 8 if lora else "", 8 if lora else "", 0.1 if lora else "", "none" if lora else "",
            ])
            if i == 20:
                # A fragment of a row split across lines, as in the published file.
                f.write("0.1,none,lora\n")
    with open("model_config_dataset.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["", "model", "architectures", "number_of_labels", "labels", "model_type",
                    "number_of_parameters", "memory_consumption", "dataset", "accuracy"])
        for i, (model, arch, labels, mtype, params, dataset, acc) in enumerate(CONFIG):
            w.writerow([i, model, arch, labels, dataset, mtype, params, 1571600896, dataset, acc])
    with open("transferability_score_records.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["", "model_name", "dataset_path", "dataset_name", "task_type", "batch_size", "metric",
                    "model", "target_dataset", "runtime", "score"])
        for i, (metric, model, target, score) in enumerate(SCORES):
            w.writerow([i % 2, model, target, "", "TaskType.SEQUENCE_CLASSIFICATION", 16,
                        "TransferabilityMethod." + metric, model, target, 10.0 + i, score])
    with open("target_dataset_features.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["finetune_dataset", "size", "number_of_classes"])
        w.writerows([["ag_news", 120000, 4], ["glue/cola", 8551, 2], ["tweet_eval/irony", 2862, 2]])
    names = ["glue/cola", "tweet_eval/irony", "ag_news"]
    dist = [[0.0, 5.0, 6.0], [5.0, 0.0, 4.5], [6.0, 4.5, 0.0]]
    with open("corr_domain_similarity_EleutherAI_gpt-neo-125m_gpt.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([""] + names)
        for n, row in zip(names, dist):
            w.writerow([n] + row)


def top_k(a, s, k):
    return float(np.max(np.asarray(a)[np.argsort(s)[-k:]]))


def metric_values(a, s):
    out = {
        "pearson": stats.pearsonr(a, s)[0],
        "spearman": stats.spearmanr(a, s)[0],
        "kendall": stats.kendalltau(a, s)[0],
        "w-kendall": stats.weightedtau(a, s)[0],
    }
    a = np.asarray(a)
    for k in range(1, 6):
        top = top_k(a, s, k)
        out[f"top@{k}"] = top
        out[f"rel@{k}"] = top / a.max()
        if k in (1, 3, 5):
            out[f"rrel@{k}"] = max(0.0, (top - a.mean()) / (a.max() - a.mean()))
            out[f"p@{k}"] = stats.percentileofscore(a, top, kind="rank")
    return out


def replace_all_infinite_value(series):
    max_val = series[series != np.inf].max()
    min_val = series[series != -np.inf].min()
    series = series.replace(np.inf, 2 * max_val)
    series = series.replace(-np.inf, 2 * min_val)
    return series.replace(np.nan, 2 * min_val)


def write_expected():
    records = pd.read_csv("records.csv")
    config = pd.read_csv("model_config_dataset.csv")
    scores = pd.read_csv("transferability_score_records.csv", index_col=0)
    results = {}
    weights = {}
    for target in TARGETS:
        rows = records[records["finetuned_dataset"] == target]
        best = rows.loc[rows.groupby("model")["eval_accuracy"].idxmax()]
        truth = best[pd.isna(best["peft_method"])]
        weights[target] = truth["eval_accuracy"].max() - truth["eval_accuracy"].mean()
        # The rows the pipeline predicts (research §4.1, steps 1-4): one per
        # full fine-tune with an accuracy of a model with a model_type.
        full = rows[pd.isna(rows["peft_method"]) & rows["eval_accuracy"].notna()]
        full = full.merge(config[["model", "model_type"]], on="model", how="inner")
        predicted = full[full["model_type"].notna()][["model"]]
        for metric, name in (("TransferabilityMethod.LOG_ME", "LogME"),
                             ("TransferabilityMethod.REG_H_SCORE", "Reg-H-Score")):
            s = scores[(scores["metric"] == metric) & (scores["target_dataset"] == target)]
            merged = pd.merge(truth, s, on="model", how="inner")
            # The script's join on model with the predicted rows: a model
            # with k prediction rows repeats each of its score rows k times.
            merged = pd.merge(merged, predicted, on="model", how="inner")
            actual = merged["eval_accuracy"].tolist()
            score = replace_all_infinite_value(merged["score"].astype(float)).tolist()
            for m, v in metric_values(actual, score).items():
                results.setdefault(m, {}).setdefault(name, {})[target] = float(v)
    total = sum(weights.values())
    for m, table in results.items():
        with open(f"result_analysis/{m}_correlation.csv", "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow([""] + TARGETS + ["average"])
            for name, cells in table.items():
                avg = sum(weights[t] * cells[t] for t in TARGETS) / total
                w.writerow([name] + [repr(cells[t]) for t in TARGETS] + [repr(avg)])


if __name__ == "__main__":
    import os

    os.makedirs("result_analysis", exist_ok=True)
    write_inputs()
    write_expected()
