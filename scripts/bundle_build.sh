#!/usr/bin/env bash
# Makes a relocatable bundle of a build: the `amxlab` tool and the test binaries that
# exercise AMX, stripped, in one folder with every shared library they need but glibc's.
# The executables carry RPATH $ORIGIN (cmake/AmxlabRelocatable.cmake), so the folder can
# be copied anywhere, to a machine where nothing is installed, and run from there
# (scripts/amx_hardware_check.sh --bundle DIR). The bundle must stay under 64 MiB, the
# most a device run may carry; the script fails when it does not.
#
#   scripts/bundle_build.sh [--build BUILD_DIR] [--out BUNDLE_DIR]
# Defaults: build/release and build/bundle. It copies what is built; build first:
#   cmake --build --preset release --target amxlab amx_test amx_permission_test tile_test kernels_test test_core test_onednn_matmul
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd -P)
build="$repo/build/release"
out="$repo/build/bundle"
max_bytes=$((64 * 1024 * 1024))

while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0"; exit 0 ;;
    *) echo "bundle_build: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

# The tool, then every test binary with AMX-native tests (tests/amx, tests/tile, the
# registry-wide kernel tests, the AMX permission and CPU feature tests, oneDNN's int8
# matmul against golden, which picks AMX where it exists).
binaries=(
  harness/cli/amxlab
  tests/amx_test tests/amx_permission_test tests/tile_test
  tests/kernels_test tests/test_core tests/test_onednn_matmul
)

missing=()
for b in "${binaries[@]}"; do [ -x "$build/$b" ] || missing+=("$b"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bundle_build: not built in $build: ${missing[*]}" >&2
  echo "bundle_build: build them first (see the header of $0)" >&2
  exit 1
fi
for b in "${binaries[@]}"; do
  # shellcheck disable=SC2016 # the literal text $ORIGIN
  if ! readelf -d "$build/$b" | grep -q 'RPATH.*\$ORIGIN'; then
    echo "bundle_build: $b has no RPATH \$ORIGIN (built before cmake/AmxlabRelocatable.cmake?); rebuild it" >&2
    exit 1
  fi
done

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd -P)

# Every library but glibc's (the target machine has its own, matched to its loader).
declare -A libs=()
for b in "${binaries[@]}"; do
  cp "$build/$b" "$out/"
  strip --strip-unneeded "$out/$(basename "$b")"
  needed=$("$repo/scripts/needed_libs.sh" "$build/$b") || exit 1
  while read -r name path; do
    [ -n "$name" ] || continue
    if [ "$path" = "not-found" ]; then
      echo "bundle_build: $b needs $name, which is not found here" >&2
      exit 1
    fi
    libs[$name]=$path
  done <<<"$needed"
done
# Under the name the executables ask for (the soname), the file itself, not a link.
for name in "${!libs[@]}"; do
  cp -L "${libs[$name]}" "$out/$name"
  chmod 644 "$out/$name"
done

{
  echo "amxlab relocatable bundle (scripts/bundle_build.sh)"
  echo "made       $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
  echo "source     $(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "build      $build"
  echo "run        scripts/amx_hardware_check.sh --bundle <this folder>"
  echo
  echo "bytes      file"
  (cd "$out" && for f in *; do [ "$f" = MANIFEST.txt ] || printf '%-10s %s\n' "$(stat -c %s "$f")" "$f"; done)
} >"$out/MANIFEST.txt"

total=$(du -sb "$out" | cut -f1)
echo "bundle_build: $out: ${#binaries[@]} executables, ${#libs[@]} libraries, $((total / 1024 / 1024)) MiB ($total bytes)"
if [ "$total" -gt "$max_bytes" ]; then
  echo "bundle_build: the bundle is over 64 MiB, more than a device run can carry" >&2
  exit 1
fi
"$repo/scripts/bundle_check.sh" "$out"
