#!/bin/bash
# A (5fdb8b4: Q4_0 / Q4_1 tiles 2 x 16) and B (6737e2d: 3 x 16) alternately over cases.txt,
# oneDNN's AVX2 int8 in each case (MoE: its per-expert loop), the format ceiling paired.
set -e
for r in ${ROUNDS:-1 2 3}; do
  for v in A B; do
    bin=$([ $v = A ] && echo "$BIN_A" || echo "$BIN_B")
    $bin bench --batch cases.txt --reps 3 --no-cold --paired-ceiling 3 --calibration ../cal.json \
      --out $v.$r.json > $v.$r.txt 2>&1
  done
done
