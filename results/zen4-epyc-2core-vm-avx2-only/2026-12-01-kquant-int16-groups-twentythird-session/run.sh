#!/bin/bash
# Calibrate (1 and 2 threads), then every quantised type's AVX2 GEMM at M=512 N=K=4096 with
# the format ceiling paired (3 rounds) and oneDNN's AVX2 int8 in the same case.
set -e
A=${AMXLAB:-amxlab}
$A calibrate --threads 1,2 --out cal.json > cal.txt 2>&1
$A bench --type q4_0,q4_1,q8_0,iq4_nl,q2_K,q3_K,q4_K,q5_K,q6_K,iq4_xs --m 512 --n 4096 --k 4096 \
  --threads 1,2 --kernel auto --reps 3 --no-cold --paired-ceiling 3 --calibration cal.json --out bench.json > bench.txt 2>&1
