#!/bin/bash
# K-quant AVX-512 GEMV with a software prefetch of the record pf records ahead, spread over
# the record's row groups (AMXLAB_KQ_PF=pf, AMXLAB_KQ_PF_HINT 0 = T0, 1 = T1); pf 0 = none.
for r in 1 2; do
  for v in 0 1 2 4 2h 0; do
    pf=${v%h}; hint=0; [ "$v" != "$pf" ] && hint=1
    AMXLAB_KQ_PF=$pf AMXLAB_KQ_PF_HINT=$hint /tmp/s27/pf2/amxlab bench --type q4_K,q5_K,q6_K,iq4_xs --m 1 --n 4096 --k 14336 \
      --threads 1 --kernel auto --no-onednn --reps 5 --out v$v.r$r.$RANDOM.json > v$v.r$r.log 2>&1
  done
done
