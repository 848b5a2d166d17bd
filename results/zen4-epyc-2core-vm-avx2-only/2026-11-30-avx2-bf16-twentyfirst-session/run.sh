#!/bin/bash
# bf16_gemm_2x32__avx2 (new) on the AVX2-only VM: against oneDNN's f32 matmul on the
# widened values (oneDNN 2.6 has no bf16 matmul without AVX-512), f32 beside it, two
# rounds; the GEMV cold; the portable kernel it replaces, once.
d=${1:-.}
mkdir -p $d
b=${AMXLAB:-build/release/harness/cli/amxlab}
for r in 1 2; do
$b bench --type bf16,f32 --m 1,512 --n 4096 --k 4096 --threads 1,2 --kernel auto --reps 3 --out $d/avx2.$r.json > $d/avx2.$r.txt 2>&1
done
$b bench --type bf16 --m 1 --n 4096 --k 14336 --threads 1,2 --kernel auto --reps 5 --out $d/gemv.json > $d/gemv.txt 2>&1
$b bench --type bf16 --m 1 --n 4096 --k 4096 --threads 1 --kernel bf16_gemm_1x32__portable --reps 3 --no-cold --out $d/portable.json > $d/portable.txt 2>&1
echo done
