#!/bin/sh
# Audit "run-script" for COMPOSE mode. Invoked by the audit as: sh run-compose.sh <suite-id>
# Env (set by audit.sh): ROUTER_BIN, AUDIT_URL, GW_LISTEN, OUT_DIR
set -e
. "$(dirname "$0")/fetch.sh"
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
