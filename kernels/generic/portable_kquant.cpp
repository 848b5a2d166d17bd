// Portable K-quant kernels over kq_i8_vnni16 (kernels/pack/kquant_pack.h): plain C++, one
// output at a time. The integer sums are those of kernels/vnni/kquant_tile.h (unsigned
// codes, the bsum term T), computed in uint32 so that they wrap as the vector lanes do;
// the fp32 steps are the golden ones.
#include <cmath>
#include <cstring>

#include "kernels/core/fp16.h"
#include "kernels/generic/kernel_args.h"
#include "kernels/generic/portable_kernels.h"

namespace amxlab::generic {
namespace {

using kq_records::kQ8KBlockBytes;
using kq_records::kQ8KBsumOffset;
using kq_records::kQ8KCodeOffset;

template <class V>
V load(const std::byte* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void run_kq(QType wt, const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  const char* kernel = kq_kernel_name(wt, KqKernel::portable).data();  // a literal: NUL-terminated
  vnni::raw::KqArgs g;
  if (!kernel_args::check_kq16_run(wt, kernel, w, a, y, s, g)) return;
  const int n_sub = 256 / g.sub_len;
  for (int64_t r = 0; r < g.rows; ++r) {
    const std::byte* arow = g.a + static_cast<size_t>(r) * g.a_stride;
    float* yrow = g.y + static_cast<size_t>(r) * g.y_stride;
    for (int64_t n = g.n0; n < g.n1; ++n) {
      const std::byte* strip = g.w + static_cast<size_t>(n / 16) * g.strip_bytes;
      const auto j = static_cast<size_t>(n % 16);
      float acc = 0.0f;
      for (int64_t b = 0; b < g.superblocks; ++b) {
        const std::byte* rec = strip + static_cast<size_t>(b) * kq16::kRecordBytes;
        const std::byte* ab = arow + static_cast<size_t>(b) * kQ8KBlockBytes;
        uint32_t sum = 0, t = 0;
        for (int sub = 0; sub < n_sub; ++sub) {
          uint32_t dot = 0;
          for (int e = sub * g.sub_len; e < (sub + 1) * g.sub_len; ++e) {
            const auto u = std::to_integer<uint32_t>(rec[64 * static_cast<size_t>(e / 4) + 4 * j + e % 4]);
            dot += u * static_cast<uint32_t>(load<int8_t>(ab + kQ8KCodeOffset + static_cast<size_t>(e)));
          }
          const auto sc = load<int8_t>(rec + kq16::kScaleOffset + 16 * static_cast<size_t>(sub) + j);
          sum += dot * static_cast<uint32_t>(sc);
        }
        for (int sub = 0; sub < n_sub; ++sub) {
          // The sub-block's bsum: one stored Q8_K bsum per 16 codes.
          int32_t bsum = 0;
          for (int q = sub * g.sub_len / 16; q < (sub + 1) * g.sub_len / 16; ++q)
            bsum += load<int16_t>(ab + kQ8KBsumOffset + 2 * static_cast<size_t>(q));
          const auto c = load<int16_t>(rec + kq16::coef_byte(sub, static_cast<int>(j)));
          t += static_cast<uint32_t>(c) * static_cast<uint32_t>(bsum);
        }
        const float da = load<float>(ab);
        const float dw = fp16_to_f32(load<uint16_t>(rec + kq16::kDOffset + 2 * j));
        if (g.has_min != 0) {
          const float dmw = fp16_to_f32(load<uint16_t>(rec + kq16::kDminOffset + 2 * j));
          acc = std::fmaf(static_cast<float>(static_cast<int32_t>(sum)), dw * da, acc);
          acc = std::fmaf(-(da * dmw), static_cast<float>(static_cast<int32_t>(t)), acc);
        } else {
          acc = std::fmaf(static_cast<float>(static_cast<int32_t>(sum + t)), dw * da, acc);
        }
      }
      yrow[n] = acc;
    }
  }
}

}  // namespace

template <QType T>
void run_kq_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_kq(T, w, a, y, s);
}
template void run_kq_portable<QType::Q2_K>(const PackedWeights&, const ActivationView&, const OutputView&,
                                           const Slice&);
template void run_kq_portable<QType::Q3_K>(const PackedWeights&, const ActivationView&, const OutputView&,
                                           const Slice&);
template void run_kq_portable<QType::Q4_K>(const PackedWeights&, const ActivationView&, const OutputView&,
                                           const Slice&);
template void run_kq_portable<QType::Q5_K>(const PackedWeights&, const ActivationView&, const OutputView&,
                                           const Slice&);
template void run_kq_portable<QType::Q6_K>(const PackedWeights&, const ActivationView&, const OutputView&,
                                           const Slice&);
template void run_kq_portable<QType::IQ4_XS>(const PackedWeights&, const ActivationView&, const OutputView&,
                                             const Slice&);

}  // namespace amxlab::generic
