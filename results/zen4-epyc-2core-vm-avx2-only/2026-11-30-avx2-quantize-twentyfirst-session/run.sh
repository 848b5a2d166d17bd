#!/bin/bash
# A = binary before the AVX2 quantisers (3761b9b), B = after; alternate rounds, same cases
# (cases.txt), hot only, oneDNN in every case.
d=${1:-.}
A=${A:?path to the A binary}; B=${B:?path to the B binary}
for r in ${ROUNDS:-1 2 3}; do
  $A bench --batch cases.txt --reps 3 --no-cold --out $d/A.$r.json > $d/A.$r.txt 2>&1
  $B bench --batch cases.txt --reps 3 --no-cold --out $d/B.$r.json > $d/B.$r.txt 2>&1
  echo round $r $(date +%T)
done
