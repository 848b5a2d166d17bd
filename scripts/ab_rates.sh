#!/usr/bin/env bash
# How trustworthy is scripts/ab.sh on this machine? Runs N A/Bs of HEAD against HEAD (every
# alarm is a false one) and N A/Bs of HEAD against a working tree whose q4_0 GEMV spends 10 %
# more time (each slice spins for a tenth of its own duration: a detection is an alarm on
# a q4_0 M=1 case), in a throwaway clone, on the sweep of issue #16 (q4_0, q8_0; M 1, 16;
# N = K = 4096; 1 and 2 threads), and prints both rates and the time one A/B takes.
#
#   scripts/ab_rates.sh [N (default 10)] [--rounds R] [--threshold PCT] [--out FILE]
#
# About 2 * N A/Bs of ~75 s each plus two builds of amxlab: ~30 minutes for N = 10 here.
# Keep the machine otherwise idle while it runs.
set -uo pipefail
n=10 rounds=7 threshold=3 out=""
[ $# -gt 0 ] && case "$1" in [0-9]*) n=$1; shift ;; esac
# An option's value: present and not another option, else a usage error (exit 2).
value() { [ $# -ge 2 ] && [ -n "$2" ] && [[ $2 != --* ]] || { echo "ab_rates: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) value "$@"; rounds=$2; shift 2 ;;
    --threshold) value "$@"; threshold=$2; shift 2 ;;
    --out) value "$@"; out=$2; shift 2 ;;
    *) echo "ab_rates: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
# Digits only, no leading zero: bash arithmetic reads 010 as octal (8) and 08 as an error.
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "ab_rates: N must be a whole number >= 1 (got '$n')" >&2; exit 2; }
# --out relative to the caller's folder: the script works in a clone it deletes at the end.
if [ -n "$out" ]; then
  [[ $out = /* ]] || out=$PWD/$out
  [ -d "$(dirname "$out")" ] || { echo "ab_rates: --out: no folder $(dirname "$out")" >&2; exit 2; }
fi
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel) || exit 2
tmp=$(mktemp -d)
trap 'git -C "$repo" worktree prune; rm -rf "$tmp"' EXIT
git clone -q --no-hardlinks "$repo" "$tmp/repo" || exit 1
cd "$tmp/repo" || exit 1
export AMXLAB_AB_CACHE="$tmp/cache"
cmake --preset release -DAMXLAB_BUILD_TESTS=OFF >/dev/null 2>&1 || { echo "ab_rates: configure failed" >&2; exit 1; }
sweep=(--rounds "$rounds" --threshold "$threshold" --type q4_0,q8_0 --m 1,16 --n 4096 --k 4096 --threads 1,2)

one_ab() { # $1: tag; prints "<exit> <seconds> <alarm cases>"
  local t0 t1 rc
  t0=$(date +%s.%N)
  scripts/ab.sh HEAD "${sweep[@]}" --out "$tmp/$1" >"$tmp/$1.log" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  local alarms
  alarms=$(python3 -c "import json; j=json.load(open('$tmp/$1/ab.json')); print(','.join(c['descriptor'].split(':place')[0] for c in j['cases'] if c['alarms']) or '-')" 2>/dev/null)
  echo "$rc $(python3 -c "print(round($t1 - $t0, 1))") ${alarms:-?}"
}

scripts/ab.sh HEAD "${sweep[@]}" --rounds 2 --out "$tmp/warm" >/dev/null 2>&1 # both builds
false_alarms=0
declare -a lines
for ((i = 1; i <= n; i++)); do
  r=$(one_ab "same$i")
  lines+=("HEAD vs HEAD #$i: exit/seconds/alarms $r")
  echo "${lines[-1]}"
  [ "${r%% *}" = 0 ] || false_alarms=$((false_alarms + 1))
done

# The slowed working tree: the q4_0 GEMV slice spins for 10 % of its own time.
f=kernels/vnni/vnni_kernels.cpp
grep -q '^  fn(g);$' "$f" || { echo "ab_rates: the run line moved in $f" >&2; exit 1; }
sed -i 's|^  fn(g);$|  const auto ab_t0 = std::chrono::steady_clock::now();\n  fn(g);\n  if (fn == raw::avx512_gemv \&\& wt == QType::Q4_0) {\n    const auto ab_until = std::chrono::steady_clock::now() + (std::chrono::steady_clock::now() - ab_t0) / 10;\n    while (std::chrono::steady_clock::now() < ab_until) {\n    }\n  }|' "$f"
sed -i '0,/^#include </s//#include <chrono>\n#include </' "$f"
detected=0
for ((i = 1; i <= n; i++)); do
  r=$(one_ab "slow$i")
  lines+=("10 % slower q4_0 GEMV #$i: exit/seconds/alarms $r")
  echo "${lines[-1]}"
  case "$r" in *q4_0:m1n4096k4096*) detected=$((detected + 1)) ;; esac
done
summary="ab_rates: false alarms $false_alarms/$n (HEAD vs HEAD), detections $detected/$n (10 % slower q4_0 GEMV); rounds $rounds, threshold $threshold %"
echo "$summary"
if [ -n "$out" ]; then printf '%s\n' "${lines[@]}" "$summary" >"$out"; fi
