#!/usr/bin/env bash
# How traces.db was recorded (2026-12-02, commit 5dd3b22, before the config and JSON rework):
# trains the two learned routes on outcomes.jsonl, serves gateway.yaml from signalbox-eval (so the
# artifact paths resolve as they do in the test), sends a mix of requests that reaches every route,
# stops the gateway (SIGTERM flushes the traces) and copies the store here. Kept for the record:
# rerunning it with a later version makes a store of that version, not of v0.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../../../.." && pwd)"
module="$root/signalbox-eval"
cd "$module"
rm -rf target/v0-fixture && mkdir -p target/v0-fixture
sb() { "$root/signalbox" "$@"; }
for route in learned-threshold learned-objective; do
  sb train --dataset "$here/outcomes.jsonl" --prices "$here/prices.yaml" --config "$here/gateway.yaml" --policy "$route" \
    --embedding-cache target/v0-fixture/embeddings --seed 42 \
    $( [ "$route" = learned-threshold ] && echo --target strong-share=0.5 )
done
"$root/signalbox" serve --config "$here/gateway.yaml" --port 18123 > target/v0-fixture/serve.log 2>&1 &
pid=$!  # the launcher execs java, so this is the gateway itself
for _ in $(seq 100); do curl -sf http://127.0.0.1:18123/health >/dev/null && break; sleep 0.2; done
post() { curl -s -o /dev/null -w '%{http_code} ' http://127.0.0.1:18123/v1/chat/completions -H 'content-type: application/json' "$@"; }
msg() { printf '{"model":"%s","messages":[{"role":"user","content":"%s"}]%s}' "$1" "$2" "${3:-}"; }
post -d "$(msg auto 'Say hello')"
post -d "$(msg auto 'Prove that the square root of two is irrational')"
post -H 'x-tier: premium' -d "$(msg auto 'What is the capital of France?')"
post -d "$(msg auto 'Look up the weather' ',"tools":[{"type":"function","function":{"name":"weather","description":"the weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]')"
post -d "$(msg auto 'HELLO THERE')"
post -d "$(msg auto 'Refactor this step by step' ',"stream":true,"stream_options":{"include_usage":true}')"
for i in 1 2 3 4 5 6; do post -d "$(msg split "Canary request $i")"; done
post -d "$(msg cheap 'A short question' ',"max_tokens":64')"
post -d "$(msg smart 'A hard question' ',"stream":true')"
post -d "$(msg tools 'Describe this picture' ',"tools":[{"type":"function","function":{"name":"f","parameters":{}}}]')"
post -d '{"model":"tools","messages":[{"role":"user","content":[{"type":"text","text":"What is in it?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}'
post -d "$(msg careful 'Explain caching')"
post -d "$(msg careful 'Explain caching in detail' ',"stream":true')"
post -H 'x-signalbox-score-difficulty: 0.8' -d "$(msg scored 'Hard one')"
post -H 'x-signalbox-score-difficulty: 0.2' -d "$(msg scored 'Easy one')"
post -d "$(msg scored 'No score at all')"
for i in 1 2 3; do post -H 'x-signalbox-session-id: agent-7' -d "$(msg agent "Step $i of the plan")"; done
post -d "$(msg agent 'No session here' ',"user":"u-42"')"
for i in 1 2 3; do post -d "$(msg fast "Quick answer $i")"; done
post -d "$(msg learned-threshold 'Evaluate the definite integral of x^7 * sin(x) from 0 to pi, showing each step.')"
post -d "$(msg learned-threshold 'Write a short friendly birthday greeting for my friend Rosa.')"
post -d "$(msg learned-objective 'Evaluate the definite integral of x^9 * cos(x) from 0 to pi.')"
post -d "$(msg learned-objective 'Write a warm birthday message for Tom.' ',"max_tokens":200')"
post -d "$(msg nano 'Direct to a model')"
post -d "$(msg mid 'Direct to a model, streamed' ',"stream":true')"
post -d "$(msg gpt-5 'An unknown model')"
post -d "{\"model\":\"nano\",\"messages\":[{\"role\":\"user\",\"content\":\"$(head -c 80000 /dev/zero | tr '\0' 'a' | sed 's/aaaa/word /g')\"}]}"
echo
kill -TERM "$pid"; wait "$pid" || true
cp target/v0-fixture/traces.db "$here/traces.db"
echo "recorded $(sqlite3 "$here/traces.db" 'select count(*) from traces' 2>/dev/null || echo '?') traces"
