#!/usr/bin/env bash
# The open issues' performance targets (#10-#13) measured on the machine at hand, in one
# go, each with its verdict (scripts/targets_report.py): the figures a closing note quotes,
# from one command instead of a session's worth of hand-made sweeps.
#
#   scripts/targets.sh [OUT_DIR] [--rounds N] [--list]
#
# OUT_DIR   default results/local/targets-<UTC time>/: per round OUT_DIR/r<i>/ with one
#           results file per group below (<group>.json), then targets.md / targets.json
#           (the table: each target's median over the rounds, and their range) and log.txt.
# --rounds  whole passes over the groups (default 3, ~2.5 minutes each on 2 cores): a
#           single case moves by 5-10 % on a shared VM, the median of rounds less.
# --list    print each group's cases (`amxlab bench --list`: every descriptor and flag
#           parsed, nothing run) and stop.
# AMXLAB    the binary (default build/release/harness/cli/amxlab).
# Exit 1 when a group's bench failed in a round (named, with the log): the others still run
# and the report is still written.
#
# Groups (ratios come from one moment: oneDNN, ceilings and rooflines each timed in rounds
# paired with the kernel on the same CPUs, `--paired-*`; a single case moves by 5-10 % on
# a shared VM, so quote the rounds' ranges too):
#   small    #10: q8_0 1x256x512 and q4_0 1x1024x4096 at 1 and 2 threads, paired with oneDNN
#   gemv     #10, #11, #12: Q4_0, the K-quants, IQ4_XS and F16 at 1x4096x14336, hot and
#            cold, 3 paired read-roofline rounds
#   ceiling  #11: Q8_0, Q4_0, Q4_1 at 512x4096x4096, 3 paired format-ceiling rounds
#   onednn   #11, #12: the other quantised types and s8 / u8 / bf16 / f32 at 512x4096x4096
#            paired with oneDNN (its int8 for the quantised types, its own type otherwise)
#   onednn_m1  #12: s8 / u8 / bf16 / f16 / f32 at 1x4096x4096, paired with oneDNN
#   moe      #13: Q4_0 / Q8_0 e128 top-8 T=512 N=768 K=2048 (uniform) and the dense
#            32x768x2048 GEMM, hot, paired with oneDNN's per-expert loop (and its matmul)
#   moe_t1   #13: the same at T=1, hot and cold, 3 paired read-roofline rounds
# Issue #14's projections come from `amxlab model` (README "Usage"), not here.
set -euo pipefail
cd "$(dirname "$0")/.."
list=0
out=""
rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --list) list=1 ;;
    --rounds)
      [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "targets: --rounds needs a whole number >= 1" >&2; exit 2; }
      rounds=$2
      shift
      ;;
    -h | --help) sed -n '2,32p' "$0"; exit 0 ;;
    -*) echo "targets: unknown option $1" >&2; exit 2 ;;
    *) [ -z "$out" ] || { echo "targets: one OUT_DIR" >&2; exit 2; }; out=$1 ;;
  esac
  shift
done
amxlab=${AMXLAB:-build/release/harness/cli/amxlab}
[ -x "$amxlab" ] || { echo "targets: no $amxlab (build first, or set AMXLAB)" >&2; exit 2; }

moe=e128top8t512n768k2048
groups=(small gemv ceiling onednn onednn_m1 moe moe_t1)
flags_of() {
  case "$1" in
    small) echo "--case q8_0:m1n256k512:t1 --case q8_0:m1n256k512:t2 --case q4_0:m1n1024k4096:t1
                 --case q4_0:m1n1024k4096:t2 --reps 7 --no-cold --paired-onednn 3" ;;
    gemv) echo "--type q4_0,q4_K,q5_K,q6_K,iq4_xs,f16 --m 1 --n 4096 --k 14336 --threads 1,2
                --paired-roofline 3 --reps 3 --no-onednn" ;;
    ceiling) echo "--type q8_0,q4_0,q4_1 --m 512 --n 4096 --k 4096 --threads 1,2 --paired-ceiling 3
                   --reps 3 --no-cold --no-onednn" ;;
    onednn) echo "--type q4_K,q5_K,q6_K,iq4_xs,iq4_nl,q2_K,q3_K,s8,u8,bf16,f32 --m 512 --n 4096 --k 4096
                  --threads 1,2 --reps 3 --no-cold --paired-onednn 3" ;;
    onednn_m1) echo "--type s8,u8,bf16,f16,f32 --m 1 --n 4096 --k 4096 --threads 1,2 --reps 5 --no-cold
                     --paired-onednn 3" ;;
    moe) echo "--case q4_0:$moe:t1:route=uniform --case q4_0:$moe:t2:route=uniform
               --case q8_0:$moe:t1:route=uniform --case q8_0:$moe:t2:route=uniform
               --case q4_0:m32n768k2048:t1 --case q4_0:m32n768k2048:t2
               --case q8_0:m32n768k2048:t1 --case q8_0:m32n768k2048:t2 --reps 3 --no-cold
               --paired-onednn 3" ;;
    moe_t1) echo "--case q4_0:e128top8t1n768k2048:t1:route=uniform --case q4_0:e128top8t1n768k2048:t2:route=uniform
                  --case q8_0:e128top8t1n768k2048:t1:route=uniform --case q8_0:e128top8t1n768k2048:t2:route=uniform
                  --paired-roofline 3 --reps 3 --no-onednn" ;;
  esac
}

if [ "$list" = 1 ]; then
  for g in "${groups[@]}"; do
    echo "# $g"
    # shellcheck disable=SC2046  # the group's flags are words
    "$amxlab" bench $(flags_of "$g") --list
  done
  exit 0
fi

out=${out:-results/local/targets-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
: > "$out/log.txt"
# A group that fails (a failed check, a crash) is recorded and the rounds go on: its
# finished cases are in its file, its targets say "no data", and the exit is 1.
failed=()
for r in $(seq 1 "$rounds"); do
  mkdir -p "$out/r$r"
  for g in "${groups[@]}"; do
    echo "targets: round $r of $rounds: $g"
    echo "== round $r: $g" >> "$out/log.txt"
    rc=0
    # shellcheck disable=SC2046  # the group's flags are words
    "$amxlab" bench $(flags_of "$g") --out "$out/r$r/$g.json" >> "$out/log.txt" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
      failed+=("r$r/$g (exit $rc)")
      echo "targets: round $r: group $g failed (exit $rc); see '== round $r: $g' in $out/log.txt" >&2
    fi
  done
done
report_rc=0
python3 scripts/targets_report.py "$out" || report_rc=$?
echo "targets: $out"
if [ ${#failed[@]} -gt 0 ]; then
  echo "targets: ${#failed[@]} group run(s) failed: ${failed[*]} (log: $out/log.txt)" >&2
  exit 1
fi
[ "$report_rc" -eq 0 ] || { echo "targets: targets_report.py failed (exit $report_rc)" >&2; exit 1; }
