#!/usr/bin/env bash
# A replica that starts under load: a fresh `./signalbox serve` (the load benchmark's rules route,
# lib.sh's write_rules_route_config; alone on core 0) in front of the fast fake upstream, saturated by
# a closed loop from its first second (wrk, 64 connections, on core 1): the throughput of each of
# WINDOWS back-to-back 10 s windows. One row per value of the launcher's SIGNALBOX_JIT_NICE in
# NICES (the JIT's compiler threads' niceness; 0 leaves them be), ROUNDS times, alternating. Results
# go to bench-results/saturated-start-<time>.txt.
#
#   bash signalbox-bench/run-saturated-start.sh
#   NICES="10 5 0" ROUNDS=1 WINDOWS=6 bash signalbox-bench/run-saturated-start.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
NICES="${NICES:-10 0}"
ROUNDS="${ROUNDS:-2}"
WINDOWS="${WINDOWS:-9}"
UP=19201; SIGNALBOX=19204
source signalbox-bench/lib.sh
bench_start saturated-start
build_bench
./signalbox serve --config /dev/null > /dev/null 2>&1 || true   # records the AOT cache if the build is new
start_fast_upstream "$UP"; pids+=("$pid"); wait_port "$UP"
write_rules_route_config "$work/signalbox.yaml" "$SIGNALBOX" "$UP"
lua="$work/post.lua"; write_wrk_post "$lua"
url="http://127.0.0.1:$SIGNALBOX/v1/chat/completions"
log "# Signalbox started under a saturating closed loop, $(date -u +%FT%TZ), $(nproc) cores, $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ', changed')"
log "# req/s in each 10 s window from the start, per SIGNALBOX_JIT_NICE"
for round in $(seq "$ROUNDS"); do
  for nice in $NICES; do
    SIGNALBOX_JIT_NICE="$nice" serve_gateway "" "$work/serve-$nice.log"
    windows=""
    for _ in $(seq "$WINDOWS"); do
      windows="$windows $(taskset -c 1 wrk -t1 -c64 -d10s -s "$lua" "$url" | awk '/Requests\/sec/ {printf "%d", $2}')"
    done
    log "round $round, SIGNALBOX_JIT_NICE=$nice:$windows"
    kill "$gw"; wait "$gw" 2>/dev/null || true
  done
done
log ""
log "# results in $out"
