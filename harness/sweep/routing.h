// Expert routings for mixture-of-experts cases (DESIGN.md "Mixture of experts"): which
// top_k experts each of T tokens goes to. Deterministic from the seed; every token's
// experts are distinct, as a router's top-k are.
//
//   uniform  every token picks top_k experts uniformly at random
//   zipf     expert popularity ~ 1 / rank^1.2 over a random ranking of the experts
//            (skewed: a few experts get many tokens, many get few), top_k drawn without
//            replacement in proportion to it
//   one      every token goes to the same top_k experts (0 .. top_k-1): each of them has
//            every token (top_k = 1: one expert with every token)
//   sparse   only max(top_k, ceil(E / 8)) experts (a random set) get tokens, uniformly:
//            most experts get none
//   file     ids read from a .npy (int32 or int64 [T][top_k]); see read_routing_npy
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace amxlab::harness {

enum class RouteKind : uint8_t { uniform, zipf, one, sparse, file };
const char* name(RouteKind r);
std::optional<RouteKind> parse_route(std::string_view text);
// parse_route() of a case's route, which the case parser has checked; throws Error otherwise.
RouteKind route_kind(std::string_view text);

// ids [tokens][top_k]. Throws Error when top_k > experts (a token's experts are distinct)
// or for RouteKind::file (read_routing_npy does that).
std::vector<int32_t> make_routing(RouteKind kind, int64_t tokens, int64_t top_k, int64_t experts,
                                  uint64_t seed);

// A routing from a .npy file of int32 or int64 ids, shape [T][top_k] (or [T] for top-1).
// Throws Error (path and reason, printed escaped) for another dtype, rank or shape, or an
// id outside [0, experts).
std::vector<int32_t> read_routing_npy(const std::string& path, int64_t experts, int64_t& tokens,
                                      int64_t& top_k);

}  // namespace amxlab::harness
