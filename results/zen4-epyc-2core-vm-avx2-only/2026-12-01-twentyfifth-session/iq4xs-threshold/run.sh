#!/bin/bash
# IQ4_XS's level-1 (AVX2) GEMV threshold after its 2-strip GEMV: the GEMV against the GEMM
# at M = 2..6, N = K = 4096, hot and cold, 1 and 2 threads, 3 rounds (one whole sweep each).
d=${1:-.}
b=${AMXLAB:-build/release/harness/cli/amxlab}
for r in 1 2 3; do
  $b bench --type iq4_xs --kernel iq4_xs_gemv_1x32__avx2,iq4_xs_gemm_2x32__avx2 --m 2,3,4,5,6 --n 4096 \
    --k 4096 --threads 1,2 --no-onednn --reps 5 --out $d/bench.$r.json > /dev/null 2>&1
done
echo done
