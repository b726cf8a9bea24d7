#!/usr/bin/env bash
# Campaigns through the server on a demo database, with a local SMTP server and SMS
# gateway endpoint (bench/campaigns/through_server.py): the audience count's latency,
# the launch, the outbox's sending, the results, for an e-mail and an SMS campaign.
#   bench/campaigns/api.sh [CUSTOMERS]   (default 100,000; the demo is generated once)
set -euo pipefail
cd "$(dirname "$0")/../.."
customers="${1:-100000}"
bash scripts/build.sh fincrm >/dev/null
db=$(bash bench/demo_db.sh "$customers")
/usr/bin/python3 bench/campaigns/through_server.py build/src/cli/fincrm "$db"
