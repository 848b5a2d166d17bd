#include "reference/onednn/onednn_info.h"

#include <dnnl.hpp>

namespace amxlab::onednn {

std::string version() {
  const dnnl_version_t* v = dnnl_version();
  std::string runtime;
  switch (v->cpu_runtime) {
    case DNNL_RUNTIME_OMP: runtime = "OpenMP"; break;
    case DNNL_RUNTIME_TBB: runtime = "TBB"; break;
    case DNNL_RUNTIME_SEQ: runtime = "sequential"; break;
    case DNNL_RUNTIME_THREADPOOL: runtime = "threadpool"; break;
    default: runtime = "unknown"; break;
  }
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
         " (hash " + (v->hash ? v->hash : "?") + ", cpu runtime " + runtime + ")";
}

std::string int8_matmul_impl(long m, long n, long k) {
  using dt = dnnl::memory::data_type;
  using tag = dnnl::memory::format_tag;
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  const dnnl::memory::desc a({m, k}, dt::u8, tag::ab);
  const dnnl::memory::desc b({k, n}, dt::s8, tag::any);
  const dnnl::memory::desc c({m, n}, dt::s32, tag::ab);
  const dnnl::matmul::desc d(a, b, c);
  const dnnl::matmul::primitive_desc pd(d, eng);
  return pd.impl_info_str();
}

}  // namespace amxlab::onednn
