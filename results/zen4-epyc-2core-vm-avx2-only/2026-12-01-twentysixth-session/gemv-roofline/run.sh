#!/bin/bash
# Issues #10 / #11's GEMV criteria after the block32 1 x 32 GEMVs: M = 1, N = 4096, K = 14336,
# the block32 types and the K-quants of #11, hot and cold, each paired round by round with
# the read loop over the same working set (--paired-roofline 7); then issue #10's small
# shapes (q8_0 m1n256k512 against oneDNN, q4_0 m1n1024k4096 at 1 and 2 threads).
# Usage: run.sh OUT_DIR BINARY.
d=$1 b=$2
mkdir -p $d
$b calibrate --max-bytes 512M --out $d/cal.json > $d/cal.txt 2>&1
$b bench --type q4_0,q4_1,q8_0,iq4_nl,q4_K,q5_K,q6_K,iq4_xs --m 1 --n 4096 --k 14336 --threads 1,2 \
  --kernel auto --no-onednn --reps 5 --paired-roofline 7 --calibration $d/cal.json --out $d/bench.json \
  > $d/bench.log 2>&1
grep '^paired roofline' $d/bench.log |
  sed -E 's/^paired roofline (hot|cold) ([a-z0-9_KLS]+):m1n4096k14336:t([12]):[^ ]* ([0-9.]+)x .* at ([0-9.]+ MiB) \(median of 7 rounds; ([0-9.]+) to ([0-9.]+)\)/\2 t\3 \1 \4 [\6, \7] at \5/' \
  > $d/summary.txt
for r in 1 2 3; do
  $b bench --case q8_0:m1n256k512:t1 --case q4_0:m1n1024k4096:t1 --threads 1,2 --reps 9 --no-cold \
    --out $d/small.$r.json > $d/small.$r.log 2>&1
done
echo done
