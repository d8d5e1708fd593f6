#!/usr/bin/env bash
# What the whole gateway process allocates per request (issue 17: allocation is what sets how often
# the collector pauses): Signalbox (the load benchmark's rules route, traces and access log on,
# launcher defaults plus EXTRA) on core 0 warmed at RATE req/s, then RATE req/s for DURATION seconds, with the
# heap's young collections and eden read by jstat before and after. The serial collector refreshes
# jstat's eden figure only at a collection, so the total is known to within one eden (the line says
# how much that is per request): record enough requests for a few dozen collections. Every byte a request costs
# anywhere (server, upstream client, JSON, traces, access log) counts; JMH's -prof gc sees only the
# in-process path without sockets.
#
#   bash signalbox-bench/run-alloc.sh
#   RATE=300 DURATION=30 EXTRA="-Xmn64m" bash signalbox-bench/run-alloc.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
RATE="${RATE:-500}"; DURATION="${DURATION:-20}"; WARMUP="${WARMUP:-30}"
UP=19601; SIGNALBOX=19604
source signalbox-bench/lib.sh
bench_start alloc
build_bench
start_fast_upstream "$UP" 50 40; pids+=("$pid"); wait_port "$UP"
url="http://127.0.0.1:$SIGNALBOX/v1/chat/completions"
export MODEL=bench HEADERS=""
write_rules_route_config "$work/signalbox.yaml" "$SIGNALBOX" "$UP" "$work/traces.db"
serve_gateway "${EXTRA:-}" "$work/serve.log"
jstat="$(dirname "$java")/jstat"
harness open "$RATE" 1 "$WARMUP" "$url" > /dev/null
log "# Signalbox allocation per request, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!signalbox-bench' || echo '+changes'); extra flags: ${EXTRA:-none}"
log "# warm-up ${WARMUP} s, then ${DURATION} s at ${RATE} req/s"
before="$("$jstat" -gc "$jvm" | tail -1)"
log "$(harness open "$RATE" "$DURATION" 0 "$url")"
after="$("$jstat" -gc "$jvm" | tail -1)"
# jstat -gc columns: S0C S1C S0U S1U EC EU OC OU MC MU CCSC CCSU YGC YGCT FGC FGCT CGC CGCT GCT (KB, counts, s)
log "$(awk -v a="$before" -v b="$after" -v n="$((RATE * DURATION))" 'BEGIN {
  split(a, x); split(b, y)
  collections = (y[13] - x[13]) + (y[15] - x[15])
  kb = collections * x[5] + y[6] - x[6]
  printf "young collections %d, full %d, eden %.0f MB, allocated %.0f MB: %.1f KB per request (+/- %.1f KB, one eden); collector time %.3f s", y[13] - x[13], y[15] - x[15], x[5] / 1024, kb / 1024, kb / n, x[5] / n, y[19] - x[19] }')"
log "# results in $out"
kill "$gw"; wait "$gw" 2>/dev/null || true
