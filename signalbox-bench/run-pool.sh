#!/usr/bin/env bash
# The pool's load benchmark: each figure is a ratio against a baseline measured in the same run.
#
#   selectors  4 simulated deployments of unequal speed (1x, 1.5x, 2x, 3x; 16 slots each) at 100 req/s:
#              p99 end to end of least-outstanding, p2c-peak-ewma and lowest-latency against round-robin
#   failing    2 fake HTTP upstreams, one failing 30% with 503, at 1,000 req/s after 30 s of warm-up:
#              client errors, and p99 against the same pool healthy, direct calls and a failed round trip
#   hedging    2 simulated deployments, one with a heavy tail (time to first token median 20 ms, p99 1 s),
#              50 streams/s: p99 time to first token without hedging, hedging after p95 and after 100 ms,
#              and the extra attempts (their cost)
#   soak       200 req/s and 20 streams/s for SOAK_SECONDS (600) under the launcher's default JVM flags:
#              errors, and RSS growth per minute after minute 2 (least squares over 5 s samples)
#
#   bash signalbox-bench/run-pool.sh
#   SCENARIOS="selectors hedging" bash signalbox-bench/run-pool.sh
#
# Each scenario starts a fresh gateway per variant, alone on core 0; the upstreams and the load generator
# share core 1. Results go to bench-results/pool-<time>.txt. Needs taskset.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
SCENARIOS="${SCENARIOS:-selectors failing hedging soak}"
SOAK_SECONDS="${SOAK_SECONDS:-600}"
GATEWAY=19104
source signalbox-bench/lib.sh
bench_start pool
build_bench
url="http://127.0.0.1:$GATEWAY/v1/chat/completions"

# Serves config file $1 on core 0; its launcher's pid in $gateway.
start_gateway() {
  taskset -c 0 ./signalbox serve --config "$1" > "$1.log" 2>&1 &
  gateway=$!
  pids+=("$gateway")
  wait_port "$GATEWAY"
}

stop_gateway() {
  kill "$gateway" 2>/dev/null || true
  wait "$gateway" 2>/dev/null || true
  sleep 1
}

# Sums the samples of metric $1 whose labels contain every one of the following label="value" strings.
metric() {
  local name=$1
  shift
  curl -s "http://127.0.0.1:$GATEWAY/metrics" | awk -v name="$name" -v labels="$*" '
    BEGIN { n = split(labels, want, " ") }
    index($0, name "{") == 1 || index($0, name " ") == 1 {
      ok = 1
      for (i = 1; i <= n; i++) if (index($0, want[i]) == 0) ok = 0
      if (ok) sum += $NF
    }
    END { printf "%.6f\n", sum }'
}

field() { sed -E "s/.* $1=([0-9.]+)ms.*/\1/" <<< "$2"; }   # a percentile from the harness's line
errors_of() { sed -E 's/.* errors=([0-9]+) .*/\1/' <<< "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

sim() { # name ttft-median ms-per-token-median [extra sim settings]
  local p99_ttft p99_mpt
  p99_ttft=$(awk -v m="$2" 'BEGIN { print m * 3 }'); p99_mpt=$(awk -v m="$3" 'BEGIN { print m * 2 }')
  echo "  - {name: $1, provider: sim, sim: {time-to-first-token-ms: {median: $2, p99: $p99_ttft}, ms-per-token: {median: $3, p99: $p99_mpt}, output-tokens: {median: 60, p99: 120}${4:+, $4}}}"
}

http_pool() { # writes $1.yaml: model m over HTTP upstreams on ports $2 and $3, least-outstanding, traces in $1.db
  cat > "$1.yaml" <<YAML
server: {host: 127.0.0.1, port: $GATEWAY, access-log: false}
traces: {path: $1.db}
deployments:
  - {name: a, provider: openai, base-url: "http://127.0.0.1:$2/v1", model: bench}
  - {name: b, provider: openai, base-url: "http://127.0.0.1:$3/v1", model: bench}
models:
  - {name: m, deployments: [a, b], deployment-selector: least-outstanding, pricing: {input: 1, output: 2}}
routes:
  - {name: pool, models: [m], policy: priority}
YAML
}

log "# Signalbox pool benchmark, $(date -u +%FT%TZ), $(nproc) cores, $(uname -r)"
log "# java: $("$java" -version 2>&1 | head -1); launcher JVM flags: $(./signalbox --print-jvm-flags)"

selectors() {
  log ""
  log "## selectors: 4 sim deployments at 1x, 1.5x, 2x, 3x the fastest's time (16 slots each), 100 req/s, 15 s warm-up, 30 s recorded"
  local baseline="" line p99
  for selector in round-robin least-outstanding p2c-peak-ewma lowest-latency; do
    cat > "$work/selectors-$selector.yaml" <<YAML
server: {host: 127.0.0.1, port: $GATEWAY, access-log: false}
traces: {path: $work/selectors-$selector.db}
deployments:
$(sim d1 20 2 "max-concurrency: 16")
$(sim d2 30 3 "max-concurrency: 16")
$(sim d3 40 4 "max-concurrency: 16")
$(sim d4 60 6 "max-concurrency: 16")
models:
  - {name: m, deployments: [d1, d2, d3, d4], deployment-selector: $selector, pricing: {input: 1, output: 2}}
routes:
  - {name: pool, models: [m], policy: priority}
YAML
    start_gateway "$work/selectors-$selector.yaml"
    MODEL=pool harness open 100 1 15 "$url" > /dev/null
    line=$(MODEL=pool harness open 100 30 0 "$url")
    p99=$(field p99 "$line")
    [ -z "$baseline" ] && baseline=$p99
    log "$selector: $line"
    log "  p99 vs round-robin: $(ratio "$p99" "$baseline"); requests per deployment: $(for d in d1 d2 d3 d4; do printf '%s=%.0f ' $d "$(metric signalbox_requests_total "deployment=\"$d\"")"; done)"
    stop_gateway
  done
}

failing() {
  log ""
  log "## failing: 2 fake HTTP upstreams behind one model (least-outstanding); one failing 30% with 503; 1,000 req/s, 30 s warm-up, 30 s recorded"
  local up_a=19111 up_healthy=19112 up_failing=19113 up_down=19114
  start_fast_upstream $up_a 10 10; pids+=("$pid")
  start_fast_upstream $up_healthy 10 10; pids+=("$pid")
  start_fast_upstream $up_failing 10 10 0.3; pids+=("$pid")
  start_fast_upstream $up_down 10 10 1; pids+=("$pid")
  for port in $up_a $up_healthy $up_failing $up_down; do wait_port $port; done
  local direct failed_rtt healthy failing
  harness open 1000 1 10 "http://127.0.0.1:$up_a/v1/chat/completions" > /dev/null
  direct=$(harness open 1000 30 5 "http://127.0.0.1:$up_a/v1/chat/completions")
  log "direct to a healthy upstream: $direct"
  failed_rtt=$(EXPECT_STATUS=503 harness open 1000 30 5 "http://127.0.0.1:$up_down/v1/chat/completions")
  log "direct to a failing upstream (its 503s): $failed_rtt"
  for variant in healthy failing; do
    local second=$up_healthy
    [ $variant = failing ] && second=$up_failing
    http_pool "$work/failing-$variant" $up_a $second
    start_gateway "$work/failing-$variant.yaml"
    MODEL=pool harness open 200 1 10 "$url" > /dev/null
    MODEL=pool harness open 1000 1 30 "$url" > /dev/null
    local line
    line=$(MODEL=pool harness open 1000 30 0 "$url")
    log "Signalbox, second upstream $variant: $line"
    log "  attempts: $(for r in ok 503 breaker_open; do printf '%s=%.0f ' $r "$(metric signalbox_attempts_total "result=\"$r\"")"; done)"
    [ $variant = healthy ] && healthy=$line || failing=$line
    stop_gateway
  done
  local added_healthy added_failing allowance
  added_healthy=$(awk -v a="$(field p99 "$healthy")" -v b="$(field p99 "$direct")" 'BEGIN { printf "%.2f", a - b }')
  added_failing=$(awk -v a="$(field p99 "$failing")" -v b="$(field p99 "$direct")" 'BEGIN { printf "%.2f", a - b }')
  allowance=$(awk -v r="$(field p99 "$failed_rtt")" 'BEGIN { printf "%.2f", 1 + r }')
  log "  client errors with one upstream failing: $(errors_of "$failing")"
  log "  p99 failing vs healthy pool: $(ratio "$(field p99 "$failing")" "$(field p99 "$healthy")"); added p99 over direct: healthy ${added_healthy} ms, failing ${added_failing} ms"
  log "  target for the failing pool: serving path's 1 ms + one failed round trip (p99 $(field p99 "$failed_rtt") ms) = ${allowance} ms over direct;" \
    "over the healthy pool it adds $(awk -v a="$(field p99 "$failing")" -v b="$(field p99 "$healthy")" 'BEGIN { printf "%.2f", a - b }') ms"
}

hedging() {
  log ""
  log "## hedging: sim deployments 'tail' (time to first token median 20 ms, p99 1,000 ms) and 'steady' (20 / 60 ms), least-outstanding, 50 streams/s, 15 s warm-up, 30 s recorded"
  local baseline="" line p99 lost requests prompt completion
  for variant in none p95 100ms; do
    local hedge=""
    [ $variant != none ] && hedge=", hedge: {after: $variant, max-share: 0.1}"
    cat > "$work/hedging-$variant.yaml" <<YAML
server: {host: 127.0.0.1, port: $GATEWAY, access-log: false}
traces: {path: $work/hedging-$variant.db}
deployments:
  - {name: tail, provider: sim, sim: {time-to-first-token-ms: {median: 20, p99: 1000}, ms-per-token: {median: 2, p99: 4}, output-tokens: {median: 60, p99: 120}}}
$(sim steady 20 2)
models:
  - {name: m, deployments: [tail, steady], deployment-selector: least-outstanding, pricing: {input: 1, output: 2}}
routes:
  - {name: pool, models: [m], policy: priority$hedge}
YAML
    start_gateway "$work/hedging-$variant.yaml"
    MODEL=pool harness open 50 1 15 "$url" stream > /dev/null
    line=$(MODEL=pool harness open 50 30 0 "$url" stream)
    p99=$(field p99 "$line")
    [ -z "$baseline" ] && baseline=$p99
    lost=$(metric signalbox_attempts_total 'result="hedge_lost"')
    requests=$(metric signalbox_requests_total)
    prompt=$(metric signalbox_tokens_total 'type="prompt"')
    completion=$(metric signalbox_tokens_total 'type="completion"')
    log "hedge $variant: $line"
    # A lost attempt is cancelled before its first byte: a provider bills at least its prompt, at most a whole answer.
    log "  p99 time to first token vs no hedging: $(ratio "$p99" "$baseline"); extra attempts: $(awk -v l="$lost" -v r="$requests" 'BEGIN { printf "%.0f of %.0f requests (%.1f%%)", l, r, 100 * l / r }')," \
      "extra cost $(awk -v l="$lost" -v r="$requests" -v p="$prompt" -v c="$completion" 'BEGIN { printf "%.2f%% (prompt billed) to %.1f%% (whole answer billed)", 100 * l / r * p / (p + 2 * c), 100 * l / r }')"
    stop_gateway
  done
}

soak() {
  log ""
  log "## soak: 2 fake HTTP upstreams, least-outstanding, traces on, 200 req/s and 20 streams/s for ${SOAK_SECONDS} s, launcher's default JVM flags"
  local up_a=19121 up_b=19122
  start_fast_upstream $up_a 50 20; pids+=("$pid")
  start_fast_upstream $up_b 50 20; pids+=("$pid")
  wait_port $up_a; wait_port $up_b
  http_pool "$work/soak" $up_a $up_b
  start_gateway "$work/soak.yaml"
  local jvm
  jvm=$(gateway_pid "$work/soak.yaml")
  rm -f "$work/soak.done"
  (
    start=$(date +%s)
    while [ ! -f "$work/soak.done" ]; do
      echo "$(( $(date +%s) - start )) $(awk '/VmRSS/ {print $2}' "/proc/$jvm/status")"
      sleep 5
    done
  ) > "$work/soak-rss.txt" &
  MODEL=pool harness open 20 "$SOAK_SECONDS" 0 "$url" stream > "$work/soak-streams.txt" &
  local streams=$!
  local line
  line=$(MODEL=pool harness open 200 "$SOAK_SECONDS" 0 "$url")
  wait $streams
  touch "$work/soak.done"; sleep 6
  log "requests: $line"
  log "streams: $(cat "$work/soak-streams.txt")"
  cp "$work/soak-rss.txt" "${out%.txt}-soak-rss.txt"
  log "RSS (kB, every 5 s) in ${out%.txt}-soak-rss.txt; $(awk '
    NR == 1 || (!m1 && $1 >= 60) || (!m2 && $1 >= 120) { printf "at %d s %.0f MB, ", $1, $2 / 1024; if ($1 >= 60) m1 = 1; if ($1 >= 120) m2 = 1 }
    { last_t = $1; last = $2 }
    $1 >= 120 { n++; st += $1; sr += $2; stt += $1 * $1; str += $1 * $2 }
    END {
      printf "at %d s %.0f MB; ", last_t, last / 1024
      if (n < 2) { printf "growth after minute 2: no samples (SOAK_SECONDS under 130)"; exit }
      slope = (n * str - st * sr) / (n * stt - st * st)   # kB per second
      printf "growth after minute 2: %.3f MB/min (least squares, %d samples)", slope * 60 / 1024, n
    }' "$work/soak-rss.txt")"
  stop_gateway
}

for scenario in $SCENARIOS; do
  "$scenario"
done
log ""
log "# results in $out"
