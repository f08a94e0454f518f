#!/usr/bin/env bash
# Fails when the committed bundle (dist/) or the generated JSON Schema is stale: rebuild both and
# compare with what git has. The Action runs dist/index.js as committed, so a stale bundle ships
# old code.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
if [ -n "$(git status --porcelain -- dist schema src/version.ts)" ]; then
  echo "dist/, schema/ or src/version.ts is stale: run 'npm run build' and commit the result. Differences:" >&2
  git status --porcelain -- dist schema src/version.ts >&2
  git diff --stat -- dist schema src/version.ts >&2
  exit 1
fi
echo "dist/ and schema/ are up to date"
