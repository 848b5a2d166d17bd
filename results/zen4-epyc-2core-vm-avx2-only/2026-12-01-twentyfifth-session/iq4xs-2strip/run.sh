#!/bin/bash
# A = 1 strip (0f22993), B = 2 strips for IQ4_XS's AVX2 GEMV; turns A B / B A alternating
cases="iq4_xs:m1n4096k14336:t1 iq4_xs:m1n4096k14336:t2 iq4_xs:m1n4096k4096:t1 iq4_xs:m1n1024k4096:t1"
for r in 1 2 3 4 5 6; do
  order="A B"; [ $((r % 2)) = 0 ] && order="B A"
  for v in $order; do
    args=""; for c in $cases; do args="$args --case $c"; done
    /tmp/s25/amxlab_$v bench $args --reps 5 --no-onednn --out $v.$r.json > /dev/null 2>&1
  done
done
echo done
