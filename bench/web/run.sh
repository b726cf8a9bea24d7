#!/usr/bin/env bash
# Page times of the web console on the 100,000-customer demo (bench/demo_db.sh):
# each page's cold and warm load until usable, against the bare shell and the 1 s
# budget (bench/web/page_times.mjs).
#   bash bench/web/run.sh [CUSTOMERS]
set -euo pipefail
cd "$(dirname "$0")/../.."
customers="${1:-100000}"
bash scripts/install-deps.sh >/dev/null
bash scripts/build.sh fincrm >/dev/null
bash scripts/build-web.sh >/dev/null
fincrm=build/src/cli/fincrm
db="$(bash bench/demo_db.sh "$customers")"
"$fincrm" user list --db "$db" | grep -q '^pagebench ' ||
  echo 'bench-password-1' | "$fincrm" user add --db "$db" --login pagebench --role admin --password-stdin >/dev/null
ids=$(mktemp)
trap 'rm -f "$ids"' EXIT
sqlite3 "$db" "SELECT customer_id FROM customers ORDER BY random() LIMIT 20" >"$ids"
node bench/web/page_times.mjs "$fincrm" "$db" web/dist pagebench bench-password-1 "$ids"
