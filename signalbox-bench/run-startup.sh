#!/usr/bin/env bash
# Start-up: `./signalbox serve` (launcher defaults, alone on core 0) in front of the fast fake
# upstream, with and without the JDK's ahead-of-time cache: the time from the process's start to
# its first answered request, then the p99 of its first 1,000 requests at 100 req/s against the
# p99 of the next 1,000 (warm). Results go to bench-results/startup-<time>.txt.
#
#   bash signalbox-bench/run-startup.sh
#   SERVE_ARGS="--warm-up 100" bash signalbox-bench/run-startup.sh    # serve with those arguments
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
UP=19021; SIGNALBOX=19024
source signalbox-bench/lib.sh
bench_start startup
build_bench
./signalbox serve --config /dev/null > /dev/null 2>&1 || true   # records the AOT cache if the build is new
log "# Signalbox start-up, $(date -u +%FT%TZ), $(nproc) cores; java: $("$java" -version 2>&1 | head -1)${SERVE_ARGS:+; serve $SERVE_ARGS}"
start_startup_target
for aot in off on; do
  serve_until_first_answer "$aot" "" "$work/serve-$aot.log"
  log ""
  log "## AOT cache $aot"
  log "process start to first answer: $first ms"
  cold="$(harness open 100 10 0 "$url")"; log "first 1,000 at 100 req/s: $cold"
  warm="$(harness open 100 10 0 "$url")"; log "next 1,000 at 100 req/s:  $warm"
  p99() { sed -E 's/.* p99=([0-9.]+)ms.*/\1/' <<< "$1"; }
  log "first 1,000 p99 / warm p99: $(awk -v c="$(p99 "$cold")" -v w="$(p99 "$warm")" 'BEGIN {printf "%.2fx", c / w}')"
  kill "$server"; wait "$server" 2>/dev/null || true
done
log ""
log "# results in $out"
