"""The screen pop's lookups as plain SQL in SQLite, the peer of bench/service/run.sh:
per phone number the customer by mobile, their score, open tickets, open return
visits and open callbacks, on one connection, in Debian's python3-sqlite3 (a thin C
wrapper). Prints lookups/s and p50/p99 in ms.
   /usr/bin/python3 sqlite_peer.py DB PHONES_FILE SECONDS"""
import sqlite3, sys, time

db, phones_file, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
from urllib.parse import unquote
# The file holds the numbers as the PBX writes them, URL-encoded ("%2B86%20138-0013-8000").
phones = [unquote(line.strip()).replace("+86 ", "").replace("-", "") for line in open(phones_file) if line.strip()]
c = sqlite3.connect(db)
queries = [
    "SELECT customer_id, name, branch_id, broker_id, status, risk_level FROM customers WHERE mobile = ?1",
]
per_customer = [
    "SELECT tier, churn_risk, churn_reasons FROM customer_scores WHERE customer_id = ?1",
    "SELECT ticket_id, type, state, subject, resolution_due FROM tickets WHERE customer_id = ?1 AND state NOT IN ('resolved','closed') LIMIT 50",
    "SELECT visit_id, reason, due_on FROM return_visits WHERE customer_id = ?1 AND closed = 0 LIMIT 20",
    "SELECT callback_id, owner, due_at, note FROM callbacks WHERE customer_id = ?1 AND state = 'open' ORDER BY due_at LIMIT 20",
]
latencies, i, end = [], 0, time.perf_counter() + seconds
while time.perf_counter() < end:
    start = time.perf_counter()
    phone = phones[(i * 7919) % len(phones)]
    i += 1
    for row in c.execute(queries[0], (phone,)).fetchall():
        for q in per_customer:
            c.execute(q, (row[0],)).fetchall()
    latencies.append(time.perf_counter() - start)
latencies.sort()
print(f"{len(latencies) / seconds:.0f} {latencies[len(latencies) // 2] * 1000:.3f} {latencies[int(len(latencies) * 0.99)] * 1000:.3f}")
