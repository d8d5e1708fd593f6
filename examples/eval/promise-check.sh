#!/usr/bin/env bash
# Whether a quality-target route keeps its promise across seeded splits: runs eval on RouteLLM MMLU
# and LLMRouter (cv:5, every prompt tested once per seed) for SEEDS seeds and counts the splits
# where the realised test quality met the promise. Reads ../shared/data; prints one line per run
# and a summary per data set.
#   bash examples/eval/promise-check.sh            # 20 seeds
#   SEEDS=3 bash examples/eval/promise-check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA="${DATA:-../shared/data}"
if [ ! -d "$DATA/routellm/mmlu" ] || [ ! -d "$DATA/llmrouter" ]; then
  echo "promise-check: skipped, no data under $DATA (see its README)"
  exit 0
fi
SEEDS="${SEEDS:-20}"
run() { # name, then eval's arguments
  local name="$1"; shift
  local kept=0 total=0
  for seed in $(seq 1 "$SEEDS"); do
    line=$(./signalbox eval "$@" --split cv:5 --seed "$seed" --resamples 100 2>/dev/null | grep '^promise ' || true)
    echo "$name seed $seed: ${line:-no promise line}"
    total=$((total + 1))
    if [[ "$line" == *": kept"* ]]; then kept=$((kept + 1)); fi
  done
  echo "$name: kept on $kept of $total splits"
}
run mmlu --dataset "$DATA/routellm/mmlu" --format routellm \
  --prices examples/eval/prices-routellm.yaml --policies examples/eval/promise-routellm.yaml
run llmrouter --dataset "$DATA/llmrouter" --format llmrouter \
  --policies examples/eval/promise-llmrouter.yaml
