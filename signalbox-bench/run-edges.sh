#!/usr/bin/env bash
# The edge benchmark: Signalbox (`./signalbox serve`, on core 0) in front of the fast fake upstream,
# first unloaded, then under 5,000 hostile bodies (5xx, error shape, hangs, RSS growth), then with
# 2,000 slow clients holding connections while a normal client sends 10 requests a second (p99
# against the unloaded p99 of the same run). Results go to bench-results/edges-<time>.txt.
#
#   bash signalbox-bench/run-edges.sh
#   DURATION=30 SLOW=2000 BODIES=5000 bash signalbox-bench/run-edges.sh
#
# Needs: taskset.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
DURATION="${DURATION:-60}"   # seconds recorded at 10 req/s, unloaded and under slow clients
SLOW="${SLOW:-2000}"
BODIES="${BODIES:-5000}"
UP=19011; SIGNALBOX=19014
source signalbox-bench/lib.sh
bench_start edges
build_bench

hostile() { taskset -c 1 "$java" -Xmx512m -cp "$bench_cp" dev.signalbox.bench.HostileClients "$@"; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

log "# Signalbox edge benchmark, $(date -u +%FT%TZ), $(nproc) cores, $(uname -r)"
log "# java: $("$java" -version 2>&1 | head -1); launcher JVM flags: $(./signalbox --print-jvm-flags)"

start_fast_upstream "$UP" 0 1
pids+=("$pid"); wait_port "$UP"
write_single_model_config "$work/signalbox.yaml" "$SIGNALBOX" "$UP"
taskset -c 0 ./signalbox serve --config "$work/signalbox.yaml" > "$work/signalbox.log" 2>&1 &
pids+=("$!"); wait_port "$SIGNALBOX"
gateway="$(gateway_pid "$work/signalbox.yaml")"
url="http://127.0.0.1:$SIGNALBOX/v1/chat/completions"
export MODEL=bench

harness open 50 1 15 "$url" > /dev/null   # warm-up: JIT, connection pools
log ""
log "## unloaded, 10 req/s"
unloaded="$(harness open 10 "$DURATION" 5 "$url")"; log "$unloaded"

log ""
log "## $BODIES hostile bodies"
before="$(rss_mb "$gateway")"
log "$(hostile bodies "$BODIES" "http://127.0.0.1:$SIGNALBOX" 20261202)"
after="$(rss_mb "$gateway")"
log "gateway RSS before ${before} MB, after ${after} MB, growth $(awk -v a="$after" -v b="$before" 'BEGIN {printf "%.1f", a - b}') MB"

log ""
log "## $SLOW slow clients, and 10 req/s from a normal client"
hostile slow "$SLOW" 127.0.0.1 "$SIGNALBOX" $((DURATION + 20)) > "$work/slow.out" 2>&1 &
slow_pid=$!; pids+=("$slow_pid")
for _ in $(seq 1 900); do grep -q "slow clients open" "$work/slow.out" && break; sleep 0.1; done
grep -q "slow clients open" "$work/slow.out" || { echo "the slow clients never opened:" >&2; cat "$work/slow.out" >&2; exit 1; }
loaded="$(harness open 10 "$DURATION" 5 "$url")"; log "$loaded"
wait "$slow_pid" || true
log "$(tail -1 "$work/slow.out")"
log "$(curl -s "http://127.0.0.1:$SIGNALBOX/metrics" | grep '^signalbox_connections_closed_total' | paste -sd' ')"
p99() { sed -E 's/.* p99=([0-9.]+)ms.*/\1/' <<< "$1"; }
log "p99 under slow clients / unloaded p99: $(awk -v l="$(p99 "$loaded")" -v u="$(p99 "$unloaded")" 'BEGIN {printf "%.2f", l / u}')x"
log ""
log "# results in $out"
