#!/bin/sh
# GEMV (1x16) against the AVX2 GEMM for Q4_K and Q3_K at M = 1..5, N = K = 4096, hot and cold.
A=${AMXLAB:-amxlab}
for r in 1 2 3; do
  $A bench --type q4_K --m 1,2,3,4,5 --n 4096 --k 4096 --threads 1,2 --kernel q4_K_gemv_1x16__avx2,q4_K_gemm_3x16__avx2 --reps 3 --no-onednn --out q4_K.$r.json > q4_K.$r.txt 2>&1
  $A bench --type q3_K --m 2,3,4,5,6 --n 4096 --k 4096 --threads 1,2 --kernel q3_K_gemv_1x16__avx2,q3_K_gemm_2x16__avx2 --reps 3 --no-onednn --out q3_K.$r.json > q3_K.$r.txt 2>&1
done
