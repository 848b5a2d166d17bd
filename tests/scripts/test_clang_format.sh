#!/usr/bin/env bash
# Every tracked C++ file of kernels/, reference/, harness/ and tests/ clang-formatted under
# the project's .clang-format (scripts/lint.sh --format-only). First the check is shown to
# catch a file that breaks the style (a line over the column limit), so a clean verdict
# means the tree was read, not that nothing was. Exit 77 (skipped, with the reason) outside
# a git checkout, whose file list lint.sh takes from git, or without clang-format-19
# (scripts/bootstrap.sh installs it).
set -euo pipefail
root=${1:?usage: test_clang_format.sh REPO_ROOT}
cd "$root"
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "SKIPPED: $root is not a git checkout (lint.sh lists the tracked files with git)"; exit 77
fi
command -v clang-format-19 >/dev/null || { echo "SKIPPED: clang-format-19 not installed (scripts/bootstrap.sh)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
long=$(printf 'int f() { return %s; }' "$(printf '1 + %.0s' $(seq 1 60))1")
echo "$long" > "$tmp/bad.cpp"
if clang-format-19 --style="file:$root/.clang-format" --dry-run --Werror "$tmp/bad.cpp" >/dev/null 2>&1; then
  echo "FAIL: a ${#long}-character line passed the style check"; exit 1
fi
out=$(scripts/lint.sh --format-only) || { echo "$out"; exit 1; }
echo "$out"
# lint.sh ends with "clang-format: N files checked": the tree was read, not an empty list.
checked=$(sed -n 's/^clang-format: \([0-9]*\) files checked$/\1/p' <<<"$out")
[ "${checked:-0}" -ge 100 ] || { echo "FAIL: clang-format checked ${checked:-no} files (expected the whole tree)"; exit 1; }
