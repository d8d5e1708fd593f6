#!/usr/bin/env bash
# Steady serving, two variants of the gateway's JVM flags alternating on one host in one run: A the
# launcher as it is, B with FLAGS_B added. Each round serves the load benchmark's config (lib.sh's
# write_rules_route_config; gateway alone on core 0, the fast fake upstream and the load on core 1),
# warms it at 1,000 req/s for WARMUP seconds, records DURATION seconds at 1,000 req/s (latency and
# CPU per request) and then the closed loop (wrk, 64 connections, DURATION seconds). Results go to
# bench-results/flags-ab-<time>.txt.
#
#   FLAGS_B="-Dio.netty.transport.noNative=true" ROUNDS=2 bash signalbox-bench/run-flags-ab.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
: "${FLAGS_B:?FLAGS_B: the JVM flags of variant B}"
WARMUP="${WARMUP:-40}"
DURATION="${DURATION:-15}"
UP=19041; SIGNALBOX=19044
source signalbox-bench/lib.sh
bench_start flags-ab
build_bench
./signalbox serve --config /dev/null > /dev/null 2>&1 || true   # records the launcher's cache if the build is new
log "# Signalbox, A the launcher's defaults against B with $FLAGS_B, $(date -u +%FT%TZ), $(nproc) cores"
log "# warm-up ${WARMUP}s at 1000 req/s, then ${DURATION}s at 1000 req/s and ${DURATION}s closed loop"
start_fast_upstream "$UP" 0 1
pids+=("$pid"); wait_port "$UP"
url="http://127.0.0.1:$SIGNALBOX/v1/chat/completions"
export MODEL=bench HEADERS=""
lua="$work/post.lua"
write_wrk_post "$lua"
for round in $(seq "${ROUNDS:-2}"); do
  for variant in A B; do
    flags=""; [ "$variant" = B ] && flags="$FLAGS_B"
    write_rules_route_config "$work/signalbox.yaml" "$SIGNALBOX" "$UP" "$work/traces-$variant-$round.db"
    serve_gateway "$flags" "$work/signalbox-$variant-$round.log"
    harness open 1000 1 "$WARMUP" "$url" > /dev/null
    cpu_before=$(cpu_ticks "$jvm")
    line="$(harness open 1000 "$DURATION" 5 "$url")"
    cpu_us=$(cpu_us_per_request $(($(cpu_ticks "$jvm") - cpu_before)) "$(sed -E 's/.* n=([0-9]+) .*/\1/' <<< "$line")")
    closed="$(taskset -c 1 wrk -t1 -c64 -d"${DURATION}"s -s "$lua" "$url" | awk '/Requests\/sec/ {print $2 " req/s"}')"
    log "round $round, $variant: $line; CPU ${cpu_us} us per request; closed loop $closed"
    kill "$gw"; wait "$gw" 2>/dev/null || true
    sleep 1
  done
done
log ""
log "# results in $out"
