#!/usr/bin/env bash
# Start-up, two variants alternating on one host in one run. By default A starts from an AOT cache
# trained on the simulated models alone (the warm-up's simulated.yaml) and B from the launcher's own
# (the same, then a second gateway in front of it through the OpenAI and Anthropic providers,
# front.yaml). With FLAGS_B, A is the launcher as it is and B the launcher with
# those JVM flags added; with ARGS_B, B is the launcher with those arguments added to `serve` (for
# example `--warm-up 100`). With BASELINE (another checkout; built and its cache recorded by its own
# launcher first), A is that checkout's launcher and B this one's, both as they are. Each round
# starts `./signalbox serve` (alone on core 0) in front of the fast fake upstream and prints the
# time from the process's start to its first answer, the resident memory after it and the latency
# of its first 1,000 requests at 100 req/s. Results go to bench-results/startup-ab-<time>.txt.
#
#   ROUNDS=3 bash signalbox-bench/run-startup-ab.sh
#   FLAGS_B="-XX:+UnlockExperimentalVMOptions -XX:+AOTCompileEagerly" bash signalbox-bench/run-startup-ab.sh
#   ARGS_B="--warm-up 100" bash signalbox-bench/run-startup-ab.sh
#   git worktree add /tmp/before HEAD~1 && BASELINE=/tmp/before bash signalbox-bench/run-startup-ab.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
UP=19031; SIGNALBOX=19034
source signalbox-bench/lib.sh
source build/find-java.sh
source build/run-java.sh
bench_start startup-ab
build_bench
./signalbox serve --config /dev/null > /dev/null 2>&1 || true   # records the launcher's cache if the build is new
checkout_a=""
if [ -n "${BASELINE:-}" ]; then
  "$BASELINE/signalbox" --version > /dev/null   # builds it now if it is not built
  "$BASELINE/signalbox" serve --config /dev/null > /dev/null 2>&1 || true   # and records its cache
  checkout_a="$BASELINE"; flags_a=""; flags_b=""
  log "# Signalbox start-up, A $BASELINE ($(git -C "$BASELINE" rev-parse --short HEAD)) against B this checkout ($(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ', changed')), $(date -u +%FT%TZ), $(nproc) cores"
elif [ -n "${ARGS_B:-}" ]; then
  flags_a=""; flags_b=""
  log "# Signalbox start-up, A the launcher's defaults against B serving with $ARGS_B, $(date -u +%FT%TZ), $(nproc) cores"
elif [ -n "${FLAGS_B:-}" ]; then
  flags_a=""; flags_b="$FLAGS_B"
  log "# Signalbox start-up, A the launcher's defaults against B with $FLAGS_B, $(date -u +%FT%TZ), $(nproc) cores"
else
  cache_a="$work/sim-only.aot"
  record_aot_cache "signalbox-cli/target/signalbox-cli-0.1.0-SNAPSHOT.jar:signalbox-cli/target/lib/*" \
    "$cache_a" signalbox-cli/src/main/resources/dev/signalbox/cli/warm-up/simulated.yaml || { echo "could not record cache A (JDK 25 needed): $cache_a.log" >&2; exit 1; }
  flags_a="-XX:AOTCache=$cache_a"; flags_b=""   # after the launcher's cache flag, so it wins
  log "# Signalbox start-up, AOT cache A (simulated models only) against B (the launcher's), $(date -u +%FT%TZ), $(nproc) cores"
fi
start_startup_target
for round in $(seq "${ROUNDS:-3}"); do
  for variant in A B; do
    flags="$flags_a"; checkout="$checkout_a"
    SERVE_ARGS=""
    [ "$variant" = B ] && flags="$flags_b" && checkout="" && SERVE_ARGS="${ARGS_B:-}"
    serve_until_first_answer on "$flags" "$work/serve-$variant-$round.log" ${checkout:+"$checkout"}
    cold="$(harness open 100 10 0 "$url")"
    jvm="$(gateway_pid "$work/signalbox.yaml")"
    rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$jvm/status")
    log "round $round, $variant: first answer $first ms; RSS after $rss MB; first 1,000 at 100 req/s: $cold"
    kill "$server"; wait "$server" 2>/dev/null || true
  done
done
log ""
log "# results in $out"
