#!/bin/bash
# The nibble GEMVs built with VBMI + GFNI (<type>_gemv_1x64__avx512icl) against the plain
# AVX-512 VNNI ones (IQ4_XS, Q5_K, Q6_K, IQ4_NL), same binary, kernels named. Per round a
# quick calibration, then per type and shape the two kernels back to back, in the order
# vnni, icl in odd rounds and icl, vnni in even ones (so neither always runs second).
# Usage: run.sh AMXLAB ROUNDS   (writes cal.N.json, before.N.json (vnni), after.N.json (icl))
# q6_K_gemv_1x64__avx512icl existed when these files were written and was removed after
# them (no gain): to run this again, take q6_K out of the type list.
set -e
amxlab=$1; rounds=${2:-4}; here=$(dirname "$0")
for r in $(seq 1 "$rounds"); do
  "$amxlab" calibrate --quick --out "$here/cal.$r.json" > /dev/null
  rm -f "$here/before.$r.json" "$here/after.$r.json"
  sides="before after"; [ $((r % 2)) = 0 ] && sides="after before"
  for t in q5_K q6_K iq4_xs iq4_nl; do
    for shape in "--n 1024 --k 4096,14336 --threads 1 --no-cold" "--n 4096 --k 14336 --threads 1,2"; do
      for side in $sides; do
        isa=$([ $side = before ] && echo avx512vnni || echo avx512icl)
        out="$here/$side.$r.json"; dest=(--out "$out"); [ -f "$out" ] && dest=(--resume "$out")
        # shellcheck disable=SC2086
        "$amxlab" bench --type $t --m 1 $shape --kernel ${t}_gemv_1x64__$isa --no-onednn --reps 5 \
          --calibration "$here/cal.$r.json" "${dest[@]}" > /dev/null
      done
    done
  done
done
