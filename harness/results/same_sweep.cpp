#include "harness/results/same_sweep.h"

#include <utility>

#include "harness/io/printable.h"
#include "harness/sweep/sweep.h"
#include "kernels/core/error.h"

namespace amxlab::harness {
namespace {

const nlohmann::json* field_of(const nlohmann::json& doc, const char* section, const char* key) {
  const nlohmann::json* s = &doc;
  if (section != nullptr) {
    if (!doc.is_object() || !doc.contains(section) || !doc[section].is_object()) return nullptr;
    s = &doc[section];
  }
  return s->is_object() && s->contains(key) ? &(*s)[key] : nullptr;
}

// A value read from a file, for an error message: escaped and bounded.
std::string shown(const nlohmann::json& v) {
  if (v.is_null()) return "none";
  return io::printable(v.dump(-1, ' ', true), 160);
}

// run.shard as compared (under kCount the count alone) and as shown ("i/n" or none).
std::pair<std::string, std::string> shard_of(const nlohmann::json& doc, ShardRule rule) {
  const nlohmann::json* s = field_of(doc, "run", "shard");
  if (s == nullptr || !s->is_string() || s->get<std::string>().empty()) return {"none", "none"};
  const std::string text = s->get<std::string>();
  const std::string as_shown = "\"" + io::printable(text, 80) + "\"";
  int index = 0, count = 0;
  try {
    parse_shard(text, index, count);
  } catch (const Error&) {
    return {text, as_shown};  // malformed: compared as written
  }
  return {
      rule == ShardRule::kCount ? std::to_string(count) : std::to_string(index) + "/" + std::to_string(count),
      as_shown};
}

}  // namespace

std::optional<SweepDifference> sweep_difference(const nlohmann::json& a, const nlohmann::json& b,
                                                ShardRule shard_rule) {
  for (const auto& [section, key] : {std::pair<const char*, const char*>{"run", "mode"},
                                     {"run", "isa_cap"},
                                     {"run", "hugepages"},
                                     {"run", "omp_wait_policy"},
                                     {"run", "dropped_combinations"},
                                     {"run", "sweep_digest"},
                                     {"run", "onednn"},
                                     {"run", "sources"},
                                     {"run", "timing"}}) {
    const nlohmann::json *va = field_of(a, section, key), *vb = field_of(b, section, key);
    if (va != nullptr && vb != nullptr && *va != *vb)
      return SweepDifference{std::string(section) + "." + key, shown(*va), shown(*vb)};
  }
  if (const auto sa = shard_of(a, shard_rule), sb = shard_of(b, shard_rule); sa.first != sb.first)
    return SweepDifference{shard_rule == ShardRule::kCount ? "run.shard (the shard count)" : "run.shard",
                           sa.second, sb.second};
  // The calibration is a whole calibrate run: say whether there is one, not what it holds.
  const nlohmann::json *ca = field_of(a, nullptr, "calibration"), *cb = field_of(b, nullptr, "calibration");
  if (ca != nullptr && cb != nullptr && *ca != *cb) {
    const auto which = [](const nlohmann::json& c) { return c.is_null() ? "none" : "one (--calibration)"; };
    return SweepDifference{"calibration", which(*ca),
                           ca->is_null() || cb->is_null() ? which(*cb) : "a different one (--calibration)"};
  }
  return std::nullopt;
}

}  // namespace amxlab::harness
