#!/usr/bin/env bash
# Where the gateway's CPU goes under the closed loop: the load benchmark's set-up (lib.sh's rules
# route, the gateway alone on core 0, the fast fake upstream and wrk on core 1), WARMUP seconds at
# 1,000 req/s and 20 s of closed loop, then async-profiler (cpu, 1 ms, per thread) over DURATION
# seconds of closed loop. Writes the collapsed stacks and a summary (share per thread, and of any
# frames named in PATTERNS) to bench-results/profile-<time>.*. async-profiler comes from Maven
# Central (tools.profiler:async-profiler). With CHECKOUT, that checkout's gateway is profiled. With
# RATE=N, the profile is taken under an open loop of N req/s instead of the closed loop (where the
# CPU of a request at a moderate rate goes, which the added p99 depends on). With STREAMS=1, under
# 200 streams a second instead (40 chunks 50 ms apart, as run-load.sh's), after warming on them.
# With EVENT=alloc, the samples are of allocation (bytes, one sample every 512 KB per thread) rather
# than of CPU: where the garbage the collector clears comes from.
#
#   PATTERNS="epoll_ctl futex sqlite" bash signalbox-bench/run-profile.sh
#   RATE=1000 bash signalbox-bench/run-profile.sh
#   EVENT=alloc bash signalbox-bench/run-profile.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
WARMUP="${WARMUP:-40}"
DURATION="${DURATION:-20}"
EVENT="${EVENT:-cpu}"
case "$EVENT" in
  cpu) sampling="event=cpu,interval=1ms" ;;
  alloc) sampling="event=alloc,alloc=512k,total" ;;
  *) echo "EVENT is cpu or alloc" >&2; exit 2 ;;
esac
UP=19061; SIGNALBOX=19064
source signalbox-bench/lib.sh
bench_start profile
build_bench
profiler_version=4.2
profiler_jar="$HOME/.m2/repository/tools/profiler/async-profiler/$profiler_version/async-profiler-$profiler_version-linux-x64.jar"
[ -f "$profiler_jar" ] || mvn -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$profiler_version:jar:linux-x64"
(cd "$work" && "$(dirname "$java")/jar" xf "$profiler_jar" linux-x64/libasyncProfiler.so)
checkout="${CHECKOUT:-.}"
[ "$checkout" = . ] || "$checkout/signalbox" --version > /dev/null
if [ -n "${STREAMS:-}" ]; then start_fast_upstream "$UP" 50 40; else start_fast_upstream "$UP" 0 1; fi
pids+=("$pid"); wait_port "$UP"
url="http://127.0.0.1:$SIGNALBOX/v1/chat/completions"
export MODEL=bench HEADERS=""
lua="$work/post.lua"; write_wrk_post "$lua"
write_rules_route_config "$work/signalbox.yaml" "$SIGNALBOX" "$UP" "$work/traces.db"
serve_gateway "" "$work/signalbox.log" "$checkout"
harness open 1000 1 "$WARMUP" "$url" > /dev/null
taskset -c 1 wrk -t1 -c64 -d20s -s "$lua" "$url" > /dev/null
[ -n "${STREAMS:-}" ] && harness open 200 20 5 "$url" stream > /dev/null
stacks="${out%.txt}.collapsed"
# jcmd reads key=value pairs out of its arguments, so the agent's options go in quotes of their own.
"$(dirname "$java")/jcmd" "$jvm" JVMTI.agent_load "$work/linux-x64/libasyncProfiler.so" \
  "\"start,$sampling,timeout=$DURATION,threads,collapsed,file=$root/$stacks\"" > /dev/null
load="closed loop"
[ -n "${RATE:-}" ] && load="$RATE req/s"
[ -n "${STREAMS:-}" ] && load="200 streams/s"
log "# $(git -C "$checkout" rev-parse --short HEAD)$(git -C "$checkout" diff --quiet HEAD || echo ', changed'), $(date -u +%FT%TZ): $EVENT, ${DURATION}s of $load after ${WARMUP}s at 1000 req/s and 20s of closed loop"
if [ -n "${STREAMS:-}" ]; then
  log "$(harness open 200 "$((DURATION + 2))" 0 "$url" stream)"
elif [ -n "${RATE:-}" ]; then
  log "$(harness open "$RATE" "$((DURATION + 2))" 0 "$url")"
else
  log "$(taskset -c 1 wrk -t1 -c64 -d"$((DURATION + 2))"s -s "$lua" "$url" | grep Requests/sec)"
fi
for _ in $(seq 1 50); do [ -s "$stacks" ] && break; sleep 0.2; done
python3 - "$stacks" ${PATTERNS:-} <<'PY' | tee -a "$out"
import collections, re, sys
total, threads, patterns, leaves = 0, collections.Counter(), collections.Counter(), collections.Counter()
for line in open(sys.argv[1]):
    stack, n = line.rstrip().rsplit(' ', 1)
    n = int(n)
    total += n
    frames = stack.split(';')
    threads[re.sub(r'[-#]?\d+$', '', re.sub(r' tid=\d+', '', frames[0].strip('[]')))] += n
    leaves[frames[-1]] += n
    for p in sys.argv[2:]:
        patterns[p] += n if p in stack else 0
print(f'samples {total}')
for name, n in threads.most_common(10):
    print(f'{100 * n / total:5.1f}% thread {name}')
for p in sys.argv[2:]:
    print(f'{100 * patterns[p] / total:5.1f}% under {p}')
for name, n in leaves.most_common(15):
    print(f'{100 * n / total:5.1f}% leaf {name[:120]}')
PY
log "stacks: $stacks"
