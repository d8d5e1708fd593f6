#!/usr/bin/env bash
# Where the gateway's memory goes under load: Signalbox (the load benchmark's rules route, traces and
# access log on, launcher defaults plus EXTRA) at 1,000 req/s for 20 s on core 0, then its resident
# set split (/proc/PID/smaps_rollup) and the JVM's native memory tracking summary (NMT, committed).
#
#   bash signalbox-bench/run-memory.sh
#   EXTRA="-Xms128m -Xmx128m" bash signalbox-bench/run-memory.sh    # AOT=off starts without the AOT cache
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
UP=19201; SIGNALBOX=19204
source signalbox-bench/lib.sh
bench_start memory
build_bench
start_fast_upstream "$UP" 50 40; pids+=("$pid"); wait_port "$UP"
url="http://127.0.0.1:$SIGNALBOX/v1/chat/completions"
export MODEL=bench HEADERS=""
write_rules_route_config "$work/signalbox.yaml" "$SIGNALBOX" "$UP" "$work/traces.db"
export SIGNALBOX_AOT="${AOT:-on}"
serve_gateway "-XX:NativeMemoryTracking=summary ${EXTRA:-}" "$work/serve.log"
harness open 1000 1 20 "$url" > /dev/null
log "# Signalbox memory at 1,000 req/s, $(date -u +%FT%TZ); AOT ${AOT:-on}; extra flags: ${EXTRA:-none}"
log "$(harness open 1000 10 1 "$url")"
log "$(grep -E "^(Rss|Pss_Anon|Pss_File|Anonymous|Shared_Clean|Private_Clean)" /proc/$jvm/smaps_rollup)"
log "$("$(dirname "$java")/jcmd" "$jvm" VM.native_memory summary | grep -E "^(Total|-)" )"
log "# results in $out"
kill "$gw"; wait "$gw" 2>/dev/null || true
