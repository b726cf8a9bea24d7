#!/usr/bin/env bash
# Builds the web console (TypeScript, Vite, ECharts) into web/dist, which the next
# build of fincrm embeds (`fincrm serve --web-root web/dist` serves it without one). Packages come from the committed lock
# file, installed only when it changed since the last install. `npm install` rather
# than `npm ci`: this machine's npm writes lock files without other platforms'
# optional packages (rollup's and esbuild's binaries), which `npm ci` then rejects;
# `npm install` keeps the locked versions.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm install --no-audit --no-fund --loglevel=error
  touch node_modules
fi
npm run build --silent >/dev/null
echo "web console built into web/dist"
