#!/usr/bin/env bash
# A/B of the working tree (B) against a git revision (A): did any bit move, did anything
# get slower? Both binaries run the same sweep interleaved (A, B, B, A, A, B, ... one whole
# sweep per turn, every case, same pinning and placement), so that a noisy neighbour hits
# both sides alike; scripts/ab_report.py merges the samples and gives the verdict.
#
#   scripts/ab.sh BASE_REV [--rounds N] [--threshold PCT] [--out DIR]
#                 [--manifest NAME [--recipe R] [--layers L] [--threads T]] [amxlab bench flags ...]
#
# Turns    A B, then B A, then A B ...: each side runs first in half the rounds, so a drift
#           of the machine between the two turns of a round does not favour one side.
# BASE_REV  any commit-ish (main, HEAD~3, a tag, a sha). It is checked out in the git
#           worktree $AMXLAB_AB_CACHE/worktree (default build/ab/) and built there with the
#           working tree's build type, compiler and ccache (build/release/CMakeCache.txt), only
#           the amxlab target, incrementally from the last base; the binary is kept per sha
#           (build/ab/bin/<sha>/amxlab), so a later A/B against the same sha reuses it.
#           A base worktree with local changes is refused (a checkout there would not be
#           BASE_REV); a revision that does not build is refused with its errors.
# B         the working tree, built into build/release (cmake --build --preset release
#           --target amxlab) - uncommitted changes included: that is the point.
# Sweep     the bench flags after the options (--case, --batch FILE, --type/--m/...);
#           --manifest NAME: the model's timed cases (`amxlab model --list-cases`);
#           none: the regression sweep (q4_0, q8_0; M 1, 16; N = K = 4096; 1 and 2 threads).
#           Cases naming a kernel the base does not have run on B alone ("new").
#           A base before 4d4e788 (2026-11-29: the case data from harness/runner/samples.h
#           instead of std::normal_distribution) draws other inputs from the same seed:
#           every case then reports moved bits; only its speed column compares.
# --rounds  turns per side (default 7); --threshold: the slowdown, in %, that fails the A/B
#           when it is also significant (default 3); --out: results folder (default
#           results/local/ab-<time>/: a.N.json / b.N.json per turn, ab.json, ab.png).
#
# How often it cries wolf and how often it catches a 10 % slowdown on this machine:
# scripts/ab_rates.sh (N A/Bs of HEAD vs HEAD and of a 10 %-slower GEMV).
#
# Exit: 0 no moved bit, no new mismatch, no significant slowdown beyond the threshold;
#       1 one of those, or the working tree does not build; 2 usage, or build/release
#       cannot be configured; 3 the base does not build or cannot be checked out.
set -uo pipefail

repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel) || exit 2
caller=$PWD  # --out DIR is relative to the caller's folder; the sweep's files to the repository
cd "$repo" || exit 2
die() { echo "ab: $1" >&2; exit "${2:-2}"; }  # die MESSAGE [EXIT]

[ $# -ge 1 ] || die "usage: scripts/ab.sh BASE_REV [--rounds N] [--threshold PCT] [--out DIR] [--manifest NAME] [bench flags...]"
case "$1" in -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0"; exit 0 ;; esac
base_rev=$1
shift
rounds=7 threshold=3 out="" manifest="" recipe="" layers="" mthreads="" threads=""
sweep=()
# An option's value: present and not another option, else a usage error (exit 2).
value() { [ $# -ge 2 ] && [ -n "$2" ] && [[ $2 != --* ]] || die "$1 needs a value"; }
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0"; exit 0 ;;
    --rounds) value "$@"; rounds=$2; shift 2 ;;
    --threshold) value "$@"; threshold=$2; shift 2 ;;
    --out) value "$@"; out=$2; [[ $out = /* ]] || out=$caller/$out; shift 2 ;;
    --manifest) value "$@"; manifest=$2; shift 2 ;;
    --recipe) value "$@"; recipe=$2; shift 2 ;;
    --layers) value "$@"; layers=$2; shift 2 ;;
    --threads) value "$@"; threads=$2; shift 2 ;;
    *) sweep+=("$1"); shift ;;
  esac
done
# --threads: the model's thread count with --manifest, else a sweep flag (either order).
if [ -n "$manifest" ]; then mthreads=$threads; elif [ -n "$threads" ]; then sweep+=(--threads "$threads"); fi
[ -n "$manifest" ] || [ -z "$recipe$layers" ] || die "--recipe and --layers shape a --manifest model: give --manifest"
# Digits only, no leading zero: bash arithmetic reads 010 as octal (8) and 08 as an error.
[[ $rounds =~ ^[1-9][0-9]*$ ]] && [ "$rounds" -ge 2 ] || die "--rounds must be a whole number >= 2 (got '$rounds')"
[[ $threshold =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--threshold must be a percentage, e.g. 3 or 2.5 (got '$threshold')"
# A percentage here (amxlab compare's --threshold is a fraction): 0.05 would gate a
# 0.05 % slowdown, far inside any machine's noise - almost certainly meant as 5 %.
awk -v t="$threshold" 'BEGIN { exit !(t >= 0.5) }' ||
  die "--threshold is a percentage (3 means 3 %); $threshold % is below any measurable difference (did you mean $(awk -v t="$threshold" 'BEGIN { print t * 100 }')?)"
[ -z "$layers" ] || [[ $layers =~ ^[0-9]+$ ]] || die "--layers must be a whole number (got '$layers')"
[ -z "$mthreads" ] || [[ $mthreads =~ ^[1-9][0-9]*$ ]] || die "--threads must be a whole number >= 1 (got '$mthreads')"

py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3 # Debian's, with python3-matplotlib (bootstrap.sh)

sha=$(git rev-parse --verify --quiet "$base_rev^{commit}") || die "'$base_rev' is not a commit of this repository" 3

# The working tree's build folder is configured first: its cache says how to build the base
# (build type, compiler, ccache), and through ccache B's objects then serve the base's build.
[ -f build/release/CMakeCache.txt ] || cmake --preset release >/dev/null || die "cannot configure build/release"

# --- B: the working tree, built first: its amxlab checks the sweep's flags ---------------
# (before the minutes that building the base may take)
cmake --build build/release --target amxlab -j "$(nproc)" >/dev/null 2>build/release/ab-build.err ||
  { cat build/release/ab-build.err >&2; die "the working tree does not build" 1; }
b_bin="$repo/build/release/harness/cli/amxlab"

# --- the sweep --------------------------------------------------------------------------
[ -n "$out" ] || out="results/local/ab-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out" || die "cannot create $out"
if [ -n "$manifest" ]; then
  margs=(--manifest "$manifest")
  [ -n "$recipe" ] && margs+=(--recipe "$recipe")
  [ -n "$layers" ] && margs+=(--layers "$layers")
  [ -n "$mthreads" ] && margs+=(--threads "$mthreads")
  "$b_bin" model "${margs[@]}" --list-cases >"$out/cases.txt" || die "amxlab model ${margs[*]} --list-cases failed"
  sweep+=(--batch "$out/cases.txt")
elif [ ${#sweep[@]} -eq 0 ]; then
  sweep=(--type q4_0,q8_0 --m 1,16 --n 4096 --k 4096 --threads 1,2)
fi
# One flag set for both sides. The first round is `run` (every case checked: verdicts and
# output checksums, and timed), the others `bench` (timed only: a turn costs ~0.4 s of data
# and packing per case, the check ~0.15 s more); hot timing, 7 repetitions, no cold, no
# oneDNN (not what an A/B compares). The report takes each turn's fastest repetition.
timing=(--no-cold --no-onednn --reps 7 --min-time 0.02)
# Cases whose kernel the base lacks run on B alone: list B's cases, drop those for A.
"$b_bin" run "${timing[@]}" "${sweep[@]}" --list >"$out/cases.b.txt" 2>"$out/list.err" ||
  die "the sweep flags are not accepted by the working tree's amxlab: $(tail -n 3 "$out/list.err")"

# --- A: the base revision, built once per sha ----------------------------------------
# One worktree and one build folder for every base (build/ab/worktree and its
# build/release): checking out another sha there touches only the files that differ, so
# the build is incremental; each sha's amxlab is kept as build/ab/bin/<sha>/amxlab. The
# build folder sits where the working tree's does, relative to its sources, so that with
# ccache (cmake/AmxlabCompilerCache.cmake) every file the base shares with the working
# tree is a cache hit. (Before 2026-11-30 the folder was build/ab/build: delete it.)
cache=${AMXLAB_AB_CACHE:-$repo/build/ab}
src="$cache/worktree" bdir="$cache/worktree/build/release" a_bin="$cache/bin/$sha/amxlab"
mkdir -p "$cache/bin/$sha" || die "cannot create $cache/bin/$sha" 3
if [ ! -x "$a_bin" ]; then
  if [ -e "$src" ]; then
    dirty=$(git -C "$src" status --porcelain --untracked-files=no 2>&1) ||
      die "$src is not a git worktree: remove it" 3
    [ -z "$dirty" ] || die "the base worktree $src has local changes, so a checkout there would not be $base_rev (remove it, or commit the change and A/B against that): $dirty" 3
    git -C "$src" checkout --quiet --detach "$sha" 2>"$cache/checkout.log" ||
      die "cannot check out $sha in $src: $(tail -n 3 "$cache/checkout.log")" 3
  else
    git worktree prune
    git worktree add --detach --quiet "$src" "$sha" 2>"$cache/checkout.log" ||
      die "cannot check out $sha into $src: $(tail -n 3 "$cache/checkout.log")" 3
  fi
  cache_var() { sed -n "s/^$1:[A-Z]*=//p" "$repo/build/release/CMakeCache.txt" 2>/dev/null | head -n 1; }
  build_type=$(cache_var CMAKE_BUILD_TYPE) cxx=$(cache_var CMAKE_CXX_COMPILER) cc=$(cache_var CMAKE_C_COMPILER)
  # The working tree's compiler launcher: its own, or ccache as AmxlabCompilerCache.cmake
  # sets it (passed explicitly, so that a base older than that module uses it too).
  launcher=$(cache_var CMAKE_CXX_COMPILER_LAUNCHER) ccache=$(cache_var AMXLAB_CCACHE_PROGRAM)
  if [ -z "$launcher" ] && [ "$(cache_var AMXLAB_CCACHE)" != OFF ] && [ -x "$ccache" ]; then
    launcher="$(command -v cmake);-E;env;CCACHE_BASEDIR=$src;$ccache"
  fi
  echo "ab: building $base_rev ($sha) in $bdir (${build_type:-Release}, ${cxx:-default compiler}${launcher:+, through ${launcher##*;}}) ..."
  log="$cache/bin/$sha/build.log"
  if ! { cmake -S "$src" -B "$bdir" -DCMAKE_BUILD_TYPE="${build_type:-Release}" -DAMXLAB_BUILD_TESTS=OFF \
      ${cxx:+-DCMAKE_CXX_COMPILER="$cxx"} ${cc:+-DCMAKE_C_COMPILER="$cc"} \
      ${launcher:+-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher"} &&
    cmake --build "$bdir" --target amxlab -j "$(nproc)"; } >"$log" 2>&1; then
    echo "ab: $base_rev ($sha) does not build; its errors (full log: $log):" >&2
    grep -E 'error|Error' "$log" | head -n 20 >&2
    rmdir "$cache/bin/$sha" 2>/dev/null
    exit 3
  fi
  cp "$bdir/harness/cli/amxlab" "$a_bin.tmp" && mv "$a_bin.tmp" "$a_bin" || die "cannot keep the base binary" 3
fi

"$a_bin" info --json >"$out/a-info.json" 2>/dev/null || echo '{}' >"$out/a-info.json"
"$py" "$repo/scripts/ab_report.py" split-cases "$out/cases.b.txt" "$out/a-info.json" "$out/cases.a.txt" ||
  die "cannot split the cases"

echo "ab: A = $base_rev ($sha), B = working tree ($(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')); $rounds rounds of $(wc -l <"$out/cases.b.txt") cases -> $out"
order=()
for ((r = 1; r <= rounds; r++)); do
  # A B, then B A: each side goes first half the time (a drift between turns cancels).
  if ((r % 2)); then sides="a b"; else sides="b a"; fi
  for side in $sides; do
    if [ "$side" = a ]; then bin=$a_bin list="$out/cases.a.txt"; else bin=$b_bin list="$out/cases.b.txt"; fi
    [ -s "$list" ] || continue
    if ((r == 1)); then mode=run; else mode=bench; fi
    "$bin" "$mode" "${timing[@]}" --batch "$list" --out "$out/$side.$r.json" >"$out/$side.$r.log" 2>&1
    order+=("$side.$r")
  done
done
printf '%s\n' "${order[@]}" >"$out/order.txt"
"$py" "$repo/scripts/ab_report.py" report "$out" --threshold "$threshold" --base "$base_rev ($sha)"
