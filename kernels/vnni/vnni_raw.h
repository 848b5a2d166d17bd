// The boundary between the portable wrappers (argument checks, errors, scratch memory:
// vnni_kernels.cpp, built without ISA flags) and the translation units built with ISA
// flags (avx512_*.cpp, avxvnni_*.cpp). Only plain data and function declarations cross it:
// an ISA translation unit must not instantiate any template or inline function that
// another translation unit could also emit (std::vector, std::string, amxlab inline
// helpers), or the linker could keep the AVX-512 copy for everyone and the library would
// no longer run on any x86-64 (scripts/qemu_portable_test.sh checks this).
#pragma once

#include <cstddef>
#include <cstdint>

namespace amxlab::vnni::raw {

// Rows per register tile of the plain AVX2 Q4_0 / Q4_1 GEMMs (avxvnni_gemm_tile.h
// kNibbleMR says why 3); their registry lines carry it (vnni_kernels.h).
inline constexpr int kAvx2NibbleTileRows = 3;
// The plain AVX2 K-quant GEMMs' register tiles where they differ from the AVX-VNNI
// build's 2 x 16 (kquant_tile.h run() says why); their names and registry lines carry
// them (kquant_names.h, kquant_kernels.h).
struct TileShape {
  int m, n;
};
inline constexpr TileShape kAvx2Q4KTile{3, 16}, kAvx2Iq4XsTile{2, 32};
// (Strips per tile of the plain AVX2 K-quant GEMVs: kq_records::avx2_gemv_strips in
// kernels/pack/kquant_records.h.)

// Strips per tile of the plain AVX2 GEMVs of Q8_0, Q4_0, Q4_1 and IQ4_NL
// (avxvnni_gemm_tile.h drive_gemv): 1 x 32. Three measured slower for Q4_0 (1.08-1.20 by
// the fastest repetitions at 1 thread; the accumulators leave too few registers) and level
// for Q8_0 (results/zen4-epyc-2core-vm-avx2-only/2026-12-01-twentysixth-session/gemv-3strips/).
inline constexpr int kAvx2GemvTileStrips = 2;

// kIQ4_NL: IQ4_NL's index nibbles (iq4_nl_nib_vnni16), the GEMV only.
enum WeightKind : uint8_t { kQ8_0 = 0, kQ4_0 = 1, kQ4_1 = 2, kIQ4_NL = 3 };

// One run() call after its checks: rows m0..m1 (a and y already point at row m0),
// columns n0..n1 of the output, all of K.
struct GemmArgs {
  int kind = kQ8_0;
  const std::byte* w = nullptr;  // packed vnni16 weights (kernels/pack/vnni_pack.h)
  size_t strip_bytes = 0, group_bytes = 0, code_bytes = 0, d_offset = 0, m_offset = 0, code_offset = 0;
  int64_t blocks = 0;            // K / 32
  const std::byte* a = nullptr;  // Q8_0 / Q8_1 activation row m0
  size_t a_stride = 0;           // bytes between activation rows
  size_t a_block_bytes = 0;      // 34 (q8_0) or 36 (q8_1)
  size_t a_code_offset = 0;      // 2 (q8_0) or 4 (q8_1)
  int64_t rows = 0;              // m1 - m0 >= 1
  float* y = nullptr;            // output row m0, column 0
  size_t y_stride = 0;           // in floats
  int64_t n0 = 0, n1 = 0;        // columns, n0 < n1
  // Scratch of prep_floats(rows, blocks) floats: the per row and block activation terms
  // (d_a as fp32, the int32 correction -C * sum(codes), the stored s as fp32 for Q8_1;
  // the AVX-512 kernels keep a copy of the codes beside them, interleaved per register
  // tile of rows: 11 floats per row and block, rows rounded up to 4, then 64 floats per
  // row of fp32 accumulators kept between K ranges; the 256-bit kernels' plain AVX2 dot
  // keeps 64 bytes of signed-dot operands per row and block after its three terms:
  // row_terms.h).
  float* prep = nullptr;
};
inline constexpr size_t kPrepFloatsPerRowBlock = 11;
inline constexpr size_t kPrep256FloatsPerRowBlock = 3 + 16;
constexpr size_t prep_terms_floats(int64_t rows, int64_t blocks) {
  return kPrepFloatsPerRowBlock * static_cast<size_t>((rows + 3) / 4 * 4) * static_cast<size_t>(blocks);
}
constexpr size_t prep_floats(int64_t rows, int64_t blocks) {
  const size_t panels = prep_terms_floats(rows, blocks) + 64u * static_cast<size_t>(rows);
  const size_t terms256 = kPrep256FloatsPerRowBlock * static_cast<size_t>(rows) * static_cast<size_t>(blocks);
  return panels > terms256 ? panels : terms256;
}

// AVX-512 F/BW/VL + VNNI + F16C (avx512_gemm.cpp).
void avx512_gemm(const GemmArgs& g);  // 4 x 32 register tile, K in ranges of 1024
void avx512_gemv(const GemmArgs& g);  // 1 x 64 register tile (rows one at a time)
// The IQ4_NL GEMV with AVX-512 VBMI too (avx512ext_gemv.cpp): VPERMB looks the nibbles up.
void avx512ext_iq4_nl_gemv(const GemmArgs& g);
// AVX-VNNI (VEX, 256-bit) + AVX2 + FMA + F16C (avxvnni_gemm.cpp).
void avxvnni_gemm(const GemmArgs& g);  // 2 x 16 register tile, 128-column chunks
// The same body with EVEX VPDPBUSD: AVX512-VL + VNNI (avxvnni_evex.cpp, the stand-ins).
void avxvnni_evex_gemm(const GemmArgs& g);
// The IQ4_NL GEMV over its index nibbles (iq4_nl_nib_vnni16) on the same body, 1 row x
// 16 columns: AVX-VNNI and its EVEX stand-in.
void avxvnni_iq4_nl_gemv(const GemmArgs& g);
void avxvnni_evex_iq4_nl_gemv(const GemmArgs& g);
// The Q8_0, Q4_0 and Q4_1 GEMVs on the same body, 1 row x kAvx2GemvTileStrips strips
// (as the plain AVX2 GEMVs): AVX-VNNI and its EVEX stand-in.
void avxvnni_gemv(const GemmArgs& g);
void avxvnni_evex_gemv(const GemmArgs& g);

// One K-quant run() call after its checks (Layout::kq_i8_vnni16, kernels/pack/kquant_pack.h):
// rows m0..m1 (a and y already point at row m0), columns n0..n1, all of K.
struct KqArgs {
  const std::byte* w = nullptr;  // packed records
  size_t strip_bytes = 0;        // superblocks * record bytes
  int64_t superblocks = 0;       // K / 256
  int sub_len = 32;              // 32 or 16 codes per scale
  int has_min = 0;               // T is Mn (Q2_K, Q4_K, Q5_K), else T is added to S
  int bias = 0;                  // u = code + bias (kq16::TypeInfo): 0, 4, 32 or 128
  int code_max = 255;            // the largest u the records hold (kq16::TypeInfo)
  const std::byte* a = nullptr;  // Q8_K activation row m0
  size_t a_stride = 0;           // bytes between activation rows
  int64_t rows = 0;              // m1 - m0 >= 1
  float* y = nullptr;            // output row m0, column 0
  size_t y_stride = 0;           // in floats
  int64_t n0 = 0, n1 = 0;        // columns, n0 < n1
  float* partial = nullptr;      // kq_partial_floats(rows): fp32 accumulators between K ranges
  int nib_kind = 0;              // kq_nib_vnni16 only: kq_records::NibKind
  int prefetch_records = 0;      // the AVX-512 nibble GEMV: kqn_gemv_prefetch_records()
};
constexpr size_t kq_partial_floats(int64_t rows) {
  return 64u * static_cast<size_t>(rows);
}

// K-quant kernels over kq_i8_vnni16 (kquant_tile.h holds their one body).
void avx512_kq_gemm(const KqArgs& g);        // 4 x 32 register tile, K in ranges of 1024 (avx512_kquant.cpp)
void avxvnni_kq_gemm(const KqArgs& g);       // 2 x 16 register tile (avxvnni_kquant.cpp)
void avxvnni_evex_kq_gemm(const KqArgs& g);  // the same, EVEX VPDPBUSD (avxvnni_evex.cpp)
// The GEMV over kq_nib_vnni16 (kernels/pack/kquant_nibble_pack.h) for Q2_K, Q3_K, Q4_K,
// Q5_K, Q6_K and IQ4_XS (KqArgs::nib_kind): 1 row x 64 columns, rows one at a time
// (avx512_kqn_gemv.cpp). KqArgs::partial is unused.
// The kinds are kq_records::NibKind (kernels/pack/kquant_records.h), next to their records.
void avx512_kqn_gemv(const KqArgs& g);
// The same GEMV with AVX-512 VBMI and GFNI (avx512ext_kqn_gemv.cpp): IQ4_XS and Q5_K
// unpack their codes in fewer instructions; Q4_K's and Q6_K's loops are the ones above.
void avx512ext_kqn_gemv(const KqArgs& g);
// The same GEMV on 256-bit registers, 1 row x 16 columns: AVX-VNNI (VEX,
// avxvnni_kqn_gemv.cpp) and its EVEX stand-in (avxvnni_evex.cpp).
void avxvnni_kqn_gemv(const KqArgs& g);
void avxvnni_evex_kqn_gemv(const KqArgs& g);

// The 256-bit bodies with the plain AVX2 dot (avx2_kernels.cpp, avxvnni_dot.h): CPUs
// without VNNI.
void avx2_gemm(const GemmArgs& g);    // as avxvnni_gemm
void avx2_gemv(const GemmArgs& g);    // Q8_0, Q4_0, Q4_1, IQ4_NL: 1 x 32 tiles, rows one at a time
void avx2_kq_gemm(const KqArgs& g);   // as avxvnni_kq_gemm
void avx2_kqn_gemv(const KqArgs& g);  // as avxvnni_kqn_gemv
// The plain AVX2 signed dot on its own, for its exhaustive test: out[0..8) = the int32
// lanes of neg(a) + Dot256::dot_flip over 32 biased codes u and the activation dword a
// broadcast (avxvnni_dot.h), i.e. sum over the lane's 4 bytes of (u - 128) x a.
void avx2_dot_flip_probe(const uint8_t* u, const int8_t* a, int32_t* out);

// AVX-512 activation quantisation (avx512_quantize.cpp).
// Index of the first element of x[0..count) that is Inf or NaN, or -1.
int64_t avx512_find_nonfinite(const float* x, int64_t count);
// m rows of k floats (all finite, k a multiple of 32) -> Q8_0 (q8_1 == 0) or Q8_1 rows,
// rows of out_stride bytes; ref != 0: the `ref` variant, else `runtime`.
void avx512_quantize_rows(int q8_1, int ref, const float* x, int64_t m, int64_t k, std::byte* out,
                          size_t out_stride);
// m rows of k floats (all finite, k a multiple of 256) -> Q8_K rows of out_stride bytes.
void avx512_quantize_q8_k_rows(const float* x, int64_t m, int64_t k, std::byte* out, size_t out_stride);
// The same three on AVX2 (avx2_quantize.cpp): the 256-bit kernels' quantisers.
int64_t avx2_find_nonfinite(const float* x, int64_t count);
void avx2_quantize_rows(int q8_1, int ref, const float* x, int64_t m, int64_t k, std::byte* out,
                        size_t out_stride);
void avx2_quantize_q8_k_rows(const float* x, int64_t m, int64_t k, std::byte* out, size_t out_stride);

}  // namespace amxlab::vnni::raw
