#!/bin/sh
# Audit "run-script" for ENGINE mode. Invoked by the audit as: sh run-engine.sh <suite-id>
# Env (set by audit.sh): ROUTER_BIN, AUDIT_URL, GW_LISTEN, OUT_DIR
set -e
. "$(dirname "$0")/fetch.sh"
id="$1"
dir="$OUT_DIR/suites/$id"
mkdir -p "$dir"
fetch "$AUDIT_URL/$id/supergraph" "$dir/supergraph.graphql"
fetch "$AUDIT_URL/$id/subgraphs" "$dir/subgraphs.json" -H 'accept: application/json'
exec "$ROUTER_BIN" --supergraph "$dir/supergraph.graphql" --listen "$GW_LISTEN"
