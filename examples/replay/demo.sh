#!/usr/bin/env bash
# Records traffic through a real gateway, then replays it: the decisions under their own config
# (must be identical), and the requests under two other configs (what they would have changed).
# The feedback is scripted, to show the estimators at work: the strong model is rated 0.9 on long
# prompts and 0.7 on short ones, the cheap model 0.3 on long prompts and 0.7 on short ones.
#
#   bash examples/replay/demo.sh [REQUESTS]     (default 400; needs curl)
set -euo pipefail
cd "$(dirname "$0")/../.."
requests=${1:-400}
store=.signalbox/replay-demo.db
mkdir -p .signalbox
rm -f "$store" "$store-wal" "$store-shm"
./signalbox --version > /dev/null   # builds first on a fresh clone, before anything is timed

./signalbox serve --config examples/replay/recorded.yaml > .signalbox/replay-demo.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 300); do
  curl -sf http://127.0.0.1:8090/health > /dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "the gateway stopped; its log:" >&2; cat .signalbox/replay-demo.log >&2; exit 1; }
  sleep 0.1
done
curl -sf http://127.0.0.1:8090/health > /dev/null || { echo "the gateway did not answer within 30 s; its log:" >&2; cat .signalbox/replay-demo.log >&2; exit 1; }

for i in $(seq "$requests"); do
  if (( i % 3 == 0 )); then
    text="Explain, step by step and with an example for each step, how a hash map resolves collisions (case $i)."
  else
    text="Say hello (case $i)."
  fi
  headers=$(curl -s -D - -o /dev/null http://127.0.0.1:8090/v1/chat/completions -H 'content-type: application/json' \
    -d "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"$text\"}]}")
  id=$(sed -n 's/^x-signalbox-request-id: *\([^[:space:]]*\).*/\1/Ip' <<< "$headers")
  model=$(sed -n 's/^x-signalbox-model: *\([^[:space:]]*\).*/\1/Ip' <<< "$headers")
  long=$(( i % 3 == 0 ))
  case "$model/$long" in
    strong/1) score=0.9 ;; strong/0) score=0.7 ;; cheap/1) score=0.3 ;; *) score=0.7 ;;
  esac
  curl -s -o /dev/null http://127.0.0.1:8090/v1/feedback -H 'content-type: application/json' \
    -d "{\"request_id\":\"$id\",\"score\":$score}"
done
kill "$server"; wait "$server" 2>/dev/null || true
trap - EXIT

./signalbox replay --store "$store" --out .signalbox/replayed.jsonl
./signalbox traces --store "$store" --export .signalbox/recorded.jsonl --decisions
cmp .signalbox/recorded.jsonl .signalbox/replayed.jsonl && echo "replayed decision log identical to the recorded one, byte for byte"
./signalbox replay --store "$store" --slo-ms 250 --with examples/replay/always-cheap.yaml --with examples/replay/long-to-strong.yaml
