#!/usr/bin/env bash
# Checks that a bundle (scripts/bundle_build.sh) is self-contained: every executable in
# DIR finds every shared library it needs inside DIR, except the C library itself
# (libc, libm, libpthread, libdl, librt, the loader), which every Linux machine has.
# Libraries as scripts/needed_libs.sh resolves them: in a clean environment, so
# LD_LIBRARY_PATH cannot hide a missing one.
# Exit 0 when self-contained; 1 with one line per problem; 2 on usage errors.
#
#   scripts/bundle_check.sh DIR
set -uo pipefail

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 BUNDLE_DIR" >&2
  exit 2
fi
dir=$(cd "$1" && pwd -P)
here=$(dirname "$0")

problems=0
executables=0
for f in "$dir"/*; do
  if [ ! -f "$f" ] || [ ! -x "$f" ]; then continue; fi
  case "$f" in *.so | *.so.*) continue ;; esac
  head -c 4 "$f" | grep -q "ELF" || continue  # scripts and text files
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

if [ "$executables" -eq 0 ]; then
  echo "bundle_check: no executables in $dir"
  exit 1
fi
if [ "$problems" -ne 0 ]; then
  echo "bundle_check: $dir is not self-contained ($problems problem(s))"
  exit 1
fi
echo "bundle_check: $executables executables in $dir find every non-glibc library inside it"
