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
run_pass() {
  local isa="$1" pass_filter="$2" path="$3"
  echo "running: AMXLAB_MAX_ISA=${isa} ${qemu} -cpu Haswell ${bin} --gtest_filter='${pass_filter}'"
  AMXLAB_MAX_ISA="${isa}" "${qemu}" -cpu Haswell "${bin}" --gtest_filter="${pass_filter}" --gtest_brief=1 \
    2> >(grep -v "TCG doesn't support requested feature" >&2)
  local rc=$?
  if [[ ${rc} -ne 0 ]]; then
    if [[ ${rc} -eq 132 ]]; then
      echo "FAIL: SIGILL under qemu -cpu Haswell: an instruction the CPU lacks (AVX-512, VNNI?) ran on the ${path} path"
    else
      echo "FAIL: ${path} tests under qemu exited with ${rc}"
    fi
    exit 1
  fi
}

run_pass portable "${filter}" portable
run_pass avx2 "${avx2_filter}" AVX2
echo "PASS: portable and plain AVX2 kernels ran on an emulated Haswell (no AVX-512, no VNNI) and matched the golden model"
