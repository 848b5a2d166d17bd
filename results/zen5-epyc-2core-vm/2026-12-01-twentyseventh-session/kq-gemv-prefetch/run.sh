#!/bin/bash
# A/B of the AVX-512 K-quant nibble GEMV's prefetch of the next record (B) against none (A),
# alternating turns A B, B A, ...; every K-quant GEMV at M = 1, N = 4096, K = 14336, hot
# and cold, 1 and 2 threads. Usage: AMXLAB_A=... AMXLAB_B=... run.sh [TURNS]
cd "$(dirname "$0")"
for r in $(seq 1 ${1:-3}); do
  order="A B"; [ $((r % 2)) -eq 0 ] && order="B A"
  for side in $order; do
    bin=AMXLAB_$side
    ${!bin} bench --type q2_K,q3_K,q4_K,q5_K,q6_K,iq4_xs --m 1 --n 4096 --k 14336 --threads 1,2 --kernel auto \
      --no-onednn --reps 5 --out $side.$r.json > $side.$r.log 2>&1
  done
done
