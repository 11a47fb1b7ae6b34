#!/usr/bin/env python3
"""SageMaker's XGBoost tuning example (eta, min_child_weight, alpha, max_depth; validation:auc),
as a program for rung (rung.model: command). One rung epoch is one boosting round: RUNG_EPOCHS
is the number of rounds to reach, and the booster in RUNG_CHECKPOINT_DIR/model.json holds the
rounds done so far, so a paused trial continues with xgb.train(..., xgb_model=booster).

Per round it prints "round N of M", then XGBoost's evaluation log line as SageMaker's built-in
container does, tab-separated:  [N-1]<TAB>train-auc:0.91234<TAB>validation-auc:0.87654
(CloudWatch shows the tab as #011, which is what SageMaker's metric regexes match).

Data: a noisy synthetic binary task (sklearn make_classification) by default, or
--data breast_cancer (sklearn's copy of the Wisconsin set; most configurations reach AUC 0.99).
By hand:  python3 train.py --num_round 10 --eta 0.3
"""
import argparse
import os

import numpy as np
import xgboost as xgb
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.model_selection import train_test_split

parser = argparse.ArgumentParser()
parser.add_argument("--eta", type=float, default=0.3)
parser.add_argument("--min_child_weight", type=float, default=1.0)
parser.add_argument("--alpha", type=float, default=0.0)
parser.add_argument("--max_depth", type=lambda s: int(float(s)), default=6)
parser.add_argument("--subsample", type=float, default=0.8)
parser.add_argument("--objective", default="binary:logistic")
parser.add_argument("--eval_metric", default="auc")
parser.add_argument("--num_round", type=lambda s: int(float(s)), default=100)  # without rung
parser.add_argument("--data", choices=["synthetic", "breast_cancer"], default="synthetic")
args, _unknown = parser.parse_known_args()  # e.g. rate_drop, tweedie_variance_power: unused here

last_round = int(os.environ.get("RUNG_EPOCHS", args.num_round))
seed = int(os.environ.get("RUNG_SEED", "0")) % 2**31  # XGBoost's seed is a signed integer

# The data are the same for every trial (fixed seeds): only the hyperparameters differ.
if args.data == "breast_cancer":
    x, y = load_breast_cancer(return_X_y=True)
else:
    x, y = make_classification(n_samples=4000, n_features=20, n_informative=6, n_redundant=4,
                               flip_y=0.15, class_sep=0.6, random_state=7)
x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.3, random_state=7,
                                                  stratify=y)
dtrain = xgb.DMatrix(x_train, label=y_train)
dval = xgb.DMatrix(x_val, label=y_val)
params = {"eta": args.eta, "min_child_weight": args.min_child_weight, "alpha": args.alpha,
          "max_depth": args.max_depth, "subsample": args.subsample,
          "objective": args.objective, "eval_metric": args.eval_metric,
          "nthread": int(os.environ.get("OMP_NUM_THREADS", "1")), "verbosity": 1}

ckpt_dir = os.environ.get("RUNG_CHECKPOINT_DIR")
ckpt = os.path.join(ckpt_dir, "model.json") if ckpt_dir else None
booster, done = None, 0
if ckpt and os.path.exists(ckpt):
    booster = xgb.Booster(model_file=ckpt)
    done = booster.num_boosted_rounds()
    print(f"resumed from epoch {done} (boosting rounds done: {done}; checkpoint {ckpt})", flush=True)
else:
    print("starting from scratch", flush=True)

for n in range(done + 1, last_round + 1):
    # One round per call, seeded by the round: the same trees whether the rounds run in one
    # process or across several starts.
    result = {}
    booster = xgb.train({**params, "seed": seed + n}, dtrain, num_boost_round=1,
                        xgb_model=booster, evals=[(dtrain, "train"), (dval, "validation")],
                        evals_result=result, verbose_eval=False)
    metric = args.eval_metric
    print(f"round {n} of {last_round}", flush=True)
    print(f"[{n - 1}]\ttrain-{metric}:{result['train'][metric][-1]:.5f}"
          f"\tvalidation-{metric}:{result['validation'][metric][-1]:.5f}", flush=True)
    if ckpt:  # report first, then save
        booster.save_model(ckpt + ".tmp.json")  # the suffix picks save_model's JSON format
        os.replace(ckpt + ".tmp.json", ckpt)

if os.environ.get("SM_MODEL_DIR") and booster is not None and done < last_round:
    booster.save_model(os.path.join(os.environ["SM_MODEL_DIR"], "xgboost-model.json"))
