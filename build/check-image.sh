#!/usr/bin/env bash
# Runs the OCI image built by `mvn -Pimage package` without a container engine: its layers unpacked
# in order into a root, its own entrypoint run there under chroot as its user (1000), with /proc
# mounted. Checks that `validate` passes and that `serve` answers a chat request from outside.
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
PY
)
entrypoint=(); user=0; workdir=/
for line in "${plan[@]}"; do
  case "$line" in
    "layer "*) tar --warning=no-unknown-keyword -xzf "${line#layer }" -C "$rootfs" ;;
    "entrypoint "*) IFS=$'\x1f' read -r -a entrypoint <<< "${line#entrypoint }" ;;
    "user "*) user="${line#user }" ;;
    "workdir "*) workdir="${line#workdir }" ;;
  esac
done
size="$(du -sh "$rootfs" | cut -f1)"
mkdir -p "$rootfs/proc" && mount -t proc proc "$rootfs/proc"
# As a container runtime starts it: chroot, the image's working directory, its user, its entrypoint.
# It replaces the shell it runs in (exec, and python's execv in turn), so a background run's $! is
# the gateway's own PID.
chrooted() {
  exec python3 -c 'import os, sys
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
chrooted serve --config /opt/signalbox/examples/quickstart.yaml --port "$port" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/v1/chat/completions" -H 'content-type: application/json' \
  -d '{"model":"auto","messages":[{"role":"user","content":"hi"}]}' | grep '"chat.completion"' > /dev/null \
  || { echo "the image's gateway did not answer; its output:" >&2; cat "$work/serve.log" >&2; exit 1; }
echo "image: serve answered a chat request as user $user"
