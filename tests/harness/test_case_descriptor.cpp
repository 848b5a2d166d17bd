// Case descriptors round-trip; every malformed one names its field.
#include <gtest/gtest.h>

#include "harness/sweep/case.h"
#include "harness/sweep/sweep.h"
#include "kernels/core/error.h"
#include "kernels/registry.h"
#include "tests/test_util.h"

namespace amxlab::harness {
namespace {

void expect_error(const std::string& descriptor, const std::string& phrase) {
  try {
    parse_case(descriptor);
    ADD_FAILURE() << "no error for " << descriptor;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(phrase), std::string::npos) << descriptor << " -> " << e.what();
  }
}

TEST(CaseDescriptor, RoundTrips) {
  const Case c{"q8_0_gemm_4x32__avx512vnni",
               QType::Q8_0,
               512,
               4096,
               4096,
               2,
               "scatter",
               "bind.1",
               ActQuant::ref,
               7,
               0,
               0,
               {}};
  EXPECT_EQ(
      c.descriptor(),
      "q8_0:m512n4096k4096:t2:kernel=q8_0_gemm_4x32__avx512vnni:place=scatter:numa=bind.1:aq=ref:seed=7");
  EXPECT_EQ(parse_case(c.descriptor()), c);
  // Short forms take defaults, and print every field.
  const Case d = parse_case("q4_K:m1n4096k14336:t1");
  EXPECT_EQ(d.kernel, "auto");
  EXPECT_EQ(d.numa, "local");
  EXPECT_EQ(d.act_quant, ActQuant::runtime);
  EXPECT_EQ(parse_case(d.descriptor()), d);
  // key=value fields in any order.
  EXPECT_EQ(parse_case("q4_0:m1n32k32:t3:seed=5:numa=interleave:kernel=golden").seed, 5u);
}

TEST(CaseDescriptor, ErrorsNameTheField) {
  expect_error("q9_0:m1n1k32:t1", "field type");
  expect_error("q8_0:m1n1:t1", "field shape");
  expect_error("q8_0:m1nxk32:t1", "field shape");
  expect_error("q8_0:m1n1k33:t1", "not a multiple of the q8_0 block size 32");
  expect_error("q4_K:m1n1k32:t1", "block size 256");
  expect_error("q8_0:m1n1k32:2", "field threads");
  expect_error("q8_0:m1n1k32:t0", "field threads");
  expect_error("q8_0:m1n1k32:t1:numa=bind:1", "field numa");
  expect_error("q8_0:m1n1k32:t1:numa=bind.x", "field numa");
  expect_error("q8_0:m1n1k32:t1:aq=fast", "field aq");
  expect_error("q8_0:m1n1k32:t1:color=red", "field color");
  expect_error("q8_0:m1n1k32:t1:seed=1:seed=2", "given twice");
  expect_error("q8_0:m1n1k32:t1:seed=-1", "field seed");
  expect_error("q8_0:m1n1k32:t1:place=everywhere", "field place");
  expect_error("q8_0:m0n1k32:t1", "field shape");
  // A kernel no build registers, or another type's: the descriptor is refused (a batch
  // line, before anything runs), not each case's ERROR.
  expect_error("q8_0:m1n1k32:t1:kernel=no_such_kernel", "'no_such_kernel' is no registered kernel");
  expect_error("q8_0:m1n1k32:t1:kernel=test.nope", "unknown test kernel");
  expect_error("q4_0:m1n1k32:t1:kernel=q8_0_gemm_4x32__avx512vnni",
               "q8_0_gemm_4x32__avx512vnni reads q8_0 weights, the case is q4_0");
  // The plain types quantise no activations: aq=ref would be aq=runtime again.
  for (const char* plain : {"f32", "bf16", "f16", "s8", "u8"})
    expect_error(std::string(plain) + ":m1n1k32:t1:aq=ref", "aq=ref applies to block types only");
}

TEST(CaseDescriptor, MoeCasesRoundTrip) {
  const Case c = parse_case("q4_0:e128top8t512n768k2048:t2:route=zipf");
  EXPECT_TRUE(c.moe());
  EXPECT_EQ(c.experts, 128);
  EXPECT_EQ(c.top_k, 8);
  EXPECT_EQ(c.m, 512);
  EXPECT_EQ(c.out_rows(), 4096);
  EXPECT_EQ(c.n, 768);
  EXPECT_EQ(c.k, 2048);
  EXPECT_EQ(c.route, "zipf");
  EXPECT_EQ(
      c.descriptor(),
      "q4_0:e128top8t512n768k2048:t2:kernel=auto:route=zipf:place=compact:numa=local:aq=runtime:seed=1");
  EXPECT_EQ(parse_case(c.descriptor()), c);
  EXPECT_EQ(parse_case("q8_0:e8top2t1n64k64:t1").route, "uniform");
  const Case pair =
      parse_case("q4_0:e4top1t7n16k32:t1:kernel=q4_0_gemm_4x32__avx512vnni+q4_0_gemv_1x64__avx512vnni");
  EXPECT_EQ(parse_case(pair.descriptor()), pair);
  // A dense case prints no route; a MoE case always does.
  EXPECT_EQ(parse_case("q8_0:m1n1k32:t1").descriptor().find("route"), std::string::npos);
}

TEST(CaseDescriptor, MoeErrorsNameTheField) {
  expect_error("q4_0:e128top8n768k2048:t1", "field shape");
  expect_error("q4_0:e128top8t512n768:t1", "field shape");
  expect_error("q4_0:e0top1t1n16k32:t1", "E >= 1 and top_k >= 1");
  expect_error("q4_0:e4top8t1n16k32:t1", "top_k <= E");
  expect_error("q4_0:e4topxt1n16k32:t1", "non-integer");
  expect_error("q4_0:e4top1t1n16k33:t1", "block size 32");
  expect_error("q4_0:e4top1t1n16k32:t1:route=hot", "field route");
  expect_error("q4_0:m1n16k32:t1:route=zipf", "mixture-of-experts cases only");
}

TEST(Sweep, CrossProductDropsImpossibleCombinationsVisibly) {
  SweepSpec s;
  s.kernels = {"golden"};
  s.types = {QType::Q8_0, QType::Q4_K};
  s.m = {1, 16};
  s.n = {64};
  s.k = {32, 256};
  s.threads = {1, 2};
  const Expansion e = expand(s);
  EXPECT_EQ(e.cases.size(), 2u * 2 * 2 + 1u * 2 * 2);  // q4_K has no K=32
  EXPECT_EQ(e.dropped.size(), 4u);
  for (const auto& d : e.dropped) EXPECT_NE(d.find("block size 256"), std::string::npos) << d;
  // --aq runtime,ref over a plain type: its one case, the ref half dropped with the reason.
  SweepSpec p;
  p.kernels = {"golden"};
  p.types = {QType::F32, QType::Q8_0};
  p.m = {1};
  p.n = {64};
  p.k = {32};
  p.threads = {1};
  p.act_quant = {ActQuant::runtime, ActQuant::ref};
  const Expansion pe = expand(p);
  EXPECT_EQ(pe.cases.size(), 3u);
  ASSERT_EQ(pe.dropped.size(), 1u);
  EXPECT_NE(pe.dropped[0].find("f32 quantises no activations"), std::string::npos) << pe.dropped[0];
}

// "all" is every registered kernel of the type; the main job's quick pass leaves the
// stand-ins out (all_without_stand_ins), and nothing else.
TEST(Sweep, AllWithoutStandInsLeavesOnlyThemOut) {
  SweepSpec s;
  s.kernels = {"all"};
  s.types = {QType::Q4_K};
  s.n = {64};
  s.k = {256};
  size_t registered = 0, stand_ins = 0;
  for (const auto& k : kernel_registry()) {
    if (k.weight_type != QType::Q4_K) continue;
    ++registered;
    if (k.engine == Engine::stand_in) ++stand_ins;
  }
  ASSERT_GT(stand_ins, 0u);
  EXPECT_EQ(expand(s).cases.size(), registered);
  s.all_without_stand_ins = true;
  const Expansion e = expand(s);
  EXPECT_EQ(e.cases.size(), registered - stand_ins);
  for (const auto& c : e.cases) {
    const KernelDesc* k = find_kernel(c.kernel);
    ASSERT_NE(k, nullptr) << c.kernel;
    EXPECT_NE(k->engine, Engine::stand_in) << c.kernel;
  }
}

TEST(Sweep, ListFlagsReportTheBadItem) {
  EXPECT_EQ(parse_int_list("--m", "1,16,512"), (std::vector<int64_t>{1, 16, 512}));
  EXPECT_THROW(parse_int_list("--m", "1,x"), Error);
  EXPECT_THROW(parse_int_list("--m", "1,,2"), Error);
  EXPECT_THROW(parse_type_list("--type", "q4_0,q5_0"), Error);
  try {
    parse_int_list("--k", "32,-4");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--k: '-4'"), std::string::npos) << e.what();
  }
}

TEST(BatchFile, CommentsBlankLinesAndErrorsWithLineNumbers) {
  const auto cases = parse_batch("# smoke\n\nq8_0:m1n32k32:t1  # one\n  q4_0:m2n32k64:t2\n", "smoke.txt");
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[1].m, 2);
  try {
    parse_batch("q8_0:m1n32k32:t1\nq8_0:m1n32k32:t1:numa=moon\n", "bad.txt");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.txt:2:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("field numa"), std::string::npos) << e.what();
  }
}

// Batch files (and results files) feed descriptors: a line holding control or non-ASCII
// bytes is refused, and the message quotes it escaped, with its line number.
TEST(BatchFile, ControlBytesAreRefusedAndShownEscaped) {
  const std::string msg = amxlab::testing::error_of(
      [] { parse_batch("q8_0:m1n32k32:t1\nq8_0:m1n32k32:t1:kernel=evil\x1b[2J\n", "evil.txt"); });
  EXPECT_NE(msg.find("evil.txt:2:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("kernel=evil\\x1b[2J"), std::string::npos) << msg;
  EXPECT_NE(msg.find("non-printable byte"), std::string::npos) << msg;
  EXPECT_EQ(amxlab::testing::raw_byte_in(msg), "") << msg;

  for (const char* line : {"q8\xff_0:m1n32k32:t1", "q8_0:m1\x1bn32k32:t1", "q8_0:m1n32k32:t\x07",
                           "q8_0:m1n32k32:t1:\x1b=1", "q8_0:m1n32k32:t1:seed=\xff"}) {
    const std::string m = amxlab::testing::error_of([&] { parse_case(line); });
    EXPECT_EQ(amxlab::testing::raw_byte_in(m), "") << m;
    EXPECT_TRUE(m.find("\\x1b") != std::string::npos || m.find("\\xff") != std::string::npos ||
                m.find("\\x07") != std::string::npos)
        << m;
  }
}

TEST(Shard, DisjointAndCovering) {
  SweepSpec s;
  s.kernels = {"golden"};
  s.m = {1, 2, 3, 4, 5, 6, 7};
  s.n = {32};
  s.k = {32};
  const auto all = expand(s).cases;
  std::vector<Case> joined;
  for (int i = 0; i < 3; ++i) {
    const auto part = shard(all, i, 3);
    joined.insert(joined.end(), part.begin(), part.end());
  }
  ASSERT_EQ(joined.size(), all.size());
  for (const auto& c : all) EXPECT_EQ(std::count(joined.begin(), joined.end(), c), 1);
  int i = 0, n = 0;
  parse_shard("2/5", i, n);
  EXPECT_EQ(i, 2);
  EXPECT_EQ(n, 5);
  EXPECT_THROW(parse_shard("5/5", i, n), Error);
  EXPECT_THROW(parse_shard("1-2", i, n), Error);
}

}  // namespace
}  // namespace amxlab::harness
