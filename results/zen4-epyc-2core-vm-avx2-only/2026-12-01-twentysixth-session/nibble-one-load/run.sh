#!/bin/bash
# Q4_0 / Q4_1 plain AVX2 blocks with each 32-byte code vector loaded once (B: in_register
# before the two VPANDs) against gcc's two loads (A: the GEMV commit): the GEMVs at M = 1
# (N = 4096, K = 4096 and 14336, hot and cold) and the 3 x 16 GEMMs at M = 512 (N = K =
# 4096, hot), 1 and 2 threads; turns alternate A B / B A. Usage: run.sh OUT_DIR A B.
d=$1 a=$2 b=$3
one() {
  $1 bench --type q4_0,q4_1 --m 1 --n 4096 --k 4096,14336 --threads 1,2 --no-onednn --reps 5 \
    --out $d/$2.$3.json > /dev/null 2>&1
  $1 bench --type q4_0,q4_1 --m 512 --n 4096 --k 4096 --threads 1,2 --no-onednn --no-cold --reps 3 \
    --out $d/$2.$3.gemm.json > /dev/null 2>&1
}
for r in 1 2 3 4; do
  if [ $((r % 2)) = 1 ]; then one $a A $r; one $b B $r; else one $b B $r; one $a A $r; fi
done
echo done
