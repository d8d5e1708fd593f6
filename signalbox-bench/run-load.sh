#!/usr/bin/env bash
# The load benchmark: direct, nginx, Portkey 1.15.2 and Signalbox (a rules route, tracing on) in one run,
# in front of one fast Java fake upstream on loopback. The proxy under test runs alone on core 0; the
# upstream and the load generator share core 1. Results go to bench-results/load-<time>.txt.
#
#   bash signalbox-bench/run-load.sh            # all four targets
#   TARGETS="direct signalbox" bash signalbox-bench/run-load.sh
#   TARGETS="direct signalbox signalbox-otel" bash signalbox-bench/run-load.sh   # the cost of OpenTelemetry
#   TARGETS="direct signalbox signalbox-limits signalbox-redis" bash signalbox-bench/run-load.sh   # the cost of limits (in memory; in Redis)
#   TARGETS="direct signalbox signalbox-untraced" bash signalbox-bench/run-load.sh   # the cost of the trace store
#   TARGETS="nginx floor-helidon floor-vertx floor-netty floor-vertx-helidon" bash signalbox-bench/run-load.sh   # HTTP stacks alone
#
# Needs: wrk and nginx-light (installed here when missing and run as root), node and npm (Portkey),
# taskset.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
TARGETS="${TARGETS:-direct nginx portkey signalbox}"
WARMUP="${WARMUP:-20}"        # seconds of unrecorded load before each measured run
DURATION="${DURATION:-30}"    # seconds recorded per fixed-rate run
GAP_MS=50                     # the upstream's gap between stream chunks
CHUNKS=40
UP=19001; NGINX=19002; PORTKEY=19003; SIGNALBOX=19004; FLOOR=19005; REDIS=19006
SERVE_ARGS="${SERVE_ARGS:-}"  # more arguments to Signalbox's serve (e.g. --warm-up 100)
QUICK="${QUICK:-}"            # set: only the 1,000 req/s run and the closed loop (run-quick.sh)
WRK_SECONDS="${WRK_SECONDS:-15}"
declare -A p99_1000 throughput ttft99 stalls rss
p99_of() { sed -E 's/.* p99=([0-9.]+)ms.*/\1/' <<< "$1"; }
source signalbox-bench/lib.sh
bench_start load
build_bench

log "# Signalbox load benchmark, $(date -u +%FT%TZ), $(nproc) cores, $(uname -r)"
log "# java: $("$java" -version 2>&1 | head -1); launcher JVM flags: $(./signalbox --print-jvm-flags)"
log "# warmup ${WARMUP}s, recorded ${DURATION}s per fixed-rate run; upstream stream gap ${GAP_MS}ms x ${CHUNKS} chunks${SERVE_ARGS:+; serve $SERVE_ARGS}"

start_fast_upstream "$UP" "$GAP_MS" "$CHUNKS"
pids+=("$pid"); wait_port "$UP"

start_nginx() {
  need_tool nginx nginx-light
  cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  upstream fake { server 127.0.0.1:$UP; keepalive 256; }
  server {
    listen 127.0.0.1:$NGINX;
    location / {
      proxy_pass http://fake;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      postpone_output 0;   # otherwise a first SSE chunk smaller than 1460 bytes waits for the next
      tcp_nodelay on;
    }
  }
}
NGINX
  taskset -c 0 nginx -c "$work/nginx.conf" -g 'daemon off;' > "$work/nginx.out" 2>&1 &
  pid=$!
}

start_portkey() {
  local dir="$HOME/.cache/signalbox-bench/portkey"
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"name":"portkey-bench","private":true}' > "$dir/package.json"
  [ -d "$dir/node_modules/@portkey-ai/gateway" ] || (cd "$dir" && npm install --no-audit --no-fund @portkey-ai/gateway@1.15.2 >/dev/null)
  # As shipped it binds every interface and its stream path fails (its issues #1389, #1550): a local
  # copy of the start script binds loopback and keeps Node's own Response objects.
  sed -E 's/\{fetch:([A-Za-z_$][A-Za-z0-9_$]*)\.fetch,port:([A-Za-z_$][A-Za-z0-9_$]*)\}/{fetch:\1.fetch,port:\2,hostname:"127.0.0.1",overrideGlobalObjects:!1}/' \
    "$dir/node_modules/@portkey-ai/gateway/build/start-server.js" > "$dir/node_modules/@portkey-ai/gateway/build/start-local.js"
  grep -q 'hostname:"127.0.0.1"' "$dir/node_modules/@portkey-ai/gateway/build/start-local.js" || { echo "could not patch Portkey's start script" >&2; exit 1; }
  taskset -c 0 node "$dir/node_modules/@portkey-ai/gateway/build/start-local.js" --port="$PORTKEY" --headless > "$work/portkey.log" 2>&1 &
  pid=$!
}

# A minimal proxy on one HTTP stack (dev.signalbox.bench.floor), with the launcher's heap, collector
# and stack flags (as the launcher prints them now).
start_floor() {
  # shellcheck disable=SC2046
  taskset -c 0 "$java" $(floor_flags) -cp "$bench_cp" "dev.signalbox.bench.floor.$1" "$FLOOR" "$UP" > "$work/$1.log" 2>&1 &
  pid=$!
}

# Every request under limits it never reaches (rate, tokens, requests at once and a budget), on the
# keyless gateway's own tenant: what checking, reserving and settling costs.
LIMITS='{rpm: 100000000, tpm: 1000000000000, concurrent: 1000000, budget: {usd: 1000000000000, period: monthly}}'

start_signalbox() {
  write_rules_route_config "$work/signalbox.yaml" "$SIGNALBOX" "$UP"
  # signalbox-otel: the same with OpenTelemetry on, exporting to the fake upstream's OTLP sink.
  [ "${1:-}" = otel ] && printf 'telemetry: {enabled: true, endpoint: "http://127.0.0.1:%s"}\n' "$UP" >> "$work/signalbox.yaml"
  # signalbox-untraced: the same with the trace store off (what recording every decision costs).
  [ "${1:-}" = untraced ] && sed -i 's/^traces: {path: \(.*\)}$/traces: {enabled: false, path: \1}/' "$work/signalbox.yaml"
  # signalbox-limits / -redis: the same under limits, kept in memory or in a redis-server on core 1.
  [ "${1:-}" = limits ] && printf 'limits: {tenants: {local: %s}}\n' "$LIMITS" >> "$work/signalbox.yaml"
  if [ "${1:-}" = redis ]; then
    taskset -c 1 redis-server --bind 127.0.0.1 --port "$REDIS" --save '' --appendonly no > "$work/redis.log" 2>&1 &
    pids+=("$!"); wait_port "$REDIS"
    printf 'limits: {redis-url: "redis://127.0.0.1:%s", tenants: {local: %s}}\n' "$REDIS" "$LIMITS" >> "$work/signalbox.yaml"
  fi
  # shellcheck disable=SC2086
  taskset -c 0 ./signalbox serve --config "$work/signalbox.yaml" ${SERVE_ARGS:-} > "$work/signalbox.log" 2>&1 &
  pid=$!
}

for target in $TARGETS; do
  headers=""
  case "$target" in
    direct) port=$UP; pid="" ;;
    nginx) start_nginx; port=$NGINX ;;
    portkey) start_portkey; port=$PORTKEY
      headers="x-portkey-provider: openai; x-portkey-custom-host: http://127.0.0.1:$UP/v1; authorization: Bearer unused" ;;
    signalbox) start_signalbox; port=$SIGNALBOX ;;
    signalbox-otel) start_signalbox otel; port=$SIGNALBOX ;;
    signalbox-untraced) start_signalbox untraced; port=$SIGNALBOX ;;
    signalbox-limits) start_signalbox limits; port=$SIGNALBOX ;;
    signalbox-redis) start_signalbox redis; port=$SIGNALBOX ;;
    floor-helidon) start_floor HelidonFloorProxy; port=$FLOOR ;;
    floor-vertx) start_floor VertxFloorProxy; port=$FLOOR ;;
    floor-netty) start_floor NettyFloorProxy; port=$FLOOR ;;
    floor-vertx-helidon) start_floor VertxHelidonFloorProxy; port=$FLOOR ;;
  esac
  [ -n "$pid" ] && pids+=("$pid")
  wait_port "$port"
  url="http://127.0.0.1:$port/v1/chat/completions"
  export HEADERS="$headers" MODEL=bench
  log ""
  log "## $target"
  # The process to watch is the proxy itself (the launcher execs java; nginx and node run in the foreground).
  watch_pid="${pid:-}"
  [ "$target" = portkey ] && watch_pid=$(pgrep -f "start-local.js --port=$PORTKEY" | head -1)
  [[ "$target" = signalbox* ]] && watch_pid=$(gateway_pid "$work/signalbox.yaml")
  harness open 200 1 "$((WARMUP < 10 ? WARMUP : 10))" "$url" > /dev/null   # warm-up, rising: JIT, connection pools
  harness open 500 1 "$((WARMUP < 10 ? WARMUP : 10))" "$url" > /dev/null
  harness open 1000 1 "$WARMUP" "$url" > /dev/null
  [ -z "$QUICK" ] && log "$(harness open 200 "$DURATION" 5 "$url")"
  rm -f "$work/rss.done"; [ -n "$watch_pid" ] && { rss_watch "$watch_pid" "$work/rss.done" > "$work/rss.txt" & }
  line="$(harness open 1000 "$DURATION" 5 "$url")"; log "$line"; p99_1000[$target]="$(p99_of "$line")"
  touch "$work/rss.done"; sleep 1
  [ -n "$watch_pid" ] && { rss[$target]="$(cat "$work/rss.txt")"; log "peak RSS under 1000 req/s: ${rss[$target]} MB"; }
  lua="$work/post.lua"
  write_wrk_post "$lua" "$headers"
  [[ "$target" = signalbox* ]] && dropped_before=$(traces_dropped "$port")
  line="closed loop: $(taskset -c 1 wrk -t1 -c64 -d"${WRK_SECONDS}"s -s "$lua" "$url" | awk '/Requests\/sec/ {print "throughput " $2 " req/s"} /Non-2xx/ {print "non-2xx " $NF}' | paste -sd' ')"
  [[ "$target" = signalbox* ]] && line="$line; traces dropped $(($(traces_dropped "$port") - dropped_before))"
  log "$line"; throughput[$target]="$(sed -E 's/.*throughput ([0-9.]+).*/\1/' <<< "$line")"
  if [ -z "$QUICK" ]; then
    line="$(harness open 200 "$DURATION" 5 "$url" stream)"; log "$line"; ttft99[$target]="$(p99_of "$line")"
    line="$(harness streams 512 "$url" "$GAP_MS")"; log "$line"; stalls[$target]="$(sed -E 's/.*stalls\(>[0-9]+ms\)=([0-9]+).*/\1/' <<< "$line")"
  fi
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  [ "$target" = nginx ] && { kill "$(cat "$work/nginx.pid" 2>/dev/null)" 2>/dev/null || true; }
  sleep 1
done
log ""
log "## ratios against the targets (issue 17), this run"
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2fx", a / b }'; }
diff_ms() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "") print "-"; else printf "%.2f ms", a - b }'; }
s=signalbox
log "closed-loop throughput / nginx:   $(ratio "${throughput[$s]:-}" "${throughput[nginx]:-}")   (target >= 0.5x, aim 0.9x)"
log "closed-loop throughput / Portkey: $(ratio "${throughput[$s]:-}" "${throughput[portkey]:-}")   (target >= 20x)"
log "added p99 at 1000 req/s:          $(diff_ms "${p99_1000[$s]:-}" "${p99_1000[direct]:-}")   (target <= 1 ms)"
[ -z "$QUICK" ] && log "added TTFT p99 at 200 streams/s:  $(diff_ms "${ttft99[$s]:-}" "${ttft99[direct]:-}")   (target <= 1 ms)"
[ -z "$QUICK" ] && log "512 concurrent streams, stalls:   ${stalls[$s]:--}   (target 0)"
log "peak RSS under 1000 req/s:        ${rss[$s]:--} MB   (target <= 256 MB)"
if [ -n "${p99_1000[signalbox-otel]:-}" ]; then
  log "OpenTelemetry on (issue 21): p99 at 1000 req/s $(diff_ms "${p99_1000[signalbox-otel]}" "${p99_1000[$s]:-}") over tracing off ($(ratio "${p99_1000[signalbox-otel]}" "${p99_1000[$s]:-}")), closed-loop throughput $(ratio "${throughput[signalbox-otel]:-}" "${throughput[$s]:-}") of tracing off"
fi
for limited in signalbox-limits signalbox-redis; do
  if [ -n "${p99_1000[$limited]:-}" ]; then
    log "$limited (issue 20): p99 at 1000 req/s $(diff_ms "${p99_1000[$limited]}" "${p99_1000[$s]:-}") over no limits ($(ratio "${p99_1000[$limited]}" "${p99_1000[$s]:-}")), closed-loop throughput $(ratio "${throughput[$limited]:-}" "${throughput[$s]:-}") of no limits   (target: +0.3 ms in memory, +1 ms with Redis)"
  fi
done
log ""
log "# results in $out"
