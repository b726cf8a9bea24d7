#!/usr/bin/env bash
# Command one: installs what is missing, builds, generates the demo brokerage into
# fincrm.db (once), analyses it (once), builds the web console into the binary, creates the demo
# logins (once) and starts the server, printing its URL and the logins. Environment: FINCRM_DB (default fincrm.db),
# FINCRM_DEMO_CUSTOMERS (default 100000), FINCRM_LISTEN (default 127.0.0.1:8080). Arguments
# go to `fincrm serve` (for example --smtp-url smtp://127.0.0.1:2525 for campaign e-mail).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
# The console first: the build embeds web/dist in the binary.
bash scripts/build-web.sh
bash scripts/build.sh fincrm

fincrm=./build/src/cli/fincrm
db="${FINCRM_DB:-fincrm.db}"
customers="${FINCRM_DEMO_CUSTOMERS:-100000}"
# One calendar for the history's trading days, the KPI months and the SLA clocks.
calendar=data/calendar/cn-2025-2026.csv
listen="${FINCRM_LISTEN:-127.0.0.1:8080}"
if [[ ! -s "$db" ]]; then
  "$fincrm" demo-data --db "$db" --customers "$customers" --seed 42 --calendar "$calendar"
fi
# The business calendar (holidays, 调休 make-up days, working hours), once.
if "$fincrm" calendar show --db "$db" | grep -q "^no calendar imported"; then
  "$fincrm" calendar import "$calendar" --db "$db"
fi
if ! sqlite3 "$db" "SELECT 1 FROM analysis_runs LIMIT 1" 2>/dev/null | grep -q 1; then
  "$fincrm" analyze --db "$db"
fi
"$fincrm" stats --db "$db"

# Demo logins, one per kind of user; demo data only — real logins get their own passwords.
password="fincrm-demo-2026"
broker=$(sqlite3 "$db" "SELECT broker_id FROM customers WHERE broker_id IS NOT NULL GROUP BY broker_id ORDER BY COUNT(*) DESC LIMIT 1")
branch=$(sqlite3 "$db" "SELECT branch_id FROM staff WHERE staff_id = '$broker'")
existing=$("$fincrm" user list --db "$db" | awk '{print $1}')
add_login() {  # login role [--branch B] [--staff-id S]
  grep -qx "$1" <<<"$existing" && return 0
  echo "$password" | "$fincrm" user add --db "$db" --login "$1" --role "$2" "${@:3}" --password-stdin >/dev/null
}
add_login admin admin
add_login analyst hq_analyst
add_login manager branch_manager --branch "$branch"
add_login broker broker --staff-id "$broker"
add_login agent agent
add_login compliance compliance
add_login research research_analyst
# A month of the service center's work on the demo: calls (wrapped up, on the
# customers' timelines), callbacks and tickets with their SLA outcomes; once.
"$fincrm" demo-service --db "$db"
# The return visits the rules require as of today (planned once each; the server's
# scheduler plans new ones every morning).
"$fincrm" jobs run-once return-visit-planning --db "$db"

cat <<MESSAGE

Open http://$listen/ in a browser. Demo logins (password for all: $password):
  admin (administrator), analyst (HQ analyst), manager (manager of branch $branch),
  broker (broker $broker: sees only their customers), agent (call center), compliance,
  research (research analyst: writes reports that compliance reviews)
Try:  curl -s -X POST http://$listen/api/v1/auth/login -H 'Content-Type: application/json' -d '{"login":"admin","password":"$password"}'

MESSAGE
exec "$fincrm" serve --db "$db" --listen "$listen" "$@"
