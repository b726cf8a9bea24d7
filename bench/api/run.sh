#!/usr/bin/env bash
# HTTP API benchmark on a 100,000-customer demo brokerage (generated and analysed on
# first use by bench/demo_db.sh into bench/work/, or FINCRM_BENCH_DB):
#   1. wrk against the trivial route (/api/v1/ping) and the customer-360 route (random
#      customers, signed in) at 64 and 1,000 connections: req/s, p50, p99, and the
#      360 / trivial ratio. Each is warmed up first for WARMUP seconds; the 360 route
#      before its first run for WARMUP_360 seconds more, so that the server's view
#      cache holds the working set (steady state; the cold rate is printed too).
#   2. Event ingest: batches of 1,000 trade events from 8 connections, events/s durably
#      committed, against SQLite's own insert rate (bench/api/ingest_bench.cc): a burst
#      of 200,000 events, which the event journal takes while application waits, and a
#      sustained run of SUSTAINED_BATCHES (1,000) batches, long enough for the journal
#      to be applied to the customer tables during it (every 500,000 events), which
#      runs beside ingest. SUSTAINED_BATCHES=4000 passes the server's bound of
#      unapplied events (2,000,000), where ingest slows to the application's rate.
#   bash bench/api/run.sh [SECONDS] [CUSTOMERS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-10}" customers="${2:-100000}" warmup="${WARMUP:-5}" port="${FINCRM_BENCH_PORT:-18290}"
bash scripts/install-deps.sh --bench >/dev/null
bash scripts/build.sh fincrm ingest_bench >/dev/null
fincrm=build/src/cli/fincrm
db="$(bash bench/demo_db.sh "$customers")"
mkdir -p bench/work
"$fincrm" user list --db "$db" | grep -q '^apibench ' ||
  echo 'bench-password-1' | "$fincrm" user add --db "$db" --login apibench --role admin --password-stdin >/dev/null

"$fincrm" serve --db "$db" --listen "127.0.0.1:$port" --max-connections-per-address 0 >/dev/null 2>bench/work/serve.log &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/healthz" | grep -q '"events_ready":true' && break
  sleep 1
done
export FINCRM_TOKEN=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"login":"apibench","password":"bench-password-1"}' | sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')
export FINCRM_CUSTOMERS="$customers"

# Each measurement starts once the server has finished the previous one's background
# work (audit entries of a burst of reads, WAL checkpoints, journal application,
# rescoring): until it uses under 5% of a core for two seconds in a row, at most 90 s.
settle() {
  local quiet=0 before after
  for _ in $(seq 1 90); do
    before=$(awk '{print $14 + $15}' /proc/$server/stat)
    sleep 1
    after=$(awk '{print $14 + $15}' /proc/$server/stat)
    if [ $((after - before)) -le 5 ]; then quiet=$((quiet + 1)); else quiet=0; fi
    [ $quiet -ge 2 ] && return
  done
}

run() {  # conns route-args... -> "req/s p50 p99"
  local conns=$1; shift
  settle
  wrk -t2 -c"$conns" -d"${warmup}s" "$@" >/dev/null
  wrk -t2 -c"$conns" -d"${seconds}s" --latency "$@" |
    awk '/Requests\/sec/ {r=$2} $1 == "50%" {p50=$2} $1 == "99%" {p99=$2} /Non-2xx/ {bad=$4} END {print r, p50, p99, bad+0}'
}
cold="$(wrk -t2 -c64 -d"${WARMUP_360:-40}s" -s bench/api/customer360.lua "http://127.0.0.1:$port" | awk '/Requests\/sec/ {print $2}')"
echo "360 while the view cache fills (first ${WARMUP_360:-40} s, 64 conns): $cold req/s"
printf "%-10s %6s %10s %10s %10s %8s\n" route conns "req/s" p50 p99 "non-2xx"
for conns in 64 1000; do
  read -r t_rate t50 t99 tbad <<<"$(run "$conns" "http://127.0.0.1:$port/api/v1/ping")"
  read -r c_rate c50 c99 cbad <<<"$(run "$conns" -s bench/api/customer360.lua "http://127.0.0.1:$port")"
  printf "%-10s %6s %10s %10s %10s %8s\n" trivial "$conns" "$t_rate" "$t50" "$t99" "$tbad"
  printf "%-10s %6s %10s %10s %10s %8s\n" 360 "$conns" "$c_rate" "$c50" "$c99" "$cbad"
  printf "360 / trivial at %s connections: %.2f\n" "$conns" "$(echo "$c_rate / $t_rate" | bc -l)"
done
echo "== event ingest: a burst of 200,000 events"
settle
build/bench/ingest_bench 127.0.0.1 "$port" "$FINCRM_TOKEN" "$db" 200 1000 8
echo "== event ingest: sustained, ${SUSTAINED_BATCHES:-1000} batches (journal application included)"
settle
build/bench/ingest_bench 127.0.0.1 "$port" "$FINCRM_TOKEN" "$db" "${SUSTAINED_BATCHES:-1000}" 1000 8
