#!/bin/bash
# Issue #10's groups of scripts/targets.sh alone (small shapes paired with oneDNN; the Q4_0
# 1x4096x14336 GEMV with paired read rooflines), 5 rounds; then
# `python3 scripts/targets_report.py OUT` (the other issues' targets read "no data").
#   AMXLAB=build/release/harness/cli/amxlab run.sh OUT
set -euo pipefail
A=${AMXLAB:-build/release/harness/cli/amxlab}
out=${1:?OUT folder}
for r in 1 2 3 4 5; do
  mkdir -p "$out/r$r"
  "$A" bench --case q8_0:m1n256k512:t1 --case q8_0:m1n256k512:t2 --case q4_0:m1n1024k4096:t1 \
    --case q4_0:m1n1024k4096:t2 --reps 7 --no-cold --paired-onednn 3 --out "$out/r$r/small.json" > /dev/null 2>&1
  "$A" bench --type q4_0 --m 1 --n 4096 --k 14336 --threads 1,2 --paired-roofline 3 --reps 3 --no-onednn \
    --out "$out/r$r/gemv.json" > /dev/null 2>&1
done
