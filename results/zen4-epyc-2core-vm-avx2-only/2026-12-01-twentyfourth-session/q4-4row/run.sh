#!/bin/bash
# A = 3-row (ebc94a9), B = 4-row; per case, turns A B B A A B ... (8 per side)
cases="q4_0:m512n4096k4096:t1 q4_0:m512n4096k4096:t2 q4_1:m512n4096k4096:t1 q4_1:m512n4096k4096:t2 q4_0:m64n4096k4096:t1 q4_0:m32n768k2048:t1 q4_0:m32n768k2048:t2"
for r in 1 2 3 4 5 6 7 8; do
  order="A B"; [ $((r % 2)) = 0 ] && order="B A"
  for v in $order; do
    bin=/tmp/s24/amxlab_ebc; [ $v = B ] && bin=/tmp/s24/amxlab_4row
    args=""; for c in $cases; do args="$args --case $c"; done
    $bin bench $args --reps 3 --no-cold --no-onednn --out $v.$r.json > /dev/null 2>&1
  done
done
echo done
