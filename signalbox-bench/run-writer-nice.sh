#!/usr/bin/env bash
# Whether the gateway's background writers (trace writer, access log) hold up requests on a busy
# core: one gateway (the load benchmark's config, alone on core 0) at 1,000 req/s, its writer
# threads' niceness alternating between 0 and NICE (10 by default) in back-to-back windows of
# DURATION seconds after a WARMUP, the request latency and the traces dropped per window. Results go
# to bench-results/writer-nice-<time>.txt.
#
#   ROUNDS=3 bash signalbox-bench/run-writer-nice.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
NICE="${NICE:-10}"; WARMUP="${WARMUP:-40}"; DURATION="${DURATION:-15}"
UP=19051; SIGNALBOX=19054
source signalbox-bench/lib.sh
bench_start writer-nice
build_bench
start_fast_upstream "$UP" 0 1
pids+=("$pid"); wait_port "$UP"
write_rules_route_config "$work/signalbox.yaml" "$SIGNALBOX" "$UP"
serve_gateway "" "$work/signalbox.log"
url="http://127.0.0.1:$SIGNALBOX/v1/chat/completions"
export MODEL=bench HEADERS=""
log "# Signalbox $(git rev-parse --short HEAD), $(date -u +%FT%TZ): writer threads at nice 0 and $NICE alternating, ${DURATION}s windows at 1000 req/s after ${WARMUP}s"
harness open 1000 1 "$WARMUP" "$url" > /dev/null
writers() { # NICE: renices the JVM's trace writer and access log threads
  local task name
  for task in /proc/"$jvm"/task/*; do
    read -r name < "$task/comm" 2> /dev/null || continue
    case "$name" in signalbox-trace* | signalbox-acces*) renice -n "$1" -p "${task##*/}" > /dev/null ;; esac
  done
}
for round in $(seq "${ROUNDS:-3}"); do
  for nice in 0 "$NICE"; do
    writers "$nice"
    dropped=$(traces_dropped "$SIGNALBOX")
    line="$(harness open 1000 "$DURATION" 5 "$url")"   # 5 s of the harness's own warm-up first
    log "round $round, writers at nice $nice: $line; traces dropped $(($(traces_dropped "$SIGNALBOX") - dropped))"
  done
done
log "# results in $out"
