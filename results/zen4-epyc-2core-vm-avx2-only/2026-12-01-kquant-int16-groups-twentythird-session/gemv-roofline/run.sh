#!/bin/bash
# Issue #11's GEMV criterion on the AVX2-only VM after the GEMV's int16 groups (as
# ../../2026-11-30-gemv-roofline-twentyfirst-session/run.sh): M=1 N=4096 K=14336, hot and
# cold, each paired round by round with the read loop over the same working set.
d=${1:-.}
mkdir -p $d
b=${AMXLAB:-build/release/harness/cli/amxlab}
$b calibrate --max-bytes 512M --out $d/cal.json > $d/cal.txt 2>&1
$b bench --type q4_0,q4_K,q5_K,q6_K,iq4_xs --m 1 --n 4096 --k 14336 --threads 1,2 --kernel auto \
  --no-onednn --reps 5 --paired-roofline 7 --calibration $d/cal.json --out $d/bench.json > $d/bench.log 2>&1
echo done
