#!/usr/bin/env bash
# Checks that a bundle (scripts/bundle_build.sh) is self-contained: every executable in
# DIR finds every shared library it needs inside DIR, except the C library itself
# (libc, libm, libpthread, libdl, librt, the loader), which every Linux machine has.
# Libraries as scripts/needed_libs.sh resolves them: in a clean environment, so
# LD_LIBRARY_PATH cannot hide a missing one.
# The C library is not carried, so its version is checked instead: the newest GLIBC_x.y
# symbol version any file of the bundle needs (readelf -V) against the C library of the
# machine it is to run on: this one's (getconf GNU_LIBC_VERSION), or --glibc VERSION to
# check before carrying it elsewhere (the loader would only say "version `GLIBC_2.38' not
# found" when the first binary starts there). Without readelf it says it skipped the
# check, or, where --glibc asked for it, fails.
# Exit 0 when self-contained; 1 with one line per problem; 2 on usage errors.
#
#   scripts/bundle_check.sh [--glibc VERSION] DIR
set -uo pipefail

usage() {
  echo "usage: $0 [--glibc VERSION] BUNDLE_DIR  (VERSION: the target's glibc, e.g. 2.35)" >&2
  exit 2
}
glibc=""
if [ "${1:-}" = "--glibc" ]; then
  [ $# -ge 2 ] || usage
  glibc=$2
  shift 2
  [[ "$glibc" =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?$ ]] || { echo "bundle_check: --glibc $(printf %q "$glibc"): not a version like 2.35" >&2; exit 2; }
fi
if [ $# -ne 1 ] || [ ! -d "$1" ]; then usage; fi
dir=$(cd "$1" && pwd -P)
here=$(dirname "$0")

# is_elf FILE: a regular file that starts with the ELF magic (not a script or text).
is_elf() { [ -f "$1" ] && [ "$(head -c 4 "$1" | tail -c 3)" = ELF ]; }
# newer A B: version A sorts after version B.
newer() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]; }

problems=0
executables=0
for f in "$dir"/*; do
  if [ ! -f "$f" ] || [ ! -x "$f" ]; then continue; fi
  case "$f" in *.so | *.so.*) continue ;; esac
  is_elf "$f" || continue  # scripts and text files
  executables=$((executables + 1))
  libs=$("$here/needed_libs.sh" "$f") || { problems=$((problems + 1)); continue; }
  while read -r name path; do
    [ -n "$name" ] || continue
    if [ "$path" = "not-found" ]; then
      echo "bundle_check: $(basename "$f"): $name not found"
      problems=$((problems + 1))
    elif [ "$(cd "$(dirname "$path")" && pwd -P)" != "$dir" ]; then
      echo "bundle_check: $(basename "$f"): $name resolves outside the bundle, to $path"
      problems=$((problems + 1))
    fi
  done <<<"$libs"
done

# The C library: the newest version any file needs against the target's.
if [ -z "$glibc" ]; then
  glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
  where="this machine"
else
  where="--glibc"
fi
if ! command -v readelf >/dev/null; then
  if [ "$where" = "--glibc" ]; then  # asked for: not a pass without it
    echo "bundle_check: --glibc $glibc: cannot check without readelf (binutils)"
    problems=$((problems + 1))
  else
    echo "bundle_check: glibc version check skipped: no readelf (binutils) here"
  fi
elif [ -z "$glibc" ]; then
  echo "bundle_check: glibc version check skipped: getconf GNU_LIBC_VERSION names no glibc (another C library?)"
else
  newest="" newest_file=""
  for f in "$dir"/*; do
    is_elf "$f" || continue
    v=$(readelf -V --wide "$f" 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/^GLIBC_//' | sort -uV | tail -n 1)
    [ -n "$v" ] || continue
    if [ -z "$newest" ] || newer "$v" "$newest"; then
      newest=$v newest_file=$(basename "$f")
    fi
  done
  if [ -n "$newest" ] && newer "$newest" "$glibc"; then
    echo "bundle_check: $newest_file needs glibc $newest, $where has $glibc: build the bundle on a machine with glibc <= $glibc"
    problems=$((problems + 1))
  else
    glibc_line="glibc ${newest:-(none named)} needed, $where has $glibc"
  fi
fi

if [ "$executables" -eq 0 ]; then
  echo "bundle_check: no executables in $dir"
  exit 1
fi
if [ "$problems" -ne 0 ]; then
  echo "bundle_check: $dir cannot run as it is ($problems problem(s))"
  exit 1
fi
echo "bundle_check: $executables executables in $dir find every non-glibc library inside it${glibc_line:+; $glibc_line}"
