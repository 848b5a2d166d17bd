#!/bin/bash
# A (5fdb8b4) and B (fc40f6c) alternately: the AVX2 K-quant GEMMs at M=512 N=K=4096, 1 and 2
# threads, the format ceiling paired (3 rounds) and oneDNN's AVX2 int8 in each case.
set -e
for r in ${ROUNDS:-1 2 3}; do
  for v in A B; do
    bin=$([ $v = A ] && echo "$BIN_A" || echo "$BIN_B")
    $bin bench --type q2_K,q3_K,q4_K,q5_K,q6_K --m 512 --n 4096 --k 4096 --threads 1,2 --kernel auto \
      --reps 3 --no-cold --paired-ceiling 3 --calibration ../cal.json --out $v.$r.json > $v.$r.txt 2>&1
  done
done
