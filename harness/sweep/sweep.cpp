#include "harness/sweep/sweep.h"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/io/printable.h"
#include "harness/io/read_file.h"
#include "kernels/core/error.h"
#include "kernels/registry.h"

namespace amxlab::harness {
namespace {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  if (!text.empty() && text.back() == ',') out.emplace_back();
  return out;
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// Kernels a kernel list entry stands for, for one type.
std::vector<std::string> kernels_for(const std::string& entry, QType type, bool no_stand_ins,
                                     std::string* why) {
  if (entry == "all") {
    std::vector<std::string> out;
    for (const auto& k : kernel_registry()) {
      if (k.weight_type == type && !(no_stand_ins && k.engine == Engine::stand_in)) out.emplace_back(k.name);
    }
    if (out.empty()) *why = std::string("no registered kernel for ") + name(type);
    return out;
  }
  if (entry.rfind("test.", 0) == 0 && !is_test_kernel(entry))
    throw Error("--kernel: unknown test kernel '" + entry + "' (" + test_kernel_list() + ")");
  if (entry == "auto" || entry == "golden" || is_test_kernel(entry)) return {entry};
  const KernelDesc* k = find_kernel(entry);
  if (k == nullptr) throw Error("--kernel: unknown kernel '" + entry + "'");
  if (k->weight_type != type) {
    *why = entry + " reads " + name(k->weight_type) + ", not " + name(type);
    return {};
  }
  return {entry};
}

// A case that can exist joins the expansion (as its descriptor parses back); one that
// cannot is listed in `dropped` with why.
void add_if_valid(Expansion& out, const Case& c) {
  try {
    validate_case(c);
    out.cases.push_back(parse_case(c.descriptor()));
  } catch (const Error& e) {
    out.dropped.push_back(e.what());
  }
}

}  // namespace

Expansion expand(const SweepSpec& spec) {
  Expansion out;
  for (const auto& kentry : spec.kernels) {
    for (QType type : spec.types) {
      std::string why;
      const auto names = kernels_for(kentry, type, spec.all_without_stand_ins, &why);
      if (names.empty()) {
        out.dropped.push_back(kentry + " x " + name(type) + ": " + why);
        continue;
      }
      for (const auto& kname : names) {
        for (int64_t m : spec.m) {
          for (int64_t n : spec.n) {
            for (int64_t k : spec.k) {
              for (int t : spec.threads) {
                for (const auto& place : spec.place) {
                  for (const auto& numa : spec.numa) {
                    for (ActQuant aq : spec.act_quant) {
                      for (uint64_t seed : spec.seeds) {
                        add_if_valid(out, Case{kname, type, m, n, k, t, place, numa, aq, seed, 0, 0, {}});
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

Expansion modify(const std::vector<Case>& cases, const CaseModifiers& mods) {
  Expansion out;
  // One field at a time: each given list replaces the field in every case so far.
  std::vector<Case> cur = cases;
  const auto replace = [&](const auto& values, auto&& set) {
    if (values.empty()) return;
    std::vector<Case> next;
    for (const Case& c : cur) {
      for (const auto& v : values) {
        Case m = c;
        set(m, v);
        next.push_back(m);
      }
    }
    cur = std::move(next);
  };
  if (!mods.kernels.empty()) {
    std::vector<Case> next;
    for (const Case& c : cur) {
      for (const auto& entry : mods.kernels) {
        std::string why;
        const auto names = kernels_for(entry, c.type, false, &why);
        if (names.empty()) out.dropped.push_back(c.descriptor() + " x --kernel " + entry + ": " + why);
        for (const auto& kname : names) {
          Case m = c;
          m.kernel = kname;
          next.push_back(m);
        }
      }
    }
    cur = std::move(next);
  }
  replace(mods.threads, [](Case& c, int v) { c.threads = v; });
  replace(mods.place, [](Case& c, const std::string& v) { c.place = v; });
  replace(mods.numa, [](Case& c, const std::string& v) { c.numa = v; });
  replace(mods.act_quant, [](Case& c, ActQuant v) { c.act_quant = v; });
  replace(mods.seeds, [](Case& c, uint64_t v) { c.seed = v; });
  for (const Case& c : cur) add_if_valid(out, c);
  return out;
}

std::vector<int64_t> parse_int_list(const std::string& flag, const std::string& text) {
  std::vector<int64_t> out;
  for (const auto& item : split_commas(text)) {
    int64_t v = 0;
    const auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || p != item.data() + item.size() || v < 1) {
      throw Error(flag + ": '" + item + "' is not a positive integer (in '" + text + "')");
    }
    out.push_back(v);
  }
  if (out.empty()) throw Error(flag + ": empty list");
  return out;
}

std::vector<QType> parse_type_list(const std::string& flag, const std::string& text) {
  std::vector<QType> out;
  for (const auto& item : split_commas(text)) {
    const auto t = parse_qtype(item);
    if (!t) throw Error(flag + ": unknown type '" + item + "'");
    out.push_back(*t);
  }
  if (out.empty()) throw Error(flag + ": empty list");
  return out;
}

std::vector<std::string> parse_string_list(const std::string& flag, const std::string& text) {
  auto out = split_commas(text);
  for (const auto& s : out) {
    if (s.empty() || s.find_first_of(":= \t") != std::string::npos) {
      throw Error(flag + ": bad item '" + s + "' (empty, or holds ':', '=' or space)");
    }
  }
  if (out.empty()) throw Error(flag + ": empty list");
  return out;
}

std::vector<Case> parse_batch(const std::string& text, const std::string& source_name) {
  std::vector<Case> out;
  std::stringstream ss(text);
  std::string line;
  int line_no = 0;
  while (std::getline(ss, line)) {
    ++line_no;
    const size_t hash = line.find('#');
    const std::string body = trim(hash == std::string::npos ? line : line.substr(0, hash));
    if (body.empty()) continue;
    try {
      out.push_back(parse_case(body));
    } catch (const Error& e) {
      throw Error(io::printable(source_name, 300) + ":" + std::to_string(line_no) + ": " + e.what());
    }
  }
  return out;
}

std::vector<Case> read_batch_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error("batch file " + io::printable(path, 300) + " is a directory");
  auto cases = parse_batch(io::read_regular_file(path, "batch file"), path);
  if (cases.empty())
    throw Error("batch file " + io::printable(path, 300) +
                " holds no case (only blank lines and '#' comments): one descriptor per line");
  return cases;
}

std::vector<Case> shard(const std::vector<Case>& cases, int index, int count) {
  require(count >= 1 && index >= 0 && index < count,
          "--shard: index " + std::to_string(index) + " of " + std::to_string(count) + " is out of range");
  std::vector<Case> out;
  for (size_t i = static_cast<size_t>(index); i < cases.size(); i += static_cast<size_t>(count)) {
    out.push_back(cases[i]);
  }
  return out;
}

std::string sweep_digest(const std::vector<Case>& cases) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const Case& c : cases) {
    for (const char ch : c.descriptor() + "\n") {
      h ^= static_cast<unsigned char>(ch);
      h *= 0x100000001b3ull;
    }
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void parse_shard(const std::string& text, int& index, int& count) {
  const size_t slash = text.find('/');
  auto num = [&](const std::string& s, int& v) {
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size();
  };
  if (slash == std::string::npos || !num(text.substr(0, slash), index) ||
      !num(text.substr(slash + 1), count) || count < 1 || index < 0 || index >= count) {
    throw Error("--shard: '" + text + "' is not i/n with 0 <= i < n");
  }
}

}  // namespace amxlab::harness
