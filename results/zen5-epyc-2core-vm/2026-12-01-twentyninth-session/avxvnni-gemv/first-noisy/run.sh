#!/usr/bin/env bash
# The registered AVX-VNNI GEMVs against the AVX-VNNI GEMM at M = 1 (both by name), alternating turns.
set -euo pipefail
B=${B:-/tmp/tb2/harness/cli/amxlab}
cd "$(dirname "$0")"
$B calibrate --quick --out calibration.json >/dev/null
for turn in 1 2 3; do
  for side in gemm gemv; do
    cases=()
    for t in q4_0 q4_1 q8_0; do
      if [ $side = gemm ]; then k=${t}_gemm_2x16__avxvnni; else k=${t}_gemv_1x32__avxvnni; fi
      for shape in m1n4096k14336 m1n4096k4096 m1n1024k4096; do
        for th in 1 2; do cases+=(--case "$t:$shape:t$th:kernel=$k"); done
      done
    done
    $B run --no-onednn --min-time 0.05 "${cases[@]}" --calibration calibration.json --out $side.$turn.json > $side.$turn.txt
  done
done
