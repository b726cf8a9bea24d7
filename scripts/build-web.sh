#!/usr/bin/env bash
# Builds the web console (TypeScript, Vite, ECharts) into web/dist, which
# `fincrm serve --web-root web/dist` serves. npm ci runs only when the lock file
# changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules
fi
npm run build --silent >/dev/null
echo "web console built into web/dist"
