#!/usr/bin/env bash
# Command one: installs what is missing, builds, generates the demo brokerage into
# fincrm.db (once) and shows it. Environment: FINCRM_DB (default fincrm.db),
# FINCRM_DEMO_CUSTOMERS (default 100000).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh fincrm

db="${FINCRM_DB:-fincrm.db}"
customers="${FINCRM_DEMO_CUSTOMERS:-100000}"
if [[ ! -s "$db" ]]; then
  ./build/src/cli/fincrm demo-data --db "$db" --customers "$customers" --seed 42
fi
if ! sqlite3 "$db" "SELECT 1 FROM analysis_runs LIMIT 1" 2>/dev/null | grep -q 1; then
  ./build/src/cli/fincrm analyze --db "$db"
fi
./build/src/cli/fincrm stats --db "$db"
echo
./build/src/cli/fincrm customer --db "$db" C00000042
