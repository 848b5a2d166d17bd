#!/bin/sh
# A = cf655d9, B = 2 strips per GEMV tile for every K-quant (AMXLAB_A, AMXLAB_B); kept for Q4_K and Q5_K.
for r in 1 2 3 4; do
  for v in A B; do
    eval bin=\$AMXLAB_$v
    $bin bench --type q4_K,q5_K,q6_K --m 1 --n 4096 --k 14336 --threads 1,2 --kernel auto --reps 5 \
      --no-cold --no-onednn --out $v.$r.json > /dev/null 2>&1
  done
done
