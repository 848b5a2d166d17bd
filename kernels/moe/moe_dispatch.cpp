#include "kernels/moe/moe_dispatch.h"

#include <algorithm>

#include "kernels/core/error.h"
#include "kernels/dispatch.h"
#include "kernels/registry.h"

namespace amxlab::moe {
namespace {

constexpr int64_t kLargeM = 1 << 20;  // "a large M" for the dispatcher's GEMM choice

const KernelDesc& runnable_named(std::string_view kname, QType type) {
  const KernelDesc* k = find_kernel(kname);
  if (k == nullptr)
    throw Error("moe: unknown kernel '" + std::string(kname) + "' (see `amxlab info` for the registry)");
  require(k->weight_type == type, [&] {
    return "moe: " + std::string(k->name) + " reads " + name(k->weight_type) + " weights, the case is " +
           name(type);
  });
  std::string why;
  if (!kernel_runnable(*k, &why)) throw Error(std::string(k->name) + ": " + why);
  return *k;
}

// The native AMX GEMMs have their own measured threshold (kDefaultMoeLargeMinRowsAmx).
bool native_amx(const KernelDesc& k) {
  return k.engine == Engine::native && (k.isa & (kIsaAmxInt8 | kIsaAmxBf16)) != 0;
}

}  // namespace

int64_t default_moe_large_min_rows(const KernelDesc& large) {
  return native_amx(large) ? kDefaultMoeLargeMinRowsAmx : kDefaultMoeLargeMinRows;
}

int64_t moe_large_min_rows(const KernelDesc& large, std::string* source) {
  return env_setting("AMXLAB_MOE_MIN_ROWS", 1, default_moe_large_min_rows(large), source);
}

MoeKernels choose_moe_kernels(QType type, std::string* why) {
  std::string large_why, small_why;
  const KernelDesc& large = choose_kernel(type, kLargeM, &large_why);
  const KernelDesc& first = choose_kernel(type, 1, &small_why);
  const KernelDesc* small = nullptr;
  std::string rule;
  // A kernel that can take large's groups: same packed experts, same activations, and (BF16)
  // the same order of the sums, so that one call follows one exact model.
  const auto serves_like_large = [&](const KernelDesc& k) {
    return k.weight_type == type && k.layout == large.layout && k.act_type == large.act_type &&
           k.on_tdpbf16ps() == large.on_tdpbf16ps();
  };
  if (serves_like_large(first)) {
    small = &first;
    rule = "small: the dispatcher's M=1 kernel (" + small_why + ")";
  } else {
    // The best runnable native kernel of large's layout for one row: a GEMV over a GEMM,
    // then the higher ISA level.
    for (const KernelDesc& k : kernel_registry()) {
      if (!serves_like_large(k) || k.engine != Engine::native || !kernel_runnable(k)) continue;
      const auto rank = [](const KernelDesc& d) {
        return (d.op == KernelOp::gemv ? 1000 : 0) + isa_preference(d.isa);
      };
      if (small == nullptr || rank(k) > rank(*small)) small = &k;
    }
    rule = std::string("small: ") + std::string(first.name) +
           (first.on_tdpbf16ps() != large.on_tdpbf16ps()
                ? std::string(" sums BF16 pairs in another order than TDPBF16PS")
                : " reads " + std::string(name(first.layout)) + ", not " + name(large.layout)) +
           "; the best kernel of that layout and order for one row";
  }
  std::string source;
  MoeKernels out{&large, small, moe_large_min_rows(large, &source)};
  if (why != nullptr) {
    *why = out.name() + ": large: " + large_why + "; " + rule +
           "; groups of >= " + std::to_string(out.large_min_rows) + " rows run on " +
           std::string(large.name) + " (" +
           (source == "default"
                ? std::string(native_amx(large) ? "the default measured on AMX" : "the measured default")
                : source) +
           ")";
  }
  return out;
}

MoeKernels choose_moe_kernels(QType type, std::span<const int32_t> ids, int64_t experts, std::string* why) {
  MoeKernels ks = choose_moe_kernels(type, why);
  const bool exact_for_all = traits(type).block_quantized || type == QType::S8 || type == QType::U8;
  std::string first_why;
  const KernelDesc& first = choose_kernel(type, 1, &first_why);
  // (small is the M=1 kernel whenever it reads large's layout: only another layout switches.)
  if (!exact_for_all || first.layout == ks.large->layout || experts <= 0) return ks;
  std::vector<int64_t> rows(static_cast<size_t>(experts), 0);
  int64_t most = 0;
  for (const int32_t id : ids) {
    if (id >= 0 && id < experts) most = std::max(most, ++rows[static_cast<size_t>(id)]);
  }
  if (most >= ks.large_min_rows) {
    if (why != nullptr) *why += "; the largest expert group has " + std::to_string(most) + " rows";
    return ks;
  }
  const MoeKernels gemv{&first, &first, ks.large_min_rows};
  if (why != nullptr) {
    *why = gemv.name() + ": every expert group has fewer than " + std::to_string(ks.large_min_rows) +
           " rows (at most " + std::to_string(most) +
           "), so every group runs on the dispatcher's M=1 kernel (" + first_why +
           "), packed in its layout " + name(first.layout) + " (" + std::string(ks.small->name) +
           " would read " + name(ks.large->layout) + ")";
  }
  return gemv;
}

MoeKernels moe_kernels_named(std::string_view spec, QType type) {
  const size_t plus = spec.find('+');
  const KernelDesc& large = runnable_named(spec.substr(0, plus), type);
  const KernelDesc& small =
      plus == std::string_view::npos ? large : runnable_named(spec.substr(plus + 1), type);
  MoeKernels out{&large, &small, moe_large_min_rows(large)};
  check_moe_kernels(out);
  return out;
}

}  // namespace amxlab::moe
