#!/usr/bin/env bash
# Runs the portable-kernel tests on an emulated CPU without AVX-512 (qemu-user, -cpu
# Haswell: AVX2, no AVX-512, no AVX-VNNI) with AMXLAB_MAX_ISA=portable, then the plain
# AVX2 kernels' tests (`*__avx2*`, the dispatcher) with AMXLAB_MAX_ISA=avx2. Any AVX-512
# or VNNI instruction that leaked into those paths (an ISA flag set for a whole target, an
# inline function or template instantiated in an AVX-512 translation unit and kept by the
# linker for everyone) stops the run with SIGILL.
#
#   scripts/qemu_portable_test.sh [BUILD_DIR]        (default: build/release)
#
# Needs the Debian package qemu-user (qemu-x86_64). Without it: prints SKIP with the
# reason and exits 77 (CTest's skip code for the `qemu_portable` test).
# Exit status: 0 when the tests pass, 77 when skipped, other non-zero on failure.
# GTEST_FILTER overrides the portable pass's test selection; AVX2_FILTER the AVX2 pass's.
set -u

case "${1:-}" in
  -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0"; exit 0 ;;
  -*) echo "qemu_portable_test: unknown option '$1' (usage: scripts/qemu_portable_test.sh [BUILD_DIR])" >&2; exit 2 ;;
esac
build_dir="${1:-build/release}"
bin="${build_dir}/tests/kernels_test"
filter="${GTEST_FILTER:-*portable*:KernelPaths.*:Dispatch.*:VnniPack.*:KquantPack.*:KquantNibblePack.*:EncodeBlock.*:PlainKernels.*}"
# The long grids stay out: under qemu they take minutes; the release run has them.
avx2_filter="${AVX2_FILTER:-*__avx2*:*VectorQuantize*/avx2:PlainKernels.Float*:Dispatch.*:KernelPaths.*-*Long*}"

qemu="$(command -v qemu-x86_64 || true)"
if [[ -z "${qemu}" ]]; then
  echo "SKIP: qemu-x86_64 not found (install the Debian package 'qemu-user'); portable path not checked"
  exit 77
fi
if [[ ! -x "${bin}" ]]; then
  echo "FAIL: ${bin} not found: build the kernels_test target first (cmake --build ${build_dir} --target kernels_test)"
  exit 2
fi

echo "qemu: $(${qemu} --version | head -1)"
# One pass: the tests of `filter` with the kernels capped at `isa`, under qemu -cpu Haswell.
# (qemu's "TCG doesn't support requested feature" lines about Haswell's system features
# are dropped; they do not concern user-mode code.)
report_dir="$(mktemp -d)"
trap 'rm -rf "${report_dir}"' EXIT
# gtest exits 0 when its filter matches nothing or every test skips: each pass's JSON report
# is read back, and a pass that ran no test fails, as does the AVX2 pass when a test of an
# AVX2 kernel skipped or none ran (a qemu too old to emulate AVX2 reports none to the
# program, and every such test skips). Tests that need more than Haswell skip in both.
run_pass() {
  local isa="$1" pass_filter="$2" path="$3" must_run="$4"
  local report="${report_dir}/${isa}.json"
  echo "running: AMXLAB_MAX_ISA=${isa} ${qemu} -cpu Haswell ${bin} --gtest_filter='${pass_filter}'"
  AMXLAB_MAX_ISA="${isa}" "${qemu}" -cpu Haswell "${bin}" --gtest_filter="${pass_filter}" --gtest_brief=1 \
    --gtest_output="json:${report}" 2> >(grep -v "TCG doesn't support requested feature" >&2)
  local rc=$?
  if [[ ${rc} -ne 0 ]]; then
    if [[ ${rc} -eq 132 ]]; then
      echo "FAIL: SIGILL under qemu -cpu Haswell: an instruction the CPU lacks (AVX-512, VNNI?) ran on the ${path} path"
    else
      echo "FAIL: ${path} tests under qemu exited with ${rc}"
    fi
    exit 1
  fi
  python3 - "${report}" "${path}" "${must_run}" <<'PY' || exit 1
import json, sys
report, path, must_run = sys.argv[1], sys.argv[2], sys.argv[3]
tests = [t for s in json.load(open(report))["testsuites"] for t in s["testsuite"]]
skipped = [f"{t['classname']}.{t['name']}" for t in tests if t.get("result") == "SKIPPED"]
ran = len(tests) - len(skipped)
print(f"{path} pass: {ran} test(s) ran, {len(skipped)} skipped")
if ran == 0:
    sys.exit(f"FAIL: the {path} pass ran no test (filter matched nothing, or every test skipped)")
if must_run:
    named = [f"{t['classname']}.{t['name']}" for t in tests if must_run in t["name"]]
    missed = [n for n in named if n in skipped]
    if not named or missed:
        sys.exit(f"FAIL: the {path} pass must run the tests named '{must_run}': {len(named)} found, "
                 f"{len(missed)} skipped under qemu -cpu Haswell (no AVX2 emulated?): " + ", ".join(missed[:10]))
PY
}

# The portable pass skips the tests of kernels above the cap by design; in the AVX2 pass
# every test of an `__avx2` kernel must run.
run_pass portable "${filter}" portable ""
run_pass avx2 "${avx2_filter}" AVX2 "__avx2"
echo "PASS: portable and plain AVX2 kernels ran on an emulated Haswell (no AVX-512, no VNNI) and matched the golden model"
