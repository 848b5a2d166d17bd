#!/bin/bash
# Three strips per tile for the block32 AVX2 GEMVs (B: kAvx2GemvTileStrips = 3, a build of
# 0a96cc9 with that one constant changed) against two (A: 0a96cc9): Q4_0 and Q8_0 at M = 1,
# N = 4096, K = 4096 and 14336, hot and cold, 1 and 2 threads; turns alternate A B / B A.
# Usage: run.sh OUT_DIR A_BINARY B_BINARY.
d=$1 a=$2 b=$3
one() {
  $1 bench --type q4_0,q8_0 --m 1 --n 4096 --k 4096,14336 --threads 1,2 --no-onednn --reps 5 \
    --out $d/$2.$3.json > /dev/null 2>&1
}
for r in 1 2 3 4; do
  if [ $((r % 2)) = 1 ]; then one $a A $r; one $b B $r; else one $b B $r; one $a A $r; fi
done
echo done
