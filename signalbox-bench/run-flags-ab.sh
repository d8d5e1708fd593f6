#!/usr/bin/env bash
# Steady serving, two variants of the gateway's JVM flags alternating on one host in one run: A the
# launcher as it is, B with FLAGS_B added. Each round serves the load benchmark's config (lib.sh's
# write_rules_route_config; gateway alone on core 0, the fast fake upstream and the load on core 1),
# warms it at 1,000 req/s for WARMUP seconds, records DURATION seconds at 1,000 req/s (latency and
# CPU per request) and then the closed loop (wrk, 64 connections, DURATION seconds). Results go to
# bench-results/flags-ab-<time>.txt. With BASELINE (another checkout, built and its cache recorded by
# its own launcher), A is that checkout's gateway and B this one's, both with their launchers' flags:
# a change of code under the same load. With STREAMS=1 each round then records DURATION seconds of 200
# streams a second (40 chunks 50 ms apart, as run-load.sh's): time to first token and CPU per stream.
# With STREAMS=only, each round warms on streams instead and records nothing else.
#
#   FLAGS_B="-Dio.netty.transport.noNative=true" ROUNDS=2 bash signalbox-bench/run-flags-ab.sh
#   git worktree add /tmp/before HEAD~1 && BASELINE=/tmp/before ROUNDS=3 bash signalbox-bench/run-flags-ab.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
: "${FLAGS_B:=}"
[ -n "$FLAGS_B" ] || [ -n "${BASELINE:-}" ] || { echo "set FLAGS_B (B's JVM flags) or BASELINE (A's checkout)" >&2; exit 1; }
WARMUP="${WARMUP:-40}"
DURATION="${DURATION:-15}"
UP=19041; SIGNALBOX=19044
source signalbox-bench/lib.sh
bench_start flags-ab
build_bench
./signalbox serve --config /dev/null > /dev/null 2>&1 || true   # records the launcher's cache if the build is new
checkout_a="$root"
if [ -n "${BASELINE:-}" ]; then
  "$BASELINE/signalbox" --version > /dev/null   # builds it now if it is not built
  "$BASELINE/signalbox" serve --config /dev/null > /dev/null 2>&1 || true   # and records its cache
  checkout_a="$BASELINE"
  log "# Signalbox, A $BASELINE ($(git -C "$BASELINE" rev-parse --short HEAD)) against B this checkout ($(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ', changed'))${FLAGS_B:+ with $FLAGS_B}, $(date -u +%FT%TZ), $(nproc) cores"
else
  log "# Signalbox, A the launcher's defaults against B with $FLAGS_B, $(date -u +%FT%TZ), $(nproc) cores"
fi
if [ "${STREAMS:-}" = only ]; then
  log "# warm-up ${WARMUP}s at 200 streams/s, then ${DURATION}s at 200 streams/s"
else
  log "# warm-up ${WARMUP}s at 1000 req/s, then ${DURATION}s at 1000 req/s and ${DURATION}s closed loop"
fi
# Only streamed answers have gaps; a whole answer comes at once either way.
if [ -n "${STREAMS:-}" ]; then start_fast_upstream "$UP" 50 40; else start_fast_upstream "$UP" 0 1; fi
pids+=("$pid"); wait_port "$UP"
url="http://127.0.0.1:$SIGNALBOX/v1/chat/completions"
export MODEL=bench HEADERS=""
lua="$work/post.lua"
write_wrk_post "$lua"
for round in $(seq "${ROUNDS:-2}"); do
  for variant in A B; do
    flags=""; checkout="$checkout_a"
    [ "$variant" = B ] && { flags="$FLAGS_B"; checkout="$root"; }
    write_rules_route_config "$work/signalbox.yaml" "$SIGNALBOX" "$UP" "$work/traces-$variant-$round.db"
    serve_gateway "$flags" "$work/signalbox-$variant-$round.log" "$checkout"
    if [ "${STREAMS:-}" = only ]; then
      harness open 200 "$WARMUP" 5 "$url" stream > /dev/null
    else
      harness open 1000 1 "$WARMUP" "$url" > /dev/null
      cpu_before=$(cpu_ticks "$jvm")
      line="$(harness open 1000 "$DURATION" 5 "$url")"
      cpu_us=$(cpu_us_per_request $(($(cpu_ticks "$jvm") - cpu_before)) "$(sed -E 's/.* n=([0-9]+) .*/\1/' <<< "$line")")
      dropped=$(traces_dropped "$SIGNALBOX")
      closed="$(taskset -c 1 wrk -t1 -c64 -d"${DURATION}"s -s "$lua" "$url" | awk '/Requests\/sec/ {print $2 " req/s"}')"
      log "round $round, $variant: $line; CPU ${cpu_us} us per request; closed loop $closed, traces dropped $(($(traces_dropped "$SIGNALBOX") - dropped))"
    fi
    if [ -n "${STREAMS:-}" ]; then
      harness open 200 10 5 "$url" stream > /dev/null
      cpu_before=$(cpu_ticks "$jvm")
      line="$(harness open 200 "$DURATION" 5 "$url" stream)"
      cpu_us=$(cpu_us_per_request $(($(cpu_ticks "$jvm") - cpu_before)) "$(sed -E 's/.* n=([0-9]+) .*/\1/' <<< "$line")")
      log "round $round, $variant, streams: $line; CPU ${cpu_us} us per stream"
    fi
    kill "$gw"; wait "$gw" 2>/dev/null || true
    sleep 1
  done
done
log ""
log "# results in $out"
