// Kernels under test (harness/runner): a kernel prepared from another's packed bytes
// (prepare_copy, the cold timing's rotating copies) computes the same bits as one that
// packed for itself and as golden, dense and MoE; a source that is not the same kernel,
// prepared, is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/runner/case_data.h"
#include "harness/runner/kernel_under_test.h"
#include "harness/sweep/case.h"

namespace amxlab::harness {
namespace {

std::vector<uint32_t> run_bits(KernelUnderTest& k, const Case& c, const CaseData& d) {
  std::vector<float> y(static_cast<size_t>(c.out_rows() * c.n), std::numeric_limits<float>::quiet_NaN());
  k.run(c, d, y.data());
  std::vector<uint32_t> bits(y.size());
  std::memcpy(bits.data(), y.data(), y.size() * 4);
  return bits;
}

void expect_copy_matches(const std::string& descriptor) {
  SCOPED_TRACE(descriptor);
  const Case c = parse_case(descriptor);
  const CaseData d = make_case_data(c);
  std::vector<uint32_t> want(static_cast<size_t>(c.out_rows() * c.n));
  run_golden(c, d, want.data());

  const auto packed = make_kernel_under_test(c, d);
  packed->prepare(c, d);
  const auto copy = make_kernel_under_test(c, d);
  copy->prepare_copy(c, d, *packed);
  EXPECT_EQ(copy->placement().value("status", std::string()),
            packed->placement().value("status", std::string()));
  const std::vector<uint32_t> from_pack = run_bits(*packed, c, d), from_copy = run_bits(*copy, c, d);
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(from_copy[i], want[i]) << "y[" << i / static_cast<size_t>(c.n) << "]["
                                     << i % static_cast<size_t>(c.n) << "] of the copy, golden bits "
                                     << want[i];
    ASSERT_EQ(from_pack[i], want[i]) << "y[" << i / static_cast<size_t>(c.n) << "]["
                                     << i % static_cast<size_t>(c.n) << "] of the packed kernel";
  }
}

TEST(KernelUnderTest, CopyOfPackedWeightsGivesGoldenBits) {
  for (const char* d : {"q4_0:m17n33k64:t2", "q4_K:m3n17k512:t2", "q8_0:m1n48k96:t1:numa=replicate"})
    expect_copy_matches(d);
}

TEST(KernelUnderTest, CopyOfExpertStackGivesGoldenBits) {
  expect_copy_matches("q4_0:e4top2t7n33k64:t2:route=uniform");
}

TEST(KernelUnderTest, CopyRefusesAnotherOrUnpreparedSource) {
  const Case c = parse_case("q4_0:m2n16k64:t1");
  const CaseData d = make_case_data(c);
  const auto unprepared = make_kernel_under_test(c, d);
  const auto copy = make_kernel_under_test(c, d);
  EXPECT_THROW(copy->prepare_copy(c, d, *unprepared), std::logic_error);

  Case other = c;
  other.kernel = "golden";
  const auto golden = make_kernel_under_test(other, d);
  golden->prepare(other, d);
  EXPECT_THROW(copy->prepare_copy(c, d, *golden), std::logic_error);

  const Case wider = parse_case("q4_0:m2n32k64:t1");
  const CaseData dw = make_case_data(wider);
  const auto packed_wider = make_kernel_under_test(wider, dw);
  packed_wider->prepare(wider, dw);
  EXPECT_THROW(copy->prepare_copy(c, d, *packed_wider), std::logic_error);
}

}  // namespace
}  // namespace amxlab::harness
