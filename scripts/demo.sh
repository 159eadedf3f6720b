#!/usr/bin/env bash
# One command from a fresh clone to a running Tokui with a local demo shop:
# Node 22, dependencies, database (embedded SQLite by default), build, then the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run setup
npm run build
exec node_modules/.bin/tsx scripts/demo.ts "$@"
