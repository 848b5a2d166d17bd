#!/bin/sh
# A = the binary of 6386c24, B = this change; alternately, 4 rounds (AMXLAB_A, AMXLAB_B).
for r in 1 2 3 4; do
  for v in A B; do
    eval bin=\$AMXLAB_$v
    $bin bench --type q2_K,q3_K,q4_K,q5_K,q6_K,iq4_xs --m 512 --n 4096 --k 4096 --threads 1,2 \
      --kernel auto --reps 3 --no-cold --no-onednn --out $v.$r.json > $v.$r.txt 2>&1
  done
done
