#!/usr/bin/env bash
# The AMX hardware check (issue #10): what only a machine with AMX can tell us, in one
# bounded run, from a build copied there (scripts/bundle_build.sh makes the bundle;
# nothing is installed or built on the target, and neither python nor ctest is needed).
#
#   scripts/amx_hardware_check.sh [--bundle DIR|FILE.tar.gz] [--results-root DIR]
#                                 [--budget SECONDS] [--archive FILE.tar.gz] [--quick]
#
# On a borrowed device machine (the `run` tool: the working tree plus at most 64 MiB of
# carried paths goes there, at most 8 files of up to 16 MiB come back from $OUT, one
# command runs at most 600 s), after `scripts/bundle_build.sh --archive build/bundle.tar.gz`
# here, run exactly this, carrying build/bundle.tar.gz, with timeout_s 480:
#
#   scripts/amx_hardware_check.sh --bundle build/bundle.tar.gz --results-root /tmp/hwcheck --budget 420 --archive "$OUT/hardware-check.tar.gz"
#
# The results folder stays outside $OUT (it holds more than 8 files) and comes back as the
# one archive; the summary is printed at the end (it is in the tool's output tail). The
# 60 s between the budget and timeout_s cover a step's kill grace (20 s), the summary and
# the archive; should the tool still stop the run (TERM or INT), the trap writes the
# summary and the archive of what was measured before exiting.
#
# With usable AMX it runs, in this order (each step under a time cap and all of them
# within --budget, default 420 s; the short steps first, so the long bench cannot starve
# them, and the bench gets what is left):
#   1. amxlab info (text and --json), and the bundle's self-containment check;
#   2. amxlab tile-selftest: 10 000 random tile programs emulated == native, and the
#      TDPBF16PS order decision (verdict in TDPBF16PS-verdict.txt and README.md);
#   3. the test binaries with AMX-native tests (AmxNative.*, TileNative.*, the registry's
#      EveryKernel.*/..._amx, AMX permission, oneDNN int8 vs golden), run directly, with
#      AMXLAB_TEST_DATA_DIR pointing at this checkout's tests/data;
#   4. amxlab check of every native AMX kernel in the registry (bitwise against golden) on
#      small shapes through the harness (packing on the pool, slices at all threads);
#   5. MoE: amxlab check of MoE cases whose groups run on AMX, and the MoE threshold
#      between the AMX GEMM and the VNNI kernels timed at 1, 4 and 16 rows (4. and 5. took
#      ~21 s together on 16 cores);
#   6. amxlab bench of the same kernels (the plain s8s8 / u8s8 / bf16 GEMMs first) at
#      M=16 and M=512, N=K=4096, 1 thread and all threads, against oneDNN (in process,
#      and per ISA cap avx512_core_amx / avx512_core_vnni in subprocesses), for the time
#      left (interrupted, it keeps every finished case).
# Without AMX it says so, with the reason, and runs what can run: info, the self-test's
# VNNI parts, the same tests (native AMX ones skip and say why; emulated ones run),
# a check of the emulated AMX kernels and a small bench of the best non-AMX kernels
# against oneDNN.
#
# Results: RESULTS_ROOT/<cpu-slug>-<date>/ (default results/), holding README.md (the
# summary: AMX status, the TDPBF16PS verdict, each step's outcome, the bench table),
# info.txt, info.json (its stderr in info-json.log), tile-selftest.txt/.json, TDPBF16PS-verdict.txt, tests/*.log and
# gtest JSON, bench.txt/.json, check.txt/.json. Exit status: 0 when every step passed,
# 1 when one failed or ran out of time (or the run was stopped by TERM / INT), 2 on usage
# errors.
#
# --bundle: a bundle folder or a build folder (default: build/bundle, else build/release),
#   or a bundle archive (.tar.gz / .tgz, bundle_build.sh --archive), unpacked to a
#   temporary folder first, within the budget.
# --archive FILE: also pack the whole results folder into FILE (gzip'd tar), at the end
#   and when stopped by TERM / INT.
# --quick: a few seconds per step (the CTest of this script; not a hardware result).
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd -P)
bundle=""
results_root="$repo/results"
budget=420
archive=""
quick=0
# An option's value: present and not another option, else a usage error (exit 2).
value() { [ $# -ge 2 ] && [ -n "$2" ] && [[ $2 != --* ]] || { echo "amx_hardware_check: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) value "$@"; bundle=$2; shift 2 ;;
    --results-root) value "$@"; results_root=$2; shift 2 ;;
    --budget) value "$@"; budget=$2; shift 2 ;;
    --archive) value "$@"; archive=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0"; exit 0 ;;
    *) echo "amx_hardware_check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
# Digits only, no leading zero: bash arithmetic reads 010 as octal (8) and 08 as an error.
[[ $budget =~ ^[1-9][0-9]*$ ]] || { echo "amx_hardware_check: --budget '$budget' is not a positive number of seconds" >&2; exit 2; }
if [ -n "$archive" ]; then
  case "$archive" in *.tar.gz | *.tgz) ;; *) echo "amx_hardware_check: --archive '$archive' must end in .tar.gz or .tgz" >&2; exit 2 ;; esac
  [ -d "$(dirname "$archive")" ] || { echo "amx_hardware_check: --archive: no folder $(dirname "$archive")" >&2; exit 2; }
  archive="$(cd "$(dirname "$archive")" && pwd -P)/$(basename "$archive")"
fi

start=$(date +%s)
deadline=$((start + budget))
reserve=10 # seconds kept for writing the summary
work=$(mktemp -d "${TMPDIR:-/tmp}/amx-hwcheck.XXXXXX") || { echo "amx_hardware_check: cannot make a temporary folder" >&2; exit 2; }
trap 'rm -rf "$work"' EXIT

# --- the binaries: a bundle archive, a flat bundle, or a build tree ----------------------
if [ -z "$bundle" ]; then
  for d in "$repo/build/bundle" "$repo/build/release"; do
    if [ -x "$d/amxlab" ] || [ -x "$d/harness/cli/amxlab" ]; then bundle=$d; break; fi
  done
fi
bundle_from=$bundle
if [ -f "$bundle" ]; then
  # A gzip'd tar (bundle_build.sh --archive): what travels to a device machine, a third of
  # the folder's size. Unpacked here, within the budget.
  case "$bundle" in
    *.tar.gz | *.tgz) ;;
    *) echo "amx_hardware_check: --bundle $bundle: neither a folder nor a .tar.gz / .tgz archive" >&2; exit 2 ;;
  esac
  cap=$((budget / 3 < 120 ? budget / 3 : 120))
  echo "amx_hardware_check: unpacking $bundle (up to $cap s)"
  mkdir "$work/bundle"
  if ! timeout -k 5 "$cap" tar -xzf "$bundle" -C "$work/bundle"; then
    echo "amx_hardware_check: could not unpack $bundle (tar -xzf failed or took over $cap s)" >&2
    exit 2
  fi
  # The archive holds one folder (bundle_build.sh) or the files themselves.
  bundle="$work/bundle"
  if [ ! -e "$bundle/amxlab" ]; then
    inner=("$work"/bundle/*/amxlab)
    [ -e "${inner[0]}" ] && bundle=$(dirname "${inner[0]}")
  fi
fi
if [ -z "$bundle" ] || [ ! -d "$bundle" ]; then
  echo "amx_hardware_check: no bundle or build folder found (give --bundle DIR or FILE.tar.gz; make one with scripts/bundle_build.sh)" >&2
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
amxlab=$(find_bin amxlab) || { echo "amx_hardware_check: no amxlab executable in $bundle_from" >&2; exit 2; }
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive} # what amxlab sets for itself; the tests too
# The tests' data files (tile_test's TileBf16Silicon.*, the ggml vectors): the path compiled
# into a bundle is the build machine's; this checkout travels with the bundle.
export AMXLAB_TEST_DATA_DIR="$repo/tests/data"
[ -d "$AMXLAB_TEST_DATA_DIR" ] || echo "amx_hardware_check: warning: no $AMXLAB_TEST_DATA_DIR; tests that read data files will fail" >&2
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
dir=$(cd "$dir" && pwd -P)
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

# --- the summary and the archive: at the end, and from the TERM / INT trap ---------------
steps=()      # "name|outcome|seconds|log"
test_lines=() # "binary|result|AMX-native tests"
verdict="not reached: the self-test did not run"
failed=0
stopped=""    # the signal that stopped the run, if one did
write_summary() {
  local s name outcome secs log bin result native rows
  {
    echo "# AMX hardware check: $model"
    echo
    echo "Made by \`scripts/amx_hardware_check.sh$([ "$quick" -eq 1 ] && echo " --quick")\` on $(date -u +%Y-%m-%dT%H:%M:%SZ)" \
      "in $(($(date +%s) - start)) s (budget $budget s), $all_threads CPUs, from $bundle_from."
    [ "$quick" -eq 1 ] && echo "**--quick: reduced sizes; a test of the script, not a hardware result.**"
    [ -n "$stopped" ] && echo "**Stopped by SIG$stopped: the steps below are what ran before; the one in progress was interrupted.**"
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
    echo
    echo "## Bench (hot median; \"vs oneDNN\" is oneDNN's in-process time over ours, its ISA as in info;"
    echo "per-ISA oneDNN timings are in bench.json, cases[].onednn_timing_by_isa)"
    echo
    echo '```'
    sed -n '/^case  /,/^results: /p' "$dir/bench.txt" 2>/dev/null
    echo '```'
  } >"$dir/README.md"
}
# The results folder as one gzip'd tar (--archive): what a device run brings back. Written
# aside and renamed, so a run killed while packing still leaves the previous archive whole.
pack() {
  [ -n "$archive" ] || return 0
  local part
  part="$(dirname "$archive")/.$(basename "$archive").part"
  if tar -czf "$part" -C "$(dirname "$dir")" "$(basename "$dir")" 2>"$work/tar.err" && mv -f "$part" "$archive"; then
    echo "amx_hardware_check: results packed into $archive ($(($(stat -c %s "$archive") / 1024)) KiB)"
  else
    rm -f "$part"
    echo "amx_hardware_check: could not pack the results into $archive: $(head -c 300 "$work/tar.err")" >&2
  fi
}

# --- steps: each under a cap and the overall deadline, recorded for the README ----------
# run_step NAME CAP LOG CMD...: stdout+stderr to LOG (and the terminal, unless quiet=1);
# SIGINT at the cap (a sweep then finishes the case in hand and keeps every finished
# one), KILL 20 s later. The step runs in the background and the script waits for it:
# bash defers a trap until a foreground command ends, `wait` it interrupts at once.
quiet=0
# The terminal copy of a step's log: `tail -f --pid` (GNU), which ends with the step. A
# tail without --pid would follow forever: then the log is shown once the step ends.
sleep 0 & dead=$!
wait "$dead"
follow=0
timeout 5 tail -s 0.2 -n 0 -f --pid="$dead" /dev/null >/dev/null 2>&1 && follow=1
step_pid=""
step_name=""
step_log=""
step_t0=0
run_step() {
  local name=$1 cap=$2 log=$3
  shift 3
  local now left rc outcome tail_pid=""
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
  step_name=$name step_log=$log step_t0=$(date +%s)
  timeout -s INT -k 20 "$cap" "$@" >"$log" 2>&1 &
  step_pid=$!
  [ "$quiet" -eq 1 ] || [ "$follow" -eq 0 ] || { tail -s 0.2 -n +1 -f --pid="$step_pid" "$log" & tail_pid=$!; }
  wait "$step_pid"
  rc=$?
  step_pid=""
  [ -z "$tail_pid" ] || wait "$tail_pid"
  [ "$quiet" -eq 1 ] || [ "$follow" -eq 1 ] || cat "$log"
  case "$rc" in
    0) outcome="ok" ;;
    124 | 130 | 137) outcome="TIMED OUT after ${cap} s (exit $rc; partial output kept)"; failed=1 ;;
    *) outcome="FAILED (exit $rc)"; failed=1 ;;
  esac
  steps+=("$name|$outcome|$(($(date +%s) - step_t0))|${log#"$dir"/}")
  return "$rc"
}
# TERM / INT (the device tool's time limit, ^C): interrupt the step in hand, write the
# summary and the archive at once (the sender may follow with KILL), then give the step a
# few seconds to write its finished cases and write both again.
# shellcheck disable=SC2317 # called by the traps below
on_signal() {
  trap '' TERM INT
  stopped=$1
  failed=1
  echo "amx_hardware_check: stopped by SIG$1; writing the summary of what ran" >&2
  local pid=$step_pid
  if [ -n "$pid" ]; then
    kill -INT "$pid" 2>/dev/null
    steps+=("$step_name|STOPPED by SIG$1 after $(($(date +%s) - step_t0)) s (partial output kept)|$(($(date +%s) - step_t0))|${step_log#"$dir"/}")
  fi
  write_summary
  pack
  if [ -n "$pid" ]; then
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -TERM "$pid" 2>/dev/null # timeout passes it on to the step
    write_summary
    pack
  fi
  exit 1
}
trap 'on_signal TERM' TERM
trap 'on_signal INT' INT

# 1. Machine facts and the bundle.
steps+=("amxlab info|$([ "$info_rc" -eq 0 ] && echo ok || echo "FAILED (exit $info_rc)")|-|info.txt")
[ "$info_rc" -eq 0 ] || failed=1
# The JSON alone in info.json (a warning on stderr would make it unreadable); stderr and the
# step's own record go to info-json.log.
# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
quiet=1 run_step "amxlab info --json" 60 "$dir/info-json.log" sh -c '"$1" info --json > "$2"' sh "$amxlab" "$dir/info.json"
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

# The native AMX kernels (check and bench): info's kernel lines: name, weight type, op,
# engine, needs, status. The plain GEMMs first (s8s8, u8s8, bf16: oneDNN's own terms,
# issue #12), then the quantised ones.
thread_list="1"
[ "$all_threads" -gt 1 ] && thread_list="1 $all_threads"
amx_kernels=""
if [ "$amx" -eq 1 ]; then
  amx_kernels=$(printf '%s\n' "$info_text" |
    awk '$4 == "native" && $5 ~ /amx_(int8|bf16)/ {print ($2 ~ /^(s8|u8|bf16)$/ ? 0 : 1), $2 ":" $1}' |
    sort -s -k1,1n | awk '{print $2}')
fi

# 4. Check (bitwise against golden through the harness) on small shapes. Before the bench,
# which would otherwise take the time it needs (seconds).
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
if [ ${#check_cases[@]} -gt 0 ]; then
  run_step "amxlab check ($((${#check_cases[@]} / 2)) cases)" 120 "$dir/check.txt" \
    "$amxlab" check "${check_cases[@]}" --out "$dir/check.json"
else
  steps+=("amxlab check|FAILED: info lists no native AMX kernel|0|")
  failed=1
fi

# 5. MoE (issue #13): bitwise with the AMX kernels in the groups, then the threshold
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

# 6. Bench: the native AMX kernels against oneDNN (without AMX: the best non-AMX kernels),
# last, for the time left: interrupted at the cap it keeps every finished case.
cases=()
if [ "$amx" -eq 1 ]; then
  ms="16 512"
  nk="n4096k4096"
  if [ "$quick" -eq 1 ]; then ms="16"; nk="n256k512"; fi
  for tk in $amx_kernels; do
    for m in $ms; do
      for t in $thread_list; do cases+=(--case "${tk%%:*}:m${m}${nk}:t${t}:kernel=${tk#*:}"); done
    done
  done
  bench_args=(--onednn-isa "avx512_core_amx,avx512_core_vnni")
  [ "$quick" -eq 1 ] && bench_args+=(--reps 1 --min-time 0.01 --no-cold)
else
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
  run_step "amxlab bench ($((${#cases[@]} / 2)) cases)" 300 "$dir/bench.txt" \
    "$amxlab" bench "${cases[@]}" "${bench_args[@]}" --out "$dir/bench.json"
else
  steps+=("amxlab bench|FAILED: info lists no native AMX kernel|0|")
  failed=1
fi

# --- the summary ------------------------------------------------------------------------
trap '' TERM INT # from here on the summary and the archive are seconds away
write_summary
pack
echo
# A device run's output tail is what its caller reads first: the summary in full.
[ -z "$archive" ] || cat "$dir/README.md"
echo
echo "amx_hardware_check: $([ "$amx" -eq 1 ] && echo "AMX usable" || echo "no AMX: $amx_reason")"
echo "amx_hardware_check: TDPBF16PS order verdict: $verdict"
echo "amx_hardware_check: $([ "$failed" -eq 0 ] && echo "every step passed" || echo "a step failed or did not run"); results in $dir ($(($(date +%s) - start)) s)"
exit "$failed"
