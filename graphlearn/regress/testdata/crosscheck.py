#!/usr/bin/env python3
"""Cross-check graphlearn/regress against XGBoost and scikit-learn.

Dev-time only; not run by CI. Generate the Friedman #1 data with

    go test -run TestWriteFriedmanCSV -friedman.dir=DIR ./graphlearn/regress

then run (Debian: apt-get install python3-xgboost python3-sklearn)

    python3 crosscheck.py DIR            # R² of every reference model
    python3 crosscheck.py DIR time N     # XGBoost hist fit time, N threads

Each CSV row is: y, x1, ..., x265; NaN marks a missing value.
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


def xgb_model(ytr, nthread):
    # The paper's settings; XGBoost defaults for the rest, spelled out.
    return xgb.XGBRegressor(n_estimators=500, max_depth=5, learning_rate=0.1,
                            colsample_bytree=0.8, reg_lambda=1.0, reg_alpha=0.0,
                            gamma=0.0, min_child_weight=1.0, subsample=1.0,
                            tree_method="hist", max_bin=256,
                            base_score=float(ytr.mean()), n_jobs=nthread, random_state=0)


def accuracy(d):
    Xtr, ytr = load(f"{d}/train.csv")
    Xte, yte = load(f"{d}/test.csv")
    print(f"data: train {Xtr.shape}, test {Xte.shape}; xgboost {xgb.__version__}")
    lin = LinearRegression().fit(Xtr, ytr)
    print(f"sklearn LinearRegression  R2 {r2_score(yte, lin.predict(Xte)):.6f}")
    for seed in range(3):
        rf = RandomForestRegressor(n_estimators=100, max_depth=5, max_features="sqrt",
                                   random_state=seed, n_jobs=1).fit(Xtr, ytr)
        print(f"sklearn RandomForest random_state={seed}  R2 {r2_score(yte, rf.predict(Xte)):.6f}")
    m = xgb_model(ytr, 1).fit(Xtr, ytr)
    print(f"xgboost hist  R2 {r2_score(yte, m.predict(Xte)):.6f}")
    Xtr, ytr = load(f"{d}/train_missing.csv")
    Xte, yte = load(f"{d}/test_missing.csv")
    m = xgb_model(ytr, 1).fit(Xtr, ytr)
    print(f"xgboost hist, 20% of x1 and x4 missing  R2 {r2_score(yte, m.predict(Xte)):.6f}")


def timing(d, nthread):
    Xtr, ytr = load(f"{d}/train.csv")
    m = xgb_model(ytr, nthread)
    t0 = time.perf_counter()
    c0 = time.process_time()
    m.fit(Xtr, ytr)
    print(f"xgboost hist nthread={nthread}: fit {time.perf_counter() - t0:.2f}s wall, "
          f"{time.process_time() - c0:.2f}s CPU")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "time":
        timing(sys.argv[1], int(sys.argv[3]))
    else:
        accuracy(sys.argv[1])
