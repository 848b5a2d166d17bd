#!/bin/bash
# A = 3-row (ebc94a9), B = 4-row; alternating rounds
for r in 1 2 3 4; do
  for v in A B; do
    bin=/tmp/s24/amxlab_ebc; [ $v = B ] && bin=/tmp/s24/amxlab_4row
    $bin bench --type q4_0,q4_1 --m 512 --n 4096 --k 4096 --threads 1,2 --kernel auto --reps 3 --no-cold --no-onednn --out $v.big.$r.json > /dev/null 2>&1
    $bin bench --type q4_0 --m 32 --n 768 --k 2048 --threads 1,2 --kernel auto --reps 5 --no-cold --no-onednn --out $v.small.$r.json > /dev/null 2>&1
  done
done
echo done
