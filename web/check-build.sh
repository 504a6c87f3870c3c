#!/usr/bin/env bash
# Rebuilds the shipped web files from the sources and fails if they differ from what is committed,
# then runs the web clients' unit tests (node --test, web/test/).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npm run build
cd ..
git diff --exit-code -- hub/static
# A new file that the build made but nobody committed is a difference too.
untracked="$(git ls-files --others --exclude-standard -- hub/static)"
if [ -n "$untracked" ]; then
  echo "untracked build output:" >&2
  echo "$untracked" >&2
  exit 1
fi
cd web
npm test
