#include "harness/sweep/routing.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "harness/io/npy.h"
#include "harness/io/printable.h"
#include "kernels/core/error.h"

namespace amxlab::harness {
namespace {

constexpr double kZipfExponent = 1.2;

// top_k distinct indices of `weights` drawn in proportion to them (without replacement).
void draw_distinct(std::mt19937_64& rng, std::vector<double> weights, int64_t top_k, int32_t* out) {
  for (int64_t j = 0; j < top_k; ++j) {
    double total = 0;
    for (const double w : weights) total += w;
    double x = std::uniform_real_distribution<double>(0.0, total)(rng);
    size_t pick = weights.size();
    for (size_t e = 0; e < weights.size(); ++e) {
      if (weights[e] > 0 && x < weights[e]) {
        pick = e;
        break;
      }
      x -= weights[e];
    }
    if (pick == weights.size()) {  // x past the end by rounding: the last one left
      pick = weights.size() - 1;
      while (weights[pick] == 0) --pick;
    }
    out[j] = static_cast<int32_t>(pick);
    weights[pick] = 0;
  }
}

}  // namespace

const char* name(RouteKind r) {
  switch (r) {
    case RouteKind::uniform: return "uniform";
    case RouteKind::zipf: return "zipf";
    case RouteKind::one: return "one";
    case RouteKind::sparse: return "sparse";
    case RouteKind::file: return "file";
  }
  return "unknown";
}

std::optional<RouteKind> parse_route(std::string_view text) {
  for (const RouteKind r :
       {RouteKind::uniform, RouteKind::zipf, RouteKind::one, RouteKind::sparse, RouteKind::file})
    if (text == name(r)) return r;
  return std::nullopt;
}

RouteKind route_kind(std::string_view text) {
  const std::optional<RouteKind> r = parse_route(text);
  if (!r) throw Error("routing: unknown route '" + io::printable(text, 40) + "'");
  return *r;
}

std::vector<int32_t> make_routing(RouteKind kind, int64_t tokens, int64_t top_k, int64_t experts,
                                  uint64_t seed) {
  require(tokens >= 1 && top_k >= 1 && experts >= 1, "routing: T, top_k and E must be >= 1");
  require(top_k <= experts, "routing: top_k=" + std::to_string(top_k) + " is more than the " +
                                std::to_string(experts) + " experts (a token's experts are distinct)");
  require(kind != RouteKind::file, "routing: route=file reads its ids from --routing FILE.npy");
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 0x51ed27);
  std::vector<int32_t> ids(static_cast<size_t>(tokens * top_k));
  std::vector<double> weights(static_cast<size_t>(experts), 0.0);
  switch (kind) {
    case RouteKind::uniform: std::fill(weights.begin(), weights.end(), 1.0); break;
    case RouteKind::zipf: {
      std::vector<int64_t> rank(static_cast<size_t>(experts));
      std::iota(rank.begin(), rank.end(), 1);
      std::shuffle(rank.begin(), rank.end(), rng);
      for (size_t e = 0; e < weights.size(); ++e)
        weights[e] = 1.0 / std::pow(static_cast<double>(rank[e]), kZipfExponent);
      break;
    }
    case RouteKind::sparse: {
      std::vector<int32_t> order(static_cast<size_t>(experts));
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), rng);
      const int64_t active = std::max(top_k, (experts + 7) / 8);
      for (int64_t i = 0; i < active; ++i) weights[static_cast<size_t>(order[static_cast<size_t>(i)])] = 1.0;
      break;
    }
    case RouteKind::one:
      for (int64_t t = 0; t < tokens; ++t)
        for (int64_t j = 0; j < top_k; ++j) ids[static_cast<size_t>(t * top_k + j)] = static_cast<int32_t>(j);
      return ids;
    case RouteKind::file: break;
  }
  for (int64_t t = 0; t < tokens; ++t) draw_distinct(rng, weights, top_k, ids.data() + t * top_k);
  return ids;
}

std::vector<int32_t> read_routing_npy(const std::string& path, int64_t experts, int64_t& tokens,
                                      int64_t& top_k) {
  const std::string where = "--routing " + io::printable(path, 200);
  const io::NpyArray a = io::read_npy(path);
  require(a.shape.size() == 1 || a.shape.size() == 2,
          where + ": expert ids must be a [T][top_k] (or [T]) array, not " + std::to_string(a.shape.size()) +
              "-D");
  tokens = a.shape[0];
  top_k = a.shape.size() == 2 ? a.shape[1] : 1;
  require(tokens >= 1 && top_k >= 1, where + ": the array is empty");
  std::vector<int32_t> ids(static_cast<size_t>(tokens * top_k));
  const auto take = [&](auto values) {
    for (size_t i = 0; i < ids.size(); ++i) {
      const auto v = static_cast<int64_t>(values[i]);
      require(v >= 0 && v < experts, [&] {
        return where + ": id " + std::to_string(v) + " of token " +
               std::to_string(static_cast<int64_t>(i) / top_k) + " slot " +
               std::to_string(static_cast<int64_t>(i) % top_k) + " is outside [0, " +
               std::to_string(experts) + ")";
      });
      ids[i] = static_cast<int32_t>(v);
    }
  };
  if (a.dtype == io::NpyDtype::I32) {
    take(a.as<int32_t>());
  } else if (a.dtype == io::NpyDtype::I64) {
    take(a.as<int64_t>());
  } else {
    throw Error(where + ": expert ids must be int32 or int64, the array holds " +
                std::string(io::npy_descr(a.dtype)));
  }
  // A router picks top_k distinct experts per token (the descriptor's rule too): a repeat
  // is a broken file, not a routing.
  for (int64_t t = 0; t < tokens; ++t) {
    const auto row = ids.begin() + static_cast<std::ptrdiff_t>(t * top_k);
    for (int64_t s = 1; s < top_k; ++s) {
      const auto dup = std::find(row, row + s, row[s]);
      require(dup == row + s, [&] {
        return where + ": token " + std::to_string(t) + " names expert " + std::to_string(row[s]) +
               " twice (slots " + std::to_string(dup - row) + " and " + std::to_string(s) +
               "); a token's experts are distinct";
      });
    }
  }
  return ids;
}

}  // namespace amxlab::harness
