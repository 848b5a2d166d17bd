#!/bin/bash
# A = 1 strip (2a7572c: IQ4_XS already 2), B = 2 strips for the Q2_K and Q3_K AVX2 GEMVs; turns A B / B A alternating
cases="q2_K:m1n4096k14336:t1 q2_K:m1n4096k14336:t2 q3_K:m1n4096k14336:t1 q3_K:m1n4096k14336:t2 q2_K:m1n4096k4096:t1 q3_K:m1n4096k4096:t1"
for r in 1 2 3 4 5 6; do
  order="A B"; [ $((r % 2)) = 0 ] && order="B A"
  for v in $order; do
    args=""; for c in $cases; do args="$args --case $c"; done
    bin=/tmp/s25/amxlab_A2; [ $v = B ] && bin=/tmp/s25/amxlab_B2
    $bin bench $args --reps 5 --no-onednn --out $v.$r.json > /dev/null 2>&1
  done
done
echo done
