#include "kernels/generic/kernel_args.h"

#include <sys/mman.h>

#include <cstddef>
#include <string>
#include <vector>

#include "kernels/core/aligned_mapping.h"
#include "kernels/core/error.h"
#include "kernels/isa.h"
#include "kernels/kernel_checks.h"
#include "kernels/pack/kquant_nibble_pack.h"
#include "kernels/pack/kquant_pack.h"

namespace amxlab::kernel_args {
namespace {

// The checks shared by every packed-strip kernel once its layout and geometry are known:
// the packed size, the views, the pointers. False for an empty slice.
bool check_run(QType wt, const char* kernel, const PackedWeights& w, size_t packed_bytes,
               const ActivationView& a, const OutputView& y, const Slice& s) {
  const int64_t n = w.n(), k = w.k();
  require(w.bytes().size() == packed_bytes, [&] {
    return std::string(kernel) + ": packed weights hold " + std::to_string(w.bytes().size()) +
           " bytes, their shape N=" + std::to_string(n) + " K=" + std::to_string(k) + " needs " +
           std::to_string(packed_bytes);
  });
  check_gemm_views(wt, kernel, n, k, a, y, s);
  if (s.m0 == s.m1 || s.n0 == s.n1) return false;
  require(a.bytes != nullptr && y.data != nullptr,
          [&] { return std::string(kernel) + ": null activation or output pointer"; });
  return true;
}

// The activation rows, output rows and columns of the slice (GemmArgs and KqArgs alike).
template <class Args>
void set_slice(Args& g, const ActivationView& a, const OutputView& y, const Slice& s) {
  g.a = a.bytes + static_cast<size_t>(s.m0) * a.row_stride;
  g.a_stride = a.row_stride;
  g.rows = s.m1 - s.m0;
  g.y = static_cast<float*>(y.data) + static_cast<size_t>(s.m0) * y.row_stride;
  g.y_stride = y.row_stride;
  g.n0 = s.n0;
  g.n1 = s.n1;
}

}  // namespace

bool check_vnni16_run(QType wt, const char* kernel, const PackedWeights& w, const ActivationView& a,
                      const OutputView& y, const Slice& s, vnni::raw::GemmArgs& g, Layout layout) {
  w.require(wt, layout, kernel);
  const vnni16::Geometry geo = vnni16::geometry(layout, w.n(), w.k());
  if (!check_run(wt, kernel, w, geo.total_bytes, a, y, s)) return false;
  const QType act = traits(wt).act_type;
  g = vnni::raw::GemmArgs{};
  // IQ4_NL packed as Q8_0 codes (the code book's values) runs the Q8_0 inner loop; its
  // nibbles, their own (the code book looked up in the kernel).
  g.kind = layout == Layout::iq4_nl_nib_vnni16 ? vnni::raw::kIQ4_NL
           : layout == Layout::q4_0_vnni16     ? vnni::raw::kQ4_0
           : layout == Layout::q4_1_vnni16     ? vnni::raw::kQ4_1
                                               : vnni::raw::kQ8_0;
  g.w = w.bytes().data();
  g.strip_bytes = geo.strip_bytes;
  g.group_bytes = geo.group_bytes;
  g.code_bytes = geo.code_bytes;
  g.d_offset = geo.d_offset;
  g.m_offset = geo.m_offset;
  g.code_offset = geo.code_offset;
  g.blocks = geo.blocks;
  g.a_block_bytes = traits(act).block_bytes;
  g.a_code_offset = act == QType::Q8_1 ? 4 : 2;
  set_slice(g, a, y, s);
  return true;
}

bool check_kq16_run(QType wt, const char* kernel, const PackedWeights& w, const ActivationView& a,
                    const OutputView& y, const Slice& s, vnni::raw::KqArgs& g, Layout layout) {
  w.require(wt, layout, kernel);
  const kq16::Geometry geo = kq16::geometry(wt, w.n(), w.k());
  const bool nibbles = layout == Layout::kq_nib_vnni16;
  const size_t strip_bytes =
      nibbles ? static_cast<size_t>(geo.superblocks) * kqn::record_info(wt).record_bytes : geo.strip_bytes;
  if (!check_run(wt, kernel, w, strip_bytes * static_cast<size_t>(geo.strips), a, y, s)) return false;
  const kq16::TypeInfo ti = kq16::type_info(wt);
  g = vnni::raw::KqArgs{};
  g.w = w.bytes().data();
  g.strip_bytes = strip_bytes;
  g.superblocks = geo.superblocks;
  g.sub_len = ti.sub_len;
  g.has_min = ti.has_min ? 1 : 0;
  g.bias = ti.bias;
  g.code_max = ti.code_max;
  g.nib_kind = nibbles ? kqn::nib_kind(wt) : 0;
  set_slice(g, a, y, s);
  return true;
}

void require_isa(uint32_t isa, const char* kernel) {
  std::string why;
  if (!isa_supported(isa, &why)) throw Error(std::string(kernel) + ": cannot run here: " + why);
}

namespace {

// Scratch of 2 MiB or more is an anonymous mapping aligned to 2 MiB with transparent huge
// pages advised: a GEMM's activation panels (M = 512, K = 4096: 2.9 MB) are re-read per
// strip pair, and on 4 KiB pages their ~700 pages compete with the output rows' for the
// TLB. Smaller scratch stays on the heap.
class ScratchBuffer {
 public:
  ScratchBuffer() = default;
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;
  ~ScratchBuffer() { release(); }

  float* at_least(size_t floats) {
    if (floats <= capacity_) return data_;
    release();
    const size_t bytes = floats * sizeof(float);
    if (bytes < kHuge) {
      heap_.resize(floats);
      data_ = heap_.data();
    } else {
      map_bytes_ = (bytes + kHuge - 1) / kHuge * kHuge;
      map_ = map_aligned(map_bytes_, kHuge, 0, "thread_scratch");
      madvise(map_, map_bytes_, MADV_HUGEPAGE);  // advice only: 4 KiB pages if refused
      data_ = reinterpret_cast<float*>(map_);
    }
    capacity_ = floats;
    return data_;
  }

 private:
  static constexpr size_t kHuge = size_t{2} << 20;
  void release() {
    if (map_ != nullptr) munmap(map_, map_bytes_);
    map_ = nullptr;
    map_bytes_ = 0;
    std::vector<float>().swap(heap_);
    data_ = nullptr;
    capacity_ = 0;
  }
  std::vector<float> heap_;
  std::byte* map_ = nullptr;
  size_t map_bytes_ = 0;
  float* data_ = nullptr;
  size_t capacity_ = 0;
};

}  // namespace

float* thread_scratch(size_t floats) {
  thread_local ScratchBuffer buffer;
  return buffer.at_least(floats);
}

void check_quantize(QType act, const char* who, std::span<const float> a, int64_t m, int64_t k,
                    std::span<std::byte> out) {
  require(act == QType::Q8_0 || act == QType::Q8_1 || act == QType::Q8_K,
          [&] { return std::string(who) + ": " + name(act) + " is not q8_0, q8_1 or q8_K"; });
  require(m >= 0, [&] { return std::string(who) + ": negative row count M=" + std::to_string(m); });
  require_dims(who, m, k);
  const size_t rb = row_bytes(act, k);
  if (m == 0) return;
  require_buffer(a.data(), a.size() * sizeof(float),
                 static_cast<size_t>(m) * static_cast<size_t>(k) * sizeof(float),
                 [&] { return std::string(who) + " source"; });
  require_buffer(out.data(), out.size(), rb * static_cast<size_t>(m),
                 [&] { return std::string(who) + " " + name(act) + " destination"; });
}

}  // namespace amxlab::kernel_args
