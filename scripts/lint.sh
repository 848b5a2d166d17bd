#!/usr/bin/env bash
# clang-format and clang-tidy over the project's C++ (kernels/, reference/, harness/,
# tests/), the checks of .clang-format and .clang-tidy. clang-tidy is a developer's check,
# not CI's: over the whole tree it takes ~15 minutes on 2 cores. The clang-format half
# (--format-only, ~2 s, only clang-format-19 needed) runs in every test run as the
# `clang_format` test (tests/scripts.cmake).
#
#   scripts/lint.sh [--changed BASE] [--format-only] [BUILD_DIR]
#
# BUILD_DIR (default build/release) must hold compile_commands.json (the presets write
# it). --changed BASE: only the files changed since git revision BASE. Needs
# clang-format-19 and clang-tidy-19 (apt-get install clang-format-19 clang-tidy-19). The
# oneDNN wrappers include omp.h, which clang-19 has only with libomp-19-dev; that package
# replaces libomp-dev (clang 14's, which the fuzz build needs), so it is not installed:
# the script lends clang-tidy another LLVM's omp.h instead (OpenMP's API, not builtins).
# Exit 0: clean; 1: a file is not clang-formatted or clang-tidy reported something.
set -euo pipefail
cd "$(dirname "$0")/.."
base="" format_only=0 build=build/release
while [ $# -gt 0 ]; do
  case "$1" in
    --changed) [ -n "${2:-}" ] || { echo "lint: --changed needs a git revision" >&2; exit 2; }; base=$2; shift 2 ;;
    --format-only) format_only=1; shift ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "lint: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
# A revision git does not know would make `git diff` fail inside the file list below, and
# the list come out empty: "no C++ files to check", exit 0. Refuse it instead.
if [ -n "$base" ] && ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
  echo "lint: --changed $base: not a git revision here" >&2
  exit 2
fi
tools=(clang-format-19)
[ "$format_only" -eq 1 ] || tools+=(clang-tidy-19 run-clang-tidy-19)
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || { echo "lint: $tool not found (apt-get install clang-format-19 clang-tidy-19)" >&2; exit 2; }
done
if [ -n "$base" ]; then
  mapfile -t files < <(git diff --name-only --diff-filter=AM "$base" -- 'kernels' 'reference' 'harness' 'tests' | grep -E '\.(cpp|h)$' || true)
else
  mapfile -t files < <(git ls-files 'kernels' 'reference' 'harness' 'tests' | grep -E '\.(cpp|h)$')
fi
# With --changed an empty list is an answer; without it, the tree was not found (a source
# tree inside another repository that does not track it, a broken git) and a clean
# verdict would mean nothing.
if [ ${#files[@]} -eq 0 ]; then
  [ -n "$base" ] && { echo "lint: no C++ files changed since $base"; exit 0; }
  echo "lint: git lists no C++ files under kernels/ reference/ harness/ tests/ here; nothing was checked" >&2
  exit 1
fi
rc=0
if ! clang-format-19 --dry-run --Werror "${files[@]}" 2>/tmp/lint-format.$$; then
  grep -E '^[^ ].*: (warning|error):' /tmp/lint-format.$$ | sed 's/: warning: code should be clang-formatted.*//' | sort -u | sed 's/^/not clang-formatted: /'
  rc=1
fi
rm -f /tmp/lint-format.$$
echo "clang-format: ${#files[@]} files checked"
[ "$format_only" -eq 1 ] && exit $rc
[ -f "$build/compile_commands.json" ] || { echo "lint: $build/compile_commands.json missing (configure first, e.g. cmake --preset release)" >&2; exit 2; }
# clang-tidy reads the translation units; headers are checked through them (.clang-tidy's
# HeaderFilterRegex).
mapfile -t units < <(printf '%s\n' "${files[@]}" | grep -E '\.cpp$' || true)
if [ ${#units[@]} -gt 0 ]; then
  log=$(mktemp)
  extra=()
  omp_dir=$(mktemp -d)
  if ! ls /usr/lib/llvm-19/lib/clang/*/include/omp.h >/dev/null 2>&1; then
    omp=$(find /usr/lib -path '/usr/lib/llvm-*/lib/clang/*/include/omp.h' 2>/dev/null | head -1 || true)
    [ -n "$omp" ] && ln -s "$omp" "$omp_dir/omp.h" && extra=(-extra-arg="-isystem$omp_dir")
  fi
  run-clang-tidy-19 -p "$build" -quiet -j "$(nproc)" "${extra[@]}" "${units[@]/#/$PWD/}" >"$log" 2>&1 || true
  rm -rf "$omp_dir"
  if grep -E '^/.*: (warning|error): ' "$log" | sort -u | grep .; then rc=1; fi
  rm -f "$log"
  echo "clang-tidy: ${#units[@]} translation units checked"
fi
exit $rc
