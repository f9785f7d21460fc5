#!/usr/bin/env bash
# The suite holds on a busy machine (issue 17): the unit, emulator, scripts, server and
# integration suites on the embedded database, N passes in a row (default 3) while a busy loop
# keeps every core busy (stress-ng, Debian: apt-get install -y stress-ng). Prints one line per
# pass; exits non-zero if any pass failed. Needs the stack build (it is made if stale).
#   bash scripts/busy-proof.sh [passes]
set -uo pipefail
cd "$(dirname "$0")/.."
passes=${1:-3}
command -v stress-ng > /dev/null || { echo "stress-ng is not installed (apt-get install -y stress-ng)"; exit 2; }
mkdir -p .tmp/reports
nice -n 19 stress-ng --cpu "$(nproc)" --quiet &
busy=$!
trap 'kill $busy 2> /dev/null' EXIT
status=0
for i in $(seq 1 "$passes"); do
  report=.tmp/reports/busy-proof-$i.json
  rm -f "$report"
  start=$(date +%s)
  env -u TEST_DATABASE_URL npx vitest run lib emulator scripts server test/integration --reporter=dot --reporter=json --outputFile.json="$report" > ".tmp/reports/busy-proof-$i.log" 2>&1 || status=1
  load=$(cut -d' ' -f1 /proc/loadavg)
  node -e "const r=require('./$report');console.log('pass $i: '+r.numPassedTests+' passed, '+r.numFailedTests+' failed, '+r.numPendingTests+' skipped, '+r.numFailedTestSuites+' failed suites, $(( $(date +%s) - start )) s, load $load')" || status=1
done
exit $status
