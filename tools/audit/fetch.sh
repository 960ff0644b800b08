# Sourced by the run scripts. The audit registers its routes only after it starts listening,
# so fetching a suite's files retries until they are there.
fetch() { # fetch <url> <out-file> [curl args...]
  u="$1"; o="$2"; shift 2; n=0
  until curl -sSf "$@" "$u" -o "$o" 2>/dev/null; do
    n=$((n+1)); [ $n -ge 100 ] && { echo "cannot fetch $u" >&2; exit 1; }; sleep 0.2
  done
}
