#!/usr/bin/env bash
# The project's test command (`npm test`): static checks, one build, unit + integration suites
# on the embedded database, every suite that touches a database again on PostgreSQL when
# TEST_DATABASE_URL is set, the scale-out test behind HAProxy, then the end-to-end suite in real
# browsers and the WebKitGTK smoke test. Ends with one "N passed, N failed, N skipped" line, then every stage that did not run.
#
# Counts cannot flatter a run: each stage's report is deleted before it runs (a crash reports
# nothing, never the last run's numbers); a suite that fails outside its tests (beforeAll) is a
# failure and its tests "not run"; Playwright's flaky count is failures. A stage that does not
# run says why; with CI=true every stage is expected, so a skipped one fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
REPORTS=.tmp/reports
mkdir -p "$REPORTS"
passed=0 failed=0 skipped=0 not_run=0 status=0
not_run_stages=()

step() { printf '\n=== %s ===\n' "$*"; }

fail() {
  echo "FAILED: $*"
  failed=$((failed + 1)) status=1
}

# A stage that does not run: printed with its reason; in CI it was expected, so it fails the run.
skip_stage() {
  local stage=$1 reason=$2
  printf '\n=== %s: SKIPPED (%s) ===\n' "$stage" "$reason"
  not_run_stages+=("$stage: $reason")
  if [ "${CI:-}" = "true" ]; then fail "CI expects the stage \"$stage\" to run"; fi
}

# Adds a stage's counts from its JSON report; a missing report means the runner itself crashed.
count() {
  local kind=$1 file=$2 p fl sk nr
  if [ ! -s "$file" ]; then
    fail "no $kind report ($file): the runner crashed before writing it"
    return
  fi
  if ! read -r p fl sk nr < <(node --import tsx scripts/report-counts.ts "$kind" "$file"); then
    fail "unreadable $kind report ($file)"
    return
  fi
  echo "stage counts: ${p} passed, ${fl} failed, ${sk} skipped, ${nr} not run"
  passed=$((passed + p)) failed=$((failed + fl)) skipped=$((skipped + sk)) not_run=$((not_run + nr))
  if [ "$fl" -gt 0 ]; then status=1; fi
}

# `vitest_stage <report> <vitest command...>`: a fresh JSON report; a non-zero exit or failures
# in the report fail the run.
vitest_stage() {
  local report=$1
  shift
  rm -f "$report"
  "$@" --reporter=default --reporter=json --outputFile.json="$report" || status=1
  count vitest "$report"
}

step "typecheck"
npx tsc --noEmit -p . || fail "typecheck"

step "lint"
npx eslint . --max-warnings 0 || fail "lint"

step "import cycles"
npm run -s check:cycles || fail "import cycles"

step "Dockerfile and compose.yaml"
npm run -s lint:docker || fail "Dockerfile and compose.yaml"

# The build every later stage starts (scripts/stack): made here once, reused while the sources match.
step "build"
if npx tsx scripts/stack/build-cli.ts; then
  tail -n 40 "${STACK_DIST_DIR:-.next-stack}/stack-build.log" 2>/dev/null | sed -n '/^Route/,$p'
else
  tail -n 80 "${STACK_DIST_DIR:-.next-stack}/stack-build.log" 2>/dev/null
  fail "build"
fi

step "unit + integration (embedded PGlite)"
vitest_stage "$REPORTS/vitest-pglite.json" env -u TEST_DATABASE_URL npx vitest run

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  # Every suite with a PostgreSQL branch: the integration suites, and the unit suites that open
  # a database through the test helpers (two purgers at once, migrations, the purge CLI, GDPR
  # reporting, the product cache, Forge adoption, the emulator's Forge run).
  mapfile -t pg_units < <(grep -rlE --include='*.test.ts' 'openTestDb|testDatabaseKind|databaseOptions|freshPostgresDatabase|TEST_DATABASE_URL|startApp' lib emulator scripts | sort)
  step "PostgreSQL: test/integration and ${#pg_units[@]} unit suites that open a database"
  printf '  %s\n' "${pg_units[@]}"
  vitest_stage "$REPORTS/vitest-postgres.json" npx vitest run test/integration "${pg_units[@]}"
else
  skip_stage "PostgreSQL" "TEST_DATABASE_URL is not set (.ci/run sets it)"
fi

# Scale-out on loopback (scripts/scale-test): its own PostgreSQL, three instances of the build
# behind HAProxy with TLS, a mixed load through a secret rotation, a rolling restart and a SIGKILL.
# One test in the totals; its report is .tmp/reports/scale.json.
if [ ! -x "${SCALE_HAPROXY_BIN:-/usr/sbin/haproxy}" ] || [ ! -x "${SCALE_PG_BIN:-/usr/lib/postgresql/15/bin}/postgres" ] || ! command -v openssl > /dev/null; then
  skip_stage "scale-out test" "HAProxy, PostgreSQL 15 or openssl is not installed (apt-get install -y haproxy postgresql openssl; .ci/run installs them)"
else
  step "scale-out: 3 instances behind HAProxy; rolling restart and SIGKILL under load"
  if npm run -s scale:test; then passed=$((passed + 1)); else fail "scale-out test (report: $REPORTS/scale.json)"; fi
fi

if [ "${SKIP_E2E:-0}" = "1" ]; then
  skip_stage "end-to-end (Playwright)" "SKIP_E2E=1"
  skip_stage "WebKitGTK smoke test" "SKIP_E2E=1"
else
  step "end-to-end (Playwright)"
  rm -f "$REPORTS/playwright.json"
  PLAYWRIGHT_JSON_OUTPUT_NAME="$REPORTS/playwright.json" npx playwright test --reporter=list,json || status=1
  count playwright "$REPORTS/playwright.json"

  # Safari-engine smoke test on WebKitGTK's MiniBrowser (Debian's webkit2gtk-driver).
  if ! command -v WebKitWebDriver > /dev/null; then
    skip_stage "WebKitGTK smoke test" "WebKitWebDriver is not installed (apt-get install -y webkit2gtk-driver xvfb; .ci/run installs it)"
  else
    step "WebKitGTK smoke test"
    rm -f "$REPORTS/webkit.out"
    npm run -s test:webkit 2>&1 | tee "$REPORTS/webkit.out" || status=1
    if read -r p fl < <(grep -Eo '^[0-9]+ passed, [0-9]+ failed' "$REPORTS/webkit.out" | tail -1 | awk '{print $1, $3}'); then
      passed=$((passed + p)) failed=$((failed + fl))
      if [ "$fl" -gt 0 ]; then status=1; fi
    elif reason=$(grep -Eo 'skipped: .*' "$REPORTS/webkit.out" | tail -1) && [ -n "$reason" ]; then
      skip_stage "WebKitGTK smoke test" "${reason#skipped: }"
    else
      fail "the WebKitGTK smoke test printed no result"
    fi
  fi
fi

if [ $status -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi
echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped$([ "$not_run" -gt 0 ] && echo ", ${not_run} not run (their suite failed)")"
for s in "${not_run_stages[@]}"; do echo "stage not run: $s"; done
exit $status
