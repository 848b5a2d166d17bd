// A case (DESIGN.md "What a case is"): kernel, type, shape, threads, placement, NUMA
// policy, activation quantiser and data seed, written as one short descriptor that
// round-trips:
//
//   q8_0:m512n4096k4096:t2:kernel=auto:place=compact:numa=local:aq=runtime:seed=1
//
// A mixture-of-experts case (DESIGN.md "Mixture of experts") has the shape
// e<E>top<k>t<T>n<N>k<K> (E experts of [N][K], T tokens each routed to top_k of them) and
// a routing, printed after the kernel:
//
//   q4_0:e128top8t512n768k2048:t2:kernel=auto:route=zipf:place=compact:...
//
// route is uniform, zipf, one, sparse (harness/sweep/routing.h) or file (ids from
// --routing FILE.npy); its kernel is "auto", a registry kernel, or "<large>+<small>"
// (kernels/moe/moe_dispatch.h).
//
// Fields are ':'-separated; values never contain ':' or ',' (a NUMA node is written
// numa=bind.1). The first three fields are positional (type, shape, threads); the rest
// are key=value, any order when parsing, fixed order when printing, defaults omitted
// never: the printed form names every field, so a descriptor is its own reproducer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kernels/core/formats.h"
#include "kernels/core/qtype.h"

namespace amxlab::harness {

struct Case {
  std::string kernel = "auto";   // registry name, "auto" (dispatcher), "golden", or "test.<name>"
  QType type = QType::Q8_0;      // weight type (s8 = S8xS8->S32, u8 = U8xS8->S32)
  int64_t m = 1, n = 1, k = 32;  // MoE: m = T tokens
  int threads = 1;
  std::string place = "compact";  // thread placement: compact, scatter, node.<i>
  std::string numa = "local";     // local, bind.<node>, remote, interleave, replicate
  ActQuant act_quant = ActQuant::runtime;
  uint64_t seed = 1;
  int64_t experts = 0;  // > 0: a mixture-of-experts case
  int64_t top_k = 0;
  std::string route;  // MoE: uniform, zipf, one, sparse, file

  bool moe() const { return experts > 0; }
  int64_t out_rows() const { return moe() ? m * top_k : m; }  // rows of the output
  std::string shape() const;                                  // "m512n4096k4096" or "e128top8t512n768k2048"
  std::string descriptor() const;
  bool operator==(const Case&) const = default;
};

// Parses a descriptor; throws amxlab::Error naming the field that is wrong and why.
Case parse_case(std::string_view descriptor);

// Checks values the parser cannot (K a multiple of the block, threads >= 1, ...).
void validate_case(const Case& c);

// Whether a value is a placement (compact, scatter, node.<i>) / a NUMA policy (local,
// bind.<node>, remote, interleave, replicate) at all; whether this machine has the node is
// the run's question (a case that asks for a missing one is ERROR, with the reason).
bool valid_place(std::string_view v);
bool valid_numa(std::string_view v);

// The planted-fault kernels (harness/runner/golden_kernels.cpp) the zero-trust tests use:
// kernel=test.<fault>.
inline constexpr const char* kTestKernels[] = {"test.flipbit", "test.crash", "test.hang"};
bool is_test_kernel(std::string_view name);
// "test.flipbit, test.crash, test.hang"
std::string test_kernel_list();

}  // namespace amxlab::harness
