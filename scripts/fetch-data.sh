#!/usr/bin/env bash
# Fetches the public routing data sets that docs/evaluation.md's tables come from, each file from a
# pinned upstream commit, and checks every file against its SHA-256 in scripts/data-manifest.tsv.
#
#   bash scripts/fetch-data.sh DIR            # download into DIR (then: eval --dataset DIR/routellm/mmlu ...)
#   bash scripts/fetch-data.sh --verify DIR   # only check the files already in DIR (offline)
#
# RouteLLM (lm-sys/RouteLLM) is Apache-2.0; LLMRouter (ulab-uiuc/LLMRouter) is MIT: each set's
# LICENSE is fetched beside it. The manifest names each file's commit and checksum; a mismatch
# stops the script naming the file. Not in the manifest (fetch by hand from the same repositories
# if you need them): RouteLLM's MT-Bench questions and LLMRouter's query_data/ and llm_candidates/.
# The small samples in examples/data/ are not these sets: they are written by this project (see
# examples/data/generate.py) so that the README's commands run on a fresh clone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
manifest="$root/scripts/data-manifest.tsv"
verify_only=false
if [ "${1:-}" = "--verify" ]; then verify_only=true; shift; fi
dir="${1:?usage: fetch-data.sh [--verify] DIR}"
mkdir -p "$dir"
bad=0; count=0
while IFS=$'\t' read -r sum local repo commit path; do
  case "$sum" in "#"*|"") continue ;; esac
  file="$dir/$local"
  if ! $verify_only; then
    mkdir -p "$(dirname "$file")"
    curl -fsSL --retry 3 -o "$file.part" "https://raw.githubusercontent.com/$repo/$commit/$path"
    mv "$file.part" "$file"
  fi
  if [ ! -f "$file" ]; then
    echo "missing: $local" >&2; bad=$((bad + 1)); continue
  fi
  if [ "$(sha256sum "$file" | cut -d' ' -f1)" != "$sum" ]; then
    echo "checksum mismatch: $local (from $repo@$commit:$path)" >&2; bad=$((bad + 1))
  fi
  count=$((count + 1))
done < "$manifest"
if [ "$bad" -gt 0 ]; then echo "$bad of $count files missing or not as pinned" >&2; exit 1; fi
echo "$count files as pinned in $dir"
