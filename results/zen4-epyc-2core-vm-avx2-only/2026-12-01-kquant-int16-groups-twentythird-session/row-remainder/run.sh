#!/bin/sh
# A = 3-row tiles ending in 3 + 1 rows, B = row_tiles.h (3 + 1 -> 2 + 2); alternately, 5
# rounds (AMXLAB_A, AMXLAB_B); summary: minima.py (the medians moved 2x between rounds).
for r in 1 2 3 4 5; do
  for v in A B; do
    eval bin=\$AMXLAB_$v
    $bin bench --type q4_K,q4_0 --m 4,7,31 --n 4096 --k 4096 --threads 1,2 --kernel auto --reps 5 \
      --no-cold --no-onednn --out $v.$r.json > /dev/null 2>&1
  done
done
