#!/bin/sh
# A/B of the AVX2 K-quant GEMV, M = 1, N = 4096, K = 14336, hot only, alternately.
# A = 74e5ed1, B = the GEMV with int16 groups (AMXLAB_A, AMXLAB_B).
for r in 1 2 3 4; do
  for v in A B; do
    eval bin=\$AMXLAB_$v
    $bin bench --type q4_K,q5_K,q6_K,q2_K,q3_K --m 1 --n 4096 --k 14336 --threads 1,2 --kernel auto --reps 5 \
      --no-cold --no-onednn --out $v.$r.json > /dev/null 2>&1
  done
done
