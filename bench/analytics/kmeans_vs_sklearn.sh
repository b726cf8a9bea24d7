#!/usr/bin/env bash
# k-means on 1M × 10 points: FinCRM's own k-means against scikit-learn's KMeans (Debian
# python3-sklearn), same points, same k-means++ centres, same number of Lloyd
# iterations, 2 threads each; prints both times, both inertias and the ratios.
#   bash bench/analytics/kmeans_vs_sklearn.sh [N] [D] [K] [ITERATIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-1000000}" d="${2:-10}" k="${3:-8}" iterations="${4:-30}"
bash scripts/install-deps.sh --bench
bash scripts/build.sh kmeans_bench kmeans_armadillo >/dev/null
work=$(mktemp -d /tmp/fincrm-bench-kmeans.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The peer first: scikit-learn stops when no label changes, so we then run exactly as
# many iterations as it did.
./build/bench/kmeans_bench "$n" "$d" "$k" 0 "$work" >/dev/null
# Debian's scikit-learn is visible only to /usr/bin/python3.
read -r peer_time peer_inertia peer_iterations < <(OMP_NUM_THREADS=2 /usr/bin/python3 - "$work" "$n" "$d" "$k" "$iterations" <<'PY'
import sys, time
import numpy as np
from sklearn.cluster import KMeans
work, n, d, k, iterations = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
x = np.fromfile(f"{work}/points.f32", dtype=np.float32).reshape(n, d)
centers = np.fromfile(f"{work}/centers.f32", dtype=np.float32).reshape(k, d)
best = None
for _ in range(3):
    model = KMeans(n_clusters=k, init=centers, n_init=1, max_iter=iterations, tol=0, algorithm="lloyd")
    start = time.perf_counter()
    model.fit(x)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
# Inertia of the final centres in double precision, as on our side.
xd = x.astype(np.float64)
cd = model.cluster_centers_.astype(np.float64)
inertia = 0.0
for start in range(0, n, 200000):
    chunk = xd[start:start + 200000]
    dist = ((chunk[:, None, :] - cd[None, :, :]) ** 2).sum(axis=2)
    inertia += dist.min(axis=1).sum()
print(f"{best:.4f} {inertia:.6e} {model.n_iter_}")
PY
)
read -r _ ours_time ours_inertia ours_iterations < <(./build/bench/kmeans_bench "$n" "$d" "$k" "$peer_iterations" "$work")
read -r _ arma_time arma_inertia < <(OMP_NUM_THREADS=2 ./build/bench/kmeans_armadillo "$n" "$d" "$k" "$peer_iterations" "$work")
printf "k-means, %s points × %s features, k = %s, k-means++ start shared, 2 threads\n" "$n" "$d" "$k"
printf "fincrm        %8.3f s  inertia %s  (%s iterations)\n" "$ours_time" "$ours_inertia" "$ours_iterations"
printf "scikit-learn  %8.3f s  inertia %s  (%s iterations)\n" "$peer_time" "$peer_inertia" "$peer_iterations"
printf "Armadillo     %8.3f s  inertia %s  (kmeans, keep_existing, OpenMP)\n" "$arma_time" "$arma_inertia"
printf "speed-up %.2fx, inertia ratio %.5f\n" "$(echo "$peer_time / $ours_time" | bc -l)" \
  "$(python3 -c "print($ours_inertia / $peer_inertia)")"
