#!/usr/bin/env bash
# The README's main-job command: install what is missing, build, and run the lab's
# default job on this machine: machine facts, the golden self-check, the tile emulator
# self-test, a quick calibration (peaks, read bandwidth, cache knees), and the default
# sweep (every registered kernel, a few shapes, 1 and all threads; checked against
# golden and oneDNN, timed against oneDNN and the roofline), a small model projection
# (amxlab model), then plots.
# Everything goes to results/local/<host>-<time>/.
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
"$bin" selfcheck | tee "$out/selfcheck.txt"
"$bin" tile-selftest | tee "$out/tile-selftest.txt"
"$bin" calibrate --quick --out "$out/calibration.json"
status=0
"$bin" run --quick --calibration "$out/calibration.json" --out "$out/run.json" ${AMXLAB_RUN_FLAGS:-} || status=$?
# The NUMA placement experiment (every policy x 1..all threads; on one node remote and
# interleave are listed as skipped with the reason).
"$bin" numa --quick --calibration "$out/calibration.json" --out "$out/numa.json" || status=$?
# One small model projection (amxlab model): a Qwen3-MoE-shaped manifest of 2 layers,
# checked for every kernel that can run its shapes, timed, projected per token.
"$bin" model --manifest tiny-moe --recipe q4_k_m --reps 3 --min-time 0.02 --calibration "$out/calibration.json" \
  --out "$out/model.json" || status=$?
/usr/bin/python3 scripts/plot.py "$out/run.json" "$out/numa.json" "$out/model.json" --out "$out/plots" ||
  echo "plotting failed (is python3-matplotlib installed?)"

echo
echo "main job done: results in $out/ (run.json, numa.json, model.json, calibration.json, plots/, info.json)"
exit $status
