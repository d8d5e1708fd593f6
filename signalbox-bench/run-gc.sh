#!/usr/bin/env bash
# Chooses the gateway's collector and heap by measurement: Signalbox (the load benchmark's config,
# lib.sh's write_rules_route_config; tracing and access log on) at 1,000 req/s under each
# candidate's flags, reporting the request p99, every safepoint pause's p99 and maximum
# (-Xlog:safepoint, the same measure for every collector), the process's peak RSS and its CPU per
# request; then, with STREAMS=1, streams as run-load.sh sends them (200 a second for DURATION
# seconds: time to first token; then 512 at once: stalls), the longest pause while they ran and the
# peak RSS over the whole run. Results go to bench-results/gc-<time>.txt.
#
#   bash signalbox-bench/run-gc.sh
#   CANDIDATES="serial-144m zgc-256m" DURATION=30 bash signalbox-bench/run-gc.sh
#   CANDIDATES="serial-144m g1-144m" STREAMS=1 WARMUP=40 bash signalbox-bench/run-gc.sh
# (-pretouch: the heap touched at start, as the launcher did until 2026-12-03; -lazy: not touched,
# the launcher's default since)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
CANDIDATES="${CANDIDATES:-defaults serial-144m g1-128m parallel-144m shenandoah-144m zgc-192m zgc-256m}"
WARMUP="${WARMUP:-20}"
DURATION="${DURATION:-20}"
UP=19101; SIGNALBOX=19104
source signalbox-bench/lib.sh
bench_start gc
build_bench

# The flags of each candidate, after the launcher's own; each names its collector and heap in full,
# so that the launcher's defaults may change under them.
serial="-XX:-UseG1GC -XX:+UseSerialGC -Xms144m -Xmx144m"
flags_of() {
  case "$1" in
    defaults) echo "" ;;
    serial-144m) echo "$serial" ;;   # the launcher until 2026-12-05
    serial-144m-code64m) echo "$serial -XX:ReservedCodeCacheSize=64m" ;;
    serial-144m-young96m) echo "$serial -Xmn96m" ;;
    serial-192m-young128m) echo "$serial -Xms192m -Xmx192m -Xmn128m" ;;
    serial-144m-survivor4) echo "$serial -XX:SurvivorRatio=4" ;;
    serial-144m-survivor8) echo "$serial -XX:SurvivorRatio=8" ;;
    serial-144m-young64m-survivor4) echo "$serial -Xmn64m -XX:SurvivorRatio=4" ;;
    serial-144m-pretouch) echo "$serial -XX:+AlwaysPreTouch" ;;
    serial-128m-lazy) echo "$serial -XX:-AlwaysPreTouch -Xms128m -Xmx128m" ;;
    serial-96m-lazy) echo "$serial -XX:-AlwaysPreTouch -Xms96m -Xmx96m" ;;
    serial-112m) echo "$serial -Xms112m -Xmx112m" ;;
    parallel-144m) echo "-XX:-UseG1GC -XX:+UseParallelGC -Xms144m -Xmx144m" ;;
    g1-144m) echo "-XX:+UseG1GC -Xms144m -Xmx144m" ;;
    g1-128m) echo "-XX:+UseG1GC -Xms128m -Xmx128m" ;;
    g1-112m) echo "-XX:+UseG1GC -Xms112m -Xmx112m" ;;   # the launcher since 2026-12-05
    g1-96m) echo "-XX:+UseG1GC -Xms96m -Xmx96m" ;;
    shenandoah-144m) echo "-XX:-UseG1GC -XX:+UseShenandoahGC -Xms144m -Xmx144m" ;;
    zgc-192m) echo "-XX:-UseG1GC -XX:+UseZGC -Xms192m -Xmx192m" ;;
    zgc-256m) echo "-XX:-UseG1GC -XX:+UseZGC -Xms256m -Xmx256m" ;;
    *) echo "unknown candidate $1" >&2; exit 1 ;;
  esac
}

log "# Signalbox collector and heap, $(date -u +%FT%TZ), $(nproc) cores; gateway on core 0"
log "# launcher flags: $(./signalbox --print-jvm-flags)"
log "# warmup ${WARMUP}s, then ${DURATION}s recorded at 1000 req/s"
start_fast_upstream "$UP" 50 40
pids+=("$pid")
wait_port "$UP"
url="http://127.0.0.1:$SIGNALBOX/v1/chat/completions"
export MODEL=bench HEADERS=""
for candidate in $CANDIDATES; do
  extra="$(flags_of "$candidate")"
  write_rules_route_config "$work/signalbox.yaml" "$SIGNALBOX" "$UP" "$work/traces-$candidate.db"
  serve_gateway "$extra -Xlog:safepoint:file=$work/safepoints-$candidate.log -Xlog:gc:file=$work/gc-$candidate.log" \
    "$work/signalbox-$candidate.log"
  harness open 200 1 10 "$url" > /dev/null
  harness open 1000 1 "$WARMUP" "$url" > /dev/null
  before_lines=$(wc -l < "$work/safepoints-$candidate.log")
  cpu_before=$(cpu_ticks "$jvm")
  rm -f "$work/rss.done"; rss_watch "$jvm" "$work/rss.done" > "$work/rss.txt" &
  line="$(harness open 1000 "$DURATION" 5 "$url")"
  touch "$work/rss.done"; sleep 1
  cpu_after=$(cpu_ticks "$jvm")
  pauses="$(tail -n +"$((before_lines + 1))" "$work/safepoints-$candidate.log" \
    | sed -nE 's/.*Total: ([0-9]+) ns.*/\1/p' | sort -n \
    | awk '{a[NR]=$1} END {if (NR==0) {print "pauses n=0"; exit}; i=int(NR*0.99); if (i<1) i=1; printf "pauses n=%d p99=%.3fms max=%.3fms", NR, a[i]/1e6, a[NR]/1e6}')"
  n="$(sed -E 's/.* n=([0-9]+) .*/\1/' <<< "$line")"
  cpu_us=$(cpu_us_per_request $((cpu_after - cpu_before)) "$n")
  log ""
  log "## $candidate: ${extra:-launcher defaults}"
  log "$line"
  log "$pauses; peak RSS $(cat "$work/rss.txt") MB; CPU ${cpu_us} us per request"
  if [ "${STREAMS:-0}" = 1 ]; then
    rm -f "$work/rss.done"; rss_watch "$jvm" "$work/rss.done" > "$work/rss.txt" &
    before_lines=$(wc -l < "$work/safepoints-$candidate.log")
    log "$(harness open 200 "$DURATION" 5 "$url" stream)"
    log "$(harness streams 512 "$url" 50)"
    touch "$work/rss.done"; sleep 1
    log "longest pause while streaming: $(tail -n +"$((before_lines + 1))" "$work/safepoints-$candidate.log" \
      | sed -nE 's/.*Total: ([0-9]+) ns.*/\1/p' | sort -n | tail -1 | awk '{printf "%.1f ms", $1 / 1e6}'); peak RSS while streaming $(cat "$work/rss.txt") MB"
  fi
  kill "$gw" 2>/dev/null || true; wait "$gw" 2>/dev/null || true
  sleep 1
done
log ""
log "# results in $out"
