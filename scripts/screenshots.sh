#!/usr/bin/env bash
# `npm run screenshots`: refreshes the README's screenshots (docs/screenshots/*.png). The e2e
# tests tagged @readme write them to .tmp/screenshots/ on Chromium (every test run does, so no
# run rewrites tracked files); this runs just those tests and copies the images over.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .tmp/screenshots
npx playwright test --project=chromium --grep @readme
shopt -s nullglob
shots=(.tmp/screenshots/*.png)
if [ ${#shots[@]} -eq 0 ]; then
  echo "no screenshots were written to .tmp/screenshots" >&2
  exit 1
fi
mkdir -p docs/screenshots
cp "${shots[@]}" docs/screenshots/
echo "updated: ${shots[*]##*/} (review with git diff --stat docs/screenshots)"
