// The kernel contract. A kernel computes y[m][n] = sum_k W[n][k] * A[m][k] for a slice
// of the output (rows m0..m1, columns n0..n1) and says, through its plan, how the output
// may be cut. Threads live in the harness: it cuts the output along the plan and calls
// run() once per slice. Kernels never split K, so every result is independent of the
// thread count, and they always overwrite dst (never accumulate into it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "kernels/core/formats.h"
#include "kernels/core/qtype.h"
#include "kernels/isa.h"
#include "kernels/pack/packed_weights.h"
#include "kernels/pack/parallel_for.h"

namespace amxlab {

enum class KernelOp : uint8_t { gemm, gemv };
// native: runs on the ISA its name says (the dispatcher chooses among these only).
// emulated: AMX through the tile emulator. stand_in: another ISA's kernel body built with
// instructions of the same semantics in another encoding (the `*__avxvnni_evex` lines: the
// AVX-VNNI kernels with EVEX VPDPBUSD), so that the body is checked and timed on CPUs
// where its own ISA is missing; never dispatched.
enum class Engine : uint8_t { native, emulated, stand_in };
const char* name(KernelOp op);
const char* name(Engine e);

// Activations already converted to the kernel's activation format (traits(act).name):
// m rows of k elements, row r at bytes + r * row_stride.
struct ActivationView {
  QType type = QType::F32;
  const std::byte* bytes = nullptr;
  size_t row_stride = 0;
  int64_t m = 0, k = 0;
};

// The output: fp32 for quantised / bf16 / f32 kernels, int32 for raw integer kernels.
struct OutputView {
  void* data = nullptr;
  size_t row_stride = 0;  // in elements
  int64_t m = 0, n = 0;
};

struct Slice {
  int64_t m0 = 0, m1 = 0, n0 = 0, n1 = 0;
};

// How the output may be cut: slice bounds must be multiples of m_step / n_step (except at
// the ends of M and N). A kernel that wants whole rows of N says n_step = N.
struct Plan {
  int64_t m_step = 1;
  int64_t n_step = 1;
};

struct KernelDesc;

// Packs GGUF rows ([N] rows of row_bytes(type, K)) into the kernel's layout, its strips
// spread over `parallel` (the harness passes its pool; serial_for() runs them in turn).
using PackFn = PackedWeights (*)(QType type, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                                 MemoryResource& memory, const ParallelFor& parallel);
// F32 rows -> the kernel's activation format (same bytes as quantize_activations()).
using QuantizeFn = void (*)(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                            std::span<std::byte> out);
using PlanFn = Plan (*)(int64_t m, int64_t n, int64_t k);
// Computes the slice. Must check w.require(...) and the shapes; throws amxlab::Error.
using RunFn = void (*)(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);

struct KernelDesc {
  std::string_view name;  // type_op_tile__isa, e.g. "q8_0_gemm_16x32__amx"
  QType weight_type;
  QType act_type;  // the format run() reads (q8_0, q8_1, q8_K, s8, u8, bf16, f32)
  KernelOp op;
  int tile_m, tile_n;  // register/tile blocking of the inner loop
  uint32_t isa;        // IsaBit mask it needs
  Engine engine;
  Layout layout;
  PackFn pack_fn;
  QuantizeFn quantize;  // null for plain types (the harness converts)
  PlanFn plan;
  RunFn run;

  // A BF16 kernel built on TDPBF16PS (native or emulated): its operation order is the
  // tile instruction's (golden::model_bf16_tdpbf16ps), not VDPBF16PS's - the two kinds of
  // BF16 kernel agree within golden's bound, not bit for bit.
  bool on_tdpbf16ps() const { return weight_type == QType::BF16 && (isa & kIsaAmxBf16) != 0; }

  // pack_fn, on the calling thread unless a ParallelFor is given.
  PackedWeights pack(QType type, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                     MemoryResource& memory, const ParallelFor& parallel = serial_for()) const {
    require_dims(name, n, k);  // before a packer multiplies them
    return pack_fn(type, gguf_rows, n, k, memory, parallel);
  }
};

}  // namespace amxlab
