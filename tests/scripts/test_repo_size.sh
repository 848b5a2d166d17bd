#!/usr/bin/env bash
# The tracked files must stay small enough to travel to a borrowed AMX machine together
# with the compressed bundle (scripts/bundle_build.sh): the device tool copies the working
# tree and the carried build, 64 MiB in all, and the bundle's archive is ~17 MiB (libdnnl
# alone is 38 MiB unpacked). The tree had grown to 64.7 MiB of results JSON by the
# thirty-fourth session, which would have refused the next hardware check outright; the
# session folders' JSON now lives in their json.tar.xz (results/README.md). Limit: 40 MiB.
# Exit 77 (skipped, with the reason) outside a git checkout.
set -euo pipefail
root=${1:?usage: test_repo_size.sh REPO_ROOT}
limit_mib=${2:-40}
cd "$root"
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "SKIPPED: $root is not a git checkout (the tracked files are listed with git)"; exit 77
fi
bytes=$(git ls-files -z | xargs -0 -r stat -c %s -- 2>/dev/null | awk '{s += $1} END {print s + 0}')
[ "$bytes" -gt 0 ] || { echo "FAIL: no tracked file measured"; exit 1; }
mib=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1048576}')
echo "tracked files: $mib MiB (limit $limit_mib MiB)"
if [ "$bytes" -gt $((limit_mib * 1048576)) ]; then
  echo "FAIL: the tracked files exceed $limit_mib MiB; the largest:"
  git ls-files -z | xargs -0 -r stat -c '%s %n' -- | sort -rn | head -10 || true  # head closes the pipe
  echo "pack a session folder's JSON into its json.tar.xz (results/README.md)"
  exit 1
fi
