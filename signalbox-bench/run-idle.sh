#!/usr/bin/env bash
# What an idle gateway costs after a burst: Signalbox (launcher defaults, alone on core 0) in front
# of the fast fake upstream is warmed at 100 req/s, hit by 256 concurrent connections for 10 s (wrk),
# then left idle; the script reports the upstream connections it kept and its CPU over the next 10 s
# of no traffic. Kept connections wait on the event loops, which see a peer's close without waking
# otherwise (Helidon's client, used until 2026-12-04, read from each ten times a second); deployments'
# `idle-connections` (default 64) bounds how many are kept. Results go to bench-results/idle-<time>.txt.
#
#   bash signalbox-bench/run-idle.sh
#   IDLE_CONNECTIONS=256 bash signalbox-bench/run-idle.sh   # the deployment keeps up to 256
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
UP=19031; SIGNALBOX=19034
source signalbox-bench/lib.sh
bench_start idle
build_bench
log "# Signalbox idle after a burst, $(date -u +%FT%TZ), $(nproc) cores; idle-connections: ${IDLE_CONNECTIONS:-default}"
start_fast_upstream "$UP" 0 1
pids+=("$pid"); wait_port "$UP"
write_single_model_config "$work/signalbox.yaml" "$SIGNALBOX" "$UP" false
if [ -n "${IDLE_CONNECTIONS:-}" ]; then
  sed -i "s|model: bench}|model: bench, idle-connections: $IDLE_CONNECTIONS}|" "$work/signalbox.yaml"
fi
taskset -c 0 ./signalbox serve --config "$work/signalbox.yaml" > "$work/signalbox.log" 2>&1 &
pids+=("$!"); wait_port "$SIGNALBOX"
gateway="$(gateway_pid "$work/signalbox.yaml")"
url="http://127.0.0.1:$SIGNALBOX/v1/chat/completions"
export MODEL=bench HEADERS=""
harness open 100 20 0 "$url" > /dev/null
write_wrk_post "$work/post.lua"
log "burst: $(taskset -c 1 wrk -t1 -c256 -d10s -s "$work/post.lua" "$url" | grep Requests/sec)"
sleep 2
log "upstream connections kept: $(ss -tn state established "( dport = :$UP )" | tail -n +2 | wc -l)"
before=$(cpu_ticks "$gateway"); sleep 10; after=$(cpu_ticks "$gateway")
log "CPU over 10 s idle: $(( (after - before) * 1000 / $(getconf CLK_TCK) )) ms"
log "# results in $out"
