// Mixture-of-experts GEMM (ggml's mul_mat_id): every token multiplied by each of its
// top-k experts (DESIGN.md "Mixture of experts").
//
//   dst[t * top_k + j][n] = sum_k W_{ids[t][j]}[n][k] * A[t][k]    t < T, j < top_k
//
// How it runs. The routes (t, j) are grouped by expert (counting sort, tokens in
// ascending order inside a group). A group of at least `large_min_rows` rows runs on the
// `large` kernel (the GEMM: AMX on an AMX CPU), a smaller one on the `small` kernel (the
// GEMV / small-M VNNI kernel); both read the one layout the experts were packed in and
// the one activation format, so the activations are quantised once per token (the
// caller does it, T rows) and every group reads the same bytes. A group of one row reads
// its token's row and writes its dst row in place; a piece of a larger group reads its rows
// gathered into a per-worker buffer and writes a per-worker block that is scattered to dst.
// Work is balanced by rows and columns: each group is cut into row chunks (at most
// kRowChunk rows, on the kernel's m_step) and column blocks (the kernel's n_step), every
// piece costed by columns x (rows + kWeightCost), and the sequence of pieces is cut into
// `workers` runs of equal cost: one expert holding every token is still shared by every
// worker, and a decode step's 8 one-row groups are split by columns.
// Every output element is computed by one kernel call over one K range (never split):
// the result is the single-expert GEMM's, bit for bit, for any routing and any number of
// workers, and dst is overwritten, never accumulated into.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kernels/gemm_kernel.h"

namespace amxlab::moe {

inline constexpr int64_t kRowChunk = 64;   // rows of one piece of work (before m_step rounding)
inline constexpr int64_t kWeightCost = 2;  // one column's weight stream, in row-equivalents

// The kernels that run the groups. small may equal large (one kernel for every group).
struct MoeKernels {
  const KernelDesc* large = nullptr;
  const KernelDesc* small = nullptr;
  int64_t large_min_rows = 2;  // groups of at least this many rows run on `large`
  // "large" when both are the same kernel, else "large+small".
  std::string name() const;
};

// Throws Error unless both kernels are set and read the same weight type, layout and
// activation format, and large_min_rows >= 1.
void check_moe_kernels(const MoeKernels& k);

struct Routing {
  std::span<const int32_t> ids;  // [tokens][top_k] expert ids
  int64_t tokens = 0;
  int64_t top_k = 0;
};

// Throws Error naming the first (token, slot) whose id is outside [0, experts) or repeats
// an expert of the same token (a router's top-k are distinct, as ggml's are), or a routing
// whose ids do not hold tokens * top_k entries.
void check_routing(const Routing& r, int64_t experts);

// The routes grouped by expert (a counting sort, routes in ascending order inside a
// group): group_offset [E + 1] holds each expert's first grouped row, route_of_row maps a
// grouped row to its route t * top_k + j. The ids must be in [0, E) (check_routing).
void group_by_expert(std::span<const int32_t> ids, int64_t experts, std::vector<int64_t>& group_offset,
                     std::vector<int64_t>& route_of_row);

// One piece of work: rows [m0, m1) of group `group` (its rows in grouped order start at
// row_offset), columns [n0, n1), run by `kernel`.
struct Piece {
  int32_t expert = 0;
  int64_t row_offset = 0;  // first grouped row of the expert's group
  int64_t group_rows = 0;
  int64_t m0 = 0, m1 = 0, n0 = 0, n1 = 0;
  const KernelDesc* kernel = nullptr;
};

// The grouping and the cut of one call; built by plan_moe(), reused across calls.
struct MoePlan {
  std::vector<int64_t> group_offset;  // [E + 1]: the groups' first rows in grouped order
  std::vector<int64_t> route_of_row;  // grouped row -> route t * top_k + j
  std::vector<Piece> pieces;          // in order; worker w runs pieces [bundle[w], bundle[w+1])
  std::vector<size_t> bundle;         // [workers + 1]
  int workers() const { return bundle.empty() ? 0 : static_cast<int>(bundle.size()) - 1; }
};

// Groups the routes and cuts the work for at most `workers` workers (fewer when there
// are fewer pieces). Checks the routing (check_routing) first.
void plan_moe(const MoeKernels& k, int64_t experts, int64_t n, int64_t kdim, const Routing& r, int workers,
              MoePlan& plan);

// Buffers reused across calls, one of each per worker: the piece's activation rows
// gathered, its output block.
struct MoeScratch {
  MoePlan plan;
  std::vector<std::vector<std::byte>> rows;  // per worker, kRowChunk-ish activation rows
  std::vector<std::vector<uint32_t>> out;    // per worker, kRowChunk-ish rows x N elements
};

// The whole call: checks everything (kernels, the experts' stacking, type, layout and
// shape, activations [T][K] in the kernels' format, dst [T * top_k][N], the routing)
// before anything is written, then plans, gathers and runs. `parallel(count, fn)` is
// called with count <= workers and must call fn(i) once for each i (the harness passes
// its pool, fn(i) on worker i). experts_of_worker holds one PackedWeights (every worker
// reads it) or one per worker (NUMA replicate: the same bytes on each worker's node).
void moe_gemm(const MoeKernels& k, std::span<const PackedWeights* const> experts_of_worker,
              const ActivationView& act, const Routing& r, const OutputView& dst, int workers,
              const ParallelFor& parallel, MoeScratch& scratch);

}  // namespace amxlab::moe
