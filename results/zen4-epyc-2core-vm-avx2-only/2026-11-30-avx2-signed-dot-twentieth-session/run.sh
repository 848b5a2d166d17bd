#!/bin/sh
# Interleaved A/B of the AVX2 signed dot (README.md here). A = the binary of cc2a2f3,
# B = 5f24fee's; both Release builds of `amxlab`. Usage: run.sh A_BINARY B_BINARY OUTDIR
set -eu
A=$1 B=$2 OUT=$3
for r in 1 2 3; do
  for side in a b; do
    bin=$A; [ $side = b ] && bin=$B
    "$bin" bench --type q8_0,iq4_nl,iq4_xs --m 512 --n 4096 --k 4096 --threads 1,2 --kernel auto --reps 5 \
      --no-cold --out "$OUT/gemm/gemm.$side.$r.json" >/dev/null
    "$bin" bench --type q8_0,iq4_nl,iq4_xs --m 1 --n 4096 --k 14336 --threads 1,2 --kernel auto --reps 7 \
      --no-onednn --out "$OUT/gemv/gemv.$side.$r.json" >/dev/null
  done
done
