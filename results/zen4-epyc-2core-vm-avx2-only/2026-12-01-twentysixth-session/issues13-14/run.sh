#!/bin/bash
# Issues #14 and #13 after the block32 GEMVs, in one go from this folder:
# ../../2026-11-30-issue14-twentyfirst-session/run.sh (calibrate --quick, both manifests,
# q4_0 and q4_k_m, 2 then 1 thread) into projections/, then moe_cases.txt (issue #13's
# Qwen3-30B-A3B expert shape, T = 512 and 1, Q4_0 and Q8_0, the dense M = 32 GEMM) three
# rounds with oneDNN's per-expert loop, the read loop paired for T = 1 (as the twenty-second
# session's run13.sh). Usage: AMXLAB=BINARY run.sh
set -e
cd "$(dirname "$0")"
../../2026-11-30-issue14-twentyfirst-session/run.sh projections
for r in 1 2 3; do
  $AMXLAB bench --batch moe_cases.txt --reps 3 --paired-roofline 5 --calibration projections/calibration.json \
    --out moe.$r.json > moe.$r.txt 2>&1
done
echo done
