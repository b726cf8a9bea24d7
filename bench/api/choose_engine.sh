#!/usr/bin/env bash
# The measurement behind the HTTP engine choice (docs/architecture.md): the same
# trivial JSON route served by cpp-httplib (thread pool of 1,024, TCP_NODELAY, unlimited
# keep-alive) and by Boost.Beast (event-driven, 2 threads), driven by wrk at 64 and
# 1,000 keep-alive connections on this machine.
#   bash bench/api/choose_engine.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-8}"
bash scripts/install-deps.sh --bench >/dev/null
probe=build/bench/engine_probe
mkdir -p build/bench
g++ -std=c++20 -O2 bench/api/engine_probe.cc -o "$probe" $(pkg-config --cflags --libs cpp-httplib) -lpthread
printf "%-8s %6s %12s %10s %10s\n" engine conns "req/s" "p50" "p99"
for engine in httplib beast; do
  "$probe" "$engine" 18181 & pid=$!
  sleep 0.5
  for conns in 64 1000; do
    out=$(wrk -t2 -c"$conns" -d"${seconds}s" --latency http://127.0.0.1:18181/trivial)
    printf "%-8s %6s %12s %10s %10s\n" "$engine" "$conns" "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
      "$(echo "$out" | awk '$1 == "50%" {print $2}')" "$(echo "$out" | awk '$1 == "99%" {print $2}')"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
