#!/usr/bin/env bash
# Fuzzes the GGUF reader with libFuzzer (ASan + UBSan) for a bounded time.
#
#   scripts/fuzz_gguf.sh [SECONDS]      default 60
#
# Builds harness/io's fuzz_gguf_reader with clang++ in its own build directory
# ($AMXLAB_FUZZ_BUILD_DIR, default build-fuzz/), seeds it from
# tests/data/ggml/weights_tail.gguf and runs it. Exits non-zero when the fuzzer finds
# a crash, a sanitizer report, a leak, a timeout or an oversized allocation; the
# offending input is left in $AMXLAB_FUZZ_BUILD_DIR/fuzz-artifacts/.
# Needs the Debian packages clang and libclang-rt-14-dev (libFuzzer runtime).
set -euo pipefail

max_time=${1:-60}
if ! [[ $max_time =~ ^[0-9]+$ ]] || ((max_time < 1)); then
  echo "usage: $0 [SECONDS]  (a positive whole number of seconds, default 60)" >&2
  exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${AMXLAB_FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${AMXLAB_FUZZ_BUILD_JOBS:-1}
cxx=${CXX:-clang++}
if [[ $cxx != *clang* ]]; then
  echo "fuzz_gguf.sh: libFuzzer needs clang; CXX=$cxx is not clang" >&2
  exit 2
fi
if ! command -v "$cxx" > /dev/null; then
  echo "fuzz_gguf.sh: $cxx not found; install the Debian packages clang libclang-rt-14-dev" >&2
  exit 2
fi

# AMXLAB_SANITIZE instruments the library code the reader calls as well; optimised
# with debug info, because fuzzing at -O0 wastes most of the time budget.
mkdir -p "$build"
CXX=$cxx cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DAMXLAB_SANITIZE=ON -DAMXLAB_BUILD_TESTS=OFF > "$build/configure.log" 2>&1 || {
  cat "$build/configure.log" >&2
  exit 1
}
cmake --build "$build" -j"$jobs" --target fuzz_gguf_reader

fuzzer=$build/harness/io/fuzz_gguf_reader
if [[ ! -x $fuzzer ]]; then
  echo "fuzz_gguf.sh: built, but cannot find the fuzz_gguf_reader binary under $build" >&2
  exit 1
fi

# --- Seed corpus, all cut from the ggml-written test file -------------------------
src=$root/tests/data/ggml/weights_tail.gguf
seeds=$build/fuzz-seeds
corpus=$build/fuzz-corpus  # grows across runs; delete it to start over
artifacts=$build/fuzz-artifacts
mkdir -p "$seeds" "$corpus" "$artifacts"
slice() { dd if="$src" iflag=skip_bytes,count_bytes skip="$1" count="$2" status=none; }

# 1. The whole file (libFuzzer truncates it to -max_len; it still covers the header).
cp "$src" "$seeds/weights_tail.gguf"
# 2. The header and tensor infos alone (the data section starts at byte 544).
slice 0 544 > "$seeds/header_only.gguf"
# 3. A complete, valid one-tensor file small enough to fuzz whole: the header with
#    tensor_count = 1, the metadata and the first tensor info (w.q4_0.n17k256, which
#    ends at byte 160, already 32-aligned), then that tensor's 2448 bytes (offset 0 of
#    the data section). The offsets are those of the committed file, checked here.
if [[ $(slice 114 14) == "w.q4_0.n17k256" ]]; then
  {
    slice 0 8
    printf '\001\000\000\000\000\000\000\000'
    slice 16 144
    slice 544 2448
  } > "$seeds/one_tensor.gguf"
else
  echo "fuzz_gguf.sh: warning: $src changed layout; skipping the one-tensor seed" >&2
fi

# --- Run ------------------------------------------------------------------------
# -max_len: GGUF headers are small; long inputs only slow mutation down.
# -malloc_limit_mb: an 8 KiB input has no business allocating 64 MiB, so a larger
#  allocation is reported as a finding ("never a huge allocation").
echo "fuzz_gguf.sh: fuzzing for ${max_time}s (corpus $corpus)"
set +e
"$fuzzer" "$corpus" "$seeds" \
  -max_total_time="$max_time" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
  -malloc_limit_mb=64 -artifact_prefix="$artifacts/" -print_final_stats=1
rc=$?
set -e
if ((rc != 0)); then
  echo "fuzz_gguf.sh: FAILED (exit $rc); reproduce with: $fuzzer $artifacts/<crash-file>" >&2
  exit "$rc"
fi
echo "fuzz_gguf.sh: no findings in ${max_time}s"
