#include "reference/golden/output_chunks.h"

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

#include "kernels/core/cpu_affinity.h"

namespace amxlab::golden {
namespace {

// Below this much scalar work per thread (~10 ms) starting a thread is not worth it.
constexpr double kMinMacsPerThread = 16.0 * 1024 * 1024;

}  // namespace

int64_t output_chunk_threads(int64_t count, int64_t macs_per_item) {
  if (count <= 0) return 0;
  const double work = static_cast<double>(count) * static_cast<double>(std::max<int64_t>(1, macs_per_item));
  const auto by_work = static_cast<int64_t>(std::max(1.0, work / kMinMacsPerThread));
  const auto cpus = std::max<int64_t>(1, std::ssize(allowed_cpus()));
  return std::min({cpus, count, by_work});
}

void for_output_chunks(int64_t count, int64_t macs_per_item,
                       const std::function<void(int64_t, int64_t)>& body) {
  if (count <= 0) return;
  const int64_t threads = output_chunk_threads(count, macs_per_item);
  if (threads <= 1) {
    body(0, count);
    return;
  }
  auto begin_of = [&](int64_t t) { return count * t / threads; };
  std::vector<std::exception_ptr> errors(static_cast<size_t>(threads));
  {
    // Declared after `errors`: the jthreads join (on any exit) before it goes away.
    std::vector<std::jthread> helpers;
    helpers.reserve(static_cast<size_t>(threads - 1));
    for (int64_t t = 1; t < threads; ++t) {
      helpers.emplace_back([&, t] {
        try {
          body(begin_of(t), begin_of(t + 1));
        } catch (...) {
          errors[static_cast<size_t>(t)] = std::current_exception();
        }
      });
    }
    try {
      body(0, begin_of(1));
    } catch (...) {
      errors[0] = std::current_exception();
    }
  }
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace amxlab::golden
