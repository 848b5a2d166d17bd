#!/usr/bin/env bash
# Makes a relocatable bundle of a build: the `amxlab` tool and the test binaries that
# exercise AMX, stripped, in one folder with every shared library they need but glibc's.
# The executables carry RPATH $ORIGIN (cmake/AmxlabRelocatable.cmake), so the folder can
# be copied anywhere, to a machine where nothing is installed, and run from there
# (scripts/amx_hardware_check.sh --bundle DIR).
#
#   scripts/bundle_build.sh [--build BUILD_DIR] [--out BUNDLE_DIR] [--archive FILE.tar.gz]
#
# --archive: also pack the bundle into FILE (gzip'd tar of the folder: ~17 MiB for a
# ~52 MiB folder; gzip, not xz, which a bare target may lack), what a device run carries
# (amx_hardware_check.sh --bundle FILE.tar.gz unpacks it there). A device run carries the
# repository's files (tracked, and untracked but not ignored) plus the carried paths, 64 MiB
# at most: the script reports that sum with the archive and fails when it is over (without
# --archive: the sum with the folder, a warning; it fails when the folder alone is over).
# Defaults: build/release and build/bundle. It copies what is built; build first:
#   cmake --build --preset release --target amxlab amx_test amx_permission_test tile_test kernels_test test_core test_onednn_matmul
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd -P)
build="$repo/build/release"
out="$repo/build/bundle"
archive=""
max_bytes=$((64 * 1024 * 1024))

# An option's value: present and not another option, else a usage error (exit 2).
value() { [ $# -ge 2 ] && [ -n "$2" ] && [[ $2 != --* ]] || { echo "bundle_build: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --build) value "$@"; build=$2; shift 2 ;;
    --out) value "$@"; out=$2; shift 2 ;;
    --archive) value "$@"; archive=$2; shift 2 ;;
    -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0"; exit 0 ;;
    *) echo "bundle_build: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ -n "$archive" ]; then
  case "$archive" in *.tar.gz | *.tgz) ;; *) echo "bundle_build: --archive '$archive' must end in .tar.gz or .tgz" >&2; exit 2 ;; esac
  mkdir -p "$(dirname "$archive")"
  archive="$(cd "$(dirname "$archive")" && pwd -P)/$(basename "$archive")"
fi

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
  # Read whole, then matched: `readelf | grep -q` under pipefail can fail by SIGPIPE.
  dynamic=$(readelf -d "$build/$b")
  # shellcheck disable=SC2016 # the literal text $ORIGIN
  if ! grep -q 'RPATH.*\$ORIGIN' <<<"$dynamic"; then
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

built_from=$(env -i PATH=/usr/bin:/bin "$out/amxlab" info --json 2>/dev/null |
  sed -n 's/.*"commit": *"\([^"]*\)".*/\1/p') || true  # the whole output read: no SIGPIPE
built_from=${built_from%%$'\n'*}
{
  echo "amxlab relocatable bundle (scripts/bundle_build.sh)"
  echo "made       $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
  # The commit the binary itself says it was built from (a build folder can be older than
  # the checkout's HEAD, or made from another checkout).
  echo "source     ${built_from:-unknown (amxlab info --json named no commit)}"
  echo "build      $build"
  echo "run        scripts/amx_hardware_check.sh --bundle <this folder>"
  echo
  echo "bytes      file"
  (cd "$out" && for f in *; do [ "$f" = MANIFEST.txt ] || printf '%-10s %s\n' "$(stat -c %s "$f")" "$f"; done)
} >"$out/MANIFEST.txt"

"$repo/scripts/bundle_check.sh" "$out"

total=$(du -sb "$out" | cut -f1)
echo "bundle_build: $out: ${#binaries[@]} executables, ${#libs[@]} libraries, $((total / 1024 / 1024)) MiB ($total bytes)"
if [ "$total" -gt "$max_bytes" ] && [ -z "$archive" ]; then
  echo "bundle_build: the bundle folder is over 64 MiB, more than a device run can carry (try --archive)" >&2
  exit 1
fi
carried=$total carried_what="the bundle folder"
if [ -n "$archive" ]; then
  # One folder inside (the bundle's own name), owned by nobody in particular.
  tar -czf "$archive" --owner=0 --group=0 --numeric-owner -C "$(dirname "$out")" "$(basename "$out")"
  carried=$(stat -c %s "$archive") carried_what="the archive"
  echo "bundle_build: $archive: $((carried / 1024 / 1024)) MiB ($carried bytes); run: scripts/amx_hardware_check.sh --bundle ${archive#"$repo"/}"
fi

# What a device run carries: the repository's files (tracked, and untracked but not
# ignored: the working tree that travels) plus the bundle, as folder or archive. Over
# 64 MiB with the archive: an error (that is what travels); with the folder only: a
# warning (a folder made for a local run need not travel).
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
tree=$(cd "$repo" && { git ls-files -z --cached --others --exclude-standard 2>/dev/null || true; } |
  { xargs -0 -r stat -c %s -- 2>/dev/null || true; } | awk '{s += $1} END {print s + 0}')
travel=$((tree + carried))
echo "bundle_build: a device run would carry $(mib "$travel"): the working tree's files $(mib "$tree") + $carried_what $(mib "$carried") (limit 64 MiB)"
if [ "$travel" -gt "$max_bytes" ]; then
  if [ -n "$archive" ]; then
    echo "bundle_build: that is over the 64 MiB a device run may carry: shrink the working tree (untracked files not ignored count too)" >&2
    exit 1
  fi
  echo "bundle_build: warning: that is over the 64 MiB a device run may carry: carry an archive instead (--archive build/bundle.tar.gz)" >&2
fi
