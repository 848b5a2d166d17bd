#!/bin/bash
d=${1:-.}
mkdir -p $d
b=${AMXLAB:-build/release/harness/cli/amxlab}
for r in 1 2; do
$b bench --type f32,f16 --m 1,512 --n 4096 --k 4096 --threads 1,2 --kernel auto --reps 3 --out $d/avx2.$r.json > $d/avx2.$r.txt 2>&1
done
$b bench --type f32 --m 1 --n 4096 --k 4096 --threads 1 --kernel f32_gemm_1x32__portable --reps 3 --no-cold --out $d/portable.json > $d/portable.txt 2>&1
echo done
