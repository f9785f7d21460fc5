#!/usr/bin/env bash
# Quick start: the built app plus a local Jira/Confluence emulator, with the app installed into
# the emulated site. Open the printed URL; Ctrl-C stops both.
#   npm run dev:emulator            (or: bash scripts/dev.sh [--fresh])
#   APP_PORT (4200), EMU_PORT (4100; install keys on EMU_PORT+1), DATA_DIR (.tmp/emu-dev),
#   NEXT_DIST_DIR (.next-emu). DATABASE_URL, if set, is used instead of the embedded database.
set -euo pipefail
cd "$(dirname "$0")/.."

APP_PORT=${APP_PORT:-4200}
EMU_PORT=${EMU_PORT:-4100}
DIST=${NEXT_DIST_DIR:-.next-emu}
DATA_DIR=${DATA_DIR:-.tmp/emu-dev}
APP_URL="http://localhost:$APP_PORT"
EMU_URL="http://localhost:$EMU_PORT"

if [ "${1:-}" = "--fresh" ]; then rm -rf "$DATA_DIR"; fi
mkdir -p "$DATA_DIR"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$APP_PORT" "$EMU_PORT" "$((EMU_PORT + 1))"; do
  if port_busy "$p"; then echo "port $p is in use: set APP_PORT / EMU_PORT" >&2; exit 1; fi
done

# Build only when sources are newer than the last build.
if [ ! -f "$DIST/BUILD_ID" ] || [ -n "$(find app lib public prisma instrumentation.ts next.config.js package.json -newer "$DIST/BUILD_ID" -type f -print -quit 2>/dev/null)" ]; then
  echo "building the app into $DIST (about 30 s)…"
  if ! NEXT_DIST_DIR="$DIST" NEXT_TELEMETRY_DISABLED=1 npx next build >"$DATA_DIR/build.log" 2>&1; then
    cat "$DATA_DIR/build.log" >&2; echo "build failed" >&2; exit 1
  fi
fi

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo; echo "stopped the app and the emulator"
}
trap cleanup INT TERM EXIT

EMU_PORT="$EMU_PORT" EMU_APP_URL="$APP_URL" EMU_INSTALL=1 EMU_FORGE_APP_ID="${FORGE_APP_ID:-7e57f0e9-0000-4000-8000-00000000f0e9}" EMU_STATE_FILE="$DATA_DIR/emulator-sites.json" \
  node --import tsx emulator/server.ts >"$DATA_DIR/emulator.log" 2>&1 &
pids+=($!)

APP_ENV=development NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 NEXT_DIST_DIR="$DIST" \
  APP_BASE_URL="$APP_URL" DATA_DIR="$DATA_DIR/app" \
  CONNECT_KEYS_CDN_URL="http://localhost:$((EMU_PORT + 1))" \
  ALLOWED_PRODUCT_HOSTS="localhost:$EMU_PORT,127.0.0.1:$EMU_PORT" \
  AP_JS_URL="$EMU_URL/atlassian-connect/all.js" OAUTH_AUTH_SERVER_URL="$EMU_URL" \
  FORGE_JWKS_URL="$EMU_URL/.well-known/jwks.json" FORGE_APP_ID="${FORGE_APP_ID:-7e57f0e9-0000-4000-8000-00000000f0e9}" \
  node node_modules/next/dist/bin/next start -p "$APP_PORT" -H 127.0.0.1 >"$DATA_DIR/app.log" 2>&1 &
pids+=($!)

echo "starting the app on $APP_URL and the emulator on $EMU_URL (logs in $DATA_DIR/)…"
for _ in $(seq 1 600); do
  if grep -q '^EMULATOR_READY' "$DATA_DIR/emulator.log" 2>/dev/null; then break; fi
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "a process exited early:" >&2; tail -n 30 "$DATA_DIR/app.log" "$DATA_DIR/emulator.log" >&2; exit 1
    fi
  done
  sleep 0.2
done
grep -E '^(install|the app refused)' "$DATA_DIR/emulator.log" || true

cat <<MSG

  Open ${EMU_URL}/browse/DEMO-1   (the issue view with the app's panel)
  Admin page, general page and the user / language / license switcher are in its header.
  Emulator controls (install, uninstall, faults, logs): ${EMU_URL}/_emu

  Ctrl-C stops both.
MSG
wait -n "${pids[@]}" || true
