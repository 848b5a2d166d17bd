#include "kernels/tile/sapphire_rapids_model.h"

#include "kernels/core/error.h"

namespace amxlab::tile {

ModelResult model_sapphire_rapids(const TileCounters& c, const ModelInputs& in,
                                  const SapphireRapidsCosts& k) {
  require(in.ghz > 0.0, "model_sapphire_rapids: ghz must be positive");
  require(in.epilogue_cycles_per_element >= 0.0,
          "model_sapphire_rapids: epilogue cycles per element must not be negative");
  auto d = [](uint64_t v) { return static_cast<double>(v); };
  ModelResult r;
  r.tmul_cycles =
      k.tdp_int8 * d(c.tdpb_int8()) + k.tdp_bf16 * d(c.tdpbf16ps()) + k.tilezero * d(c.tilezero());
  r.load_store_cycles = k.tileloadd * d(c.tileloadd()) + k.tilestored * d(c.tilestored());
  r.config_cycles = k.ldtilecfg * d(c.ldtilecfg()) + k.tilerelease * d(c.tilerelease());
  r.epilogue_cycles = in.epilogue_cycles_per_element * d(in.epilogue_elements);
  const double tile = r.tmul_cycles > r.load_store_cycles ? r.tmul_cycles : r.load_store_cycles;
  r.cycles = tile + r.config_cycles + r.epilogue_cycles;
  r.cycles_serial = r.tmul_cycles + r.load_store_cycles + r.config_cycles + r.epilogue_cycles;
  r.seconds = r.cycles / (in.ghz * 1e9);
  const double peak = peak_macs_per_cycle(in.mac_kind, k);
  r.utilisation = r.cycles > 0 ? d(in.useful_macs) / (r.cycles * peak) : 0.0;
  r.label = kSapphireRapidsModelLabel;
  return r;
}

}  // namespace amxlab::tile
