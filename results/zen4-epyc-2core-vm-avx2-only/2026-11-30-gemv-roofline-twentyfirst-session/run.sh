#!/bin/bash
# Issue #11's GEMV targets on the AVX2-only VM: M=1 N=4096 K=14336, every K-quant of the
# criterion (and Q4_0 for scale), hot and cold, each paired round by round with the read
# loop over the same working set (--paired-roofline 7).
d=${1:-.}
mkdir -p $d
b=${AMXLAB:-build/release/harness/cli/amxlab}
$b calibrate --max-bytes 512M --out $d/cal.json > $d/cal.txt 2>&1
$b bench --type q4_0,q4_K,q5_K,q6_K,iq4_xs --m 1 --n 4096 --k 14336 --threads 1,2 --kernel auto \
  --no-onednn --reps 5 --paired-roofline 7 --calibration $d/cal.json --out $d/bench.json > $d/bench.log 2>&1
echo done
