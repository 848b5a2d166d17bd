#!/bin/bash
# Issue #14's projections on the AVX2-only VM: calibration, then both manifests, recipes
# q4_0 and q4_k_m, 1 and 2 threads, one round each (no check: the kernels are checked by
# the test suite and `amxlab model` without --no-check).
d=${1:-.}
mkdir -p $d
b=${AMXLAB:-build/release/harness/cli/amxlab}
$b calibrate --quick --out $d/calibration.json > $d/calibration.txt 2>&1
for t in 2 1; do
  for m in llama-3.1-8b qwen3-30b-a3b; do
    for r in q4_0 q4_k_m; do
      $b model --manifest $m --recipe $r --threads $t --no-check --calibration $d/calibration.json \
        --out $d/$m-$r-t$t.json > $d/$m-$r-t$t.txt 2>&1
      echo "$m $r t$t $(date +%T)"
    done
  done
done
echo done
