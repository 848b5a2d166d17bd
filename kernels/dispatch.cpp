#include "kernels/dispatch.h"

#include <atomic>
#include <bit>
#include <cstdlib>
#include <string>

#include "kernels/core/error.h"
#include "kernels/isa.h"
#include "kernels/registry.h"

namespace amxlab {
namespace {

std::atomic<int64_t> g_override{-1};

int64_t threshold(std::string* source, int64_t fallback) {
  const int64_t o = g_override.load();
  if (o >= 0) {
    if (source != nullptr) *source = "set_gemv_max_m";
    return o;
  }
  return env_setting("AMXLAB_GEMV_MAX_M", 0, fallback, source);
}

}  // namespace

int64_t env_setting(const char* var, int64_t min, int64_t fallback, std::string* source) {
  const char* env = std::getenv(var);
  if (env != nullptr && *env != '\0') {
    char* end = nullptr;
    const long long v = std::strtoll(env, &end, 10);
    if (end != nullptr && *end == '\0' && v >= min) {
      if (source != nullptr) *source = var;
      return static_cast<int64_t>(v);
    }
    if (source != nullptr) *source = std::string("default; ") + var + "='" + env + "' ignored";
    return fallback;
  }
  if (source != nullptr) *source = "default";
  return fallback;
}

int64_t default_gemv_max_m(QType type) {
  switch (type) {
    // GEMM faster from M = 2 (Q8_0), within 8 % up to M = 3 (Q4_0): issue #6.
    case QType::Q8_0:
    case QType::Q4_0:
    case QType::Q4_1:
    // N = K = 4096, 1 thread, hot: the GEMV (4-bit codes kept) 125 / 133 us at M = 1 against
    // the GEMM's 203 / 217 us; at M = 2 the GEMM is ahead (246 vs 252, 247 vs 261 us).
    case QType::Q4_K:
    case QType::IQ4_XS:
    // GEMV and GEMM within noise at M = 1 (e.g. Q6_K 229 / 220 us; at K = 14336 the GEMV
    // is ahead cold with 2 threads), the GEMM ahead from M = 2.
    case QType::Q5_K:
    case QType::Q6_K:
    case QType::IQ4_NL: return 1;
    // The GEMV over kq_nib_vnni16 against the kq_i8 GEMM, M = 2..16, N = 4096, K = 14336,
    // hot and cold, 1 and 2 threads (sixteenth session; kernels/README.md "Dispatcher"):
    // Q2_K's GEMV (crumbs, 100 bytes per 256 weights) ahead up to M = 12 everywhere,
    // behind at M = 16 in 3 of 4; Q3_K's (nibbles, 148) ahead up to M = 4, behind at M = 5
    // cold with 2 threads (3825 against 2799 us).
    case QType::Q2_K: return 12;
    case QType::Q3_K: return 4;
    default: return kDefaultGemvMaxM;
  }
}

int64_t default_gemv_max_m(QType type, int level) {
  // Re-measured after Q4_K's 3 x 16 AVX2 tile and Q3_K's longer int16 groups
  // (twenty-third session, N = K = 4096, 3 rounds, GEMV / GEMM time hot and cold, 1 and 2
  // threads): Q4_K M = 2 0.65-0.85, M = 3 0.94-1.12 (even), M = 5 1.26-1.44; Q3_K M = 4
  // 0.76-1.15, M = 5 1.03-1.11, M = 6 1.11-1.28. Both thresholds stand. IQ4_XS's after its
  // 2-strip GEMV (twenty-fifth session, same shapes): M = 3 0.52-1.05, M = 4 0.60-1.26
  // (1 thread hot 1.08-1.21): 3 stands.
  if (level == 1 && (type == QType::Q4_K || type == QType::IQ4_XS)) return 3;
  // The 1x16 AVX2 GEMV against the 2x16 AVX2 GEMM after the latter's int16 sums
  // (nineteenth session, AVX2-only Zen 4, N = K = 4096, 3 rounds, GEMV / GEMM time, hot and
  // cold): M = 4 0.78-1.10 (1 and 2 threads), M = 6 1.23-1.24 at 1 thread, M = 8
  // 1.28-1.65 everywhere. Q3_K's 4 still holds there (M = 4 0.81-1.18, M = 8 1.07-1.38).
  if (level == 1 && type == QType::Q2_K) return 4;
  return default_gemv_max_m(type);
}

int64_t gemv_max_m() {
  return threshold(nullptr, kDefaultGemvMaxM);
}

int64_t gemv_max_m(QType type) {
  return threshold(nullptr, default_gemv_max_m(type));
}

int64_t gemv_max_m(QType type, int level) {
  return threshold(nullptr, default_gemv_max_m(type, level));
}

void set_gemv_max_m(int64_t n) {
  g_override.store(n < 0 ? -1 : n);
}

int isa_rank(uint32_t isa) {
  if (isa & (kIsaAmxInt8 | kIsaAmxBf16)) return 3;
  if (isa & (kIsaAvx512 | kIsaAvx512Vnni | kIsaAvx512Bf16)) return 2;
  if (isa & (kIsaAvx2 | kIsaAvxVnni)) return 1;
  return 0;
}

int isa_preference(uint32_t isa) {
  return 16 * isa_rank(isa) + std::popcount(isa);
}

bool gemv_outranked(uint32_t gemv_isa, uint32_t gemm_isa) {
  const bool gemm_has_more = (gemv_isa & ~gemm_isa) == 0 && gemm_isa != gemv_isa;  // a strict superset
  return isa_rank(gemv_isa) == isa_rank(gemm_isa) && gemm_has_more;
}

const KernelDesc& choose_kernel(QType type, int64_t m, std::string* why) {
  require(m >= 1, "choose_kernel: M=" + std::to_string(m) + " must be at least 1");
  const KernelDesc* best_gemv = nullptr;
  const KernelDesc* best_gemm = nullptr;
  std::string skipped;
  int registered = 0;
  for (const KernelDesc& k : kernel_registry()) {
    if (k.weight_type != type || k.engine != Engine::native) continue;
    ++registered;
    std::string reason;
    if (!isa_supported(k.isa, &reason)) {
      skipped += std::string(skipped.empty() ? "" : "; ") + std::string(k.name) + " (" + reason + ")";
      continue;
    }
    const KernelDesc*& slot = k.op == KernelOp::gemv ? best_gemv : best_gemm;
    if (slot == nullptr || isa_preference(k.isa) > isa_preference(slot->isa)) slot = &k;
  }
  if (best_gemv == nullptr && best_gemm == nullptr) {
    throw Error(std::string("choose_kernel: no kernel for ") + name(type) + " can run here" +
                (registered == 0 ? " (none registered)" : ": " + skipped));
  }
  // The threshold of the GEMV that would run (its ISA level's, default_gemv_max_m).
  std::string source;
  const int64_t limit =
      threshold(&source, best_gemv != nullptr ? default_gemv_max_m(type, isa_rank(best_gemv->isa))
                                              : default_gemv_max_m(type));
  const bool small = m <= limit;
  const KernelDesc* pick = nullptr;
  std::string rule;
  const std::string cmp = "M=" + std::to_string(m) + (small ? " <= " : " > ") + "GEMV threshold " +
                          std::to_string(limit) + " (" + source + ")";
  const bool outranked =
      best_gemv != nullptr && best_gemm != nullptr && gemv_outranked(best_gemv->isa, best_gemm->isa);
  if (small && best_gemv != nullptr && !outranked) {
    pick = best_gemv;
    rule = cmp + ": the GEMV of the highest ISA level (then most extensions) that can run";
  } else if (small && outranked) {
    pick = best_gemm;
    rule = cmp + ", but the GEMM needs extensions of its ISA level that the GEMV (" +
           std::string(best_gemv->name) + ") lacks: the GEMM";
  } else if (best_gemm != nullptr) {
    pick = best_gemm;
    rule = cmp + ": the GEMM of the highest ISA level (then most extensions) that can run";
  } else {
    pick = best_gemv;
    rule = cmp + ", but no GEMM can run: the GEMV of the highest ISA level";
  }
  if (why != nullptr) {
    *why = std::string(pick->name) + ": " + rule + " (ISA cap " + name(isa_cap()) + ", kernel needs " +
           isa_names(pick->isa) + ")";
    if (!skipped.empty()) *why += "; not eligible: " + skipped;
  }
  return *pick;
}

}  // namespace amxlab
