#!/usr/bin/env bash
# A learned route under load: RSS and latency with the embedding model loaded and a prompt never seen
# before on every request.
#
#   1. train a kNN threshold route on RouteLLM's MMLU (../shared/data; skipped with a message without it),
#      calibrated to send 30% of prompts to the strong model;
#   2. serve it (launcher's default JVM flags, simulated models answering in ~5 ms, traces on), alone
#      on core 0;
#   3. send MMLU prompts from core 1 at RATE req/s (default 40) for DURATION seconds (60) after WARMUP s (15) of
#      warm-up, in each order of ORDERS (default "shuffled in-turn"), and the same rate at a fixed prompt
#      (cached embedding) as the baseline of the same run (FIXED=0 leaves it out); peak RSS of each.
#      ENCODER names the route's encoder (default minilm; minilm-128 reads half as far). "shuffled" mixes the
#      subjects (seed 42), as traffic would; "in-turn" is the data's order, subject after subject, so a
#      window can hold seconds of one subject's long prompts (European history's average 1,600
#      characters, its embedding near the 256-word-piece cap) that one core cannot embed at 40 req/s.
#
#   bash signalbox-bench/run-learned.sh
#   WARMUP=45 SERVE_JAVA_OPTS="-XX:-UseSerialGC -XX:+UseG1GC -Xms112m -Xmx112m" bash signalbox-bench/run-learned.sh
#
# SERVE_JAVA_OPTS adds JVM flags to the serving gateway only (SIGNALBOX_JAVA_OPTS reaches `train` too).
# The warm-up must outlast the start's backlog: at 40 req/s a decision takes most of the core, so a
# second of requests queued while the encoder loads drains over many seconds.
#
# Results go to bench-results/learned-<time>.txt. Needs taskset and python3.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
RATE="${RATE:-40}"
SECONDS_RECORDED="${DURATION:-60}"
WARMUP="${WARMUP:-15}"
ORDERS="${ORDERS:-shuffled in-turn}"
FIXED="${FIXED:-1}"
ENCODER="${ENCODER:-minilm}"
GATEWAY=19105
mmlu="../shared/data/routellm/mmlu"
if [ ! -d "$mmlu" ]; then
  echo "run-learned: $mmlu is absent; this benchmark needs RouteLLM's MMLU data (see ../shared/data/README.md)" >&2
  exit 0
fi
source signalbox-bench/lib.sh
bench_start learned
build_bench

config="$work/learned.yaml"
cat > "$config" <<YAML
server: {port: $GATEWAY, access-log: false}
traces: {path: $work/traces.db}
deployments:
  - {name: strong-sim, provider: sim, sim: {time-to-first-token-ms: {median: 5, p99: 10}, ms-per-token: {median: 0.01, p99: 0.02}, output-tokens: {median: 20, p99: 40}}}
  - {name: weak-sim, provider: sim, sim: {time-to-first-token-ms: {median: 5, p99: 10}, ms-per-token: {median: 0.01, p99: 0.02}, output-tokens: {median: 20, p99: 40}}}
models:
  - {name: gpt-4-1106-preview, deployments: [strong-sim], pricing: {input: 10, output: 30}}
  - {name: mistralai/Mixtral-8x7B-Instruct-v0.1, deployments: [weak-sim], pricing: {input: 0.6, output: 0.6}}
routes:
  - name: learned
    policy: threshold
    models: [gpt-4-1106-preview, mistralai/Mixtral-8x7B-Instruct-v0.1]
    threshold: {strong: gpt-4-1106-preview, weak: mistralai/Mixtral-8x7B-Instruct-v0.1}
    scorer: {kind: knn, k: 40, smoothing: 4}
    encoder: $ENCODER
    artifact: $work/mmlu-knn.json
YAML
./signalbox train --dataset "$mmlu" --format routellm --prices examples/eval/prices-routellm.yaml --config "$config" \
  --policy learned --target strong-share=0.3 2>&1 | grep -v SLF4J | tee -a "$out"
python3 - "$mmlu" "$work" <<'PY'
import csv, glob, random, sys
csv.field_size_limit(10**9)
prompts = []
for path in sorted(glob.glob(sys.argv[1] + "/responses/*.csv")):
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            prompts.append(" ".join(row["prompt"].split()))
with open(sys.argv[2] + "/prompts-in-turn.txt", "w") as f:
    f.writelines(p + "\n" for p in prompts)
random.Random(42).shuffle(prompts)
with open(sys.argv[2] + "/prompts-shuffled.txt", "w") as f:
    f.writelines(p + "\n" for p in prompts)
PY
log "prompts: $(wc -l < "$work/prompts-in-turn.txt") MMLU prompts, newlines flattened; orders: $ORDERS"

variants=$(printf 'mmlu-%s ' $ORDERS)
[ "$FIXED" = 0 ] || variants="fixed-prompt $variants"
for variant in $variants; do
  taskset -c 0 env SIGNALBOX_JAVA_OPTS="${SERVE_JAVA_OPTS:-${SIGNALBOX_JAVA_OPTS:-}}" ./signalbox serve --config "$config" > "$work/serve-$variant.log" 2>&1 &
  pids+=($!)
  wait_port $GATEWAY
  sleep 1
  gw=$(gateway_pid "$config")
  rm -f "$work/done"
  rss_watch "$gw" "$work/done" > "$work/rss-$variant" &
  prompts=""
  [ "$variant" != fixed-prompt ] && prompts="$work/prompts-${variant#mmlu-}.txt"
  log "== $variant: $RATE req/s, ${SECONDS_RECORDED} s after $WARMUP s warm-up${SERVE_JAVA_OPTS:+, serving JVM flags added: $SERVE_JAVA_OPTS}"
  PROMPTS_FILE="$prompts" MODEL=learned harness open "$RATE" "$SECONDS_RECORDED" "$WARMUP" "http://127.0.0.1:$GATEWAY/v1/chat/completions" | tee -a "$out"
  touch "$work/done"
  sleep 1
  log "peak RSS: $(cat "$work/rss-$variant") MB"
  kill "$gw" 2>/dev/null || true
  wait 2>/dev/null || true
  pids=()
done
log "results: $out"
