"""Writes scipy_cases.json: reference values of the correlation metrics.

The Go tests compare Compute against these values. Regenerate with

    python3 scipy_cases.py > scipy_cases.json

(needs numpy and scipy; the committed file was made with scipy 1.10.1).
Cases cover ties in either or both vectors, repeated pairs and negative
correlation; the top-k metrics are emitted only when the top five scores are
untied, where numpy's argsort cannot disagree with any other tie-break.
"""

import json

import numpy as np
from scipy import stats


def top_metrics(a, s):
    a = np.asarray(a)
    order = np.argsort(s)
    out = {}
    for k in range(1, 6):
        top = float(np.max(a[order[-k:]]))
        out[f"top@{k}"] = top
        out[f"rel@{k}"] = top / float(np.max(a))
        out[f"rrel@{k}"] = max(0.0, (top - a.mean()) / (a.max() - a.mean()))
        out[f"p@{k}"] = float(stats.percentileofscore(a, top, kind="rank"))
    return out


def case(name, a, s):
    a = [float(v) for v in a]
    s = [float(v) for v in s]
    want = {
        "pearson": float(stats.pearsonr(a, s)[0]),
        "spearman": float(stats.spearmanr(a, s)[0]),
        "kendall": float(stats.kendalltau(a, s)[0]),
        "weighted_kendall": float(stats.weightedtau(a, s)[0]),
    }
    top5 = sorted(s, reverse=True)[:6]
    if len(set(top5)) == len(top5):
        want.update(top_metrics(a, s))
    return {"name": name, "actual": a, "scores": s, "want": want}


def main():
    rng = np.random.default_rng(20240403)
    cases = [
        case("hand 5", [0.1, 0.4, 0.3, 0.9, 0.5], [1, 3, 2, 5, 4]),
        case("reversed with ties", [1, 2, 2, 3, 4, 4], [9, 8, 8, 7, 1, 2]),
        case("joint ties", [1, 1, 2, 2, 3, 3, 3], [5, 5, 6, 6, 1, 1, 2]),
    ]
    for n in (3, 4, 7, 12, 30, 60):
        a = rng.uniform(0.3, 0.99, n)
        s = a + rng.normal(0, 0.2, n)
        cases.append(case(f"noisy n={n}", a, s))
        # Coarse values: many ties in both vectors.
        cases.append(case(f"ties n={n}", np.round(a, 1), np.round(s * 3)))
    # Duplicated models (as in the paper's dtd baseline rows).
    a = rng.uniform(0.5, 0.8, 20)
    s = rng.normal(0, 1, 20)
    cases.append(case("duplicates", np.concatenate([a, a[:8]]), np.concatenate([s, s[:8] + 0.01])))
    json.dump(cases, __import__("sys").stdout, indent=1)


if __name__ == "__main__":
    main()
