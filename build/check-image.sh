#!/usr/bin/env bash
# Runs the OCI image built by `mvn -Pimage package` without a container engine: its layers unpacked
# in order into a root, its own entrypoint run there under chroot as its user (1000), with /proc
# mounted. Checks that `validate` passes and that `serve` answers a chat request from outside; that
# the image has no PyTorch, yet serves a tuned-encoder route trained outside it with ./signalbox.
#
#   bash build/check-image.sh [signalbox-cli/target/signalbox-image.tar]
#
# Needs root (chroot, mount) and python3 (to read the image's JSON).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tarball="${1:-$root/signalbox-cli/target/signalbox-image.tar}"
port="${CHECK_PORT:-18282}"
work="$(mktemp -d /tmp/signalbox-image.XXXXXX)"
rootfs="$work/rootfs"
server=""
cleanup() {
  # The server by its PID: the python wrapper execs java in the same process.
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  umount "$rootfs/proc" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/image" "$rootfs"
tar -xf "$tarball" -C "$work/image"
# layers in order, then the entrypoint and default arguments, from the image's own JSON
mapfile -t plan < <(python3 - "$work/image" <<'PY'
import json, sys, os
d = sys.argv[1]
blob = lambda digest: os.path.join(d, "blobs", *digest.split(":"))
manifest = json.load(open(blob(json.load(open(os.path.join(d, "index.json")))["manifests"][0]["digest"])))
for layer in manifest["layers"]:
    print("layer " + blob(layer["digest"]))
config = json.load(open(blob(manifest["config"]["digest"])))["config"]
print("entrypoint " + "\x1f".join(config["Entrypoint"]))
print("user " + config.get("User", "0"))
print("workdir " + config.get("WorkingDir", "/"))
for variable in config.get("Env", []):
    print("env " + variable)
PY
)
entrypoint=(); user=0; workdir=/; environment=()
for line in "${plan[@]}"; do
  case "$line" in
    "layer "*) tar --warning=no-unknown-keyword -xzf "${line#layer }" -C "$rootfs" ;;
    "entrypoint "*) IFS=$'\x1f' read -r -a entrypoint <<< "${line#entrypoint }" ;;
    "user "*) user="${line#user }" ;;
    "workdir "*) workdir="${line#workdir }" ;;
    "env "*) environment+=("${line#env }") ;;
  esac
done
size="$(du -sh "$rootfs" | cut -f1)"
mkdir -p "$rootfs/proc" && mount -t proc proc "$rootfs/proc"
# As a container runtime starts it: chroot, the image's working directory, its user, its environment
# (and nothing of this shell's), its entrypoint.
# It replaces the shell it runs in (exec, and python's execv in turn), so a background run's $! is
# the gateway's own PID.
chrooted() {
  exec env -i "${environment[@]}" "$(command -v python3)" -c 'import os, sys
root, workdir, user = sys.argv[1:4]
os.chroot(root); os.chdir(workdir); os.setgid(int(user)); os.setuid(int(user))
os.execv(sys.argv[4], sys.argv[4:])' "$rootfs" "$workdir" "$user" "${entrypoint[@]}" "$@"
}
echo "image: $(du -sh "$tarball" | cut -f1) tar, $size unpacked; entrypoint ${entrypoint[0]} ... ${entrypoint[-1]}, user $user, in $workdir"
(chrooted validate /opt/signalbox/examples/quickstart.yaml)
if curl -sf "http://127.0.0.1:$port/health" > /dev/null 2>&1; then
  echo "port $port already answers: a gateway left running would stand in for the image's" >&2
  exit 1
fi
# serve_in_image CONFIG LOG: the image's gateway on CONFIG in the background ($server its PID),
# waited for until healthy (a bounded poll: 60 s); its output in LOG, shown if it never is.
serve_in_image() {
  chrooted serve --config "$1" --port "$port" > "$2" 2>&1 &
  server=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && return 0; sleep 0.1; done
  echo "the image's gateway on $1 did not start; its output:" >&2
  cat "$2" >&2
  exit 1
}
serve_in_image /opt/signalbox/examples/quickstart.yaml "$work/serve.log"
curl -sf "http://127.0.0.1:$port/v1/chat/completions" -H 'content-type: application/json' \
  -d '{"model":"auto","messages":[{"role":"user","content":"hi"}]}' | grep '"chat.completion"' > /dev/null \
  || { echo "the image's gateway did not answer; its output:" >&2; cat "$work/serve.log" >&2; exit 1; }
echo "image: serve answered a chat request as user $user"

# A tuned-encoder route: trained outside with ./signalbox (PyTorch), served by the image, which has
# no PyTorch: ONNX Runtime runs the tuned layers the artifact carries.
if find "$rootfs/app/libs" -name 'pytorch-*.jar' -o -name 'signalbox-tune-*.jar' | grep -q .; then
  echo "the image carries the tuning plug-in or PyTorch:" >&2
  ls "$rootfs/app/libs" >&2
  exit 1
fi
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
server=""
tuned="$work/tuned"
mkdir -p "$tuned"
names=(Ann Ben Cleo Dan Eve Finn Gus Hana Ivo Jade Kai Lea Max Nia Oto Pia)
for i in "${!names[@]}"; do
  echo "{\"id\": \"calc$i\", \"prompt\": \"Evaluate the definite integral of x^$((i + 2)) * sin(x) from 0 to pi, showing each step.\", \"outcomes\": {\"weak\": {\"quality\": 0}, \"strong\": {\"quality\": 1}}}"
  echo "{\"id\": \"hello$i\", \"prompt\": \"Write a short friendly birthday greeting for my friend ${names[$i]}.\", \"outcomes\": {\"weak\": {\"quality\": 1}, \"strong\": {\"quality\": 1}}}"
done > "$tuned/outcomes.jsonl"
printf 'models:\n  weak: {input: 0.1, output: 0.4}\n  strong: {input: 5, output: 15}\n' > "$tuned/prices.yaml"
cat > "$tuned/tuned.yaml" <<'YAML'
traces: {path: tuned-traces.db}
server: {access-log: false}
deployments:
  - {name: weak-sim, provider: sim}
  - {name: strong-sim, provider: sim}
models:
  - {name: weak, deployments: [weak-sim], pricing: {input: 0.1, output: 0.4}}
  - {name: strong, deployments: [strong-sim], pricing: {input: 5, output: 15}}
routes:
  - name: tuned
    policy: threshold
    models: [strong, weak]
    threshold: {strong: strong, weak: weak, value: 0.5}
    scorer: {kind: tuned, epochs: 20, hidden: 16}
    artifact: tuned.artifact.json
  - name: tuned-knn
    policy: threshold
    models: [strong, weak]
    threshold: {strong: strong, weak: weak, value: 0.5}
    scorer: {kind: tuned+knn, epochs: 20, hidden: 16, k: 4, smoothing: 1}
    artifact: tuned-knn.artifact.json
YAML
for route in tuned tuned-knn; do
  (cd "$tuned" && "$root/signalbox" train --dataset outcomes.jsonl --prices prices.yaml \
    --config tuned.yaml --policy "$route" > "train-$route.log" 2>&1) \
    || { echo "train of the route $route failed:" >&2; cat "$tuned/train-$route.log" >&2; exit 1; }
done
install -m 644 "$tuned/tuned.yaml" "$tuned/tuned.artifact.json" "$tuned/tuned-knn.artifact.json" \
  "$rootfs/var/lib/signalbox/"
serve_in_image tuned.yaml "$work/serve-tuned.log"
routed() {
  curl -sf -D - -o /dev/null "http://127.0.0.1:$port/v1/chat/completions" -H 'content-type: application/json' \
    -d "{\"model\":\"$1\",\"messages\":[{\"role\":\"user\",\"content\":\"$2\"}]}" \
    | tr -d '\r' | awk -F': ' 'tolower($1) == "x-signalbox-model" {print $2}' || true
}
for route in tuned tuned-knn; do
  calculus="$(routed "$route" 'Evaluate the definite integral of x^3 * cos(x) from 0 to pi/2, showing each step.')"
  greeting="$(routed "$route" 'Please write a warm happy birthday message for my friend Zoe.')"
  if [ "$calculus" != strong ] || [ "$greeting" != weak ]; then
    echo "the image routed the route $route's calculus prompt to '$calculus' and its greeting to" \
      "'$greeting' (expected strong and weak); its output:" >&2
    cat "$work/serve-tuned.log" >&2
    exit 1
  fi
done
echo "image: serve (no PyTorch in it) routed by tuned encoders trained outside it (tuned, tuned+knn): calculus to strong, greeting to weak"
install -m 644 "$tuned/outcomes.jsonl" "$tuned/prices.yaml" "$rootfs/var/lib/signalbox/"
if (chrooted train --dataset outcomes.jsonl --prices prices.yaml --config tuned.yaml --policy tuned) \
    > "$work/train-in-image.log" 2>&1 \
  || ! grep -q "train it with the ./signalbox launcher" "$work/train-in-image.log"; then
  echo "train of a tuned route in the image should fail, saying where to train it; its output:" >&2
  cat "$work/train-in-image.log" >&2
  exit 1
fi
echo "image: train of a tuned route says to train it with the launcher"
