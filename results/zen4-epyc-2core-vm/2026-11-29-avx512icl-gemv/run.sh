#!/bin/bash
# The K-quant nibble GEMV built with VBMI + GFNI (<type>_gemv_1x64__avx512icl) against the
# plain AVX-512 VNNI one, same binary, kernels named, interleaved within each round.
# Usage: run.sh AMXLAB ROUNDS   (writes cal.N.json, before.N.json (vnni), after.N.json (icl))
set -e
amxlab=$1; rounds=${2:-3}; here=$(dirname "$0")
for r in $(seq 1 "$rounds"); do
  "$amxlab" calibrate --quick --out "$here/cal.$r.json" > /dev/null
  for side in before after; do
    isa=$([ $side = before ] && echo avx512vnni || echo avx512icl)
    out="$here/$side.$r.json"; rm -f "$out"; dest=(--out "$out")
    for t in q5_K q6_K iq4_xs; do
      # in cache (hot only), then the decode shape hot and cold; --resume appends
      "$amxlab" bench --type $t --m 1 --n 1024 --k 4096,14336 --threads 1 --kernel ${t}_gemv_1x64__$isa \
        --no-onednn --no-cold --reps 5 --calibration "$here/cal.$r.json" "${dest[@]}" > /dev/null
      dest=(--resume "$out")
      "$amxlab" bench --type $t --m 1 --n 4096 --k 14336 --threads 1,2 --kernel ${t}_gemv_1x64__$isa \
        --no-onednn --reps 5 --calibration "$here/cal.$r.json" "${dest[@]}" > /dev/null
    done
  done
done
