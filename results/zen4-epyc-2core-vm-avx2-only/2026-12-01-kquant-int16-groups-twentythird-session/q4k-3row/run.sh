#!/bin/sh
# A = ff2387c (Q4_K 2 x 16), B = Q4_K in 3 x 16 tiles; alternately, 4 rounds (AMXLAB_A, AMXLAB_B).
for r in 1 2 3 4; do
  for v in A B; do
    eval bin=\$AMXLAB_$v
    $bin bench --type q4_K --m 512,32 --n 4096 --k 4096 --threads 1,2 --kernel auto --reps 3 \
      --no-cold --no-onednn --out $v.$r.json > /dev/null 2>&1
  done
done
