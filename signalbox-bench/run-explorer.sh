#!/usr/bin/env bash
# The dashboard's queries on a trace store of 1,000,000 traces (issue 21's targets: a search under
# 300 ms, the overview under 1 s): fills the store once through the store's own write path (a few
# minutes; kept in ~/.cache/signalbox-bench for later runs), then times each search and overview.
# Results go to bench-results/explorer-<time>.txt.
#
#   bash signalbox-bench/run-explorer.sh            # 1,000,000 traces
#   N=100000 bash signalbox-bench/run-explorer.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
N="${N:-1000000}"
source signalbox-bench/lib.sh
bench_start explorer
build_bench
log "# Signalbox trace explorer, $(date -u +%FT%TZ), $(nproc) cores; java: $("$java" -version 2>&1 | head -1)"
cache="$HOME/.cache/signalbox-bench/explorer-$N"
"$java" -Xmx1g -cp "$bench_cp" dev.signalbox.bench.ExplorerBenchmark "$cache" "$N" | tee -a "$out"
log "# results in $out"
