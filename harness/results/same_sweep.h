// Whether two results files hold parts of one sweep: `amxlab merge` joins only shards of
// one sweep, and `--resume FILE` continues a file only with the run that began it. The
// header fields that define what a sweep's results mean are compared: the mode (check,
// bench, run), the shard, the ISA cap, huge pages, OMP_WAIT_POLICY, the combinations the
// case flags dropped (the same flags drop the same ones), the digest of the whole case list
// before sharding (run.sweep_digest), the timing settings of a bench or run sweep
// (run.timing: repetitions, minimum time, cold, oneDNN, paired rounds) and the
// calibration (roofline %).
// What does not change the results is not: timestamps, machine, timeout, progress,
// isolation, cases_planned (a shard's own share). The build is compared by its callers.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace amxlab::harness {

struct SweepDifference {
  std::string field;  // as the header names it: "run.mode", "calibration", ...
  std::string a, b;   // the two values, shown (escaped: they come from files)
};

enum class ShardRule : uint8_t {
  kCount,  // merge: shards of one sweep share the shard count, not the index
  kWhole,  // resume: the same shard, "i/n" (or none) exactly
};

// The first field of the two headers (results documents) that differs, or nullopt. A
// field either header lacks (a build that did not record it) is not compared, except
// run.shard, whose absence means an unsharded run.
std::optional<SweepDifference> sweep_difference(const nlohmann::json& a, const nlohmann::json& b,
                                                ShardRule shard_rule);

}  // namespace amxlab::harness
