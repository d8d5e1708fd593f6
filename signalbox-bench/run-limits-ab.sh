#!/usr/bin/env bash
# What limits add to a request (issue 20's targets: p99 +0.3 ms in memory, +1 ms with Redis), two
# kinds of caller on ONE gateway at once: 1,000 req/s alternating a key under limits (its own, its
# team's and its tenant's: rate, tokens, requests at once and a budget, never reached) and a key
# under none. Both see the same collector pauses, JIT and host at the same moment, so the difference
# of their percentiles is what the limits path adds; between two runs of separate gateways (as
# run-load.sh's signalbox-limits) this host's own noise is several ms. Caveat: the unlimited half
# shares the limited half's allocation and CPU, so a gateway whose every caller is limited may pay
# somewhat more than the difference. Gateway on core 0; load, upstream and redis-server on core 1.
#
#   bash signalbox-bench/run-limits-ab.sh                 # in memory, then Redis
#   BACKENDS=memory WARMUP=30 DURATION=30 bash signalbox-bench/run-limits-ab.sh
#   BACKENDS=redis RATE=500 bash signalbox-bench/run-limits-ab.sh   # where 1,000 req/s is past the host
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
BACKENDS="${BACKENDS:-memory redis}"; WARMUP="${WARMUP:-60}"; DURATION="${DURATION:-60}"; RATE="${RATE:-1000}"
UP=19501; SIGNALBOX=19504; REDIS=19506
source signalbox-bench/lib.sh
bench_start limits-ab
build_bench
if [[ $BACKENDS == *redis* ]] && ! command -v redis-server > /dev/null; then
  echo "redis-server not found (apt-get install -y redis-server)" >&2; exit 1
fi
start_fast_upstream "$UP" 50 40; pids+=("$pid"); wait_port "$UP"
url="http://127.0.0.1:$SIGNALBOX/v1/chat/completions"
limited_key="sk-bench-limited-0123456789"; free_key="sk-bench-free-0123456789"
digest() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
LIMITS='{rpm: 100000000, tpm: 1000000000000, concurrent: 1000000, budget: {usd: 1000000000000, period: monthly}}'
log "# Signalbox limits, one gateway, limited and unlimited callers alternating, $(date -u +%FT%TZ), $(nproc) cores, $(uname -r)"
log "# java: $("$java" -version 2>&1 | head -1); launcher JVM flags: $(./signalbox --print-jvm-flags)"
log "# warm-up 10 s at 200 and 500 req/s, then ${WARMUP} s at $RATE; recorded ${DURATION} s at $RATE req/s; A = no limits, B = limits on key, team and tenant"
for backend in $BACKENDS; do
  write_rules_route_config "$work/signalbox.yaml" "$SIGNALBOX" "$UP" "$work/traces-$backend.db"
  redis=""
  if [ "$backend" = redis ]; then
    taskset -c 1 redis-server --bind 127.0.0.1 --port "$REDIS" --save '' --appendonly no > "$work/redis.log" 2>&1 &
    redis_pid=$!; pids+=("$redis_pid"); wait_port "$REDIS"
    redis="redis-url: \"redis://127.0.0.1:$REDIS\", "
  fi
  cat >> "$work/signalbox.yaml" <<YAML
auth:
  keys:
    - {name: limited, key-sha256: $(digest "$limited_key"), tenant: limited, team: bench-team, limits: $LIMITS}
    - {name: free, key-sha256: $(digest "$free_key"), tenant: free}
limits: {${redis}teams: {bench-team: $LIMITS}, tenants: {limited: $LIMITS}}
YAML
  taskset -c 0 ./signalbox serve --config "$work/signalbox.yaml" > "$work/signalbox-$backend.log" 2>&1 &
  gw=$!; pids+=("$gw"); wait_port "$SIGNALBOX"
  export MODEL=bench HEADERS="authorization: Bearer $free_key" HEADERS_B="authorization: Bearer $limited_key"
  harness open 200 1 10 "$url" > /dev/null
  harness open "$((RATE < 500 ? RATE : 500))" 1 10 "$url" > /dev/null
  harness open "$RATE" 1 "$WARMUP" "$url" > /dev/null
  log ""
  log "## limits in $backend"
  log "$(harness open "$RATE" "$DURATION" 5 "$url")"
  if [ "$backend" = redis ]; then   # what the scripts cost Redis itself, over the whole run
    log "redis: $(redis-cli -p "$REDIS" info commandstats | grep -E '^cmdstat_(evalsha|eval):' | tr -d '\r' | paste -sd' ')"
  fi
  kill "$gw"; wait "$gw" 2>/dev/null || true
  [ "$backend" = redis ] && { kill "$redis_pid"; wait "$redis_pid" 2>/dev/null || true; }
done
log ""
log "# results in $out"
