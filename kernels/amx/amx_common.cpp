// Portable pieces of the AMX GEMM kernels: activation quantisers, plan, argument checks,
// and the Sapphire Rapids model run (count-only emulator).
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "kernels/amx/amx_kernels.h"
#include "kernels/amx/amx_prepare.h"
#include "kernels/amx/amx_vector_steps.h"
#include "kernels/core/error.h"
#include "kernels/core/fp16.h"
#include "kernels/isa.h"
#include "kernels/kernel_checks.h"
#include "kernels/pack/kquant_pack.h"
#include "kernels/tile/emulator.h"

namespace amxlab::amx {

const VectorSteps& emulation_vector_steps() {
  // isa_vector_available(), not isa_supported(): the latter asks the OS for AMX
  // permission, which the emulated kernels must not do for the process
  // (amx_permission_test).
  constexpr uint32_t kWide = kIsaAvx512 | kIsaAvx512Vnni;
  const bool wide = (isa_vector_available() & isa_bits_up_to(isa_cap()) & kWide) == kWide;
  return wide ? vector_steps_avx512() : vector_steps_avx2();
}

Plan plan_gemm(int64_t, int64_t, int64_t) {
  return Plan{kTileM, kTileN};
}

double epilogue_cycles_per_element_block(QType weight_type) {
  if (kq16::packable(weight_type)) {
    // Per 16 outputs: the fold of each sub-block (VPMULLD: 2 uops, VPADDD: 1) and, once
    // per super-block, a VPDPWSSD per two sub-blocks (4 or 8) + VCVTDQ2PS + VMULPS +
    // VFMADD, plus VPADDD (no min) or VMULPS + VPXORD + VCVTDQ2PS + VFMADD (min); 512-bit
    // uops on p0 and p5 only.
    const kq16::TypeInfo ti = kq16::type_info(weight_type);
    const double subs_per_block = 32.0 / ti.sub_len;
    const double superblock_uops = ti.n_sub / 2.0 + (ti.has_min ? 7.0 : 4.0);
    return (kKqFoldUops * subs_per_block + superblock_uops / 8.0) / 32.0;
  }
  require(amx_tile_packable(weight_type),
          std::string("epilogue_cycles_per_element_block: no AMX kernel for ") + name(weight_type));
  return weight_type == QType::Q4_1 ? kEpilogueCyclesPerElementBlockQ4_1 : kEpilogueCyclesPerElementBlock;
}

namespace detail {

void prepare(QType wt, const char* kernel, const PackedWeights& w, const ActivationView& a,
             const OutputView& y, const Slice& s, Prepared& p) {
  const auto who = [kernel] { return std::string(kernel); };
  w.require(wt, amx_tile_layout(wt), kernel);
  const int64_t n = w.n(), k = w.k();
  require(k % kBlockK == 0 && k >= kBlockK,
          [&] { return who() + ": K=" + std::to_string(k) + " is not a positive multiple of 32"; });
  require(w.bytes().size() == amx_packed_bytes(wt, n, k), [&] {
    return who() + ": packed weights hold " + std::to_string(w.bytes().size()) +
           " bytes, their shape N=" + std::to_string(n) + " K=" + std::to_string(k) + " needs " +
           std::to_string(amx_packed_bytes(wt, n, k));
  });
  const QType act = traits(wt).act_type;
  check_gemm_views(wt, kernel, n, k, a, y, s);
  const size_t arow = row_bytes(act, k);
  p = Prepared{};
  if (s.m0 == s.m1 || s.n0 == s.n1) {
    p.empty = true;
    return;
  }
  require(a.bytes != nullptr && y.data != nullptr,
          [&] { return who() + ": null activation or output pointer"; });
  p.nb = k / kBlockK;
  p.rows = s.m1 - s.m0;
  p.record_bytes = amx_record_bytes(wt);
  p.act_block_bytes = traits(act).block_bytes;
  p.code_offset = act == QType::Q8_1 ? 4 : 2;
  p.activation_bytes = static_cast<size_t>(p.rows - 1) * a.row_stride + arow;
  const auto cells = static_cast<size_t>(p.nb) * static_cast<size_t>(p.rows);
  p.da.resize(cells);
  if (act == QType::Q8_1) p.sa.resize(cells);
  for (int64_t r = 0; r < p.rows; ++r) {
    const std::byte* row = a.bytes + static_cast<size_t>(s.m0 + r) * a.row_stride;
    for (int64_t b = 0; b < p.nb; ++b) {
      const std::byte* blk = row + static_cast<size_t>(b) * p.act_block_bytes;
      uint16_t h[2];
      std::memcpy(h, blk, sizeof h);
      const size_t at = static_cast<size_t>(b * p.rows + r);
      p.da[at] = fp16_to_f32(h[0]);
      if (act == QType::Q8_1) p.sa[at] = fp16_to_f32(h[1]);
    }
  }
}

}  // namespace detail

AmxModelReport model_gemm(QType wt, int64_t m, int64_t n, int64_t k, double ghz) {
  const bool kquant = kq16::packable(wt);
  // The plain GEMMs (s8s8, u8s8, bf16 over panel32): no vector epilogue, K = 64 bytes
  // per tile product (the full TMUL rate), any K.
  const bool plain = wt == QType::S8 || wt == QType::U8 || wt == QType::BF16;
  require(kquant || plain || amx_tile_packable(wt),
          std::string("amx::model_gemm: no AMX kernel for ") + name(wt));
  const int64_t block = traits(wt).block_elems;
  require(m >= 1 && n >= 1 && k >= block && k % block == 0,
          "amx::model_gemm: bad shape M=" + std::to_string(m) + " N=" + std::to_string(n) +
              " K=" + std::to_string(k));
  // Zero data: the count-only emulator reads no memory, the scale tables read zeros.
  const QType act = traits(wt).act_type;
  const std::vector<std::byte> gguf(row_bytes(wt, k) * static_cast<size_t>(n));
  const PackedWeights w = plain    ? panel32::pack(wt, gguf, n, k, default_memory_resource())
                          : kquant ? kq16::pack(wt, gguf, n, k, default_memory_resource())
                                   : pack_amx_tile(wt, gguf, n, k, default_memory_resource());
  const size_t arow = row_bytes(act, k);
  const std::vector<std::byte> aq(arow * static_cast<size_t>(m));
  // Never written in count-only mode: left uninitialised (untouched pages cost nothing).
  const std::unique_ptr<float[]> out(new float[static_cast<size_t>(m) * static_cast<size_t>(n)]);
  const ActivationView av{act, aq.data(), arow, m, k};
  const OutputView yv{out.get(), static_cast<size_t>(n), m, n};

  tile::EmulatorOptions opt;
  opt.count_only = true;
  tile::EmulatedTiles t(opt);
  run_emulated_on(t, wt, w, av, yv, Slice{0, m, 0, n});

  AmxModelReport r;
  r.counters = t.counters();
  // K per tile product: 32, or a K-quant's sub-block (16 for Q2_K, Q3_K, Q6_K); the plain
  // GEMMs 64 bytes (64 int8, 32 bf16): the full rate.
  r.format_ceiling = plain ? 1.0 : kquant ? kq16::type_info(wt).sub_len / 64.0 : 0.5;
  const int64_t padded_n = (n + kStripRows - 1) / kStripRows * kStripRows;
  r.epilogue_elements =
      plain ? 0
            : static_cast<uint64_t>(m) * static_cast<uint64_t>(padded_n) * static_cast<uint64_t>(k / kBlockK);
  r.epilogue_cycles_per_element = plain ? 0.0 : epilogue_cycles_per_element_block(wt);
  tile::ModelInputs in;
  in.useful_macs = static_cast<uint64_t>(m) * static_cast<uint64_t>(n) * static_cast<uint64_t>(k);
  in.mac_kind = wt == QType::BF16 ? tile::MacKind::bf16 : tile::MacKind::int8;
  in.epilogue_elements = r.epilogue_elements;
  in.epilogue_cycles_per_element = r.epilogue_cycles_per_element;
  in.ghz = ghz;
  r.model = tile::model_sapphire_rapids(r.counters, in);
  const double tile_cycles =
      r.model.tmul_cycles > r.model.load_store_cycles ? r.model.tmul_cycles : r.model.load_store_cycles;
  const double busiest = tile_cycles > r.model.epilogue_cycles ? tile_cycles : r.model.epilogue_cycles;
  r.overlapped_cycles = busiest + r.model.config_cycles;
  r.overlapped_utilisation = r.overlapped_cycles > 0
                                 ? static_cast<double>(in.useful_macs) /
                                       (r.overlapped_cycles * tile::peak_macs_per_cycle(in.mac_kind))
                                 : 0.0;
  return r;
}

}  // namespace amxlab::amx
