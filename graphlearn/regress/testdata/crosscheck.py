#!/usr/bin/env python3
"""Cross-check graphlearn/regress against XGBoost and scikit-learn.

Dev-time only; not run by CI. Generate the Friedman #1 data with

    go test -run TestWriteFriedmanCSV -friedman.dir=DIR ./graphlearn/regress

then run this script on DIR (Debian: apt-get install python3-xgboost
python3-sklearn). Each CSV row is: y, x1, ..., x265.
"""
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
import xgboost as xgb


def load(path):
    a = np.loadtxt(path, delimiter=",")
    return a[:, 1:], a[:, 0]


def main(d):
    Xtr, ytr = load(f"{d}/train.csv")
    Xte, yte = load(f"{d}/test.csv")
    print(f"data: train {Xtr.shape}, test {Xte.shape}; xgboost {xgb.__version__}")

    lin = LinearRegression().fit(Xtr, ytr)
    print(f"sklearn LinearRegression          R2 {r2_score(yte, lin.predict(Xte)):.6f}")

    for seed in range(3):
        rf = RandomForestRegressor(n_estimators=100, max_depth=5, max_features="sqrt",
                                   random_state=seed, n_jobs=1).fit(Xtr, ytr)
        print(f"sklearn RandomForest seed {seed}        R2 {r2_score(yte, rf.predict(Xte)):.6f}")

    params = dict(n_estimators=500, max_depth=5, learning_rate=0.1, colsample_bytree=0.8,
                  reg_lambda=1.0, reg_alpha=0.0, gamma=0.0, min_child_weight=1.0, subsample=1.0,
                  tree_method="hist", max_bin=256)
    for base in ("mean", 0.5):
        bs = float(ytr.mean()) if base == "mean" else base
        for nthread in (1, 2):
            m = xgb.XGBRegressor(base_score=bs, n_jobs=nthread, random_state=0, **params)
            t0 = time.perf_counter()
            m.fit(Xtr, ytr)
            dt = time.perf_counter() - t0
            r2 = r2_score(yte, m.predict(Xte))
            print(f"xgboost hist base_score={base} nthread={nthread}  R2 {r2:.6f}  fit {dt:.2f}s")


if __name__ == "__main__":
    main(sys.argv[1])
