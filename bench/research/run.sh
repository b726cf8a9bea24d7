#!/usr/bin/env bash
# Research matching and the suitability gate against SQLite on the same database:
#   bench/research/run.sh [CUSTOMERS]   (default 1,000,000; the demo is generated once)
set -euo pipefail
cd "$(dirname "$0")/../.."
customers="${1:-1000000}"
bash scripts/build.sh research_bench fincrm >/dev/null
db=$(bash bench/demo_db.sh "$customers")
./build/bench/research_bench "$db"
