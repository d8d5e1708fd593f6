# Helpers shared by the load scripts (sourced, not run). Expects $root to be the project directory.

source "$root/build/find-java.sh"
java="$(find_java)"
bench_cp="$root/signalbox-bench/target/signalbox-bench-0.1.0-SNAPSHOT.jar:$root/signalbox-bench/target/lib/*"

# Sets $work (a fresh directory), $out (bench-results/$1-<time>.txt) and $pids, every one of which is
# stopped when the script exits. The trace stores written in $work go then too (a closed loop writes
# hundreds of MB, and a day of runs filled this host's /tmp); the processes' logs stay.
bench_start() {
  work="$(mktemp -d "/tmp/signalbox-$1.XXXXXX")"
  mkdir -p "$root/bench-results"
  out="bench-results/$1-$(date -u +%Y%m%dT%H%M%SZ).txt"
  pids=()
  trap 'for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; find "$work" -name "*.db" -o -name "*.db-wal" -o -name "*.db-shm" | xargs -r rm -f' EXIT
}

log() { echo "$*" | tee -a "$out"; }

# Installs Debian package $2 when command $1 is missing (as root, like .ci/run), or says how and
# stops: a benchmark half run for want of a tool measures nothing.
need_tool() {
  command -v "$1" > /dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    apt-get install -y -q "$2" > /dev/null 2>&1 && command -v "$1" > /dev/null && return 0
  fi
  echo "this benchmark needs $1: apt-get install -y $2" >&2
  exit 1
}

build_bench() {
  [ -f "$root/signalbox-bench/target/signalbox-bench-0.1.0-SNAPSHOT.jar" ] \
    || (cd "$root" && mvn -B -q -Pbench -pl signalbox-bench -am -DskipTests -Dformat.skip=true package)
  "$root/signalbox" --version > /dev/null   # builds now if sources changed, not in the middle of a run
}

# The load generator, on core 1 (the proxy under test has core 0). Its young generation is large
# enough that a run never collects: with the JVM's defaults one young collection of 66-114 ms came
# about 20 s into every run, and every target's p99 took it (direct's streams p99 31 ms against 3-5).
harness() { taskset -c 1 "$java" -Xms2g -Xmx2g -Xmn1700m -cp "$bench_cp" dev.signalbox.bench.LoadHarness "$@"; }

# A fake OpenAI upstream on core 1: PORT [GAP_MS] [CHUNKS] [FAIL_SHARE]; its pid in $pid.
start_fast_upstream() {
  # ZGC: the serial collector's young pauses of 11-90 ms every 10 s reached every target's tail.
  taskset -c 1 "$java" -XX:+UseZGC -Xmx1g -cp "$bench_cp" dev.signalbox.bench.FastUpstream "$@" > "$work/upstream-$1.log" 2>&1 &
  pid=$!
}

wait_port() { for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }

rss_watch() { # prints the peak RSS in MB of pid $1 until file $2 exists
  local peak=0 rss
  while [ ! -f "$2" ]; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    sleep 0.5
  done
  echo $((peak / 1024))
}

# Writes the wrk script $1 that POSTs the closed loop's chat request, with the headers $2 ("name:
# value; name: value", optional).
write_wrk_post() {
  local hs h
  need_tool wrk wrk
  { echo 'wrk.method = "POST"'; echo 'wrk.headers["Content-Type"] = "application/json"'
    IFS=';' read -ra hs <<< "${2:-}"
    for h in "${hs[@]}"; do [ -n "${h// }" ] && echo "wrk.headers[\"$(echo "${h%%:*}" | xargs)\"] = \"$(echo "${h#*:}" | xargs)\""; done
    echo "wrk.body = '{\"model\":\"bench\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"Summarise the benchmark rules in one sentence.\"}]}'"; } > "$1"
}

# How many traces the gateway on port $1 has dropped so far (its queue full, or the store refusing).
# A saturated gateway whose trace writer falls behind drops traces and so does less work per
# request: a closed loop's throughput is read beside this count.
traces_dropped() {
  curl -s "http://127.0.0.1:$1/metrics" | awk '/^signalbox_trace_dropped_total/ {s += $NF} END {printf "%d", s}'
}

# The CPU clock ticks (user and system) process $1 has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Microseconds of CPU per request: $1 clock ticks over $2 requests.
cpu_us_per_request() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}'; }

# The pid of the JVM serving config $1 (the launcher execs java).
gateway_pid() { pgrep -f "dev.signalbox.cli.Main serve --config $1" | head -1; }

# Serves $work/signalbox.yaml on core 0 with JVM options $1 (after the launcher's), its output in
# $2, with the launcher of checkout $3 (this one by default); waits for port $SIGNALBOX. Sets $gw (the launcher's pid, stopped at exit) and $jvm (the JVM's,
# for jstat, jcmd and /proc).
serve_gateway() { # JVM_FLAGS LOG [CHECKOUT]
  SIGNALBOX_JAVA_OPTS="$1" taskset -c 0 "${3:-.}/signalbox" serve --config "$work/signalbox.yaml" > "$2" 2>&1 &
  gw=$!; pids+=("$gw"); wait_port "$SIGNALBOX"
  jvm="$(gateway_pid "$work/signalbox.yaml")"
}

# The start-up benchmarks' set-up: the fast fake upstream on port $UP (no stream gaps) and a
# one-model config for port $SIGNALBOX, no access log. Sets $url and $body (a chat request).
start_startup_target() {
  start_fast_upstream "$UP" 0 1
  pids+=("$pid"); wait_port "$UP"
  write_single_model_config "$work/signalbox.yaml" "$SIGNALBOX" "$UP" false
  url="http://127.0.0.1:$SIGNALBOX/v1/chat/completions"
  export MODEL=bench
  body='{"model":"bench","messages":[{"role":"user","content":"hi"}]}'
}

# Starts `./signalbox serve` on core 0 (SIGNALBOX_AOT=$1, JVM options $2 after the launcher's, its
# output in $3; $4, if given, another checkout whose launcher runs instead; $SERVE_ARGS, if set,
# more arguments to serve) and asks it $body until it answers, for at most a minute. Sets $server
# (stopped at exit) and $first, the milliseconds from the process's start to its first answer.
serve_until_first_answer() {
  local start
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  SIGNALBOX_AOT="$1" SIGNALBOX_JAVA_OPTS="$2" taskset -c 0 "${4:-.}/signalbox" serve --config "$work/signalbox.yaml" ${SERVE_ARGS:-} > "$3" 2>&1 &
  server=$!; pids+=("$server")
  ask_until_answered "$url" "$start"
}

# Asks $body of URL $1 until it answers, for at most a minute; sets $first, the milliseconds from
# $2 (nanoseconds since the epoch) to the answer.
ask_until_answered() {
  for _ in $(seq 12000); do
    curl -sf -o /dev/null "$1" -H 'content-type: application/json' -d "$body" && break
    sleep 0.005
  done
  first=$(( ($(date +%s%N) - $2) / 1000000 ))
}

# The start-up floor: Netty alone relaying to the upstream (dev.signalbox.bench.floor.NettyFloorProxy
# on port $FLOOR, core 0) under the launcher's heap, collector and stack flags, from an ahead-of-time
# cache of its own recorded by 300 requests (JDK 25+). `floor_until_first_answer on|off LOG` starts
# it and sets $floor (stopped at exit), $floor_url and $first as serve_until_first_answer does.
floor_flags() { ./signalbox --print-jvm-flags 2> /dev/null | tr ' ' '\n' | grep -E '^-(Xm[sx]|Xss|XX:\+Use.*GC|XX:SurvivorRatio|Dio\.netty\.)'; }
floor_until_first_answer() {
  local start cache=()
  floor_url="http://127.0.0.1:$FLOOR/v1/chat/completions"
  if [ "$1" = on ]; then
    if [ ! -f "$work/floor.aot" ]; then
      # shellcheck disable=SC2046
      taskset -c 0 "$java" $(floor_flags) -XX:AOTCacheOutput="$work/floor.aot" -cp "$bench_cp" \
        dev.signalbox.bench.floor.NettyFloorProxy "$FLOOR" "$UP" > "$work/floor-training.log" 2>&1 &
      floor=$!; pids+=("$floor")
      ask_until_answered "$floor_url" "$(date +%s%N)"
      for _ in $(seq 300); do curl -sf -o /dev/null "$floor_url" -H 'content-type: application/json' -d "$body"; done
      kill "$floor"; wait "$floor" 2>/dev/null || true   # the cache is written as the JVM exits
    fi
    cache=(-XX:AOTCache="$work/floor.aot")
  fi
  start=$(date +%s%N)
  # shellcheck disable=SC2046
  taskset -c 0 "$java" $(floor_flags) "${cache[@]}" -cp "$bench_cp" \
    dev.signalbox.bench.floor.NettyFloorProxy "$FLOOR" "$UP" > "$2" 2>&1 &
  floor=$!; pids+=("$floor")
  ask_until_answered "$floor_url" "$start"
}

# Writes config $1: Signalbox on port $2 in front of the fake upstream on port $3, one model on
# routes `bench` and `auto`; $4 is server.access-log (default true). Traces go to $work.
write_single_model_config() {
  cat > "$1" <<YAML
server: {host: 127.0.0.1, port: $2, access-log: ${4:-true}}
traces: {path: $work/traces.db}
deployments:
  - {name: fast, provider: openai, base-url: "http://127.0.0.1:$3/v1", model: bench}
models:
  - {name: small, deployments: [fast], context-window: 128000}
routes:
  - {name: bench, models: [small], policy: priority}
  - {name: auto, models: [small], policy: priority}
YAML
}

# Writes config $1: the load benchmark's gateway, Signalbox on port $2 in front of the fake upstream
# on port $3: a `rules` route (route `bench`) handing requests to a cheapest-first or a strong-first
# route over two models; traces to $4 (default $work/traces.db).
write_rules_route_config() {
  cat > "$1" <<YAML
server: {host: 127.0.0.1, port: $2}
traces: {path: ${4:-$work/traces.db}}
deployments:
  - {name: fast, provider: openai, base-url: "http://127.0.0.1:$3/v1", model: bench}
  - {name: spare, provider: openai, base-url: "http://127.0.0.1:$3/v1", model: bench-spare}
models:
  - {name: small, deployments: [fast], pricing: {input: 0.15, output: 0.6}, context-window: 128000}
  - {name: large, deployments: [spare], pricing: {input: 5, output: 15}, context-window: 128000}
routes:
  - name: bench
    policy: rules
    rules:
      - {name: hard, keywords: [prove, refactor], route: strong}
      - {name: long, prompt-tokens: {min: 8000}, route: strong}
    default: everyday
  - {name: everyday, models: [small, large], policy: cheapest}
  - {name: strong, models: [large, small], policy: priority}
YAML
}
