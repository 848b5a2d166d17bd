#!/bin/sh
# The AVX2 int8 GEMMs against oneDNN's AVX2 int8 (README.md here). Usage: run.sh AMXLAB OUTDIR
set -eu
B=$1 OUT=$2
for r in 1 2; do
  "$B" bench --type s8,u8 --m 512,1 --n 4096 --k 4096 --threads 1,2 --kernel auto --reps 5 --no-cold \
    --out "$OUT/avx2.$r.json" > "$OUT/avx2.$r.txt"
done
# The portable kernel they replace there (one repetition: seconds per call at M = 512).
"$B" bench --type s8,u8 --m 512,1 --n 4096 --k 4096 --threads 2 --kernel s8s8_gemm_1x32__portable,u8s8_gemm_1x32__portable \
  --reps 1 --no-cold --no-onednn --out "$OUT/portable.json" > "$OUT/portable.txt"
