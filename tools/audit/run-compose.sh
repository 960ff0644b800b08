#!/bin/sh
# Audit "run-script" for COMPOSE mode. Invoked by the audit as: sh run-compose.sh <suite-id>
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
here="$(cd "$(dirname "$0")" && pwd)"
dir="$OUT_DIR/suites/$id"
mkdir -p "$dir"
fetch "$AUDIT_URL/$id/supergraph" "$dir/reference.supergraph.graphql"
fetch "$AUDIT_URL/$id/subgraphs" "$dir/subgraphs.json" -H 'accept: application/json'
node "$here/gen-supergraph-yaml.mjs" "$dir/subgraphs.json" > "$dir/supergraph.yaml"
# Keep our composed output (or the composition error) for later diffing against the reference.
if "$ROUTER_BIN" compose --config "$dir/supergraph.yaml" > "$dir/composed.graphql" 2> "$dir/compose.stderr"; then
  echo ok > "$dir/compose.status"
else
  echo "failed ($?)" > "$dir/compose.status"
fi
exec "$ROUTER_BIN" --config "$dir/supergraph.yaml" --listen "$GW_LISTEN"
