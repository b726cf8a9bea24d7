#!/usr/bin/env bash
# Churn training: FinCRM's churn model (XGBoost through its C API) against
# scikit-learn's HistGradientBoostingClassifier (Debian python3-sklearn) on exactly
# the same training rows (the demo brokerage's features at three monthly cutoffs),
# both scored by ROC AUC on the same out-of-time validation cutoff, 2 threads each.
#   bash bench/analytics/churn_vs_sklearn.sh [CUSTOMERS]   (default 1,000,000)
set -euo pipefail
cd "$(dirname "$0")/../.."
customers="${1:-1000000}"
bash scripts/install-deps.sh --bench
bash scripts/build.sh churn_bench >/dev/null
work=$(mktemp -d /tmp/fincrm-bench-churn.XXXXXX)
trap 'rm -rf "$work"' EXIT

read -r _ ours_time ours_auc rows pipeline_time < <(OMP_NUM_THREADS=2 ./build/bench/churn_bench "$customers" "$work")
read -r peer_time peer_auc < <(OMP_NUM_THREADS=2 /usr/bin/python3 - "$work" <<'PY'
import sys, time
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
work = sys.argv[1]
train_rows, valid_rows, features = map(int, open(f"{work}/shape.txt").read().split())
x = np.fromfile(f"{work}/train_x.f32", dtype=np.float32).reshape(train_rows, features)
y = np.fromfile(f"{work}/train_y.f32", dtype=np.float32)
vx = np.fromfile(f"{work}/valid_x.f32", dtype=np.float32).reshape(valid_rows, features)
vy = np.fromfile(f"{work}/valid_y.f32", dtype=np.float32)
# The same capacity as FinCRM's model: 200 rounds, shrinkage 0.05, depth 4 (16 leaves).
model = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_depth=4, max_leaf_nodes=16,
                                       early_stopping=False, random_state=7)
start = time.perf_counter()
model.fit(x, y)
elapsed = time.perf_counter() - start
print(f"{elapsed:.3f} {roc_auc_score(vy, model.predict_proba(vx)[:, 1]):.4f}")
PY
)
printf "churn model on the demo brokerage, %s customers, %s training rows\n" "$customers" "$rows"
printf "fincrm, XGBoost fit                  %8.1f s  out-of-time ROC AUC %s\n" "$ours_time" "$ours_auc"
printf "scikit-learn HistGradientBoosting fit %8.1f s  out-of-time ROC AUC %s\n" "$peer_time" "$peer_auc"
printf "(fincrm's whole churn pipeline — features at four cutoffs, fit, validation, refit, scoring with reasons: %.1f s)\n" "$pipeline_time"
