#include "kernels/tile/selftest.h"

#include <exception>

#include "kernels/core/cpu_features.h"
#include "kernels/tile/arith.h"
#include "kernels/tile/native_crosscheck.h"
#include "kernels/tile/validate_vnni.h"

namespace amxlab::tile {
namespace {

std::string order_counts(const uint64_t mismatches[3], uint64_t lanes) {
  std::string s;
  for (int o = 0; o < 3; ++o) {
    if (!s.empty()) s += ", ";
    s += std::string(bf16_order_name(kAllBf16Orders[o])) + " " + std::to_string(lanes - mismatches[o]) + "/" +
         std::to_string(lanes);
  }
  return s;
}

int order_index(Bf16Order order) {
  for (int o = 0; o < 3; ++o)
    if (kAllBf16Orders[o] == order) return o;
  return 0;
}

}  // namespace

std::string bf16_verdict_text(const Bf16OrderVerdict& v) {
  const std::string def = bf16_order_name(kDefaultBf16Order);
  if (!v.ran) return "undecided: the native TDPBF16PS cross-check did not run: " + v.reason;
  if (v.programs == 0) return "undecided: no bf16 tile programs were run";
  if (v.matching.empty())
    return "none of the candidate orders equals native TDPBF16PS on all " + std::to_string(v.programs) +
           " programs: the emulator needs a new order";
  std::string list;
  for (const auto& m : v.matching) list += (list.empty() ? "" : ", ") + m;
  if (v.matching.size() > 1)
    return "ambiguous: " + list + " all equal native on " + std::to_string(v.programs) +
           " programs (run more --programs)";
  if (v.default_confirmed)
    return "native TDPBF16PS follows " + def + " (the emulator's order) on all " +
           std::to_string(v.programs) + " programs: confirmed";
  return "native TDPBF16PS follows " + list + ", not the emulator's order " + def + " (" +
         std::to_string(v.programs) + " programs): make " + list + " the default in kernels/tile/arith.h";
}

std::vector<CheckResult> run_tile_selftest(const SelftestOptions& opt, Bf16OrderVerdict* verdict) {
  std::vector<CheckResult> out;
  Bf16OrderVerdict local;
  Bf16OrderVerdict& v16 = verdict != nullptr ? *verdict : local;
  v16 = Bf16OrderVerdict{};
  const int def = order_index(kDefaultBf16Order);
  const int vdp = order_index(kVdpbf16psOrder);

  // --- int8 rules vs VPDPBUSD -------------------------------------------------------
  {
    CheckResult c{"int8 rules vs native VPDPBUSD (zmm)", CheckStatus::skip, ""};
    try {
      const VnniValidation v = validate_vpdpbusd(opt.lanes, opt.seed);
      if (!v.ran) {
        c.detail = v.skip_reason;
      } else if (v.mismatches == 0) {
        c.status = CheckStatus::pass;
        c.detail = std::to_string(v.lanes) + " lanes bitwise equal";
      } else {
        c.status = CheckStatus::fail;
        c.detail = std::to_string(v.mismatches) + " of " + std::to_string(v.lanes) + " lanes differ; " +
                   v.first_mismatch;
      }
    } catch (const std::exception& e) {
      c.status = CheckStatus::fail;
      c.detail = e.what();
    }
    out.push_back(c);
  }

  // --- bf16 rules vs VDPBF16PS ------------------------------------------------------
  {
    CheckResult c{
        std::string("bf16 rules (") + bf16_order_name(kVdpbf16psOrder) + ") vs native VDPBF16PS (zmm)",
        CheckStatus::skip, ""};
    try {
      const Bf16Validation v = validate_vdpbf16ps(opt.lanes, opt.seed + 1);
      if (!v.ran) {
        c.detail = v.skip_reason;
      } else {
        c.status = v.mismatches[vdp] == 0 ? CheckStatus::pass : CheckStatus::fail;
        c.detail = "lanes bitwise equal per order: " + order_counts(v.mismatches, v.lanes) + " (" +
                   std::to_string(v.nan_lanes) + " NaN lanes, payloads compared)";
        if (v.mismatches[vdp] != 0) c.detail += "; " + v.first_mismatch[vdp];
      }
    } catch (const std::exception& e) {
      c.status = CheckStatus::fail;
      c.detail = e.what();
    }
    out.push_back(c);
  }

  // --- AMX: emulated == native ------------------------------------------------------
  CheckResult int8{
      "tile int8 programs: emulated == native (" + std::to_string(opt.tile_programs) + " random programs)",
      CheckStatus::skip, ""};
  CheckResult bf16{"TDPBF16PS order: emulated == native", CheckStatus::skip, ""};
  CheckResult demo{"demo GEMM: emulated == native", CheckStatus::skip, ""};
  try {
    const NativeCrosscheckReport r = run_native_tile_crosscheck(opt.tile_programs, opt.seed + 2, opt.trace);
    int8.status = r.int8_mismatches == 0 ? CheckStatus::pass : CheckStatus::fail;
    int8.detail = std::to_string(r.int8_programs - r.int8_mismatches) + "/" +
                  std::to_string(r.int8_programs) + " programs bitwise equal";
    if (r.int8_mismatches) int8.detail += "; " + r.first_int8_mismatch;

    std::string matched;
    v16.ran = true;
    v16.programs = r.bf16_programs;
    for (int o = 0; o < 3; ++o) {
      v16.matches[o] = r.bf16_matches[o];
      if (r.bf16_matches[o] == r.bf16_programs) {
        if (!matched.empty()) matched += ", ";
        matched += bf16_order_name(kAllBf16Orders[o]);
        if (r.bf16_programs > 0) {  // zero programs decide nothing
          v16.matching.push_back(bf16_order_name(kAllBf16Orders[o]));
          v16.default_confirmed = v16.default_confirmed || o == def;
        }
      }
    }
    bf16.status = r.bf16_matches[def] == r.bf16_programs ? CheckStatus::pass : CheckStatus::fail;
    bf16.detail = "programs equal per order:";
    for (int o = 0; o < 3; ++o)
      bf16.detail += std::string(" ") + bf16_order_name(kAllBf16Orders[o]) + " " +
                     std::to_string(r.bf16_matches[o]) + "/" + std::to_string(r.bf16_programs);
    bf16.detail += "; matching order(s): " + (matched.empty() ? std::string("none") : matched);
    if (bf16.status == CheckStatus::fail) {
      bf16.detail += "; default " + std::string(bf16_order_name(kDefaultBf16Order)) +
                     " differs: " + r.first_bf16_mismatch[def];
      if (!matched.empty()) bf16.detail += " -> make the matching order the default (arith.h)";
    }
    demo.status = r.demo_mismatches == 0 ? CheckStatus::pass : CheckStatus::fail;
    demo.detail = std::to_string(r.demo_runs - r.demo_mismatches) + "/" + std::to_string(r.demo_runs) +
                  " GEMMs bitwise equal";
    if (r.demo_mismatches) demo.detail += "; " + r.first_demo_mismatch;
  } catch (const std::exception& e) {
    const std::string what = e.what();
    const bool unusable = what.rfind("AMX unusable", 0) == 0;
    const std::string detail =
        unusable ? what + " (OS answer to the XTILEDATA request: " + request_amx_permission().os_answer + ")"
                 : what;
    v16.reason = detail;
    for (CheckResult* c : {&int8, &bf16, &demo}) {
      c->status = unusable ? CheckStatus::skip : CheckStatus::fail;
      c->detail = detail;
    }
  }
  out.push_back(int8);
  out.push_back(bf16);
  out.push_back(demo);
  return out;
}

}  // namespace amxlab::tile
