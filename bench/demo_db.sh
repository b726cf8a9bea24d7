#!/usr/bin/env bash
# Prints the path of an analysed demo database with CUSTOMERS customers, generating it
# once into bench/work/ (or FINCRM_BENCH_DB when set). Shared by the API and web
# benchmarks so that both measure the same data.
#   bench/demo_db.sh CUSTOMERS
set -euo pipefail
cd "$(dirname "$0")/.."
customers="${1:-100000}"
fincrm=build/src/cli/fincrm
db="${FINCRM_BENCH_DB:-bench/work/demo$customers.db}"
mkdir -p "$(dirname "$db")"
if [ ! -f "$db" ]; then
  echo "generating $customers demo customers into $db (once)" >&2
  "$fincrm" demo-data --db "$db" --customers "$customers" >/dev/null
  "$fincrm" analyze --db "$db" >/dev/null
fi
echo "$db"
