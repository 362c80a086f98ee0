#!/usr/bin/env bash
# CPU time the server spends per single-record evaluation, under wrk load on loopback.
# Unlike requests/s and p99, this figure barely moves when other work shares the
# machine, so optimisations of the server can be compared on a busy box.
#
# Usage: bench/load/cpu_per_request.sh [BUILD_DIR] [CONNECTIONS] [SECONDS] [SERVE_OPTIONS...]
#        (from the repository root; default: build 64 10)
# Prints: requests answered, server task-clock (CPU ms) over them, CPU-us per request,
# context switches per request, and wrk's own requests/s and p99 (wall clock: noise on a busy box).
# wrk runs one thread, as in run.sh (see Scheduling there).
# Needs perf (linux-perf) allowed to watch our own process (kernel.perf_event_paranoid <= 2).
set -euo pipefail
BUILD=${1:-build}
CONNECTIONS=${2:-64}
SECONDS_EACH=${3:-10}
shift $(( $# < 3 ? $# : 3 ))
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(realpath "$BUILD/segrule")
command -v wrk >/dev/null || { echo "cpu_per_request.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
command -v perf >/dev/null || { echo "cpu_per_request.sh: perf is not installed (apt-get install linux-perf)" >&2; exit 2; }

source "$HERE/server.sh"

start_server 5 "$BIN" serve --rules "$TMP/rules" --port 0 "$@"

evaluated() { curl -s "$URL/metrics" | awk '/^segrule_records_evaluated_total / {print $2}'; }
# Warm-up: connections open, pool threads started, allocator caches filled.
wrk -t1 -c"$CONNECTIONS" -d1s -s "$HERE/post_record.lua" "$URL" >/dev/null
# utime and stime of the server (fields 14 and 15 of /proc/PID/stat, in clock ticks):
# user time is the server's own code and libraries, system time the kernel's share.
cpu_ticks() { awk '{print $14, $15}' "/proc/$SERVER/stat"; }
before=$(evaluated)
read -r user_before sys_before < <(cpu_ticks)
# perf watches the server (-p) for exactly as long as wrk runs.
perf stat -x, -e task-clock,context-switches -p "$SERVER" -o "$TMP/perf" -- \
  wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency -s "$HERE/post_record.lua" "$URL" >"$TMP/wrk"
read -r user_after sys_after < <(cpu_ticks)
after=$(evaluated)
requests=$((after - before))
task_ms=$(awk -F, '$3 == "task-clock" {print $1}' "$TMP/perf")
switches=$(awk -F, '$3 == "context-switches" {print $1}' "$TMP/perf")
awk -v n="$requests" -v ms="$task_ms" -v cs="$switches" -v c="$CONNECTIONS" -v hz="$(getconf CLK_TCK)" \
  -v user=$((user_after - user_before)) -v sys=$((sys_after - sys_before)) \
  'BEGIN { printf "connections %d  requests %d  server CPU %.0f ms  CPU-us/request %.2f (user %.2f, system %.2f)  switches/request %.2f\n",
           c, n, ms, ms * 1000 / n, user * 1e6 / hz / n, sys * 1e6 / hz / n, cs / n }'
grep -E "Requests/sec|^ +(50|99)%" "$TMP/wrk" | tr -s ' ' | paste -sd' '
