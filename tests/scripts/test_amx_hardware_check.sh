#!/usr/bin/env bash
# CTest: the relocatable bundle and the AMX hardware check's quick path. Bundles BUILD_DIR,
# moves the bundle elsewhere (the original is deleted, so nothing can point back at it),
# checks that every non-glibc library resolves, and is loaded, from inside the moved
# copy, then runs scripts/amx_hardware_check.sh --quick from it (on a CPU without AMX:
# the "no AMX" path), then from the bundle's archive (--archive, unpacked by the check)
# with the results packed into one archive, and once with a budget too small for any step.
#
#   tests/scripts/test_amx_hardware_check.sh BUILD_DIR
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd -P)
build=${1:?usage: $0 BUILD_DIR}
tmp=$(mktemp -d /tmp/amxlab-hwcheck-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*"
  exit 1
}

"$repo/scripts/bundle_build.sh" --build "$build" --out "$tmp/first" --archive "$tmp/bundle.tar.gz" || fail "bundle_build.sh"
[ -s "$tmp/bundle.tar.gz" ] || fail "bundle_build.sh --archive wrote no archive"
mkdir "$tmp/elsewhere"
cp -a "$tmp/first" "$tmp/elsewhere/bundle" && rm -rf "$tmp/first"
moved="$tmp/elsewhere/bundle"
"$repo/scripts/bundle_check.sh" "$moved" || fail "the moved bundle is not self-contained"
# MANIFEST names the commit the binary says it was built from (amxlab info), not a guess.
built=$("$moved/amxlab" info --json | sed -n 's/.*"commit": *"\([^"]*\)".*/\1/p')
[ -n "$built" ] || fail "amxlab info --json named no commit"
grep -qxF "source     $built" "$moved/MANIFEST.txt" || fail "MANIFEST.txt's source is not $built: $(grep '^source' "$moved/MANIFEST.txt")"
# The C library it needs, against a target's: glibc 2.2 predates every symbol version the
# build links, so the check must name the file and both versions; a malformed one is usage.
old_glibc=$("$repo/scripts/bundle_check.sh" --glibc 2.2 "$moved") && fail "--glibc 2.2 passed: $old_glibc"
echo "$old_glibc" | grep -Eq "needs glibc 2\.[0-9]+, --glibc has 2\.2: build the bundle" || fail "--glibc 2.2 said: $old_glibc"
"$repo/scripts/bundle_check.sh" --glibc 2.x "$moved" >/dev/null 2>&1
[ $? -eq 2 ] || fail "--glibc 2.x was not a usage error"

# The loader itself, at run time and with a clean environment: every object it
# initialises is glibc's or the moved bundle's.
env -i PATH=/usr/bin:/bin LD_DEBUG=libs "$moved/amxlab" info >"$tmp/ld.log" 2>&1 || fail "amxlab info from the moved bundle"
outside=$(sed -n 's/.*calling init: //p' "$tmp/ld.log" | grep -v "^$moved/" |
  grep -Ev '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)\.so[^/]*$' || true)
[ -z "$outside" ] || fail "loaded from outside the bundle: $outside"
grep -q "calling init: $moved/libdnnl.so.2" "$tmp/ld.log" || fail "libdnnl was not loaded from the bundle"

out=$(cd "$tmp" && "$repo/scripts/amx_hardware_check.sh" --bundle "$moved" --results-root "$tmp/results" --quick --budget 60 2>&1)
rc=$?
echo "$out" | tail -n 4
[ "$rc" -eq 0 ] || fail "amx_hardware_check.sh --quick exited $rc: $out"
dirs=("$tmp"/results/*/)
dir=${dirs[0]}
for f in README.md TDPBF16PS-verdict.txt info.txt info.json tile-selftest.txt tile-selftest.json \
  bench.json check.json moe-check.json moe-bench-min4.json tests/amx_test.log tests/amx_test.json tests/tile_test.log; do
  [ -s "$dir/$f" ] || fail "no $f in $dir"
done
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$dir/info.json" || fail "info.json is not JSON alone"
grep -q '^TDPBF16PS order verdict: ' "$dir/TDPBF16PS-verdict.txt" || fail "no verdict line"
grep -q '"tdpbf16ps"' "$dir/tile-selftest.json" || fail "no tdpbf16ps in tile-selftest.json"
if grep -q '^AMX  *usable$' "$dir/info.txt"; then
  grep -q 'AMX: \*\*usable' "$dir/README.md" || fail "README does not say AMX is usable"
else
  # A here-string, not `echo | grep -q`: grep -q leaves at the first match and, under
  # pipefail, the echo still writing the long output then fails the pipeline (SIGPIPE) -
  # this test failed that way once (2026-12-02) with the line present.
  grep -q "this CPU has no AMX: " <<<"$out" || fail "no 'this CPU has no AMX' line"
  grep -q 'this CPU has no AMX: ' "$dir/README.md" || fail "README does not say there is no AMX"
  grep -q '^TDPBF16PS order verdict: undecided: ' "$dir/TDPBF16PS-verdict.txt" || fail "verdict not undecided"
fi

# From the archive, the results packed: the archive holds the results folder and its summary.
mkdir "$tmp/out"
"$repo/scripts/amx_hardware_check.sh" --bundle "$tmp/bundle.tar.gz" --results-root "$tmp/results-gz" --quick --budget 60 \
  --archive "$tmp/out/hardware-check.tar.gz" >"$tmp/gz.log" 2>&1 || fail "--bundle FILE.tar.gz --quick exited $?: $(tail -n 20 "$tmp/gz.log")"
packed=$(tar -tzf "$tmp/out/hardware-check.tar.gz") || fail "--archive: the results archive does not list"
grep -q '^[^/]*/README\.md$' <<<"$packed" || fail "--archive: no README.md in the results archive"
grep -q '^[^/]*/moe-bench-min4\.json$' <<<"$packed" || fail "--archive: no moe-bench-min4.json in the results archive"
[ "$(find "$tmp/out" -type f | wc -l)" -eq 1 ] || fail "--archive: more than the one archive in its folder: $(ls -A "$tmp/out")"

# A budget too small for any step: nothing runs, the summary says so, the exit is 1.
"$repo/scripts/amx_hardware_check.sh" --bundle "$moved" --results-root "$tmp/tiny" --budget 12 >"$tmp/tiny.log" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "--budget 12 exited $rc, expected 1"
grep -q 'NOT RUN: time budget spent' "$tmp"/tiny/*/README.md || fail "--budget 12: README does not say what did not run"
echo "PASS"
