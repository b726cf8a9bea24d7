#!/usr/bin/env bash
# The campaigns' audience count against SQLite on the same database, and the outbox's
# durable throughput to a local SMS endpoint:
#   bench/campaigns/run.sh [CUSTOMERS] [MESSAGES]   (default 1,000,000 and 100,000; the demo is generated once)
set -euo pipefail
cd "$(dirname "$0")/../.."
customers="${1:-1000000}"
messages="${2:-100000}"
bash scripts/build.sh campaign_bench fincrm >/dev/null
db=$(bash bench/demo_db.sh "$customers")
./build/bench/campaign_bench "$db" "$messages"
