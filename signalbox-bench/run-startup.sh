#!/usr/bin/env bash
# Start-up: `./signalbox serve` (launcher defaults, alone on core 0) in front of the fast fake
# upstream, with and without the JDK's ahead-of-time cache: the time from the process's start to
# its first answered request, then the p99 of its first 1,000 requests at 100 req/s against the
# p99 of the next 1,000 (warm); and the same of the floor, Netty alone relaying to the same
# upstream under the launcher's heap and collector (NettyFloorProxy, with an ahead-of-time cache of
# its own where Signalbox has one), with each of Signalbox's figures as a ratio of the floor's.
# ROUNDS (default 1) repeats the whole, the floor and Signalbox alternating. Results go to
# bench-results/startup-<time>.txt.
#
#   bash signalbox-bench/run-startup.sh
#   ROUNDS=3 bash signalbox-bench/run-startup.sh
#   SERVE_ARGS="--warm-up 100" bash signalbox-bench/run-startup.sh    # serve with those arguments
#   SERVE_JAVA_OPTS="-XX:CompileThresholdScaling=3" AOT=on bash signalbox-bench/run-startup.sh
#                                      # JVM flags after the launcher's; AOT=on or off: that mode only
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
UP=19021; SIGNALBOX=19024; FLOOR=19025
source signalbox-bench/lib.sh
bench_start startup
build_bench
./signalbox serve --config /dev/null > /dev/null 2>&1 || true   # records the AOT cache if the build is new
log "# Signalbox start-up, $(date -u +%FT%TZ), $(nproc) cores; java: $("$java" -version 2>&1 | head -1)${SERVE_ARGS:+; serve $SERVE_ARGS}${SERVE_JAVA_OPTS:+; JVM flags added: $SERVE_JAVA_OPTS}"
start_startup_target
p99() { sed -E 's/.* p99=([0-9.]+)ms.*/\1/' <<< "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
# Sets $cold and $warm: the p99s of the first 1,000 and the next 1,000 requests to URL $1, logged.
first_and_next_thousand() {
  local first_run next_run
  first_run="$(harness open 100 10 0 "$1")"; log "first 1,000 at 100 req/s: $first_run"
  next_run="$(harness open 100 10 0 "$1")"; log "next 1,000 at 100 req/s:  $next_run"
  cold="$(p99 "$first_run")"; warm="$(p99 "$next_run")"
  log "first 1,000 p99 / warm p99: $(ratio "$cold" "$warm")"
}
for round in $(seq "${ROUNDS:-1}"); do
  for aot in ${AOT:-off on}; do
    floor_until_first_answer "$aot" "$work/floor-$aot.log"
    floor_first=$first
    log ""
    log "## round $round, AOT cache $aot"
    log "floor (Netty alone), process start to first answer: $floor_first ms"
    first_and_next_thousand "$floor_url"; floor_cold=$cold
    kill "$floor"; wait "$floor" 2>/dev/null || true
    serve_until_first_answer "$aot" "${SERVE_JAVA_OPTS:-}" "$work/serve-$aot.log"
    log "Signalbox, process start to first answer: $first ms ($(ratio "$first" "$floor_first") the floor's)"
    first_and_next_thousand "$url"
    log "Signalbox's first 1,000 p99 / the floor's: $(ratio "$cold" "$floor_cold")"
    kill "$server"; wait "$server" 2>/dev/null || true
  done
done
log ""
log "# results in $out"
