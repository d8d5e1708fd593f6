#!/usr/bin/env bash
# A quick check of the hot path before a change lands (about 2 minutes): direct, nginx and Signalbox
# in one run, 1,000 req/s open loop and a closed loop each, then the throughput and added-p99 ratios
# against nginx and the direct call. The full benchmark is run-load.sh.
#
#   bash signalbox-bench/run-quick.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QUICK=1 TARGETS="${TARGETS:-direct nginx signalbox}" WARMUP="${WARMUP:-8}" DURATION="${DURATION:-8}" \
  WRK_SECONDS="${WRK_SECONDS:-8}" exec bash "$root/signalbox-bench/run-load.sh"
