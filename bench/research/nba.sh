#!/usr/bin/env bash
# One customer's next-best actions and suitability check through the server, as a
# client sees them (HTTP on loopback, keep-alive, one request at a time):
#   bench/research/nba.sh [CUSTOMERS]   (default 1,000,000; the demo is generated once)
# Prints mean, p50 and p99 over 1,000 random customers for each route.
set -euo pipefail
cd "$(dirname "$0")/../.."
customers="${1:-1000000}"
bash scripts/build.sh fincrm >/dev/null
db=$(bash bench/demo_db.sh "$customers")
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
fincrm=build/src/cli/fincrm
"$fincrm" user list --db "$db" | grep -q '^bench-admin ' ||
  echo "bench-password-1" | "$fincrm" user add --db "$db" --login bench-admin --role admin --password-stdin >/dev/null
"$fincrm" serve --db "$db" --listen 127.0.0.1:18620 >"$work/serve.log" 2>&1 &
server=$!
# Measured once the live facts have loaded (the load takes a core for tens of seconds).
for _ in $(seq 1 1200); do curl -sf http://127.0.0.1:18620/healthz | grep -q '"events_ready":true' && break; sleep 0.5; done
sqlite3 "$db" "SELECT customer_id FROM customers WHERE status != 'closed' ORDER BY random() LIMIT 1000" >"$work/ids"
/usr/bin/python3 - "$work/ids" <<'PY'
import http.client, json, statistics, sys, time
ids = open(sys.argv[1]).read().split()
c = http.client.HTTPConnection("127.0.0.1", 18620)
c.request("POST", "/api/v1/auth/login", json.dumps({"login": "bench-admin", "password": "bench-password-1"}),
          {"Content-Type": "application/json"})
token = json.loads(c.getresponse().read())["token"]
auth = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
def measure(name, call):
    times = []
    for i, cid in enumerate(ids):
        start = time.perf_counter()
        status = call(cid, i)
        times.append((time.perf_counter() - start) * 1000)
        if status != 200:
            sys.exit(f"{name}: {cid} answered {status}")
    times.sort()
    print(f"{name}: mean {statistics.mean(times):.2f} ms, p50 {times[len(times) // 2]:.2f} ms, "
          f"p99 {times[len(times) * 99 // 100]:.2f} ms ({len(times)} customers)")
def nba(cid, i):
    c.request("GET", f"/api/v1/customers/{cid}/next-best-actions", headers=auth)
    r = c.getresponse(); r.read(); return r.status
def check(cid, i):
    body = json.dumps({"customer_id": cid, "risk_level": f"R{i % 5 + 1}", "purpose": "promotion"})
    c.request("POST", "/api/v1/suitability/check", body, auth)
    r = c.getresponse(); r.read(); return r.status
for _ in range(2):  # the first pass reads the customers' pages from disk, the second from the cache
    measure("next-best actions", nba)
    measure("suitability check", check)
PY
