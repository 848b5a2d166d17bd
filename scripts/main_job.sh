#!/usr/bin/env bash
# The README's main-job command: install what is missing, build, and run the lab's
# default job on this machine. Results go to results/local/<host>-<time>/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cmake --preset release >/dev/null
cmake --build --preset release --target amxlab
bin=build/release/harness/cli/amxlab
out="results/local/$(hostname)-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
"$bin" info
"$bin" info --json >"$out/info.json"
if "$bin" --help | grep -q tile-selftest; then
  "$bin" tile-selftest
fi
"$bin" selfcheck | tee "$out/selfcheck.txt"
echo
echo "main job done: machine facts in $out/info.json, golden self-check in $out/selfcheck.txt"
