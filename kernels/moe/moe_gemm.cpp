#include "kernels/moe/moe_gemm.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "kernels/core/error.h"
#include "kernels/kernel_checks.h"
#include "kernels/registry.h"

namespace amxlab::moe {
namespace {

struct Unit {
  int32_t expert;
  int64_t m0, m1, n0, n1;
  const KernelDesc* kernel;
  int64_t cost;
};

}  // namespace

std::string MoeKernels::name() const {
  if (large == nullptr || small == nullptr) return "(unset)";
  if (large == small) return std::string(large->name);
  return std::string(large->name) + "+" + std::string(small->name);
}

void check_moe_kernels(const MoeKernels& k) {
  require(k.large != nullptr && k.small != nullptr, "moe_gemm: no kernels given");
  require(k.large->weight_type == k.small->weight_type && k.large->layout == k.small->layout &&
              k.large->act_type == k.small->act_type,
          [&] {
            return "moe_gemm: " + std::string(k.large->name) + " reads " + name(k.large->weight_type) + "/" +
                   name(k.large->layout) + " x " + name(k.large->act_type) + ", " +
                   std::string(k.small->name) + " reads " + name(k.small->weight_type) + "/" +
                   name(k.small->layout) + " x " + name(k.small->act_type) +
                   ": the groups of one call must read the same packed experts";
          });
  require(k.large->on_tdpbf16ps() == k.small->on_tdpbf16ps(), [&] {
    return "moe_gemm: " + std::string(k.large->name) + " and " + std::string(k.small->name) +
           " sum BF16 pairs in different orders (TDPBF16PS / VDPBF16PS): one call's groups must "
           "follow one exact model";
  });
  require(k.large_min_rows >= 1, "moe_gemm: large_min_rows must be >= 1");
  // Before anything is written: a kernel that cannot run here would fail in a worker
  // after other groups had written their rows.
  for (const KernelDesc* kern : {k.large, k.small}) {
    std::string why;
    if (!kernel_runnable(*kern, &why))
      throw Error("moe_gemm: " + std::string(kern->name) + " cannot run here: " + why);
  }
}

void check_routing(const Routing& r, int64_t experts) {
  require(r.tokens >= 1 && r.top_k >= 1, [&] {
    return "moe_gemm: routing of " + std::to_string(r.tokens) + " tokens x top-" + std::to_string(r.top_k) +
           " (both must be >= 1)";
  });
  // A token's top_k experts are distinct (ggml's top-k selection), so top_k <= E.
  require(r.top_k <= experts, [&] {
    return "moe_gemm: top-" + std::to_string(r.top_k) + " of " + std::to_string(experts) +
           " experts (a token's experts are distinct: top_k <= E)";
  });
  require(r.tokens <= std::numeric_limits<int64_t>::max() / r.top_k, [&] {
    return "moe_gemm: " + std::to_string(r.tokens) + " tokens x top-" + std::to_string(r.top_k) +
           " routes overflow int64";
  });
  require(r.ids.size() == static_cast<size_t>(r.tokens * r.top_k), [&] {
    return "moe_gemm: " + std::to_string(r.ids.size()) + " expert ids for " + std::to_string(r.tokens) +
           " tokens x top-" + std::to_string(r.top_k);
  });
  // last_token[e]: the last token seen naming expert e (a repeat within one token is found
  // in one pass, whatever top_k).
  std::vector<int64_t> last_token(static_cast<size_t>(experts), -1);
  for (size_t i = 0; i < r.ids.size(); ++i) {
    const int32_t id = r.ids[i];
    const int64_t token = static_cast<int64_t>(i) / r.top_k, slot = static_cast<int64_t>(i) % r.top_k;
    if (id < 0 || id >= experts) {
      throw Error("moe_gemm: expert id " + std::to_string(id) + " of token " + std::to_string(token) +
                  " slot " + std::to_string(slot) + " is outside [0, " + std::to_string(experts) + ")");
    }
    int64_t& last = last_token[static_cast<size_t>(id)];
    if (last == token) {
      throw Error("moe_gemm: token " + std::to_string(token) + " names expert " + std::to_string(id) +
                  " twice (slot " + std::to_string(slot) +
                  " and an earlier one); a token's experts are distinct");
    }
    last = token;
  }
}

void group_by_expert(std::span<const int32_t> ids, int64_t experts, std::vector<int64_t>& group_offset,
                     std::vector<int64_t>& route_of_row) {
  group_offset.assign(static_cast<size_t>(experts + 1), 0);
  for (const int32_t id : ids) ++group_offset[static_cast<size_t>(id) + 1];
  for (int64_t e = 0; e < experts; ++e)
    group_offset[static_cast<size_t>(e + 1)] += group_offset[static_cast<size_t>(e)];
  route_of_row.resize(ids.size());
  std::vector<int64_t> next(group_offset.begin(), group_offset.end() - 1);
  for (size_t i = 0; i < ids.size(); ++i)
    route_of_row[static_cast<size_t>(next[static_cast<size_t>(ids[i])]++)] = static_cast<int64_t>(i);
}

void plan_moe(const MoeKernels& k, int64_t experts, int64_t n, int64_t kdim, const Routing& r, int workers,
              MoePlan& plan) {
  check_routing(r, experts);
  group_by_expert(r.ids, experts, plan.group_offset, plan.route_of_row);
  const auto& offset = plan.group_offset;

  // Units: row chunk x column block of every non-empty group, in expert order.
  thread_local std::vector<Unit> units;
  units.clear();
  int64_t total = 0;
  for (int64_t e = 0; e < experts; ++e) {
    const int64_t rows = offset[static_cast<size_t>(e + 1)] - offset[static_cast<size_t>(e)];
    if (rows == 0) continue;
    const KernelDesc* kern = rows >= k.large_min_rows ? k.large : k.small;
    const Plan p = kern->plan(rows, n, kdim);
    const int64_t m_step = std::max<int64_t>(1, p.m_step), n_step = std::clamp<int64_t>(p.n_step, 1, n);
    const int64_t chunk = std::max(m_step, kRowChunk / m_step * m_step);
    for (int64_t m0 = 0; m0 < rows; m0 += chunk) {
      const int64_t m1 = std::min(rows, m0 + chunk);
      for (int64_t n0 = 0; n0 < n; n0 += n_step) {
        const int64_t n1 = std::min(n, n0 + n_step);
        const int64_t cost = (n1 - n0) * (m1 - m0 + kWeightCost);
        units.push_back({static_cast<int32_t>(e), m0, m1, n0, n1, kern, cost});
        total += cost;
      }
    }
  }

  // Cut the sequence into runs of equal cost: a unit goes to the worker whose share
  // holds the middle of its cost; neighbours of one row chunk with adjacent columns and
  // the same worker merge into one piece.
  const int parts =
      static_cast<int>(std::clamp<int64_t>(workers, 1, std::max<int64_t>(1, std::ssize(units))));
  plan.pieces.clear();
  plan.bundle.assign(1, 0);
  int64_t before = 0;
  int current = 0;
  for (const Unit& u : units) {
    const double mid = static_cast<double>(before) + 0.5 * static_cast<double>(u.cost);
    const int w = std::min(parts - 1, static_cast<int>(mid * parts / static_cast<double>(total)));
    before += u.cost;
    if (w != current) {
      while (current < w) {
        plan.bundle.push_back(plan.pieces.size());
        ++current;
      }
    } else if (!plan.pieces.empty() && plan.bundle.back() < plan.pieces.size()) {
      Piece& last = plan.pieces.back();
      if (last.expert == u.expert && last.m0 == u.m0 && last.n1 == u.n0) {
        last.n1 = u.n1;
        continue;
      }
    }
    const auto e = static_cast<size_t>(u.expert);
    plan.pieces.push_back({u.expert, offset[e], offset[e + 1] - offset[e], u.m0, u.m1, u.n0, u.n1, u.kernel});
  }
  plan.bundle.push_back(plan.pieces.size());
  // Workers with nothing (more workers than units) are dropped from the end.
  while (plan.bundle.size() > 2 && plan.bundle[plan.bundle.size() - 2] == plan.pieces.size())
    plan.bundle.pop_back();
}

void moe_gemm(const MoeKernels& k, std::span<const PackedWeights* const> experts_of_worker,
              const ActivationView& act, const Routing& r, const OutputView& dst, int workers,
              const ParallelFor& parallel, MoeScratch& scratch) {
  check_moe_kernels(k);
  require(!experts_of_worker.empty() && experts_of_worker[0] != nullptr, "moe_gemm: no expert weights given");
  const PackedWeights& w = *experts_of_worker[0];
  if (!w.expert_stacked()) {
    throw Error("moe_gemm: the weights (" + std::string(name(w.type())) + "/" + name(w.layout()) + ", " +
                std::to_string(w.n()) + "x" + std::to_string(w.k()) +
                ") are not expert-stacked: pack them with moe::pack_experts");
  }
  require(w.type() == k.large->weight_type && w.layout() == k.large->layout, [&] {
    return "moe_gemm: the experts are packed as " + std::string(name(w.type())) + "/" + name(w.layout()) +
           ", " + k.name() + " reads " + name(k.large->weight_type) + "/" + name(k.large->layout);
  });
  // Every copy (one per worker, e.g. one per NUMA node) holds the same experts, whole: a
  // copy of other weights would make the output depend on the worker count, and a copy
  // moved from or cut short would fail in a worker after others had written their rows.
  for (size_t i = 0; i < experts_of_worker.size(); ++i) {
    const PackedWeights* copy = experts_of_worker[i];
    const auto which = [&] { return "moe_gemm: the experts' copy " + std::to_string(i) + " "; };
    require(copy != nullptr, [&] { return which() + "is null"; });
    require(copy->bytes().data() != nullptr,
            [&] { return which() + "was moved from (empty PackedWeights)"; });
    require(copy->expert_stacked() && copy->type() == w.type() && copy->layout() == w.layout() &&
                copy->experts() == w.experts() && copy->n() == w.n() && copy->k() == w.k() &&
                copy->expert_bytes() == w.expert_bytes() && copy->expert_stride() == w.expert_stride(),
            [&] { return which() + "has another type, layout or shape than copy 0"; });
    require(copy->source_checksum() == w.source_checksum(), [&] {
      return which() + "was packed from other GGUF bytes than copy 0 (source checksums differ)";
    });
    const size_t needed = static_cast<size_t>(w.experts() - 1) * w.expert_stride() + w.expert_bytes();
    require(copy->bytes().size() >= needed, [&] {
      return which() + "holds " + std::to_string(copy->bytes().size()) + " bytes, its " +
             std::to_string(w.experts()) + " experts need " + std::to_string(needed);
    });
  }
  require(workers >= 1, [&] { return "moe_gemm: workers = " + std::to_string(workers) + " (must be >= 1)"; });
  check_routing(r, w.experts());  // before tokens x top_k is multiplied
  const int64_t n = w.n(), kdim = w.k(), routes = r.tokens * r.top_k;
  const size_t arow = row_bytes(k.large->act_type, kdim);
  require(act.type == k.large->act_type && act.k == kdim && act.m == r.tokens && act.row_stride >= arow &&
              act.bytes != nullptr,
          [&] {
            return "moe_gemm: activations are " + std::string(name(act.type)) + " [" + std::to_string(act.m) +
                   "][" + std::to_string(act.k) + "], the call needs " + name(k.large->act_type) + " [" +
                   std::to_string(r.tokens) + "][" + std::to_string(kdim) + "]";
          });
  require(
      dst.data != nullptr && dst.m == routes && dst.n == n && dst.row_stride >= static_cast<size_t>(n), [&] {
        return "moe_gemm: dst is [" + std::to_string(dst.m) + "][" + std::to_string(dst.n) + "] (stride " +
               std::to_string(dst.row_stride) + "), the call writes [" + std::to_string(r.tokens) + " x " +
               std::to_string(r.top_k) + "][" + std::to_string(n) + "]";
      });
  require_apart("moe_gemm", "dst", act, arow, dst, n);
  MoePlan& plan = scratch.plan;
  plan_moe(k, w.experts(), n, kdim, r, workers, plan);  // checks every id first

  const auto workers_used = static_cast<size_t>(plan.workers());
  if (scratch.out.size() < workers_used) scratch.out.resize(workers_used);
  if (scratch.rows.size() < workers_used) scratch.rows.resize(workers_used);
  const auto* in = act.bytes;
  auto* out = static_cast<std::byte*>(dst.data);
  const size_t out_row = dst.row_stride * 4;  // fp32 or int32 outputs
  parallel(plan.workers(), [&](int64_t wk) {
    const PackedWeights& mine = *experts_of_worker[experts_of_worker.size() == 1
                                                       ? 0
                                                       : static_cast<size_t>(wk) % experts_of_worker.size()];
    auto& block = scratch.out[static_cast<size_t>(wk)];
    auto& rows_in = scratch.rows[static_cast<size_t>(wk)];
    const Piece* gathered = nullptr;  // the piece whose rows rows_in holds
    for (size_t i = plan.bundle[static_cast<size_t>(wk)]; i < plan.bundle[static_cast<size_t>(wk) + 1]; ++i) {
      const Piece& p = plan.pieces[i];
      const PackedWeights expert = mine.expert(p.expert);
      const int64_t rows = p.m1 - p.m0;
      if (p.group_rows == 1) {
        const int64_t route = plan.route_of_row[static_cast<size_t>(p.row_offset)];
        const ActivationView a{act.type, in + static_cast<size_t>(route / r.top_k) * act.row_stride,
                               act.row_stride, 1, kdim};
        const OutputView y{out + static_cast<size_t>(route) * out_row, dst.row_stride, 1, n};
        p.kernel->run(expert, a, y, Slice{0, 1, p.n0, p.n1});
        continue;
      }
      if (block.size() < static_cast<size_t>(rows * n)) block.resize(static_cast<size_t>(rows * n));
      // The piece's rows, gathered here rather than for the whole call up front: a few
      // dozen rows stay in this core's L2 for the kernel, where a call-wide gathered copy
      // (T x top_k rows, ~9.6 MB at T=512 top-8 K=2048) went to DRAM and back.
      if (gathered == nullptr || gathered->expert != p.expert || gathered->m0 != p.m0 ||
          gathered->m1 != p.m1) {
        if (rows_in.size() < static_cast<size_t>(rows) * arow)
          rows_in.resize(static_cast<size_t>(rows) * arow);
        for (int64_t m = 0; m < rows; ++m) {
          const int64_t token = plan.route_of_row[static_cast<size_t>(p.row_offset + p.m0 + m)] / r.top_k;
          std::memcpy(rows_in.data() + static_cast<size_t>(m) * arow,
                      in + static_cast<size_t>(token) * act.row_stride, arow);
        }
        gathered = &p;
      }
      const ActivationView a{act.type, rows_in.data(), arow, rows, kdim};
      const OutputView y{block.data(), static_cast<size_t>(n), rows, n};
      p.kernel->run(expert, a, y, Slice{0, rows, p.n0, p.n1});
      const size_t cols = static_cast<size_t>(p.n1 - p.n0) * 4;
      for (int64_t m = 0; m < rows; ++m) {
        const int64_t route = plan.route_of_row[static_cast<size_t>(p.row_offset + p.m0 + m)];
        std::memcpy(out + static_cast<size_t>(route) * out_row + static_cast<size_t>(p.n0) * 4,
                    block.data() + static_cast<size_t>(m * n + p.n0), cols);
      }
    }
  });
}

}  // namespace amxlab::moe
