#!/usr/bin/env bash
# Interleaved: for each case and seed, the AVX-VNNI GEMM (A) then the AVX-VNNI GEMV (B), one process.
set -euo pipefail
B=${B:-/tmp/tb2/harness/cli/amxlab}
cd "$(dirname "$0")"
cases=()
for seed in 1 2 3 4; do
  for t in q4_0 q4_1 q8_0; do
    for shape in m1n4096k14336 m1n4096k4096; do
      for th in 1 2; do
        cases+=(--case "$t:$shape:t$th:kernel=${t}_gemm_2x16__avxvnni:seed=$seed")
        cases+=(--case "$t:$shape:t$th:kernel=${t}_gemv_1x32__avxvnni:seed=$seed")
      done
    done
  done
done
$B run --no-onednn --min-time 0.05 "${cases[@]}" --calibration calibration.json --out interleaved.json > interleaved.txt
