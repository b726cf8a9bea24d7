#!/usr/bin/env bash
# End-to-end checks of the fincrm command line: exit codes, messages and files.
# Usage: cli_test.sh PATH/TO/fincrm
set -uo pipefail
fincrm="$1"
work=$(mktemp -d /tmp/fincrm-cli-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

check() {  # check NAME CONDITION...
  local name="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name" >&2
  fi
}
contains() { grep -qF -- "$2" "$1"; }
run() {  # run EXPECTED_EXIT OUT_FILE ARGS...
  local expected="$1" out="$2"
  shift 2
  "$fincrm" "$@" >"$out" 2>&1
  local code=$?
  [[ "$code" == "$expected" ]] || { echo "exit $code, expected $expected: fincrm $*" >&2; cat "$out" >&2; return 1; }
}

check "demo CSV" run 0 "$work/demo.out" demo-data --csv "$work/csv" --customers 60 --seed 3
check "demo CSV files" test -s "$work/csv/trades.csv"
check "init" run 0 "$work/init.out" init --db "$work/x.db"
check "init says version" grep -qE "schema version [0-9]+" "$work/init.out"
for kind in branches staff products customers households accounts assets trades interactions; do
  check "import $kind" run 0 "$work/import.out" import --db "$work/x.db" "$kind" "$work/csv/$kind.csv"
  check "no progress bar without a terminal ($kind)" bash -c "! grep -q $'\r' '$work/import.out'"
done
check "reimport is idempotent" run 0 "$work/again.out" import --db "$work/x.db" trades "$work/csv/trades.csv"
check "reimport reports unchanged rows" contains "$work/again.out" " 0 stored"

printf 'branch_id,name,province,city\nB900,ok,广东,广州\nB 901,bad id,广东,广州\n"B902,unterminated,广东,广州\n' >"$work/bad.csv"
check "rejected rows exit 3" run 3 "$work/bad.out" import --db "$work/x.db" branches "$work/bad.csv"
check "summary counts" contains "$work/bad.out" "1 stored"
check "rejects file named" contains "$work/bad.out" "$work/bad.csv.rejects.csv"
check "rejects file has line and field" contains "$work/bad.csv.rejects.csv" "3,branch_id,"
check "rejects file has the broken line" contains "$work/bad.csv.rejects.csv" '4,,"unterminated quoted field'

printf 'branch_id,name\nB950,x\n' >"$work/nocol.csv"
check "missing column fails" run 1 "$work/nocol.out" import --db "$work/x.db" branches "$work/nocol.csv"
check "missing column named" contains "$work/nocol.out" "'province'"
check "unknown kind fails" run 1 "$work/kind.out" import --db "$work/x.db" orders "$work/nocol.csv"
check "unknown kind lists choices" contains "$work/kind.out" "branches, staff"
check "missing file fails" run 1 "$work/missing.out" import --db "$work/x.db" branches "$work/none.csv"
check "bad encoding name fails" run 1 "$work/enc.out" import --db "$work/x.db" branches "$work/bad.csv" --encoding latin1

check "stats" run 0 "$work/stats.out" stats --db "$work/x.db"
check "stats counts customers" grep -qE "customers +60 " "$work/stats.out"
check "customer" run 0 "$work/customer.out" customer --db "$work/x.db" C00000001
check "customer shows accounts" contains "$work/customer.out" "Accounts (资金账号)"
check "customer shows trades section" contains "$work/customer.out" "Last trades"
check "unknown customer fails" run 1 "$work/nobody.out" customer --db "$work/x.db" C99999999
check "unknown customer says NotFound" contains "$work/nobody.out" "NotFound"
check "stats on a missing database fails" run 1 "$work/nodb.out" stats --db "$work/none.db"

check "export csv" run 0 "$work/export.out" export --db "$work/x.db" customers --out "$work/customers.csv"
# Holdings: a snapshot, the whole file or nothing.
printf 'customer_id,market,symbol,quantity,cost,as_of\nC00000001,SH,600000,1000,10000.00,2030-01-02\n' >"$work/holdings.csv"
check "holdings import" run 0 "$work/holdings.out" import --db "$work/x.db" holdings "$work/holdings.csv"
check "... derives the positions" contains "$work/holdings.out" "1 holdings of 1 customer-days stored"
printf 'customer_id,market,symbol,quantity,as_of\nC00000001,SH,600001,5,2030-01-02\nC00000001,SH,600002,-5,2030-01-02\n' >"$work/holdings_bad.csv"
check "a holdings file with a defect stores nothing" run 1 "$work/holdings_bad.out" import --db "$work/x.db" holdings "$work/holdings_bad.csv"
check "... naming the file, line and field" contains "$work/holdings_bad.out" "holdings_bad.csv line 3, quantity"
check "... and nothing of it was stored" test "$(sqlite3 "$work/x.db" "SELECT COUNT(*) FROM holding_snapshots WHERE symbol = '600001'")" = 0
# The suitability gate from the counter's scripts.
check "suitability check: R1 for everyone" run 0 "$work/suit.out" suitability check --db "$work/x.db" --customer C00000001 --risk R1
check "... names the rule" contains "$work/suit.out" "rule r1_for_everyone"
check "suitability check: a bad level" run 1 "$work/suit_bad.out" suitability check --db "$work/x.db" --customer C00000001 --risk R9
check "... names the option" contains "$work/suit_bad.out" "risk"
check "suitability check: an unknown customer" run 1 "$work/suit_nobody.out" suitability check --db "$work/x.db" --customer C99999999 --risk R3
check "suitability report" run 0 "$work/suit_report.out" suitability report --db "$work/x.db"
check "... counts the grades" contains "$work/suit_report.out" "grades today:"
check "export keeps every row" test "$(($(wc -l <"$work/customers.csv") - 1))" -eq 60
check "export xlsx" run 0 "$work/xlsx.out" export --db "$work/x.db" trades --out "$work/trades.xlsx"
check "xlsx is a zip" bash -c "head -c 2 '$work/trades.xlsx' | grep -q PK"
check "demo into a filled database refused" run 1 "$work/refill.out" demo-data --db "$work/x.db" --customers 5
check "bad option value is a usage error" run 2 "$work/usage.out" demo-data --db "$work/y.db" --customers many

check "analyze" run 0 "$work/analyze.out" analyze --db "$work/x.db"
check "analyze prints the ladder" contains "$work/analyze.out" "value ladder:"
check "analyze with a given k" run 0 "$work/analyze5.out" analyze --db "$work/x.db" --clusters 5
check "five segments" contains "$work/analyze5.out" "customer segments (k = 5"
check "analyze bad k" run 1 "$work/analyze1.out" analyze --db "$work/x.db" --clusters 1
check "customer shows scores" run 0 "$work/scored.out" customer --db "$work/x.db" C00000001
check "scores section" contains "$work/scored.out" "value tier"
check "model rules" run 0 "$work/model.out" model --db "$work/x.db" --name tier_rules
check "model rules printed" contains "$work/model.out" "IF "
check "unknown model" run 1 "$work/model2.out" model --db "$work/x.db" --name nothing
check "kpi" run 0 "$work/kpi.out" kpi --db "$work/x.db" --level broker
check "kpi header" contains "$work/kpi.out" "composite"
check "kpi bad period" run 1 "$work/kpi2.out" kpi --db "$work/x.db" --period 2026-13
check "kpi bad weights" run 1 "$work/kpi3.out" kpi --db "$work/x.db" --weights 1:2
check "cube" run 0 "$work/cube.out" cube --db "$work/x.db" --measures commission,trade_amount --by branch,month --top 3
check "cube rows" contains "$work/cube.out" "(3 rows)"
check "cube pivot" run 0 "$work/pivot.out" cube --db "$work/x.db" --measures trade_count --by quarter,channel --pivot
check "cube tier filter" run 0 "$work/tier.out" cube --db "$work/x.db" --measures assets --by branch --where "tier=gold"
check "cube bad dimension" run 1 "$work/cube2.out" cube --db "$work/x.db" --by colour
check "cube bad dimension named" contains "$work/cube2.out" "colour"
# Every dimension as a group and as a filter with every code of its vocabulary (the
# console's placeholder channel=app once ended the process with SIGSEGV).
for d in day month quarter year branch broker province tier cluster risk_level channel product_type market age_band; do
  check "cube by $d" run 0 "$work/by.out" cube --db "$work/x.db" --measures commission,trade_count,active_customers --by "$d,branch"
done
for where in channel=counter channel=phone channel=web channel=app channel=api "channel=手机" \
    product_type=stock product_type=fund product_type=bond product_type=option market=SH market=SZ market=BJ market=HK \
    tier=bronze tier=silver tier=gold tier=platinum tier=diamond "tier=(none)" risk_level=C1 risk_level=C5 \
    "tier=gold;channel=app" "channel!=app" cluster=0 "age_band=<30" "age_band=60+" year=2026 month=2026-10 quarter=2026-Q3 \
    day=2026-10-30 branch=B001 "broker=(none)"; do
  check "cube where $where" run 0 "$work/where.out" cube --db "$work/x.db" --measures commission --by branch --where "$where"
done
check "cube channel=app" run 0 "$work/app.out" cube --db "$work/x.db" --measures commission --by branch --where channel=app
check "cube channel=app by branch has rows" grep -qE "^B0" "$work/app.out"
for where in "channel=" "channel=fax" "channel" "=app" "month=2026-13" "branch=NOPE" "tier=golden" "cluster=-1"; do
  check "cube bad where $where" run 1 "$work/badwhere.out" cube --db "$work/x.db" --measures commission --by branch --where "$where"
  check "cube bad where $where named" contains "$work/badwhere.out" "where"
done
check "export scores" run 0 "$work/scores.out" export --db "$work/x.db" customer_scores --out "$work/scores.csv"
check "scores cannot be imported" run 1 "$work/noimport.out" import --db "$work/x.db" customer_scores "$work/scores.csv"

printf 'x,colour,y\n1,red,yes\n2,blue,no\n3,red,yes\n4,blue,no\n5,red,yes\n6,blue,no\n7,red,no\n8,blue,yes\n9,red,yes\n10,blue,no\n' >"$work/table.csv"
check "train on a CSV" run 0 "$work/train.out" train --csv "$work/table.csv" --label y --positive yes --folds 2 --rounds 5
check "train prints ROC AUC" contains "$work/train.out" "ROC AUC: "
check "train unknown label" run 1 "$work/train2.out" train --csv "$work/table.csv" --label z --positive yes

check "user add" bash -c "echo 's3cret-pass' | '$fincrm' user add --db '$work/x.db' --login admin1 --role admin --password-stdin >'$work/user.out' 2>&1"
check "user add says so" contains "$work/user.out" "login admin1 added with role admin"
check "duplicate login refused" bash -c "! (echo 's3cret-pass' | '$fincrm' user add --db '$work/x.db' --login admin1 --role admin --password-stdin >'$work/user2.out' 2>&1)"
check "duplicate login named" contains "$work/user2.out" "AlreadyExists"
check "short password refused" bash -c "! (echo 'short' | '$fincrm' user add --db '$work/x.db' --login agent1 --role agent --password-stdin >'$work/user3.out' 2>&1)"
check "unknown branch refused" bash -c "! (echo 's3cret-pass' | '$fincrm' user add --db '$work/x.db' --login manager9 --role branch_manager --branch B404 --password-stdin >'$work/user4.out' 2>&1)"
check "user list" run 0 "$work/users.out" user list --db "$work/x.db"
check "user list shows the login" contains "$work/users.out" "admin1"
check "no password hash in the list" bash -c "! grep -q argon2 '$work/users.out'"
check "users are not exportable" run 1 "$work/export_users.out" export --db "$work/x.db" users --out "$work/users.csv"

check "audit verify" run 0 "$work/audit.out" audit verify --db "$work/x.db"
check "audit trail has the reads and the login" grep -qE "intact: [0-9]+ entries" "$work/audit.out"
check "unkeyed verify says how to keep a head" contains "$work/audit.out" "--expect-head"
check "audit head" run 0 "$work/head.out" audit head --db "$work/x.db"
check "audit head prints sequence and hash" grep -qE "^fincrm-audit-head v1 sequence=[0-9]+ hash=[0-9a-f]{64} at=" "$work/head.out"
check "verify against the kept head" run 0 "$work/audit_head.out" audit verify --db "$work/x.db" --expect-head "$(cat "$work/head.out")"
check "the kept head is named as checked" contains "$work/audit_head.out" "the kept head (entry"
check "a malformed kept head is refused" run 1 "$work/audit_badhead.out" audit verify --db "$work/x.db" --expect-head "nonsense"
check "the malformed kept head is named" contains "$work/audit_badhead.out" "expect_head"
sqlite3 "$work/x.db" "DELETE FROM audit_log WHERE sequence = (SELECT MAX(sequence) FROM audit_log)"
check "a removed newest entry passes the chain alone" run 0 "$work/audit_cut.out" audit verify --db "$work/x.db"
check "... but not the kept head" run 1 "$work/audit_cut2.out" audit verify --db "$work/x.db" --expect-head "$(cat "$work/head.out")"
check "the removal is named" contains "$work/audit_cut2.out" "were removed"
sqlite3 "$work/x.db" "UPDATE audit_log SET customer_id = 'C00000002' WHERE sequence = 2"
check "tampering detected" run 1 "$work/audit2.out" audit verify --db "$work/x.db"
check "tampered entry named" contains "$work/audit2.out" "BROKEN at entry 2"

# The server: starts on a free port, answers, signs in, shuts down cleanly on SIGTERM.
check "apikey add" run 0 "$work/key.out" apikey add --db "$work/x.db" --name "feed"
check "apikey printed once" grep -qE '^fk_[0-9a-f]+_[0-9a-f]{48}$' "$work/key.out"
check "serve: bad listen address" run 2 "$work/serve_bad.out" serve --db "$work/x.db" --listen nowhere
check "serve: journal age out of range" run 2 "$work/serve_age.out" serve --db "$work/x.db" --listen 127.0.0.1:0 --journal-max-age-seconds 0
check "serve: journal age option named" contains "$work/serve_age.out" "journal-max-age-seconds"
check "serve: journal pending bound out of range" run 2 "$work/serve_pending.out" serve --db "$work/x.db" --listen 127.0.0.1:0 --journal-max-pending 5
check "serve: journal pending option named" contains "$work/serve_pending.out" "journal-max-pending"
check "serve: missing database" run 1 "$work/serve_missing.out" serve --db "$work/none.db" --listen 127.0.0.1:0
check "serve: missing database named" contains "$work/serve_missing.out" "none.db"
env -u OMP_WAIT_POLICY "$fincrm" serve --db "$work/x.db" --listen 127.0.0.1:0 >"$work/serve.out" 2>&1 &
server=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's|.*at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/serve.out")
  [[ -n "$port" ]] && break
  sleep 0.1
done
check "serve prints its URL" test -n "$port"
check "serve: OpenMP threads wait passively unless told otherwise" bash -c "tr '\\0' '\\n' </proc/$server/environ | grep -qx OMP_WAIT_POLICY=PASSIVE"
check "serve: healthz" bash -c "curl -sf http://127.0.0.1:$port/healthz | grep -q '\"status\":\"ok\"'"
check "serve: sign in" bash -c "curl -sf -X POST -H 'Content-Type: application/json' http://127.0.0.1:$port/api/v1/auth/login -d '{\"login\":\"admin1\",\"password\":\"s3cret-pass\"}' | grep -q token"
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" | grep -q '"events_ready":true' && break; sleep 0.1; done
check "serve: API key may post events" bash -c "curl -sf -X POST -H 'Content-Type: application/json' -H 'X-API-Key: $(grep '^fk_' "$work/key.out")' http://127.0.0.1:$port/api/v1/events -d '[]' | grep -q accepted"
kill -TERM "$server"
code=0
for _ in $(seq 1 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
wait "$server" || code=$?
check "serve: SIGTERM exits 0" test "$code" = 0
check "serve: says it shuts down" contains "$work/serve.out" "shutting down"
FINCRM_LISTEN=127.0.0.1:0 "$fincrm" serve --db "$work/x.db" >"$work/serve_env.out" 2>&1 &
server=$!
for _ in $(seq 1 100); do grep -q "serving" "$work/serve_env.out" && break; sleep 0.1; done
check "serve: FINCRM_LISTEN from the environment" grep -q "at http://127.0.0.1:" "$work/serve_env.out"
kill -TERM "$server"; wait "$server" 2>/dev/null
printf '[serve]\ndb = "%s"\nlisten = "127.0.0.1:0"\nworkers = 2\njournal-max-age-seconds = 30\njournal-max-pending = 500000\n' "$work/x.db" >"$work/serve.ini"
OMP_WAIT_POLICY=ACTIVE "$fincrm" serve --config "$work/serve.ini" >"$work/serve_ini.out" 2>&1 &
server=$!
for _ in $(seq 1 100); do grep -q "serving" "$work/serve_ini.out" && break; sleep 0.1; done
check "serve: options from a config file" grep -q "at http://127.0.0.1:" "$work/serve_ini.out"
check "serve: an operator's OpenMP wait policy is kept" bash -c "tr '\\0' '\\n' </proc/$server/environ | grep -qx OMP_WAIT_POLICY=ACTIVE"
kill -TERM "$server"; wait "$server" 2>/dev/null

# Durability under SIGKILL (what held against the probe; kept so): batches of real-time
# trades are posted while the server is killed three times; every batch it
# acknowledged is in the database after the restarts.
"$fincrm" export --db "$work/x.db" accounts --out "$work/accounts.csv" >/dev/null 2>&1
key=$(grep '^fk_' "$work/key.out")
start_server() {  # start_server LOG: sets server and port
  "$fincrm" serve --db "$work/x.db" --listen 127.0.0.1:0 --journal-max-age-seconds 2 >"$1" 2>&1 &
  server=$!
  port=""
  for _ in $(seq 1 200); do
    port=$(sed -n 's|.*at http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$1")
    [[ -n "$port" ]] && curl -sf "http://127.0.0.1:$port/healthz" | grep -q '"events_ready":true' && break
    sleep 0.05
  done
}
: >"$work/acknowledged.txt"
for cycle in 1 2 3; do
  start_server "$work/serve_kill$cycle.out"
  ( for batch in $(seq 1 400); do
      awk -F, -v c="$cycle" -v b="$batch" 'NR > 1 && NR <= 51 {
          printf "{\"event_id\":\"kill-%s-%s-%s\",\"type\":\"trade\",\"data\":{\"trade_id\":\"K%s-%s-%s\",", c, b, NR, c, b, NR
          printf "\"customer_id\":\"%s\",\"account_id\":\"%s\",\"trade_time\":\"2026-10-30T10:00:00+08:00\",", $2, $1
          printf "\"market\":\"SH\",\"symbol\":\"600000\",\"product_type\":\"stock\",\"side\":\"buy\",\"quantity\":100,"
          printf "\"price\":10.5,\"amount\":1050,\"commission\":0.53,\"channel\":\"app\"}}\n" }' \
        "$work/accounts.csv" >"$work/batch.ndjson"
      if curl -sf -X POST -H 'Content-Type: application/x-ndjson' -H "X-API-Key: $key" --data-binary @"$work/batch.ndjson" \
          "http://127.0.0.1:$port/api/v1/events" | grep -q '"accepted":50'; then
        echo "K$cycle-$batch-" >>"$work/acknowledged.txt"
      else
        break
      fi
    done ) &
  poster=$!
  sleep 1.5
  kill -KILL "$server"
  wait "$server" 2>/dev/null
  wait "$poster" 2>/dev/null
done
start_server "$work/serve_kill_final.out"
sleep 3  # the leftovers are applied at start, the rest after 2 s
kill -TERM "$server"; wait "$server" 2>/dev/null
"$fincrm" export --db "$work/x.db" trades --out "$work/trades_after.csv" >/dev/null 2>&1
acknowledged=$(wc -l <"$work/acknowledged.txt")
stored=$(grep -c '^K[0-9]' "$work/trades_after.csv")
echo "SIGKILL cycles: $acknowledged batches of 50 acknowledged, $stored trades stored"
check "SIGKILL: batches were acknowledged before the kills" test "$acknowledged" -gt 3
check "SIGKILL: every acknowledged trade is stored ($acknowledged batches, $stored trades)" \
  bash -c "while read -r prefix; do test \$(grep -c \"^\$prefix\" '$work/trades_after.csv') -eq 50 || exit 1; done <'$work/acknowledged.txt'"

# A crash leaves the signal and a backtrace in the log (the sanitizer build's own
# report there instead) and the process dies of it, for systemd to restart.
"$fincrm" serve --db "$work/x.db" --listen 127.0.0.1:0 >"$work/serve_crash.out" 2>&1 &
server=$!
for _ in $(seq 1 100); do grep -q "serving" "$work/serve_crash.out" && break; sleep 0.1; done
kill -SEGV "$server"
code=0
wait "$server" || code=$?
check "a crash ends the process with a failure" test "$code" -ne 0
check "a crash is logged with its signal and a backtrace" bash -c \
  "grep -q 'FATAL: signal 11 (SIGSEGV)' '$work/serve_crash.out' && grep -q 'backtrace:' '$work/serve_crash.out' \
   || grep -q 'AddressSanitizer: SEGV' '$work/serve_crash.out'"

# The audit key and signed checkpoints: a truncated trail is found by `audit verify`.
check "a fresh database for the keyed trail" run 0 "$work/kdemo.out" demo-data --db "$work/k.db" --customers 20
check "audit keygen" run 0 "$work/keygen.out" audit keygen --out "$work/audit.key"
check "audit key is owner-read-only" test "$(stat -c %a "$work/audit.key")" = 400
check "audit keygen never overwrites" run 1 "$work/keygen2.out" audit keygen --out "$work/audit.key"
"$fincrm" serve --db "$work/k.db" --listen 127.0.0.1:0 --audit-key-file "$work/audit.key" \
  --audit-checkpoint-file "$work/audit.checkpoints" >"$work/serve_key.out" 2>&1 &
server=$!
for _ in $(seq 1 100); do grep -q "serving" "$work/serve_key.out" && break; sleep 0.1; done
port=$(sed -n 's#.*at http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$work/serve_key.out" | head -1)
for _ in 1 2 3; do
  curl -s -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$port/api/v1/auth/login" \
    -d '{"login":"admin1","password":"wrong-password"}' >/dev/null
done
kill -TERM "$server"; wait "$server" 2>/dev/null
check "serve wrote signed checkpoints" grep -q "fincrm-audit-checkpoint v1 sequence=" "$work/audit.checkpoints"
check "serve logged the head at shutdown" grep -q "fincrm-audit-checkpoint v1" "$work/serve_key.out"
check "audit verify with key and checkpoints" run 0 "$work/verify_key.out" audit verify --db "$work/k.db" \
  --audit-key-file "$work/audit.key" --checkpoint-file "$work/audit.checkpoints"
check "verify says what it compared" contains "$work/verify_key.out" "signed checkpoint"
check "verify without the key names it" run 1 "$work/verify_nokey.out" audit verify --db "$work/k.db"
check "verify without the key says so" contains "$work/verify_nokey.out" "--audit-key-file"
check "a CLI read without the key is refused" run 1 "$work/nokey_read.out" customer --db "$work/k.db" C00000001
check "a CLI read with the key" bash -c "FINCRM_AUDIT_KEY_FILE='$work/audit.key' '$fincrm' customer --db '$work/k.db' C00000001 >/dev/null"
sqlite3 "$work/k.db" "DELETE FROM audit_log WHERE sequence > (SELECT MAX(sequence) - 3 FROM audit_log)"
check "truncation found against the checkpoints" run 1 "$work/verify_cut.out" audit verify --db "$work/k.db" \
  --audit-key-file "$work/audit.key" --checkpoint-file "$work/audit.checkpoints"
check "truncation named" contains "$work/verify_cut.out" "were removed"
check "the server's log serves as checkpoints too" run 1 "$work/verify_log.out" audit verify --db "$work/k.db" \
  --audit-key-file "$work/audit.key" --checkpoint-file "$work/serve_key.out"

# The business calendar: imported whole or not at all, each import a new audited version.
calendar_csv="$(dirname "$0")/../../data/calendar/cn-2026.csv"
check "calendar import" run 0 "$work/cal.out" calendar import "$calendar_csv" --db "$work/x.db"
check "calendar import names the version" contains "$work/cal.out" "calendar version 1: 39 holidays"
check "calendar show counts 2026" run 0 "$work/cal_show.out" calendar show --db "$work/x.db" --year 2026
check "calendar 2026 trading days" contains "$work/cal_show.out" "248 working days, 242 trading days"
check "calendar show lists the make-up Saturday" contains "$work/cal_show.out" "2026-02-14 workday  春节调休"
printf 'kind,value,name\nholiday,2026-05-01,劳动节\nhours,09:00-12:00,上午\nhours,11:30-17:00,下午\n' > "$work/cal_bad.csv"
check "overlapping periods refused" run 1 "$work/cal_bad.out" calendar import "$work/cal_bad.csv" --db "$work/x.db"
check "the refusal names the line" contains "$work/cal_bad.out" "cal_bad.csv line 4, value: the working periods 09:00-12:00 and 11:30-17:00 overlap"
check "a refused import stores nothing" bash -c "'$fincrm' calendar show --db '$work/x.db' --year 2026 | grep -q '^version 1 '"
check "calendar import is audited" bash -c "sqlite3 '$work/x.db' \"SELECT detail FROM audit_log WHERE action = 'calendar.import'\" | grep -q 'version 1 from cn-2026.csv sha256'"
# The demo's history follows the same calendar: no trades in the 2025 Spring Festival.
both_years="$(dirname "$0")/../../data/calendar/cn-2025-2026.csv"
check "demo-data on a calendar" run 0 "$work/cal_demo.out" demo-data --db "$work/cal_demo.db" --customers 300 --calendar "$both_years"
check "no trades on the festival's closed days" bash -c "[ \"\$(sqlite3 '$work/cal_demo.db' \"SELECT COUNT(*) FROM trades WHERE date(trade_time, 'unixepoch', '+8 hours') BETWEEN '2025-01-28' AND '2025-02-04'\")\" = 0 ]"
check "trades the week after" bash -c "[ \"\$(sqlite3 '$work/cal_demo.db' \"SELECT COUNT(*) FROM trades WHERE date(trade_time, 'unixepoch', '+8 hours') BETWEEN '2025-02-05' AND '2025-02-12'\")\" -gt 0 ]"
check "a bad calendar file is refused naming its line" run 1 "$work/cal_demo_bad.out" demo-data --db "$work/cal_demo2.db" --calendar "$work/cal_bad.csv"
check "the demo's refusal names the line" contains "$work/cal_demo_bad.out" "cal_bad.csv line 4"

# Scheduled jobs: run once with the job's clock given, recorded, listed.
check "jobs run-once before any ticket" run 0 "$work/jobs0.out" jobs run-once sla-escalation --db "$work/x.db" --now 2026-03-02T09:00:00+08:00
check "nothing to escalate yet" contains "$work/jobs0.out" "0 escalated to branch managers"
t0=$(date -d 2026-03-02T09:00:00+08:00 +%s)
sqlite3 "$work/x.db" "INSERT INTO tickets (customer_id, branch_id, broker_id, type, priority, state, subject, created_by,
  created_at, updated_at, sla_policy, first_response_seconds, resolution_seconds, warn_percent, first_response_due,
  first_responded_at, elapsed_seconds, clock_since, resolution_due, resolved_at, breached, escalation_level)
  SELECT customer_id, branch_id, broker_id, 'inquiry', 'urgent', 'open', 'cli ticket', 'agent', $t0, $t0, 'urgent', 1800,
  23400, 80, $((t0 + 1800)), $((t0 + 600)), 0, $t0, $((t0 + 28800)), 0, 0, 0 FROM customers ORDER BY customer_id LIMIT 1"
check "before the due time nothing is escalated" run 0 "$work/jobs1.out" jobs run-once sla-escalation --db "$work/x.db" --now 2026-03-02T16:00:00+08:00
check "... and said so" contains "$work/jobs1.out" "0 escalated to branch managers"
check "a breach under --now is escalated" run 0 "$work/jobs2.out" jobs run-once sla-escalation --db "$work/x.db" --now 2026-03-02T17:05:00+08:00
check "... to the branch manager" contains "$work/jobs2.out" "1 escalated to branch managers"
check "the escalation task exists" test "$(sqlite3 "$work/x.db" "SELECT COUNT(*) FROM tasks WHERE title LIKE '%营业部经理%工单超时升级%cli ticket'")" = 1
check "the ticket's history has it" test "$(sqlite3 "$work/x.db" "SELECT actor || ':' || from_value || '>' || to_value FROM ticket_history WHERE field = 'escalation_level'")" = "job:sla-escalation:0>1"
check "not escalated twice" run 0 "$work/jobs3.out" jobs run-once sla-escalation --db "$work/x.db" --now 2026-03-02T17:10:00+08:00
check "... said so" contains "$work/jobs3.out" "0 escalated to branch managers, 0 to the head-office"
check "jobs list" run 0 "$work/jobs_list.out" jobs list --db "$work/x.db"
check "jobs list shows the last run" grep -qE "^sla-escalation +every 60 s .* ok .*0 escalated" "$work/jobs_list.out"
check "jobs list shows the nightly analysis" grep -qE "^nightly-analysis +daily at 18:30" "$work/jobs_list.out"
check "return-visit planning" run 0 "$work/jobs_visits.out" jobs run-once return-visit-planning --db "$work/x.db"
check "... plans the yearly sample" grep -qE "visits planned: [0-9]+ new_account, [1-9][0-9]* annual_sample" "$work/jobs_visits.out"
check "... once" bash -c "'$fincrm' jobs run-once return-visit-planning --db '$work/x.db' | grep -q ': ok in .* 0 rows: 0 visits planned'"
check "runs are recorded" test "$(sqlite3 "$work/x.db" "SELECT COUNT(*) FROM job_runs WHERE job = 'sla-escalation' AND outcome = 'ok'")" = 4
check "an unknown job is refused" run 1 "$work/jobs_bad.out" jobs run-once reindex --db "$work/x.db"
check "... naming the jobs there are" contains "$work/jobs_bad.out" "jobs: sla-escalation, return-visit-planning, positions, nightly-analysis"
check "a bad --now is refused" run 1 "$work/jobs_now.out" jobs run-once sla-escalation --db "$work/x.db" --now yesterday
check "... naming the option" contains "$work/jobs_now.out" "now"
check "rescoring is the server's" run 1 "$work/jobs_rescore.out" jobs run-once rescoring --db "$work/x.db"
check "a job held by another runner is refused" bash -c "sqlite3 '$work/x.db' \"INSERT INTO job_locks VALUES ('nightly-analysis', 'other-host:1', $(($(date +%s) + 600)))\" && ! '$fincrm' jobs run-once nightly-analysis --db '$work/x.db' >'$work/jobs_held.out' 2>&1 && grep -q 'running on other-host:1' '$work/jobs_held.out'"

check "a PBX key" run 0 "$work/pbx.out" apikey add --db "$work/x.db" --name pbx --permission cti
check "... may post call events only" test "$(sqlite3 "$work/x.db" "SELECT scopes FROM api_keys WHERE name = 'pbx'")" = cti
check "an unknown key permission is a usage error" run 2 "$work/pbx_bad.out" apikey add --db "$work/x.db" --name x --permission everything
check "demo calls and tickets" run 0 "$work/demo_service.out" demo-service --db "$work/x.db" --now 2026-11-30T18:00:00+08:00
check "... counted" grep -qE "^[0-9]+ calls \([0-9]+ missed\), [0-9]+ callbacks, [0-9]+ tickets" "$work/demo_service.out"
check "... once" bash -c "'$fincrm' demo-service --db '$work/x.db' | grep -q 'nothing added'"

echo "$passed passed, $failed failed"
[[ "$failed" == 0 ]]
