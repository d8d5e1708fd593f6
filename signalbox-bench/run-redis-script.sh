#!/usr/bin/env bash
# What one reservation costs Redis itself: the limits' reserve script (reserve.lua) run back to back
# by redis-benchmark (one connection, on core 0) against a redis-server alone on core 1, for a
# request under one scope and under three (key, team, tenant), each with a rate, tokens, requests at
# once and a monthly budget, never reached. Prints Redis's own time per call (INFO commandstats):
# Redis runs scripts one at a time, so this bounds the reservations one Redis can admit per second
# for every replica together. Results go to bench-results/redis-script-<time>.txt.
#
#   bash signalbox-bench/run-redis-script.sh
#   SCRIPT=/tmp/reserve-before.lua bash signalbox-bench/run-redis-script.sh   # another version of it
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
REDIS=19606; CALLS="${CALLS:-20000}"
source signalbox-bench/lib.sh
bench_start redis-script
command -v redis-benchmark > /dev/null || { echo "redis-benchmark not found (apt-get install -y redis-server)" >&2; exit 1; }
taskset -c 1 redis-server --bind 127.0.0.1 --port "$REDIS" --save '' --appendonly no > "$work/redis.log" 2>&1 &
pids+=("$!"); wait_port "$REDIS"
cli() { redis-cli -p "$REDIS" "$@"; }
script="${SCRIPT:-signalbox-core/src/main/resources/dev/signalbox/core/limits/reserve.lua}"
sha=$(cli script load "$(cat "$script")")
prefix='signalbox:{signalbox-limits}:'
slice_end=$(( ($(date +%s) + 20 * 86400) * 1000 ))
scope() { echo "$1 100000000 1000000000000 1000000 1000000000000000000 $slice_end 800000000000000000 1 0 0"; }
log "# The limits' reserve script ($script) in Redis, $(date -u +%FT%TZ), $(redis-server --version | cut -d' ' -f3), $CALLS calls each, one connection"
for scopes in 1 3; do
  args=("$prefix" "req-1" 600000 100 5000 "$scopes" $(scope key:limited))
  [ "$scopes" = 3 ] && args+=($(scope team:bench-team) $(scope tenant:limited))
  args+=(0)
  cli flushall > /dev/null; cli config resetstat > /dev/null
  taskset -c 0 redis-benchmark -p "$REDIS" -n "$CALLS" -c 1 -r 1000000 -q \
    evalsha "$sha" 1 "${prefix}res:__rand_int__" "${args[@]}" > "$work/benchmark-$scopes.log" 2>&1
  per_call=$(cli info commandstats | tr -d '\r' | sed -n 's/^cmdstat_evalsha:.*usec_per_call=\([0-9.]*\).*/\1/p')
  log "$scopes scope(s): $per_call us of Redis time per reservation (at most $(awk -v u="$per_call" 'BEGIN {printf "%d", 1e6 / u}') reservations/s per Redis)"
done
log ""
log "# results in $out"
