#!/usr/bin/env bash
# User-space instructions the server executes per single-record evaluation, counted
# by valgrind (callgrind) over a fixed number of keep-alive requests. The count does
# not depend on what else runs on the machine, so it tells small changes of the
# server's own code apart where CPU time (cpu_per_request.sh) is too noisy. It does
# not see the kernel's share (polls, sends, context switches): compare those with
# cpu_per_request.sh.
#
# Usage: bench/load/instructions_per_request.sh [BUILD_DIR] [REQUESTS] [CONNECTIONS]
#        (from the repository root; default: build 2000 4)
# REQUESTS should be a multiple of CONNECTIONS. Prints instructions per request, then,
# with SHOW_FUNCTIONS=1, the functions that execute the most: first inclusive of what
# they call (the first SHOW_LINES lines, default 60), then by their own instructions.
set -euo pipefail
BUILD=${1:-build}
REQUESTS=${2:-2000}
CONNECTIONS=${3:-4}
BIN=$(realpath "$BUILD/segrule")
command -v valgrind >/dev/null || { echo "instructions_per_request.sh: valgrind is not installed" >&2; exit 2; }

HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/server.sh"

# Counting starts switched off: start-up and warm-up are not counted.
start_server 60 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$TMP/callgrind.out" \
  "$BIN" serve --rules "$TMP/rules" --port 0 --threads 16

# A keep-alive client: CONNECTIONS connections, each POSTing the first record of
# examples/customers.jsonl COUNT times; every answer must be a 200.
client() {
  python3 - "$URL" "$1" "$CONNECTIONS" <<'PY'
import http.client, sys, threading, urllib.parse
url, count, connections = urllib.parse.urlsplit(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
record = open("examples/customers.jsonl", "rb").readline().strip()
failures = []
def run(n):
    try:
        c = http.client.HTTPConnection(url.hostname, url.port)
        for _ in range(n):
            c.request("POST", "/v1/rulesets/retail_2025/evaluate", record, {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            if r.status != 200: failures.append(r.status)
    except Exception as e:
        failures.append(repr(e))
threads = [threading.Thread(target=run, args=(count // connections,)) for _ in range(connections)]
for t in threads: t.start()
for t in threads: t.join()
sys.exit("client: failed requests: %r" % failures[:5] if failures else 0)
PY
}
client 200
callgrind_control -i on "$SERVER" >/dev/null
client "$REQUESTS"
callgrind_control -i off "$SERVER" >/dev/null
callgrind_control -d "$SERVER" >/dev/null
kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=""
# The dump holds the counted requests (the file written at exit counted nothing more).
total=$(awk '/^totals:/ {sum += $2} END {print sum}' "$TMP"/callgrind.out*)
awk -v t="$total" -v n="$REQUESTS" 'BEGIN { printf "requests %d  user-space instructions/request %.0f\n", n, t / n }'
if [ "${SHOW_FUNCTIONS:-0}" = 1 ]; then
  callgrind_annotate --inclusive=yes "$TMP"/callgrind.out.1 2>/dev/null | sed -n "1,${SHOW_LINES:-60}p"
  callgrind_annotate "$TMP"/callgrind.out.1 2>/dev/null | sed -n "1,50p"
fi
