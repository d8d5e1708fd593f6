# Sourced by the launchers (./signalbox in a checkout, bin/signalbox in the distribution):
# run_signalbox CLASSPATH ARGS... runs the CLI on a JDK of at least 21 with the default JVM flags;
# record_aot_cache CLASSPATH FILE CONFIG FRONT records the JDK's ahead-of-time cache that `serve` then
# starts from (JDK 25 and later). Expects find_java (build/find-java.sh) to be defined.

log_format='-Djava.util.logging.SimpleFormatter.format=%1$tFT%1$tT %4$s %3$s: %5$s%6$s%n'
# Default JVM flags of the gateway, chosen by signalbox-bench/run-gc.sh (docs/results/gc-*.txt). G1 in
# a 112 MB heap since 2026-12-05: with the load generator's own pauses gone from the benchmark, the
# serial collector (144 MB, the default before) had a time-to-first-token p99 of 14-40 ms under 200
# streams a second in four runs, its young collections stopping every open stream, and G1 in 112 MB
# 10.6-12.5 ms in two (128 and 144 MB: 8.8-17.3 ms in six), for a request p99 at 1,000 req/s 0.3-0.5
# ms higher (6.0-6.3 ms against 5.3-6.3) and a peak RSS of 242-244 MB at 1,000 req/s (serial
# 213-221) and 251-253 MB while streaming (serial 268-273); 128 MB reached 249-258 MB, over the
# 256 MB target (CANDIDATES="serial-144m g1-128m g1-144m ..." STREAMS=1 bash signalbox-bench/run-gc.sh,
# docs/results/gc-g1-serial-20261205T001951Z.txt and gc-g1-heap-20261205T003134Z.txt). A 128 MB code
# cache (reserved, not committed) keeps the JIT from forcing full collections ("CodeCache GC
# Threshold", 90 ms). The heap is not touched at start: pre-touching cost 0.5 s of start-up on one
# core (-Xlog:startuptime, "Genesis") and 20-30 MB of resident memory, for the same request p99
# (docs/results/gc-20261203T111752Z.txt). Survivor spaces of a sixth of the young generation: an open
# stream's state (about 27 KB) outlives a few young collections (chosen for the serial collector,
# where smaller survivors let a burst of 512 streams overflow into the old generation until a full
# collection stalled them all, docs/results/gc-20261204T001200Z.txt; G1 was measured with it). Netty's
# allocator events for the JDK's flight recorder are off: the first buffer registered them and started
# the recorder's metadata, 77 ms of a one-core start (async-profiler, 2026-12-04);
# -Dio.netty.jfr.enabled=true brings them back. Netty's buffer leak detector is off too: sampling one
# buffer in 128 with a stack trace took 1.2% of the gateway's CPU in the closed loop
# (docs/results/profile-loop-closed-20261204T181555Z.txt); the tests keep it on (Netty's default), and
# -Dio.netty.leakDetection.level=simple brings it back. Reflection goes through the JVM's native
# accessors, not method handles: the config's binding calls hundreds of constructors and accessors
# once each, and each method handle spun for them (classes the AOT cache does not keep, then JIT work)
# cost the start 190-370 ms on one core (run-startup-ab.sh against 2e9a9e8, three rounds,
# docs/results/startup-native-reflection-20261206.txt). A native call is slower, so the request
# path's mappers (ChatRequestParser, TraceJson, Json.MAPPER) reach records through Jackson's Blackbird
# module, lambdas instead of reflection; with them the steady state did not move (same file). Alone,
# native reflection cost a request a tenth more CPU (startup-jit-reflection-20261206.txt).
# SIGNALBOX_JAVA_OPTS adds to these flags or overrides them (-XX:-UseG1GC -XX:+UseSerialGC -Xms144m
# -Xmx144m for the serial collector as before).
serve_common=(-XX:SurvivorRatio=4 -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=128m -Xss512k
  -Djdk.reflect.useNativeAccessorOnly=true -Dio.netty.jfr.enabled=false -Dio.netty.leakDetection.level=disabled
  --enable-native-access=ALL-UNNAMED "$log_format")
serve_opts=(-Xms112m -Xmx112m -XX:+UseG1GC "${serve_common[@]}")
# A config that embeds prompts (a learned route: threshold, objective or bandit; a rule on the
# domain) loads a sentence encoder into the heap, and gets the serial collector in 144 MB. MMLU
# prompts at 40 req/s to a kNN route after a 45 s warm-up, two runs each (WARMUP=45 bash
# signalbox-bench/run-learned.sh, docs/results/learned-collectors-20261205.txt): serial 144 MB p50
# 16.0-16.5 ms, p99 32-110 ms; G1 112 MB p50 19.4-21.2 ms, p99 101-688 ms, and two full compactions
# while the encoder loaded (evacuation failures); G1 192 MB did not fail but took 15% more CPU per
# decision and 416 MB. The launcher reads the file given to --config; a config reloaded into one
# with a learned route keeps the collector it started with (SIGNALBOX_JAVA_OPTS sets one). It also
# gets the JDK's vector module, which bounds a kNN route's search in int8 and scores only the rows
# that can be among the k in float: 0.25 ms against the float scan's 4.95 ms over 11,229 MMLU
# prompts, the same neighbours (bash signalbox-bench/run-jmh.sh NearestNeighboursBenchmark,
# docs/results/knn-int8-20261205.txt). The JVM says "Using incubator modules" once at start.
learned_serve_opts=(-Xms144m -Xmx144m -XX:+UseSerialGC --add-modules=jdk.incubator.vector "${serve_common[@]}")

# serve_flags ARGS...: the JVM flags of `serve ARGS...` (the learned-route ones when the file given
# to --config embeds prompts), one a line.
serve_flags() {
  local config="" previous="" arg
  for arg in "$@"; do
    [ "$previous" = --config ] && config="$arg"
    case "$arg" in --config=*) config="${arg#--config=}" ;; esac
    previous="$arg"
  done
  # One grep, no pipe: under pipefail a pipe into grep -q can fail on SIGPIPE when it matches early.
  # What follows a # on a line is a comment.
  if [ -n "$config" ] && [ -f "$config" ] && grep -Eq \
    '^[^#]*(policy:[[:space:]]*"?(threshold|objective|bandit)([^[:alnum:]_-]|$)|(^|[[:space:]{,])domains:)' "$config"; then
    printf '%s\n' "${learned_serve_opts[@]}"
  else
    printf '%s\n' "${serve_opts[@]}"
  fi
}
# takes_aot_cache ARGS...: whether `serve ARGS...` starts from the ahead-of-time cache. It is recorded
# under the default flags only: the JVM refuses it, with errors, under a learned route's, whose vector
# module it was not recorded with (and its linked classes need the module graph that --add-modules
# turns off). A learned gateway answered first 0.8-1.2 s later without it (6.5-6.8 s against
# 5.6-5.7 s, docs/results/knn-int8-20261205.txt).
takes_aot_cache() {
  local flags
  flags="$(serve_flags "$@")"
  [[ $'\n'"$flags"$'\n' != *$'\n'--add-modules=* ]]
}

# Offline commands hold whole data sets (MMLU's embeddings, a kNN artifact being written) and, tuning
# an encoder, the frozen layers' states of every training prompt (about 0.9 GB for MMLU's 11,229):
# a heap of up to half the machine's (or container's) memory, committed only as it is used. The 1 GB
# it had ran out of memory in the second fold of `eval` of a tuned route on MMLU cv:5.
offline_opts=(-XX:MaxRAMPercentage=50 -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED "$log_format")
# The commands that fit and decide learned routes over whole data sets get the vector module too (the
# kNN search above): `eval` of examples/eval/routellm.yaml on MMLU cv:5 took 20.6 s against 86.0 s
# without it, its output the same byte for byte (docs/results/knn-int8-20261205.txt).
vector_commands=(eval train replay)

# Records FILE by a training run (WarmUp: CONFIG served on a free port, requests of every kind sent
# to it, then to FRONT, if given, served in front of it through the providers' clients; without
# CONFIG, the two gateways the build carries) under the serve flags, which the cache must match.
# Quiet; false if it failed.
record_aot_cache() {
  local classpath="$1" file="$2" config="${3:-}" front="${4:-}" java
  java="$(find_java)" || return 1
  [ "$(java_version "$java")" -ge 25 ] 2>/dev/null || return 1
  rm -f "$file"
  "$java" "${serve_opts[@]}" -XX:AOTCacheOutput="$file" -cp "$classpath" dev.signalbox.cli.Main \
    warm-up ${config:+--config "$config"} ${front:+--front "$front"} > "$file.log" 2>&1 && [ -f "$file" ]
}

run_signalbox() {
  local classpath="$1" java
  shift
  java="$(find_java)" || exit 1
  local opts=("${offline_opts[@]}")
  [[ " ${vector_commands[*]} " == *" ${1:-none} "* ]] && opts+=(--add-modules=jdk.incubator.vector)
  if [ "${1:-}" = "serve" ] || [ "${1:-}" = "--print-jvm-flags" ]; then
    mapfile -t opts < <(serve_flags "$@")
    # The ahead-of-time cache: classes loaded and linked, hot methods profiled, by a training run.
    if [ -n "${SIGNALBOX_AOT_CACHE:-}" ] && [ -f "$SIGNALBOX_AOT_CACHE" ] && takes_aot_cache "$@"; then
      opts+=(-XX:AOTCache="$SIGNALBOX_AOT_CACHE")
    fi
  fi
  if [ "${1:-}" = "--print-jvm-flags" ]; then
    echo "${opts[@]} ${SIGNALBOX_JAVA_OPTS:-}"
    return 0
  fi
  # Fewer glibc malloc arenas: the JVM allocates little natively, and each arena costs resident memory.
  export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
  # Tuning an encoder (PyTorch, its CPU kernels MKL's on OpenMP threads) gives the same weights for
  # the same data and seed only on a fixed number of threads: left to choose, they choose by how busy
  # the machine is, the reductions split differently and the sums part in the last bits, then further
  # at every step. Beside busy loops, a tuning run parted from an idle run's within two epochs with
  # the defaults, and with only the two DYNAMIC switches off; with the thread count fixed as well it
  # agreed bit for bit, beside one busy loop and beside two (docs/results/tuned-threads-20261206.txt).
  case "${1:-}" in
    train | eval)
      export MKL_DYNAMIC="${MKL_DYNAMIC:-FALSE}" OMP_DYNAMIC="${OMP_DYNAMIC:-FALSE}" \
        OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
      ;;
  esac
  # ONNX Runtime (the embedding models) would otherwise start a telemetry client that sends events to
  # Microsoft, and that crashes at start where there is no shell, as in the OCI image.
  export ORT_DISABLE_TELEMETRY="${ORT_DISABLE_TELEMETRY:-1}"
  # Each client connection may hold an upstream one too: allow as many descriptors as the system lets us.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  if [ "${1:-}" = "serve" ] && [ "${SIGNALBOX_JIT_NICE:-0}" != 0 ]; then
    # Started from a subshell that ends at once, so the JVM this shell becomes has no child to reap.
    (lower_jit_priority "$$" "$SIGNALBOX_JIT_NICE" &)
  fi
  # shellcheck disable=SC2086
  exec "$java" "${opts[@]}" ${SIGNALBOX_JAVA_OPTS:-} -cp "$classpath" dev.signalbox.cli.Main "$@"
}

# lower_jit_priority PID NICE: gives the JIT's compiler threads of JVM PID the niceness NICE, once
# they exist (they start with the JVM; this waits at most two seconds for them). Off by default
# (SIGNALBOX_JIT_NICE=10 turns it on): it helps a start under light load and badly hurts one under
# heavy load. Saturated by a closed loop from its first second, a gateway with its compilers at nice
# 10 served 280-590 req/s in its first 20 s and 3,700-4,300 after 90 s, against 1,200-2,700 and
# 7,200-8,000 at their default priority (bash signalbox-bench/run-saturated-start.sh,
# docs/results/jit-nice-saturation-20261204.txt): a replica that starts under load must catch up.
# What it gives under light load: on one core the compiler threads held 55-65% of it from the start
# to the first answer, and requests queued behind compilations for a minute after; at nice 10 they
# take what requests leave. The launcher with and without it, alternating (BASELINE=<checkout
# without it> bash signalbox-bench/run-startup-ab.sh, docs/results/startup-ab-20261204T031305Z.txt):
# first answer 2.5-2.9 s against 3.0-3.7 s, the first 1,000 requests' p99 38-61 ms against 95-260 ms. Steady at 1,000 req/s after 55 s, the JVM's
# own flags for the same (-XX:ThreadPriorityPolicy=1 -XX:CompilerThreadPriority=10) gave the same
# p99 and a closed loop 2-17% lower in two rounds, the JIT catching up later
# (docs/results/flags-ab-20261204T030207Z.txt); those flags print a warning at every start for users
# other than root, which renice does not need. Lowering C2 alone answered first about 0.1 s sooner
# but left the first 1,000 requests' p99 15-35 ms higher in five alternating rounds (C1 compiling
# beside the requests; docs/results/startup-c1-nice-20261204.txt).
lower_jit_priority() {
  local pid="$1" nice="$2" task name found
  for _ in $(seq 200); do
    found=0
    for task in /proc/"$pid"/task/*; do
      read -r name < "$task/comm" 2> /dev/null || continue
      case "$name" in
        "C1 CompilerThre"* | "C2 CompilerThre"*)
          renice -n "$nice" -p "${task##*/}" > /dev/null 2>&1 && found=$((found + 1)) ;;
      esac
    done
    [ "$found" -ge 2 ] && return 0
    sleep 0.01
  done
  return 1
}
