#!/usr/bin/env bash
# A = 38059ca (quantize_parallel on the caller, then run_gemm), B = this folder's change
# (quantize_and_run_gemv: each worker quantises the row itself). Six alternating turns,
# hot only, 7 repetitions of >= 0.1 s each.
set -euo pipefail
for turn in 1 2 3 4 5 6; do for v in A B; do for t in 1 2; do
  ./amxlab_$v bench --case "q4_0:m1n1024k4096:t$t:kernel=auto" --case "q8_0:m1n256k512:t$t:kernel=auto" \
    --case "q4_K:m1n1024k4096:t$t:kernel=auto" --no-cold --reps 7 --min-time 0.1 --out ${v}_t${t}_$turn.json
done; done; done
