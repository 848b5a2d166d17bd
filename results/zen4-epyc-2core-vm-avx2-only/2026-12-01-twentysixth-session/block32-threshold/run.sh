#!/bin/bash
# The level-1 (plain AVX2) GEMV thresholds of Q8_0, Q4_0, Q4_1 and IQ4_NL after their 1 x 32
# GEMVs: each GEMV against its type's GEMM at M = 1..5, N = K = 4096, hot and cold, 1 and 2
# threads, 3 rounds (one whole sweep each). Usage: run.sh OUT_DIR BINARY.
d=$1 b=$2
k="q8_0_gemv_1x32__avx2,q8_0_gemm_2x16__avx2,q4_0_gemv_1x32__avx2,q4_0_gemm_3x16__avx2"
k="$k,q4_1_gemv_1x32__avx2,q4_1_gemm_3x16__avx2,iq4_nl_gemv_1x32__avx2,iq4_nl_gemm_2x16__avx2"
for r in 1 2 3; do
  $b bench --type q8_0,q4_0,q4_1,iq4_nl --kernel $k --m 1,2,3,4,5 --n 4096 --k 4096 --threads 1,2 \
    --no-onednn --reps 5 --out $d/bench.$r.json > /dev/null 2>&1
done
echo done
