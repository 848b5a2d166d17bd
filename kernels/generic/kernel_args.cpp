#include "kernels/generic/kernel_args.h"

#include <string>
#include <vector>

#include "kernels/core/error.h"

namespace amxlab::kernel_args {

bool check_vnni16_run(QType wt, const char* kernel, const PackedWeights& w, const ActivationView& a,
                      const OutputView& y, const Slice& s, vnni::raw::GemmArgs& g) {
  const std::string who(kernel);
  w.require(wt, vnni16::layout_of(wt), kernel);
  const int64_t n = w.n(), k = w.k();
  const vnni16::Geometry geo = vnni16::geometry(wt, n, k);
  require(w.bytes().size() == geo.total_bytes,
          who + ": packed weights hold " + std::to_string(w.bytes().size()) + " bytes, their shape N=" +
              std::to_string(n) + " K=" + std::to_string(k) + " needs " + std::to_string(geo.total_bytes));
  const QType act = traits(wt).act_type;
  require(a.type == act, who + ": activations are " + name(a.type) + ", this kernel reads " + name(act));
  require(a.k == k, who + ": activations have K=" + std::to_string(a.k) + ", weights K=" + std::to_string(k));
  require(y.n == n, who + ": output has N=" + std::to_string(y.n) + ", weights N=" + std::to_string(n));
  require(a.m == y.m && a.m >= 0,
          who + ": activations have M=" + std::to_string(a.m) + ", output M=" + std::to_string(y.m));
  const size_t arow = row_bytes(act, k);
  require(a.row_stride >= arow, who + ": activation row stride " + std::to_string(a.row_stride) +
                                    " bytes is shorter than a row (" + std::to_string(arow) + " bytes)");
  require(y.row_stride >= static_cast<size_t>(n), who + ": output row stride " +
                                                      std::to_string(y.row_stride) +
                                                      " is shorter than N=" + std::to_string(n));
  require(0 <= s.m0 && s.m0 <= s.m1 && s.m1 <= y.m && 0 <= s.n0 && s.n0 <= s.n1 && s.n1 <= n,
          who + ": slice rows " + std::to_string(s.m0) + ".." + std::to_string(s.m1) + " cols " +
              std::to_string(s.n0) + ".." + std::to_string(s.n1) + " outside the output " +
              std::to_string(y.m) + " x " + std::to_string(n));
  if (s.m0 == s.m1 || s.n0 == s.n1) return false;
  require(a.bytes != nullptr && y.data != nullptr, who + ": null activation or output pointer");
  g = vnni::raw::GemmArgs{};
  g.kind = wt == QType::Q8_0 ? vnni::raw::kQ8_0 : wt == QType::Q4_0 ? vnni::raw::kQ4_0 : vnni::raw::kQ4_1;
  g.w = w.bytes().data();
  g.strip_bytes = geo.strip_bytes;
  g.group_bytes = geo.group_bytes;
  g.code_bytes = geo.code_bytes;
  g.d_offset = geo.d_offset;
  g.m_offset = geo.m_offset;
  g.blocks = geo.blocks;
  g.a = a.bytes + static_cast<size_t>(s.m0) * a.row_stride;
  g.a_stride = a.row_stride;
  g.a_block_bytes = traits(act).block_bytes;
  g.a_code_offset = act == QType::Q8_1 ? 4 : 2;
  g.rows = s.m1 - s.m0;
  g.y = static_cast<float*>(y.data) + static_cast<size_t>(s.m0) * y.row_stride;
  g.y_stride = y.row_stride;
  g.n0 = s.n0;
  g.n1 = s.n1;
  return true;
}

float* thread_scratch(size_t floats) {
  thread_local std::vector<float> buffer;
  if (buffer.size() < floats) buffer.resize(floats);
  return buffer.data();
}

void check_quantize(QType act, const char* who, std::span<const float> a, int64_t m, int64_t k,
                    std::span<std::byte> out) {
  require(act == QType::Q8_0 || act == QType::Q8_1,
          std::string(who) + ": " + name(act) + " is not q8_0 or q8_1");
  require(m >= 0, std::string(who) + ": negative row count M=" + std::to_string(m));
  const size_t rb = row_bytes(act, k);
  if (m == 0) return;
  require_buffer(a.data(), a.size() * sizeof(float),
                 static_cast<size_t>(m) * static_cast<size_t>(k) * sizeof(float),
                 std::string(who) + " source");
  require_buffer(out.data(), out.size(), rb * static_cast<size_t>(m),
                 std::string(who) + " " + name(act) + " destination");
}

}  // namespace amxlab::kernel_args
