#!/usr/bin/env bash
# Import benchmark: a trades CSV into SQLite by `fincrm import`, against the sqlite3
# command-line shell's `.import` of the same file into the same schema (the peer).
#
#   bash bench/import/run.sh [CUSTOMERS]     (default 100000: about 2.9M trades)
#
# Both start from a copy of one database that already holds branches, staff,
# customers and accounts (fincrm's schema: 16 KiB pages, WAL). Each side runs three
# times on a fresh copy; the best run counts. The peer runs twice: with the
# schema's foreign keys enforced and synchronous=FULL (what fincrm guarantees), and
# with the shell's defaults (foreign keys off). The ratio is against the faster.
set -euo pipefail
cd "$(dirname "$0")/../.."
customers="${1:-100000}"

bash scripts/install-deps.sh
bash scripts/build.sh fincrm >/dev/null
fincrm="$PWD/build/src/cli/fincrm"

work=$(mktemp -d /tmp/fincrm-bench-import.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$fincrm" demo-data --csv "$work/csv" --customers "$customers" --seed 7 >/dev/null
"$fincrm" init --db "$work/base.db" >/dev/null
for kind in branches staff products customers accounts; do
  "$fincrm" import --db "$work/base.db" "$kind" "$work/csv/$kind.csv" >/dev/null
done
sqlite3 "$work/base.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
trades="$work/csv/trades.csv"
rows=$(($(wc -l <"$trades") - 1))
size_mb=$(($(stat -c %s "$trades") / 1048576))

fresh_copy() { rm -f "$work/run.db" "$work/run.db-wal" "$work/run.db-shm"; cp "$work/base.db" "$work/run.db"; }
now() { date +%s.%N; }
best_of_three() {  # prints the best wall time of three runs of "$@" on fresh copies
  local best=""
  for _ in 1 2 3; do
    fresh_copy
    local start end
    start=$(now)
    "$@" >/dev/null
    end=$(now)
    local t
    t=$(echo "$end - $start" | bc -l)
    if [[ -z "$best" ]] || (($(echo "$t < $best" | bc -l))); then best=$t; fi
    local stored
    stored=$(sqlite3 "$work/run.db" "SELECT COUNT(*) FROM trades")
    [[ "$stored" == "$rows" ]] || { echo "stored $stored rows, expected $rows" >&2; exit 1; }
  done
  echo "$best"
}

ours=$(best_of_three "$fincrm" import --db "$work/run.db" trades "$trades")
peer_fk=$(best_of_three sqlite3 "$work/run.db" "PRAGMA foreign_keys=ON" "PRAGMA synchronous=FULL" \
  ".import --csv --skip 1 $trades trades")
peer_plain=$(best_of_three sqlite3 "$work/run.db" ".import --csv --skip 1 $trades trades")

rate() { printf "%.0f" "$(echo "$rows / $1" | bc -l)"; }
peer_best=$peer_fk
(($(echo "$peer_plain < $peer_fk" | bc -l))) && peer_best=$peer_plain
printf "trades CSV: %d rows, %d MiB, %d customers, SQLite %s\n" "$rows" "$size_mb" "$customers" "$(sqlite3 --version | cut -d' ' -f1)"
printf "fincrm import                         %6.2f s  %9s rows/s\n" "$ours" "$(rate "$ours")"
printf "sqlite3 .import (FKs on, sync FULL)   %6.2f s  %9s rows/s\n" "$peer_fk" "$(rate "$peer_fk")"
printf "sqlite3 .import (shell defaults)      %6.2f s  %9s rows/s\n" "$peer_plain" "$(rate "$peer_plain")"
printf "ratio fincrm / fastest peer: %.2fx\n" "$(echo "$peer_best / $ours" | bc -l)"
