#!/usr/bin/env bash
# The project's test command (`npm test`): static checks, one build, unit + integration suites
# on the embedded database, the integration suites again on PostgreSQL when TEST_DATABASE_URL
# is set, then the end-to-end suite in real browsers. Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
mkdir -p .tmp/reports
passed=0 failed=0 skipped=0 status=0

step() { printf '\n=== %s ===\n' "$*"; }

# vitest's JSON report gives the counts for the closing line.
count() {
  local f=$1
  [ -f "$f" ] || return 0
  read -r p fl sk < <(node -e '
    const r = require(require("path").resolve(process.argv[1]));
    console.log(r.numPassedTests, r.numFailedTests, (r.numPendingTests||0) + (r.numTodoTests||0));' "$f")
  passed=$((passed + p)) failed=$((failed + fl)) skipped=$((skipped + sk))
}

step "typecheck"
npx tsc --noEmit -p . || status=1

step "lint"
npx eslint . --max-warnings 0 || status=1

step "import cycles"
npm run -s check:cycles || status=1

# The build every later stage starts (scripts/stack): made here once, reused while the sources match.
step "build"
npx tsx scripts/stack/build-cli.ts || status=1
tail -n 40 "${STACK_DIST_DIR:-.next-stack}/stack-build.log" 2>/dev/null | sed -n '/^Route/,$p'

step "unit + integration (embedded PGlite)"
env -u TEST_DATABASE_URL npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/reports/vitest-pglite.json || status=1
count .tmp/reports/vitest-pglite.json

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  step "integration (PostgreSQL)"
  npx vitest run test/integration --reporter=default --reporter=json --outputFile.json=.tmp/reports/vitest-postgres.json || status=1
  count .tmp/reports/vitest-postgres.json
else
  echo "(TEST_DATABASE_URL unset: the PostgreSQL run is skipped; .ci/run sets it)"
fi

if [ -f playwright.config.ts ] && [ "${SKIP_E2E:-0}" != "1" ]; then
  step "end-to-end (Playwright)"
  rm -f .tmp/reports/playwright.json
  PLAYWRIGHT_JSON_OUTPUT_NAME=.tmp/reports/playwright.json npx playwright test --reporter=list,json || status=1
  if [ -f .tmp/reports/playwright.json ]; then
    read -r p fl sk < <(node -e '
      const r = require(process.argv[1]); const s = r.stats || {};
      console.log((s.expected||0) + (s.flaky||0), s.unexpected||0, s.skipped||0);' "$PWD/.tmp/reports/playwright.json")
    passed=$((passed + p)) failed=$((failed + fl)) skipped=$((skipped + sk))
  fi
fi

# Safari-engine smoke test on WebKitGTK's MiniBrowser, where Debian's webkit2gtk-driver is installed.
if command -v WebKitWebDriver >/dev/null && [ "${SKIP_E2E:-0}" != "1" ]; then
  step "WebKitGTK smoke test"
  npm run -s test:webkit 2>&1 | tee .tmp/reports/webkit.out || status=1
  if read -r p fl < <(grep -Eo '^[0-9]+ passed, [0-9]+ failed' .tmp/reports/webkit.out | tail -1 | awk '{print $1, $3}'); then
    passed=$((passed + p)) failed=$((failed + fl))
  fi
else
  echo "(WebKitWebDriver not installed: the WebKitGTK smoke test is skipped; .ci/run installs it)"
fi

if [ $status -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi
echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
