// Linked into the AMX test binaries: the process asks for AMX permission once, before its
// first test, as the thread pool does; the emulator refuses tile code otherwise
// (tests/amx/test_amx_permission.cpp, its own binary, checks that).
#include <gtest/gtest.h>

#include "kernels/core/cpu_features.h"

namespace amxlab::amx {
namespace {

class AmxEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { (void)request_amx_permission(); }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new AmxEnvironment);

}  // namespace
}  // namespace amxlab::amx
