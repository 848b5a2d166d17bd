#include "reference/onednn/matmul.h"

#include <sys/mman.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dnnl.hpp>

#include "kernels/core/error.h"

namespace amxlab::onednn {
namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

struct KindTypes {
  dt a, w, y;
};

KindTypes types_of(MatmulKind kind) {
  switch (kind) {
    case MatmulKind::u8s8s32: return {dt::u8, dt::s8, dt::s32};
    case MatmulKind::s8s8s32: return {dt::s8, dt::s8, dt::s32};
    case MatmulKind::bf16bf16f32: return {dt::bf16, dt::bf16, dt::f32};
    case MatmulKind::f32f32f32: return {dt::f32, dt::f32, dt::f32};
  }
  throw Error("oneDNN matmul: unknown kind");
}

constexpr size_t kHugePage = size_t{2} << 20;

struct FreeDeleter {
  void operator()(void* p) const noexcept { std::free(p); }
};

std::string shape_text(MatmulKind kind, int64_t m, int64_t n, int64_t k) {
  return "oneDNN matmul " + name(kind) + " m=" + std::to_string(m) + " n=" + std::to_string(n) +
         " k=" + std::to_string(k);
}

std::string status_text(dnnl_status_t st) {
  switch (st) {
    case dnnl_success: return "success";
    case dnnl_out_of_memory: return "out_of_memory";
    case dnnl_invalid_arguments: return "invalid_arguments";
    case dnnl_unimplemented:
      return "unimplemented: no oneDNN implementation for this case on this CPU / ISA cap (" +
             isa_cap_name() + ")";
    case dnnl_iterator_ends: return "iterator_ends";
    case dnnl_runtime_error: return "runtime_error";
    case dnnl_not_required: return "not_required";
  }
  return "status " + std::to_string(static_cast<int>(st));
}

void check(dnnl_status_t st, const char* what, const std::string& where) {
  if (st != dnnl_success) throw Error(where + ": " + what + " failed (" + status_text(st) + ")");
}

}  // namespace

std::string name(MatmulKind kind) {
  switch (kind) {
    case MatmulKind::u8s8s32: return "u8s8s32";
    case MatmulKind::s8s8s32: return "s8s8s32";
    case MatmulKind::bf16bf16f32: return "bf16bf16f32";
    case MatmulKind::f32f32f32: return "f32f32f32";
  }
  return "unknown";
}

size_t input_elem_bytes(MatmulKind kind) {
  switch (kind) {
    case MatmulKind::u8s8s32:
    case MatmulKind::s8s8s32: return 1;
    case MatmulKind::bf16bf16f32: return 2;
    case MatmulKind::f32f32f32: return 4;
  }
  return 0;
}

size_t output_elem_bytes(MatmulKind) {
  return 4;
}

struct Matmul::Impl {
  MatmulKind kind;
  int64_t m, n, k;
  int threads = 0;
  std::string where;
  dnnl::engine eng;
  dnnl::stream strm;
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
  dnnl::memory a_mem, w_mem, y_mem, scratch_mem;
  std::unique_ptr<void, FreeDeleter> w_buffer;  // WeightPages::huge: w_mem's handle
  std::string weight_pages = "oneDNN's allocation";
  std::array<dnnl_exec_arg_t, 4> args{};
  int nargs = 0;
  bool have_weights = false;
};

Matmul::Matmul(MatmulKind kind, int64_t m, int64_t n, int64_t k, WeightPages pages) {
  const std::string where = shape_text(kind, m, n, k);
  require(m >= 1 && n >= 1 && k >= 1, where + ": every dimension must be >= 1");
  auto p = std::make_unique<Impl>();
  p->kind = kind;
  p->m = m;
  p->n = n;
  p->k = k;
  p->where = where;
  p->threads = max_threads();
  try {
    const KindTypes t = types_of(kind);
    p->eng = dnnl::engine(dnnl::engine::kind::cpu, 0);
    p->strm = dnnl::stream(p->eng);
    const dnnl::memory::desc a_md({m, k}, t.a, tag::ab);
    const dnnl::memory::desc w_md({k, n}, t.w, tag::any);
    const dnnl::memory::desc y_md({m, n}, t.y, tag::ab);
    const dnnl::matmul::desc d(a_md, w_md, y_md);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    p->pd = dnnl::matmul::primitive_desc(d, attr, p->eng);
    p->prim = dnnl::matmul(p->pd);
    p->a_mem = dnnl::memory(p->pd.src_desc(), p->eng, DNNL_MEMORY_NONE);
    p->y_mem = dnnl::memory(p->pd.dst_desc(), p->eng, DNNL_MEMORY_NONE);
    if (pages == WeightPages::huge) {
      // Whole huge pages, aligned, untouched until the reorder writes them.
      const size_t bytes = (p->pd.weights_desc().get_size() + kHugePage - 1) / kHugePage * kHugePage;
      p->w_buffer.reset(std::aligned_alloc(kHugePage, bytes));
      if (!p->w_buffer)
        throw Error(where + ": cannot allocate " + std::to_string(bytes) + " bytes of weights");
      p->weight_pages = madvise(p->w_buffer.get(), bytes, MADV_HUGEPAGE) == 0
                            ? "huge pages (madvise accepted)"
                            : std::string("huge pages requested, madvise refused: ") + std::strerror(errno);
      p->w_mem = dnnl::memory(p->pd.weights_desc(), p->eng, p->w_buffer.get());
    } else {
      p->w_mem = dnnl::memory(p->pd.weights_desc(), p->eng);  // library-allocated, once
    }
    p->args[0] = {DNNL_ARG_SRC, p->a_mem.get()};
    p->args[1] = {DNNL_ARG_WEIGHTS, p->w_mem.get()};
    p->args[2] = {DNNL_ARG_DST, p->y_mem.get()};
    p->nargs = 3;
    const dnnl::memory::desc s_md = p->pd.scratchpad_desc();
    if (s_md.get_size() > 0) {
      p->scratch_mem = dnnl::memory(s_md, p->eng);
      p->args[3] = {DNNL_ARG_SCRATCHPAD, p->scratch_mem.get()};
      p->nargs = 4;
    }
  } catch (const dnnl::error& e) {
    throw Error(where + ": " + e.what() + " (" + status_text(e.status) + ")");
  }
  impl_ = std::move(p);
}

Matmul::~Matmul() = default;
Matmul::Matmul(Matmul&&) noexcept = default;
Matmul& Matmul::operator=(Matmul&&) noexcept = default;

void Matmul::set_weights(const void* w) {
  Impl& p = *impl_;
  require(w != nullptr, p.where + ": set_weights(nullptr)");
  try {
    const KindTypes t = types_of(p.kind);
    // Our W[N][K] row-major is B^T: B = {K, N} with strides {1, K}, i.e. format_tag::ba.
    const dnnl::memory::desc user_md({p.k, p.n}, t.w, tag::ba);
    dnnl::memory user(user_md, p.eng, const_cast<void*>(w));
    dnnl::reorder(user, p.w_mem).execute(p.strm, user, p.w_mem);
    p.strm.wait();
  } catch (const dnnl::error& e) {
    throw Error(p.where + ": weights reorder: " + e.what() + " (" + status_text(e.status) + ")");
  }
  p.have_weights = true;
}

void Matmul::run(const void* a, void* y) {
  Impl& p = *impl_;
  if (!p.have_weights) throw Error(p.where + ": run() before set_weights()");
  if (a == nullptr || y == nullptr) throw Error(p.where + ": run() with a null buffer");
  // oneDNN only reads src; its memory API takes a non-const handle.
  check(dnnl_memory_set_data_handle(p.a_mem.get(), const_cast<void*>(a)), "setting the A handle", p.where);
  check(dnnl_memory_set_data_handle(p.y_mem.get(), y), "setting the y handle", p.where);
  check(dnnl_primitive_execute(p.prim.get(), p.strm.get(), p.nargs, p.args.data()), "execute", p.where);
  check(dnnl_stream_wait(p.strm.get()), "stream wait", p.where);
}

std::string Matmul::impl() const {
  return impl_->pd.impl_info_str();
}

size_t Matmul::weight_bytes() const {
  return static_cast<size_t>(impl_->n) * static_cast<size_t>(impl_->k) * input_elem_bytes(impl_->kind);
}

size_t Matmul::packed_weight_bytes() const {
  return impl_->pd.weights_desc().get_size();
}
std::string Matmul::weight_pages() const {
  return impl_->weight_pages;
}
int Matmul::threads() const {
  return impl_->threads;
}
MatmulKind Matmul::kind() const {
  return impl_->kind;
}
int64_t Matmul::m() const {
  return impl_->m;
}
int64_t Matmul::n() const {
  return impl_->n;
}
int64_t Matmul::k() const {
  return impl_->k;
}

}  // namespace amxlab::onednn
