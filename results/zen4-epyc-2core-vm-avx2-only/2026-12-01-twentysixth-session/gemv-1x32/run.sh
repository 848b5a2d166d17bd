#!/bin/bash
# The block32 GEMVs at M = 1 before (A: the GEMMs' one-strip tiles for Q8_0 / Q4_0 / Q4_1,
# IQ4_NL's 1 x 16 GEMV) and after (B: the 1 x 32 GEMVs of staggered strips), both through
# kernel=auto: N = 4096, K = 4096 and 14336, hot and cold, 1 and 2 threads. Turns
# alternate A B / B A, every case in each turn. Usage: run.sh OUT_DIR A_BINARY B_BINARY.
d=$1 a=$2 b=$3
one() {
  $1 bench --type q4_0,q4_1,q8_0,iq4_nl --m 1 --n 4096 --k 4096,14336 --threads 1,2 --no-onednn \
    --reps 5 --out $d/$2.$3.json > /dev/null 2>&1
}
for r in 1 2 3 4 5 6; do
  if [ $((r % 2)) = 1 ]; then one $a A $r; one $b B $r; else one $b B $r; one $a A $r; fi
done
echo done
