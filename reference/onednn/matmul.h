// oneDNN matmul as a reference GEMM: y[M][N] = A[M][K] . W[N][K]^T, our convention
// (W row n is output column n, as in GGUF). One primitive per (kind, shape), created
// once in the constructor and reused; weights reordered once into the layout the
// primitive chose (format_tag::any).
//
// oneDNN's B operand has shape {K, N}; our W[N][K] row-major *is* B^T, so W is
// described as a {K, N} memory with format_tag::ba (strides {1, K}) and reordered from
// there into pd.weights_desc(). For s8 x s8 on CPUs without native s8s8 the reorder
// also stores oneDNN's compensation terms next to the weights (exact integer math).
//
// Allocation: the constructor allocates the reordered-weights buffer and a user-mode
// scratchpad (scratchpad_mode::user); run() only swaps data handles and calls the C
// execute entry point with a fixed argument array, so our run path allocates nothing.
// (oneDNN's execute still builds a small internal argument map: a few tiny heap
// allocations per call, no data buffers.)
//
// Threads and ISA: see runtime.h. A Matmul uses the OpenMP thread count of the thread
// that runs it; create it after set_threads() so that its blocking fits that count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "reference/onednn/runtime.h"

namespace amxlab::onednn {

enum class MatmulKind : uint8_t {
  u8s8s32,      // A u8, W s8, y s32 (exact, two's-complement wrap as golden)
  s8s8s32,      // A s8, W s8, y s32
  bf16bf16f32,  // A bf16, W bf16, y f32 (AVX512_BF16: VDPBF16PS, DAZ/FTZ)
  f32f32f32,    // A f32, W f32, y f32
};

// "u8s8s32", "s8s8s32", "bf16bf16f32", "f32f32f32".
std::string name(MatmulKind kind);
// Element sizes in bytes of A / W (same type) and of y.
size_t input_elem_bytes(MatmulKind kind);
size_t output_elem_bytes(MatmulKind kind);

// Where the reordered weights live: oneDNN's own allocation (4 KiB pages here), or a
// buffer of ours given to transparent huge pages (madvise(MADV_HUGEPAGE) before the
// reorder first writes it), as the harness places its own kernels' weights by default
// (harness/runner/case_placement.h): a GEMV timed on 4 KiB pages against ours on huge
// pages would pay page walks ours does not.
enum class WeightPages : uint8_t { library, huge };

class Matmul {
 public:
  // m, n, k >= 1 (amxlab::Error otherwise). Creates the primitive (JIT) now.
  Matmul(MatmulKind kind, int64_t m, int64_t n, int64_t k, WeightPages pages = WeightPages::library);
  ~Matmul();
  Matmul(Matmul&&) noexcept;
  Matmul& operator=(Matmul&&) noexcept;
  Matmul(const Matmul&) = delete;
  Matmul& operator=(const Matmul&) = delete;

  // w: [N][K] row-major, elements of the kind's input type. Reorders into the
  // primitive's layout (may be called again to replace the weights).
  void set_weights(const void* w);

  // a: [M][K] row-major; y: [M][N] row-major, fully overwritten. Requires set_weights().
  void run(const void* a, void* y);

  // oneDNN's implementation string, e.g. "brg:avx512_core_vnni".
  std::string impl() const;
  // Logical weight bytes, N*K*elem: what a roofline should count (not the padded,
  // reordered size, so that a layout that streams more is not credited for it).
  size_t weight_bytes() const;
  // Size of the reordered weights buffer (padding, compensation included).
  size_t packed_weight_bytes() const;
  // How the weights buffer was given: "oneDNN's allocation", "huge pages (madvise
  // accepted)" or "huge pages requested, madvise refused: <why>".
  std::string weight_pages() const;
  // omp_get_max_threads() when the primitive was created.
  int threads() const;

  MatmulKind kind() const;
  int64_t m() const;
  int64_t n() const;
  int64_t k() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace amxlab::onednn
