// What the linked oneDNN is and which implementation it picks, for `amxlab info`
// and every results file.
#pragma once

#include <string>

namespace amxlab::onednn {

std::string version();  // "2.6.3 (hash ..., cpu runtime OpenMP)"

// Implementation string oneDNN reports for a u8 x s8 -> s32 matmul of M x N x K with
// weights in format_tag::any (e.g. "brg:avx512_core_vnni").
std::string int8_matmul_impl(long m, long n, long k);

}  // namespace amxlab::onednn
