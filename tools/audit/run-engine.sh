#!/bin/sh
# Audit "run-script" for ENGINE mode. Invoked by the audit as: sh run-engine.sh <suite-id>
# Env (set by audit.sh): ROUTER_BIN, AUDIT_URL, GW_LISTEN, OUT_DIR
set -e
# The audit registers its routes asynchronously after it starts listening: wait for them.
fetch() { # fetch <url> <out-file> [curl args...]
  u="$1"; o="$2"; shift 2; n=0
  until curl -sSf "$@" "$u" -o "$o" 2>/dev/null; do
    n=$((n+1)); [ $n -ge 100 ] && { echo "cannot fetch $u" >&2; exit 1; }; sleep 0.2
  done
}
id="$1"
dir="$OUT_DIR/suites/$id"
mkdir -p "$dir"
fetch "$AUDIT_URL/$id/supergraph" "$dir/supergraph.graphql"
fetch "$AUDIT_URL/$id/subgraphs" "$dir/subgraphs.json" -H 'accept: application/json'
exec "$ROUTER_BIN" --supergraph "$dir/supergraph.graphql" --listen "$GW_LISTEN"
