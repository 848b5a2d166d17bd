#!/bin/bash
# The twenty-seventh session's re-measurement of issues #10-#14 on the first AVX-512 VM since
# the ninth session: gemv-roofline/ (the twenty-sixth session's gemv-roofline/run.sh), then
# gemm-ceiling/ (scripts/ceiling_rounds.sh, one round, every quantised type, M = 512), then
# issues13-14/ (as the twenty-sixth session's issues13-14/run.sh: projections of both
# manifests and recipes at 2 and 1 threads, then issue #13's MoE cases, three rounds).
# Usage: AMXLAB=BINARY run.sh
set -e
cd "$(dirname "$0")"
[ -f gemv-roofline/summary.txt ] ||
  bash ../../zen4-epyc-2core-vm-avx2-only/2026-12-01-twentysixth-session/gemv-roofline/run.sh gemv-roofline "$AMXLAB"
../../../scripts/ceiling_rounds.sh gemm-ceiling 1 --type q8_0,q4_0,q4_1,iq4_nl,q2_K,q3_K,q4_K,q5_K,q6_K,iq4_xs \
  --m 512 --n 4096 --k 4096 --threads 1,2 --kernel auto > gemm-ceiling.log 2>&1
mkdir -p issues13-14 && cd issues13-14
bash ../../../zen4-epyc-2core-vm-avx2-only/2026-11-30-issue14-twentyfirst-session/run.sh projections
cases=../../../zen4-epyc-2core-vm-avx2-only/2026-12-01-twentysixth-session/issues13-14/moe_cases.txt
for r in 1 2 3; do
  $AMXLAB bench --batch $cases --reps 3 --paired-roofline 5 --calibration projections/calibration.json \
    --out moe.$r.json > moe.$r.txt 2>&1
done
echo all done
