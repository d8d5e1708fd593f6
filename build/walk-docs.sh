#!/usr/bin/env bash
# Walks the README's commands on this checkout, as a newcomer would type them (the gateway on a
# spare port instead of 8080), and fails on the first that does not work. .ci/run runs it after
# the tests; it takes about two minutes.
set -euo pipefail
# Checks read their whole input (grep > /dev/null, not grep -q): grep -q stops at the first match,
# and the writer it leaves behind fails with a broken pipe under pipefail.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
port="${WALK_PORT:-18080}"
work="$(mktemp -d /tmp/signalbox-walk.XXXXXX)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; true' EXIT
step() { echo "walk: $*"; }

serve() { # CONFIG: serve it on $port with this checkout's launcher, wait until it answers
  serve_with . ./signalbox serve --config "$1"
}
serve_with() { # DIR LAUNCHER ARGS...: run the launcher in DIR with --port $port, wait until it answers
  local dir="$1"; shift
  (cd "$dir" && exec "$@" --port "$port") > "$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$port/health" > /dev/null && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  echo "$* did not come up; its output:" >&2; cat "$work/serve.log" >&2; exit 1
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }
chat() { # MODEL [STREAM]: a chat request as the README sends it; prints the headers
  curl -sf -D - -o "$work/answer" "http://127.0.0.1:$port/v1/chat/completions" -H 'content-type: application/json' \
    -d "{\"model\":\"$1\",\"stream\":${2:-false},\"messages\":[{\"role\":\"user\",\"content\":\"${3:-Say hello}\"}]}"
}

step "validate the quickstart"; ./signalbox validate examples/quickstart.yaml
step "validate every provider example without its keys"
for f in examples/providers/*.yaml; do ./signalbox validate --without-secrets "$f"; done

step "serve the quickstart; chat, stream, models, messages, responses, embeddings, metrics, dashboard"
serve examples/quickstart.yaml
chat auto | grep -i '^x-signalbox-model:' > /dev/null
chat smart true | grep -i '^content-type: text/event-stream' > /dev/null
grep -q 'data: \[DONE\]' "$work/answer"
id=$(chat careful | sed -n 's/^x-signalbox-request-id: *\([^[:space:]]*\).*/\1/Ip')
curl -sf "http://127.0.0.1:$port/v1/models" | grep '"careful"' > /dev/null
curl -sf "http://127.0.0.1:$port/v1/messages" -H 'content-type: application/json' \
  -d '{"model":"auto","max_tokens":256,"messages":[{"role":"user","content":"Say hello"}]}' | grep '"type":"message"' > /dev/null
curl -sf "http://127.0.0.1:$port/v1/responses" -H 'content-type: application/json' \
  -d '{"model":"auto","input":"Say hello"}' | grep '"object":"response"' > /dev/null
curl -sf "http://127.0.0.1:$port/v1/embeddings" -H 'content-type: application/json' \
  -d '{"model":"embed","input":["first text","second text"],"dimensions":8}' | grep '"object":"embedding"' > /dev/null
curl -sf "http://127.0.0.1:$port/metrics" | grep '^signalbox_requests_total' > /dev/null
# The dashboard of a keyless gateway opens on its own machine, and reads the admin API.
curl -sf "http://127.0.0.1:$port/ui" | grep '/ui/assets/app.js' > /dev/null
curl -sf "http://127.0.0.1:$port/admin/api/traces?limit=5" | grep '"object":"list"' > /dev/null
curl -sf "http://127.0.0.1:$port/v1/feedback" -H 'content-type: application/json' -d "{\"request_id\":\"$id\",\"score\":0.8}" > /dev/null
stop

step "traces: list, one in full, export"
./signalbox traces --config examples/quickstart.yaml | grep "$id" > /dev/null
./signalbox traces --config examples/quickstart.yaml "$id" | grep '"cascade"' > /dev/null
./signalbox traces --store .signalbox/traces.db --export "$work/decisions.jsonl" --decisions
step "feedback import, twice: the second changes nothing"
echo "{\"request_id\":\"$id\",\"score\":1}" > "$work/feedback.jsonl"
./signalbox feedback --import "$work/feedback.jsonl" --config examples/quickstart.yaml
./signalbox feedback --import "$work/feedback.jsonl" --config examples/quickstart.yaml

step "eval on the sample data"
./signalbox eval --dataset examples/data/mmlu-sample --format routellm \
    --prices examples/eval/prices-routellm.yaml --policies examples/eval/routellm.yaml > "$work/eval.txt" 2> "$work/eval.err"
grep -q '^knn-threshold' "$work/eval.txt"

step "train, validate and serve the learned example"
./signalbox train --dataset examples/data/outcomes-sample.jsonl --config examples/learned/gateway.yaml \
    --policy smart --target strong-share=0.3
./signalbox validate examples/learned/gateway.yaml
serve examples/learned/gateway.yaml
chat smart false "Prove that there are infinitely many primes." | grep -i '^x-signalbox-model: frontier' > /dev/null
chat smart false "What is 12 + 30?" | grep -i '^x-signalbox-model: nano' > /dev/null
stop

step "the replay demo"
bash examples/replay/demo.sh 60 > "$work/demo.txt"
grep -q 'identical to the recorded one' "$work/demo.txt"

step "the distribution: unzip, validate, serve, chat"
unzip -q signalbox-cli/target/signalbox-cli-*-dist.zip -d "$work/dist"
(cd "$work"/dist/signalbox-* && bin/signalbox validate examples/quickstart.yaml)
serve_with "$(echo "$work"/dist/signalbox-*)" bin/signalbox serve --config examples/quickstart.yaml
chat auto | grep -i '^x-signalbox-model:' > /dev/null
stop

if [ -d ../shared/data ]; then
  step "the public data as pinned"; bash scripts/fetch-data.sh --verify ../shared/data
else
  step "no ../shared/data here: the pinned public data is not checked"
fi
echo "walk: every README command ran"
