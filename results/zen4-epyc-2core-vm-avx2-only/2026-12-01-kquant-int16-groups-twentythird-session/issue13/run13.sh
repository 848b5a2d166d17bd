#!/bin/bash
# Issue #13 on the AVX2-only VM: moe_cases.txt, 3 rounds, oneDNN's per-expert loop in
# each MoE case, the read loop paired (5 rounds) for T = 1.
set -e
b=${AMXLAB:-amxlab}
for r in 1 2 3; do
  $b bench --batch moe_cases.txt --reps 3 --paired-roofline 5 --calibration ${CAL:-calibration.json} \
    --out moe.$r.json > moe.$r.txt 2>&1
done
