#!/usr/bin/env bash
# Analytics benchmark: RFM + profit per customer, KPI group-by per branch × month, and
# a cube query, on synthetic trades defined by formulas (analytics_bench.cc):
#   1. SQLITE_TRADES (default 10M) trades, 1M customers: FinCRM against SQLite, in one process;
#   2. DUCKDB_TRADES (default 100M) trades, 1M customers: FinCRM against DuckDB
#      (npm @duckdb/node-api, 2 threads), each building the same table itself.
#   bash bench/analytics/run.sh [SQLITE_TRADES] [DUCKDB_TRADES] [CUSTOMERS]
set -euo pipefail
cd "$(dirname "$0")/../.."
sqlite_trades="${1:-10000000}" duckdb_trades="${2:-100000000}" customers="${3:-1000000}"
bash scripts/install-deps.sh --bench
bash scripts/build.sh analytics_bench >/dev/null
# npm ci rejects this lock file (npm leaves optional platform packages out of it), so
# install from it with npm install, which keeps the locked versions.
(cd bench/analytics/duckdb && npm install --no-audit --no-fund --silent)

echo "== FinCRM against SQLite, $sqlite_trades trades"
./build/bench/analytics_bench "$sqlite_trades" "$customers"

echo "== FinCRM against DuckDB, $duckdb_trades trades"
ours=$(./build/bench/analytics_bench "$duckdb_trades" "$customers" --no-sqlite)
echo "$ours" | head -1
peer=$(node bench/analytics/duckdb/peer.mjs "$duckdb_trades" "$customers")
printf "%-6s %12s %12s %8s\n" query "fincrm s" "duckdb s" ratio
for query in rfm kpi cube; do
  mine=$(echo "$ours" | awk -v q="$query" '$1 == q {print $2}')
  theirs=$(echo "$peer" | awk -v q="$query" '$1 == q {print $2}')
  printf "%-6s %12.3f %12.3f %7.1fx\n" "$query" "$mine" "$theirs" "$(echo "$theirs / $mine" | bc -l)"
done
