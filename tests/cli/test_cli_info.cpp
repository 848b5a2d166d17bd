// What scripts read from `amxlab info` and `amxlab tile-selftest`
// (scripts/amx_hardware_check.sh): the kernel registry with engine, needs and status,
// and the TDPBF16PS order verdict written by `tile-selftest --out`.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "tests/cli/cli_util.h"

namespace amxlab::testing {
namespace {

TEST(CliInfo, ListsEveryKernelWithEngineNeedsAndStatus) {
  const auto r = run_amxlab("info --json");
  ASSERT_EQ(r.status, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  ASSERT_TRUE(j["kernels"].is_array());
  const bool amx = j["amx"]["usable"].get<bool>();
  std::set<std::string> names;
  for (const auto& k : j["kernels"]) {
    const std::string name = k["name"];
    names.insert(name);
    const bool native_amx =
        k["engine"] == "native" && k["needs"].get<std::string>().find("amx_int8") != std::string::npos;
    if (native_amx) {
      EXPECT_EQ(k["runnable"].get<bool>(), amx) << name;
    }
    if (!k["runnable"].get<bool>()) {
      EXPECT_FALSE(k["reason"].get<std::string>().empty()) << name;
    }
    // An emulated AMX kernel needs its host ISA, never AMX (it runs on every machine that
    // has the host ISA), and says which AMX instructions it stands for.
    const std::string needs = k["needs"], emulates = k["emulates"];
    if (k["engine"] == "emulated") {
      EXPECT_EQ(needs.find("amx"), std::string::npos) << k.dump();
      EXPECT_TRUE(emulates == "amx_int8" || emulates == "amx_bf16") << k.dump();
      EXPECT_EQ(emulates == "amx_bf16", k["weight_type"] == "bf16") << k.dump();
    } else {
      EXPECT_EQ(emulates, "") << k.dump();
    }
  }
  EXPECT_TRUE(names.count("q8_0_gemm_32x32__amx")) << r.output;
  EXPECT_TRUE(names.count("q8_0_gemm_32x32__amx_emulated")) << r.output;
  // Every AVX-VNNI kernel has its EVEX stand-in, which needs AVX-512 VNNI instead.
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& k : j["kernels"]) by_name[k["name"].get<std::string>()] = k;
  size_t avxvnni = 0;
  for (const auto& [name, k] : by_name) {
    if (!name.ends_with("__avxvnni")) continue;
    ++avxvnni;
    ASSERT_TRUE(by_name.count(name + "_evex")) << name;
    const auto& twin = by_name.at(name + "_evex");
    EXPECT_EQ(twin["engine"], "stand-in") << name;
    EXPECT_EQ(k["engine"], "native") << name;
    EXPECT_NE(twin["needs"].get<std::string>().find("avx512_vnni"), std::string::npos) << twin.dump();
  }
  EXPECT_EQ(avxvnni, 20u);  // ten GEMMs, ten GEMVs (Q8_0, Q4_0, Q4_1, K-quants, IQ4_NL)

  // The text form: one line per kernel, name first and engine in the fourth column.
  const auto t = run_amxlab("info");
  ASSERT_EQ(t.status, 0) << t.output;
  std::istringstream lines(t.output);
  std::string line;
  size_t kernel_lines = 0;
  size_t engine_column = std::string::npos;
  while (std::getline(lines, line)) {
    std::istringstream cols(line);
    std::string name, type, op, engine, needs;
    cols >> name >> type >> op >> engine >> needs;
    if (names.count(name) == 0) continue;
    ++kernel_lines;
    EXPECT_TRUE(engine == "native" || engine == "emulated" || engine == "stand-in") << line;
    EXPECT_EQ(needs, by_name.at(name)["needs"].get<std::string>()) << line;
    // The columns line up: the engine starts at the same offset on every kernel line.
    const size_t engine_at = line.find(" " + engine + " ");
    if (engine_column == std::string::npos) engine_column = engine_at;
    EXPECT_EQ(engine_at, engine_column) << line;
  }
  EXPECT_EQ(kernel_lines, names.size()) << t.output;
}

TEST(CliTileSelftest, OutWritesTheBf16OrderVerdict) {
  const std::string out = temp_file("selftest.json");
  const auto r = run_amxlab("tile-selftest --lanes 256 --programs 50 --out " + out);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("TDPBF16PS order verdict: "), std::string::npos) << r.output;
  const auto j = read_json(out);
  std::remove(out.c_str());
  const auto& v = j["tdpbf16ps"];
  ASSERT_TRUE(v.is_object()) << j.dump(2);
  EXPECT_EQ(v["default_order"], j["bf16_order"]);
  EXPECT_FALSE(v["verdict"].get<std::string>().empty());
  const auto info = nlohmann::json::parse(run_amxlab("info --json").output);
  EXPECT_EQ(v["ran"].get<bool>(), info["amx"]["usable"].get<bool>());
  if (!v["ran"].get<bool>()) {
    EXPECT_EQ(v["verdict"].get<std::string>().rfind("undecided: ", 0), 0u) << v.dump();
  }
  EXPECT_EQ(j["checks"].size(), 5u);
}

}  // namespace
}  // namespace amxlab::testing
