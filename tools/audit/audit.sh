#!/bin/sh
# Runs the federation-gateway-audit (graphql-hive/federation-gateway-audit, checked out and
# `npm install`ed outside this repository) against our router binary.
# Usage: tools/audit/audit.sh <engine|compose> <router-binary> [suite-id]
#   engine  : router --supergraph <the audit's own composed supergraph>
#   compose : router --config <rover supergraph.yaml written from the suite's subgraph list>
# Env: FGA_DIR (the audit checkout, required), OUT (default .dev/audit/<mode>),
#      GW_PORT (4455), AUDIT_PORT (4200), GATEWAY_TIMEOUT (ms to wait for /health, 30000)
set -e
mode="$1"; bin="$2"; suite="$3"
case "$mode" in engine|compose) ;; *) echo "usage: $0 <engine|compose> <router-binary> [suite-id]" >&2; exit 2;; esac
[ -x "$bin" ] || { echo "router binary not executable: $bin" >&2; exit 2; }
[ -n "$FGA_DIR" ] && [ -d "$FGA_DIR/node_modules" ] || {
  echo "set FGA_DIR to a checkout of graphql-hive/federation-gateway-audit with its npm dependencies installed (see tools/audit/README.md)" >&2
  exit 2
}
here="$(cd "$(dirname "$0")" && pwd)"
export ROUTER_BIN="$(realpath "$bin")"
GW_PORT="${GW_PORT:-4455}"
AUDIT_PORT="${AUDIT_PORT:-4200}"
export AUDIT_URL="http://localhost:$AUDIT_PORT"
export GW_LISTEN="127.0.0.1:$GW_PORT"
export OUT_DIR="$(realpath -m "${OUT:-$here/../../.dev/audit/$mode}")"
export GATEWAY_TIMEOUT="${GATEWAY_TIMEOUT:-30000}"
# The audit calls Promise.withResolvers (Node 22+); on older Node, polyfill it.
export NODE_OPTIONS="--import $here/polyfill.mjs"
mkdir -p "$OUT_DIR"
cd "$FGA_DIR"
common="--cwd $OUT_DIR --run-script $here/run-$mode.sh --graphql http://127.0.0.1:$GW_PORT/graphql --healthcheck http://127.0.0.1:$GW_PORT/health --port $AUDIT_PORT"
if [ -n "$suite" ]; then
  exec ./node_modules/.bin/tsx src/cli.ts test-suite --test "$suite" $common --reporter tap
fi
./node_modules/.bin/tsx src/cli.ts test $common --reporter dot --write results.txt
node "$here/summarize.mjs" "$OUT_DIR" | tee "$OUT_DIR/summary.md"
