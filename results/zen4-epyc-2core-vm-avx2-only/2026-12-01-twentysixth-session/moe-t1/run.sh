#!/bin/bash
# The MoE decode step (issue #13's shape at T = 1, uniform routing) before (A: 90eefd1, the
# GEMMs' one-row tile for every 1-row expert group) and after (B: the 1 x 32 GEMVs), Q4_0
# and Q8_0, hot and cold, 1 and 2 threads, no oneDNN; turns alternate A B / B A.
# Usage: run.sh OUT_DIR A_BINARY B_BINARY.
d=$1 a=$2 b=$3
one() {
  $1 bench --case q4_0:e128top8t1n768k2048:t1:route=uniform --case q8_0:e128top8t1n768k2048:t1:route=uniform \
    --threads 1,2 --no-onednn --reps 5 --out $d/$2.$3.json > /dev/null 2>&1
}
for r in 1 2 3 4 5 6; do
  if [ $((r % 2)) = 1 ]; then one $a A $r; one $b B $r; else one $b B $r; one $a A $r; fi
done
echo done
