// Strings read from files reach the terminal escaped, end to end through `amxlab`: GGUF
// tensor names in "no tensor named ...; available: ...", batch file lines, descriptors and
// verdicts of results files (compare), a calibration file's schema. Each file holds an
// ESC sequence, a BEL or a byte that is not UTF-8; the output must show \xHH and hold
// no raw control or non-ASCII byte.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "harness/results/results_file.h"
#include "tests/cli/cli_util.h"
#include "tests/io/gguf_writer.h"
#include "tests/test_util.h"

namespace amxlab::testing {
namespace {

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(CliEscaping, GgufTensorNamesInNoTensorNamed) {
  const std::string gguf = temp_file("evil.gguf");
  FileSpec s;
  s.tensors.push_back({"blk.0.red\x1b[31m", 0, {32, 2}, 0});
  s.tensors.push_back({"\xff\xfe-not-utf8", 0, {32, 2}, 256});
  ASSERT_TRUE(write_gguf(gguf, s));
  const auto r = run_amxlab("check --no-isolate --no-onednn --weights " + gguf + ":missing");
  std::remove(gguf.c_str());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("no tensor named 'missing'; available: blk.0.red\\x1b[31m, \\xff\\xfe-not-utf8"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(raw_byte_in(r.output), "") << r.output;
}

TEST(CliEscaping, BatchFileLines) {
  const std::string batch = temp_file("evil.txt");
  write_text(batch, "q8_0:m1n32k32:t1\nq8_0:m1n32k32:t1:kernel=x\x1b]0;pwned\x07\n");
  const auto r = run_amxlab("check --no-isolate --no-onednn --batch " + batch);
  std::remove(batch.c_str());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find(":2: case 'q8_0:m1n32k32:t1:kernel=x\\x1b]0;pwned\\x07'"), std::string::npos)
      << r.output;
  EXPECT_EQ(raw_byte_in(r.output), "") << r.output;
}

TEST(CliEscaping, ResultsFilesInCompare) {
  const std::string old_path = temp_file("old.json"), new_path = temp_file("new.json");
  const auto doc = [](const std::string& descriptor, const std::string& verdict) {
    return nlohmann::json{{"schema", harness::kResultsSchema},
                          {"schema_version", harness::kResultsSchemaVersion},
                          {"cases", {{{"descriptor", descriptor}, {"verdict", verdict}}}}};
  };
  write_text(old_path, doc("q8_0:m1n32k32:t1:kernel=a\x1b[2J", "PASS").dump());
  write_text(new_path, doc("q8_0:m1n32k32:t1:kernel=a\x1b[2J", "FAIL").dump());
  const auto r = run_amxlab("compare " + old_path + " " + new_path);
  EXPECT_NE(r.output.find("kernel=a\\x1b[2J"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("NEW FAILURE (PASS -> FAIL)"), std::string::npos) << r.output;
  EXPECT_EQ(raw_byte_in(r.output), "") << r.output;
  // A verdict the lab never writes is refused where the file is read, shown escaped.
  write_text(new_path, doc("q8_0:m1n32k32:t1:kernel=a\x1b[2J", "odd\x07\x1b[2J").dump());
  const auto odd = run_amxlab("compare " + old_path + " " + new_path);
  EXPECT_EQ(odd.status, 2) << odd.output;
  EXPECT_NE(odd.output.find("case 0: verdict \"odd\\\\u0007\\\\u001b[2J\" is none of PASS"),
            std::string::npos)
      << odd.output;
  EXPECT_EQ(raw_byte_in(odd.output), "") << odd.output;

  // Bytes that are not UTF-8: nlohmann's parse error quotes them; shown escaped.
  write_text(new_path, "{\"schema\": \"\xff\x1b[31m\"");
  const auto bad = run_amxlab("compare " + old_path + " " + new_path);
  std::remove(old_path.c_str());
  std::remove(new_path.c_str());
  EXPECT_EQ(bad.status, 2) << bad.output;
  EXPECT_NE(bad.output.find("not valid JSON"), std::string::npos) << bad.output;
  EXPECT_EQ(raw_byte_in(bad.output), "") << bad.output;

  // A file's own name is a string from outside too: not JSON, another schema.
  const std::string evil_path = temp_file("e\x1b[31mx.json");
  for (const std::string& text : {std::string("not json"), std::string("{\"schema\": \"other\"}")}) {
    write_text(evil_path, text);
    const auto named = run_amxlab("compare '" + evil_path + "' '" + evil_path + "'");
    EXPECT_EQ(named.status, 2) << named.output;
    EXPECT_NE(named.output.find("e\\x1b[31mx.json"), std::string::npos) << named.output;
    EXPECT_EQ(raw_byte_in(named.output), "") << named.output;
  }
  std::remove(evil_path.c_str());
}

TEST(CliEscaping, CalibrationSchema) {
  const std::string cal = temp_file("calibration.json");
  write_text(cal, nlohmann::json{{"schema", "amxlab.calibration.v1\x1b[31m"}}.dump());
  const auto r = run_amxlab("bench --no-onednn --no-cold --reps 1 --min-time 0.001 --calibration " + cal +
                            " --case q8_0:m1n32k32:t1:kernel=golden --out " + temp_file("cal-bench.json"));
  std::remove(cal.c_str());
  std::remove(temp_file("cal-bench.json").c_str());
  EXPECT_NE(r.output.find("amxlab.calibration.v1\\x1b[31m"), std::string::npos) << r.output;
  EXPECT_EQ(raw_byte_in(r.output), "") << r.output;
}

}  // namespace
}  // namespace amxlab::testing
