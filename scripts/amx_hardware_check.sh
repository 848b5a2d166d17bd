#!/usr/bin/env bash
# The AMX hardware check (issue #10): what only a machine with AMX can tell us, in one
# bounded run, from a build copied there (scripts/bundle_build.sh makes the bundle;
# nothing is installed or built on the target, and neither python nor ctest is needed).
#
#   scripts/amx_hardware_check.sh [--bundle DIR] [--results-root DIR] [--budget SECONDS] [--quick]
#
# With usable AMX it runs, in this order (most wanted first, each step under a time cap
# and all of them within --budget, default 420 s):
#   1. amxlab info (text and --json), and the bundle's self-containment check;
#   2. amxlab tile-selftest: 10 000 random tile programs emulated == native, and the
#      TDPBF16PS order decision (verdict in TDPBF16PS-verdict.txt and README.md);
#   3. the test binaries with AMX-native tests (AmxNative.*, TileNative.*, the registry's
#      EveryKernel.*/..._amx, AMX permission, oneDNN int8 vs golden), run directly;
#   4. amxlab bench of every native AMX kernel in the registry (the plain s8s8 / u8s8 /
#      bf16 GEMMs first) at M=16 and M=512, N=K=4096, 1 thread and all threads, against
#      oneDNN (in process, and per ISA cap avx512_core_amx / avx512_core_vnni in
#      subprocesses);
#   5. amxlab check of the same kernels (bitwise against golden) on small shapes through
#      the harness (packing on the pool, slices at all threads);
#   6. MoE: amxlab check of MoE cases whose groups run on AMX, and the MoE threshold
#      between the AMX GEMM and the VNNI kernels timed at 1, 4 and 16 rows.
# Without AMX it says so, with the reason, and runs what can run: info, the self-test's
# VNNI parts, the same tests (native AMX ones skip and say why; emulated ones run),
# a small bench of the best non-AMX kernels against oneDNN and a check of the emulated
# AMX kernels.
#
# Results: RESULTS_ROOT/<cpu-slug>-<date>/ (default results/), holding README.md (the
# summary: AMX status, the TDPBF16PS verdict, each step's outcome, the bench table),
# info.txt, info.json, tile-selftest.txt/.json, TDPBF16PS-verdict.txt, tests/*.log and
# gtest JSON, bench.txt/.json, check.txt/.json. Exit status: 0 when every step passed,
# 1 when one failed or ran out of time, 2 on usage errors.
#
# --bundle: a bundle folder or a build folder (default: build/bundle, else build/release).
# --quick: a few seconds per step (the CTest of this script; not a hardware result).
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
bundle=""
results_root="$repo/results"
budget=420
quick=0
# An option's value: present and not another option, else a usage error (exit 2).
value() { [ $# -ge 2 ] && [ -n "$2" ] && [[ $2 != --* ]] || { echo "amx_hardware_check: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) value "$@"; bundle=$2; shift 2 ;;
    --results-root) value "$@"; results_root=$2; shift 2 ;;
    --budget) value "$@"; budget=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0"; exit 0 ;;
    *) echo "amx_hardware_check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$budget" in '' | *[!0-9]* | 0 | 00*) echo "amx_hardware_check: --budget '$budget' is not a positive number of seconds" >&2; exit 2 ;; esac

start=$(date +%s)
deadline=$((start + budget))
reserve=10 # seconds kept for writing the summary

# --- the binaries: a flat bundle, or a build tree --------------------------------------
if [ -z "$bundle" ]; then
  for d in "$repo/build/bundle" "$repo/build/release"; do
    if [ -x "$d/amxlab" ] || [ -x "$d/harness/cli/amxlab" ]; then bundle=$d; break; fi
  done
fi
if [ -z "$bundle" ] || [ ! -d "$bundle" ]; then
  echo "amx_hardware_check: no bundle or build folder found (give --bundle DIR; make one with scripts/bundle_build.sh)" >&2
  exit 2
fi
bundle=$(cd "$bundle" && pwd -P)
# A copy that lost the executable bits (some transfers do): restore them on the ELF
# executables of a flat bundle.
for f in "$bundle"/*; do
  case "$f" in *.so | *.so.*) continue ;; esac
  if [ -f "$f" ] && [ ! -x "$f" ] && head -c 4 "$f" | grep -q ELF; then chmod u+x "$f" 2>/dev/null; fi
done
find_bin() {
  local p
  for p in "$bundle/$1" "$bundle/harness/cli/$1" "$bundle/tests/$1"; do
    if [ -x "$p" ]; then echo "$p"; return 0; fi
  done
  return 1
}
amxlab=$(find_bin amxlab) || { echo "amx_hardware_check: no amxlab executable in $bundle" >&2; exit 2; }
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive} # what amxlab sets for itself; the tests too
all_threads=$(nproc 2>/dev/null || echo 1)

# --- the machine: model, AMX status -> the results folder -------------------------------
info_text=$(timeout -k 5 60 "$amxlab" info 2>&1)
info_rc=$?
model=$(printf '%s\n' "$info_text" | sed -n 's/^CPU  *\(.*\) ([^)]*)$/\1/p' | head -n 1)
[ -n "$model" ] || model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
slug=$(printf '%s' "${model:-unknown cpu}" | tr '[:upper:]' '[:lower:]' |
  sed -e 's/(r)//g; s/(tm)//g; s/@.*//; s/+/plus/g; s/ cpu / /' -e 's/[^a-z0-9]\{1,\}/-/g; s/^-//; s/-$//')
dir="$results_root/$slug-$(date -u +%Y-%m-%d)"
n=2
while [ -e "$dir" ]; do dir="$results_root/$slug-$(date -u +%Y-%m-%d)-$n"; n=$((n + 1)); done
mkdir -p "$dir/tests" || { echo "amx_hardware_check: cannot create $dir" >&2; exit 2; }
printf '%s\n' "$info_text" >"$dir/info.txt"

amx_line=$(printf '%s\n' "$info_text" | grep '^AMX ' | head -n 1)
if [ "$info_rc" -ne 0 ]; then
  amx=0
  amx_reason="amxlab info failed (exit $info_rc); see info.txt"
elif printf '%s\n' "$amx_line" | grep -q '^AMX  *usable$'; then
  amx=1
  amx_reason=""
else
  amx=0
  amx_reason=$(printf '%s\n' "$amx_line" | sed -n 's/^AMX  *unusable: //p')
  [ -n "$amx_reason" ] || amx_reason="amxlab info did not report AMX status"
fi

if [ "$amx" -eq 1 ]; then
  echo "amx_hardware_check: $model: AMX usable; results in $dir"
else
  echo "amx_hardware_check: this CPU has no AMX: $amx_reason; running what can run (results in $dir)"
fi

# --- steps: each under a cap and the overall deadline, recorded for the README ----------
steps=()  # "name|outcome|seconds|log"
failed=0
# run_step NAME CAP LOG CMD...: stdout+stderr to LOG (and the terminal, unless quiet=1);
# SIGINT at the cap (a sweep then finishes the case in hand and keeps every finished
# one), KILL 20 s later.
quiet=0
run_step() {
  local name=$1 cap=$2 log=$3
  shift 3
  local now left t0 rc outcome
  now=$(date +%s)
  left=$((deadline - reserve - now))
  [ "$cap" -gt "$left" ] && cap=$left
  if [ "$cap" -lt 5 ]; then
    steps+=("$name|NOT RUN: time budget spent|0|")
    failed=1
    echo "== $name: not run (time budget of $budget s spent)"
    return 1
  fi
  echo "== $name (up to ${cap} s) -> ${log#"$dir"/}"
  t0=$(date +%s)
  if [ "$quiet" -eq 1 ]; then
    timeout -s INT -k 20 "$cap" "$@" >"$log" 2>&1
    rc=$?
  else
    timeout -s INT -k 20 "$cap" "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
  fi
  case "$rc" in
    0) outcome="ok" ;;
    124 | 130 | 137) outcome="TIMED OUT after ${cap} s (exit $rc; partial output kept)"; failed=1 ;;
    *) outcome="FAILED (exit $rc)"; failed=1 ;;
  esac
  steps+=("$name|$outcome|$(($(date +%s) - t0))|${log#"$dir"/}")
  return "$rc"
}

# 1. Machine facts and the bundle.
steps+=("amxlab info|$([ "$info_rc" -eq 0 ] && echo ok || echo "FAILED (exit $info_rc)")|-|info.txt")
[ "$info_rc" -eq 0 ] || failed=1
quiet=1 run_step "amxlab info --json" 60 "$dir/info.json" "$amxlab" info --json
if [ -x "$bundle/amxlab" ] && [ -x "$repo/scripts/bundle_check.sh" ]; then
  run_step "bundle self-containment (ldd)" 30 "$dir/bundle-check.txt" "$repo/scripts/bundle_check.sh" "$bundle"
fi
if [ -f "$bundle/MANIFEST.txt" ]; then cp "$bundle/MANIFEST.txt" "$dir/bundle-MANIFEST.txt"; fi

# 2. The tile self-test and the TDPBF16PS order verdict.
selftest_args=()
[ "$quick" -eq 1 ] && selftest_args=(--lanes 4096 --programs 200)
run_step "amxlab tile-selftest${selftest_args[*]:+ ${selftest_args[*]}}" 180 "$dir/tile-selftest.txt" \
  "$amxlab" tile-selftest "${selftest_args[@]}" --out "$dir/tile-selftest.json"
verdict=$(sed -n 's/^TDPBF16PS order verdict: //p' "$dir/tile-selftest.txt" | head -n 1)
[ -n "$verdict" ] || verdict="not reached: the self-test did not finish (see tile-selftest.txt)"
printf 'TDPBF16PS order verdict: %s\n' "$verdict" >"$dir/TDPBF16PS-verdict.txt"

# 3. Tests: the binaries that hold AMX-native tests, run directly (no ctest here).
if [ "$quick" -eq 1 ]; then
  tests=("amx_test|AmxNative.*" "tile_test|TileNative.*" "amx_permission_test|*")
else
  tests=("amx_test|*" "tile_test|*" "amx_permission_test|*" "kernels_test|*" "test_core|*" "test_onednn_matmul|*")
fi
test_lines=()
for t in "${tests[@]}"; do
  bin=${t%%|*}
  filter=${t#*|}
  exe=$(find_bin "$bin") || {
    steps+=("test $bin|NOT RUN: no $bin in the bundle|0|")
    failed=1
    continue
  }
  run_step "test $bin --gtest_filter=$filter" 150 "$dir/tests/$bin.log" \
    "$exe" --gtest_filter="$filter" --gtest_output="json:$dir/tests/$bin.json"
  log="$dir/tests/$bin.log"
  passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
  fails=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
  skips=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
  # The AMX-native tests' own lines (those ending in "(N ms)", not the closing lists).
  native=$(grep -E '^\[ +(OK|FAILED|SKIPPED) +\] .* \([0-9]+ ms\)$' "$log" |
    grep -E '\] (AmxNative|TileNative)\.|__amx[ ,]' |
    awk '{n[$2]++} END {if (NR) printf "%d ok, %d failed, %d skipped", n["OK"], n["FAILED"], n["SKIPPED"]}')
  test_lines+=("$bin|${passed:-0} passed, ${fails:-0} failed, ${skips:-0} skipped|$native")
done

# 4. Bench: the native AMX kernels against oneDNN (without AMX: the best non-AMX kernels).
thread_list="1"
[ "$all_threads" -gt 1 ] && thread_list="1 $all_threads"
cases=()
if [ "$amx" -eq 1 ]; then
  # info's kernel lines: name, weight type, op, engine, needs, status.
  # The plain GEMMs first (s8s8, u8s8, bf16: oneDNN's own terms, issue #12), then the
  # quantised ones.
  amx_kernels=$(printf '%s\n' "$info_text" |
    awk '$4 == "native" && $5 ~ /amx_(int8|bf16)/ {print ($2 ~ /^(s8|u8|bf16)$/ ? 0 : 1), $2 ":" $1}' |
    sort -s -k1,1n | awk '{print $2}')
  ms="16 512"
  nk="n4096k4096"
  if [ "$quick" -eq 1 ]; then ms="16"; nk="n256k512"; fi
  for tk in $amx_kernels; do
    for m in $ms; do
      for t in $thread_list; do cases+=(--case "${tk%%:*}:m${m}${nk}:t${t}:kernel=${tk#*:}"); done
    done
  done
  bench_args=(--onednn-isa "avx512_core_amx,avx512_core_vnni")
else
  amx_kernels=""
  if [ "$quick" -eq 1 ]; then
    cases=(--case "q8_0:m16n256k512:t1:kernel=auto")
    bench_args=(--reps 1 --min-time 0.01 --no-cold)
  else
    for ty in q8_0 q4_0 q4_1; do
      for m in 16 512; do cases+=(--case "$ty:m${m}n4096k4096:t${all_threads}:kernel=auto"); done
    done
    bench_args=(--reps 3 --no-cold)
  fi
fi
if [ ${#cases[@]} -gt 0 ]; then
  [ "$quick" -eq 1 ] && [ "$amx" -eq 1 ] && bench_args+=(--reps 1 --min-time 0.01 --no-cold)
  run_step "amxlab bench ($((${#cases[@]} / 2)) cases)" 300 "$dir/bench.txt" \
    "$amxlab" bench "${cases[@]}" "${bench_args[@]}" --out "$dir/bench.json"
else
  steps+=("amxlab bench|FAILED: info lists no native AMX kernel|0|")
  failed=1
fi

# 5. Check (bitwise against golden through the harness) on small shapes.
check_cases=()
if [ "$amx" -eq 1 ]; then
  ms="1 17 64"
  [ "$quick" -eq 1 ] && ms="17"
  for tk in $amx_kernels; do
    for m in $ms; do
      for t in $thread_list; do check_cases+=(--case "${tk%%:*}:m${m}n256k4096:t${t}:kernel=${tk#*:}"); done
    done
  done
else
  for ty in q8_0 q4_0 q4_1; do check_cases+=(--case "$ty:m17n64k256:t1:kernel=${ty}_gemm_32x32__amx_emulated"); done
fi
run_step "amxlab check ($((${#check_cases[@]} / 2)) cases)" 120 "$dir/check.txt" \
  "$amxlab" check "${check_cases[@]}" --out "$dir/check.json"

# 6. MoE (issue #13): bitwise with the AMX kernels in the groups, then the threshold
# between the AMX GEMM and the VNNI kernels (AMXLAB_MOE_MIN_ROWS 1, 4, 16) at T = 64
# (4 rows per expert on average) on Qwen3-30B-A3B's expert shape: Q4_K (AMX GEMM + the VNNI
# GEMM of its layout) and Q6_K (AMX GEMM + the VNNI GEMV).
moe_check=(--case "q4_K:e16top8t64n96k512:t${all_threads}:route=zipf" --case "q4_0:e16top8t33n96k256:t1:route=uniform")
[ "$amx" -eq 1 ] || moe_check+=(--case "q4_K:e16top8t64n96k512:t1:kernel=q4_K_gemm_32x32__amx_emulated:route=zipf")
run_step "amxlab check MoE (${#moe_check[@]} args)" 60 "$dir/moe-check.txt" \
  "$amxlab" check "${moe_check[@]}" --out "$dir/moe-check.json"
moe_shape="e128top8t64n768k2048"
[ "$quick" -eq 1 ] && moe_shape="e16top8t16n96k512"
for rows in 1 4 16; do
  AMXLAB_MOE_MIN_ROWS=$rows run_step "amxlab bench MoE AMXLAB_MOE_MIN_ROWS=$rows" 60 "$dir/moe-bench-min$rows.txt" \
    "$amxlab" bench --case "q4_K:$moe_shape:t${all_threads}" --case "q6_K:$moe_shape:t${all_threads}" \
    --no-cold --no-onednn --reps 3 --out "$dir/moe-bench-min$rows.json"
done

# --- the summary ------------------------------------------------------------------------
{
  echo "# AMX hardware check: $model"
  echo
  echo "Made by \`scripts/amx_hardware_check.sh$([ "$quick" -eq 1 ] && echo " --quick")\` on $(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "in $(($(date +%s) - start)) s (budget $budget s), $all_threads CPUs, from $bundle."
  [ "$quick" -eq 1 ] && echo "**--quick: reduced sizes; a test of the script, not a hardware result.**"
  echo
  if [ "$amx" -eq 1 ]; then
    echo "AMX: **usable**."
  else
    echo "AMX: **this CPU has no AMX: $amx_reason**. The AMX-native parts did not run;" \
      "the results below are what runs without AMX."
  fi
  echo
  echo "TDPBF16PS order verdict: **$verdict**"
  echo
  sed -n 's/^oneDNN  */oneDNN /p; s/^  int8 matmul /oneDNN int8 matmul /p' "$dir/info.txt" | sed 's/^/    /'
  echo
  echo "## Steps"
  echo
  echo "| step | outcome | seconds | output |"
  echo "|---|---|---|---|"
  for s in "${steps[@]}"; do
    IFS='|' read -r name outcome secs log <<<"$s"
    echo "| \`$name\` | $outcome | $secs | ${log:+[$log]($log)} |"
  done
  echo
  echo "## Tests"
  echo
  echo "| binary | result | AMX-native tests |"
  echo "|---|---|---|"
  for s in "${test_lines[@]}"; do
    IFS='|' read -r bin result native <<<"$s"
    echo "| $bin | $result | ${native:--} |"
  done
  echo
  echo "## Bench (hot median; \"vs oneDNN\" is oneDNN's in-process time over ours, its ISA as in info;"
  echo "per-ISA oneDNN timings are in bench.json, cases[].onednn_timing_by_isa)"
  echo
  echo '```'
  sed -n '/^case  /,/^results: /p' "$dir/bench.txt" 2>/dev/null
  echo '```'
  echo
  echo "## Check (bitwise against golden)"
  echo
  echo '```'
  sed -n '/^case  /,/^results: /p' "$dir/check.txt" 2>/dev/null
  echo '```'
  echo
  echo "## MoE: check, and the AMX GEMM / VNNI threshold (hot median per AMXLAB_MOE_MIN_ROWS)"
  echo
  echo '```'
  sed -n '/^case  /,/^results: /p' "$dir/moe-check.txt" 2>/dev/null
  for rows in 1 4 16; do
    echo "AMXLAB_MOE_MIN_ROWS=$rows"
    sed -n '/^case  /,/^results: /p' "$dir/moe-bench-min$rows.txt" 2>/dev/null
  done
  echo '```'
} >"$dir/README.md"

echo
echo "amx_hardware_check: $([ "$amx" -eq 1 ] && echo "AMX usable" || echo "no AMX: $amx_reason")"
echo "amx_hardware_check: TDPBF16PS order verdict: $verdict"
echo "amx_hardware_check: $([ "$failed" -eq 0 ] && echo "every step passed" || echo "a step failed or did not run"); results in $dir ($(($(date +%s) - start)) s)"
exit "$failed"
