# Sourced by the load scripts (run from the repository root): a temporary
# directory with a copy of rulesets/retail-2025.seg in $TMP/rules, a server
# started in the background, and both cleaned up on exit.
TMP=$(mktemp -d)
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
mkdir "$TMP/rules"
cp rulesets/retail-2025.seg "$TMP/rules/"

# start_server SECONDS COMMAND...: runs COMMAND (a `segrule serve --port 0 ...`,
# perhaps under valgrind) with stdout in $TMP/out and stderr (the access log) in
# $TMP/log, waits up to SECONDS for "listening on URL", and sets SERVER and URL.
start_server() {
  local seconds=$1
  shift
  "$@" >"$TMP/out" 2>"$TMP/log" &
  SERVER=$!
  for _ in $(seq $((seconds * 10))); do grep -q listening "$TMP/out" 2>/dev/null && break; sleep 0.1; done
  URL=$(sed -n 's/^listening on //p' "$TMP/out")
  [ -n "$URL" ] || { echo "$(basename "$0"): the server did not start" >&2; cat "$TMP/log" >&2; exit 1; }
}
