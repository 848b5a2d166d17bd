#!/usr/bin/env bash
# The README's main-job command: install what is missing, build, and run the lab's
# default job on this machine: machine facts, the golden self-check, the tile emulator
# self-test, a quick calibration (peaks, read bandwidth, cache knees), and the default
# sweep (`run --quick`: every registered kernel, a few shapes, all threads; checked against
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

# From here each step's failure is recorded (status) and the job goes on: a failed
# self-check or calibration says so at the end, and the sweep still runs.
status=0
failed=()
note() { # note STEP RC: remember a failed step
  status=$2
  failed+=("$1 (exit $2)")
  echo "main job: $1 failed (exit $2); going on" >&2
}
"$bin" info || note info $?
"$bin" info --json >"$out/info.json" || note "info --json" $?
"$bin" selfcheck | tee "$out/selfcheck.txt" || note selfcheck $?
"$bin" tile-selftest | tee "$out/tile-selftest.txt" || note tile-selftest $?
# Without a calibration the sweeps run without rooflines (no --calibration) rather than not at all.
cal=(--calibration "$out/calibration.json")
"$bin" calibrate --quick --out "$out/calibration.json" || { note calibrate $?; cal=(); }
# shellcheck disable=SC2086 # AMXLAB_RUN_FLAGS: flags, split into words
"$bin" run --quick "${cal[@]}" --out "$out/run.json" ${AMXLAB_RUN_FLAGS:-} || note run $?
# The NUMA placement experiment (every policy x 1..all threads; on one node remote and
# interleave are listed as skipped with the reason).
"$bin" numa --quick "${cal[@]}" --out "$out/numa.json" || note numa $?
# One small model projection (amxlab model): a Qwen3-MoE-shaped manifest of 2 layers,
# checked for every kernel that can run its shapes, timed, projected per token.
"$bin" model --manifest tiny-moe --recipe q4_k_m --reps 3 --min-time 0.02 "${cal[@]}" \
  --out "$out/model.json" || note model $?
/usr/bin/python3 scripts/plot.py "$out/run.json" "$out/numa.json" "$out/model.json" --out "$out/plots" ||
  echo "plotting failed (is python3-matplotlib installed?)"

echo
echo "main job done: results in $out/ (run.json, numa.json, model.json, calibration.json, plots/, info.json)"
[ ${#failed[@]} -eq 0 ] || echo "main job: failed steps: ${failed[*]}" >&2
exit "$status"
