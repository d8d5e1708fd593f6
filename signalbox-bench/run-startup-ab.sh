#!/usr/bin/env bash
# Start-up with two AOT caches, alternating, on one host in one run: A is trained on the simulated
# models alone (build/aot-training.yaml), B is the launcher's own (the same, then a second gateway
# in front of it through the OpenAI and Anthropic providers, build/aot-training-front.yaml). Each
# round starts `./signalbox serve` (launcher defaults, alone on core 0) in front of the fast fake
# upstream and prints the time from the process's start to its first answer, the resident memory
# after it and the latency of its first 1,000 requests at 100 req/s. Results go to
# bench-results/startup-ab-<time>.txt.
#
#   ROUNDS=3 bash signalbox-bench/run-startup-ab.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
UP=19031; SIGNALBOX=19034
source signalbox-bench/lib.sh
source build/find-java.sh
source build/run-java.sh
bench_start startup-ab
build_bench
./signalbox serve --config /dev/null > /dev/null 2>&1 || true   # records the launcher's cache (B) if the build is new
cache_a="$work/sim-only.aot"
record_aot_cache "signalbox-cli/target/signalbox-cli-0.1.0-SNAPSHOT.jar:signalbox-cli/target/lib/*" \
  "$cache_a" build/aot-training.yaml || { echo "could not record cache A (JDK 25 needed): $cache_a.log" >&2; exit 1; }
log "# Signalbox start-up, AOT cache A (simulated models only) against B (the launcher's), $(date -u +%FT%TZ), $(nproc) cores"
start_fast_upstream "$UP" 0 1
pids+=("$pid"); wait_port "$UP"
write_single_model_config "$work/signalbox.yaml" "$SIGNALBOX" "$UP" false
url="http://127.0.0.1:$SIGNALBOX/v1/chat/completions"
export MODEL=bench
body='{"model":"bench","messages":[{"role":"user","content":"hi"}]}'
for round in $(seq "${ROUNDS:-3}"); do
  for cache in A B; do
    opts=""; [ "$cache" = A ] && opts="-XX:AOTCache=$cache_a"   # after the launcher's, so it wins
    start=$(date +%s%N)
    SIGNALBOX_JAVA_OPTS="$opts" taskset -c 0 ./signalbox serve --config "$work/signalbox.yaml" > "$work/serve-$cache-$round.log" 2>&1 &
    server=$!; pids+=("$server")
    for _ in $(seq 12000); do   # at most a minute
      curl -sf -o /dev/null "$url" -H 'content-type: application/json' -d "$body" && break
      sleep 0.005
    done
    first=$(( ($(date +%s%N) - start) / 1000000 ))
    cold="$(harness open 100 10 0 "$url")"
    jvm="$(gateway_pid "$work/signalbox.yaml")"
    rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$jvm/status")
    log "round $round, cache $cache: first answer $first ms; RSS after $rss MB; first 1,000 at 100 req/s: $cold"
    kill "$server"; wait "$server" 2>/dev/null || true
  done
done
log ""
log "# results in $out"
