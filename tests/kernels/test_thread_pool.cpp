// The pinned thread pool: every index exactly once at every pool size, exceptions,
// MXCSR on workers, cut_output's coverage, run_gemm across thread counts.
#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "harness/threading/thread_pool.h"
#include "kernels/core/error.h"
#include "kernels/core/formats.h"
#include "kernels/core/fpenv.h"
#include "kernels/isa.h"
#include "kernels/moe/expert_pack.h"
#include "kernels/moe/moe_gemm.h"
#include "kernels/registry.h"
#include "tests/test_util.h"

namespace amxlab::testing {
namespace {

using threading::cut_output;
using threading::ThreadPool;

TEST(ThreadPool, EveryIndexRunsExactlyOnce) {
  for (int threads = 1; threads <= 13; ++threads) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    EXPECT_EQ(pool.cpus().size(), static_cast<size_t>(threads));
    for (int64_t count : {0, 1, 2, 3, 7, 64, 1000}) {
      for (int rep = 0; rep < 3; ++rep) {
        std::vector<std::atomic<int>> hits(static_cast<size_t>(count));
        pool.parallel_for(count, [&](int64_t i) { hits[static_cast<size_t>(i)].fetch_add(1); });
        for (int64_t i = 0; i < count; ++i)
          ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << threads << "/" << count;
      }
    }
  }
}

TEST(ThreadPool, ManySmallCallsInARow) {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    std::atomic<int64_t> sum{0};
    constexpr int kCalls = 500;
    const auto t0 = std::chrono::steady_clock::now();
    for (int call = 0; call < kCalls; ++call) pool.parallel_for(3, [&](int64_t i) { sum.fetch_add(i + 1); });
    const double us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(sum.load(), kCalls * 6);
    std::printf("  %d workers: %.1f us per parallel_for (fork/join of 3 tiny tasks)\n", threads, us / kCalls);
  }
}

TEST(ThreadPool, WorkersArePinnedToAllowedCpus) {
  const std::vector<int> allowed = threading::allowed_cpus();
  ASSERT_FALSE(allowed.empty());
  ThreadPool pool(static_cast<int>(allowed.size()) + 1);
  EXPECT_TRUE(pool.oversubscribed());
  for (size_t i = 0; i < pool.cpus().size(); ++i) EXPECT_EQ(pool.cpus()[i], allowed[i % allowed.size()]);
  ThreadPool unpinned(2, false);
  for (int c : unpinned.cpus()) EXPECT_EQ(c, -1);
}

// Worker 0 is the calling thread: pinned to the pool's first CPU during the call, its own
// mask and MXCSR given back after; the others are the pool's threads.
TEST(ThreadPool, TheCallerIsWorkerZeroAndGetsItsMaskBack) {
  const std::vector<int> allowed = threading::allowed_cpus();
  ASSERT_FALSE(allowed.empty());
  const int first = allowed.back();
  ThreadPool pool(std::vector<int>{first, allowed.front()});
  const std::thread::id me = std::this_thread::get_id();
  cpu_set_t before;
  ASSERT_EQ(sched_getaffinity(0, sizeof before, &before), 0);
  std::thread::id worker0;
  int worker0_cpu = -2;
  pool.for_each_worker([&](int64_t w) {
    if (w == 0) {
      worker0 = std::this_thread::get_id();
      worker0_cpu = sched_getcpu();
    }
  });
  EXPECT_EQ(worker0, me);
  EXPECT_EQ(worker0_cpu, first);
  cpu_set_t after;
  ASSERT_EQ(sched_getaffinity(0, sizeof after, &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&before, &after)) << "the caller's own CPU mask was not restored";
  // Indices of parallel_for run on the caller too, and on exactly size() threads.
  std::mutex mu;
  std::set<std::thread::id> ran_on;
  pool.parallel_for(2000, [&](int64_t) {
    const std::lock_guard<std::mutex> lock(mu);
    ran_on.insert(std::this_thread::get_id());
  });
  EXPECT_LE(ran_on.size(), 2u);
  // A CallerBinding holds the pin across calls; the pool then leaves the mask alone.
  {
    const threading::CallerBinding bind(first);
    EXPECT_EQ(threading::bound_cpu(), first);
    pool.for_each_worker([&](int64_t w) {
      if (w == 0) worker0_cpu = sched_getcpu();
    });
    EXPECT_EQ(worker0_cpu, first);
    EXPECT_EQ(sched_getcpu(), first);
  }
  EXPECT_EQ(threading::bound_cpu(), -1);
  ASSERT_EQ(sched_getaffinity(0, sizeof after, &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&before, &after)) << "CallerBinding did not restore the mask";
}

TEST(ThreadPool, ExceptionsFromTheCallersOwnShareAreRethrown) {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    const std::thread::id me = std::this_thread::get_id();
    const std::string msg = error_of([&] {
      pool.for_each_worker([&](int64_t w) {
        if (w == 0 && std::this_thread::get_id() == me) throw Error("caller's share failed");
      });
    });
    EXPECT_EQ(msg, "caller's share failed") << threads;
    std::atomic<int> n{0};
    pool.for_each_worker([&](int64_t) { n.fetch_add(1); });
    EXPECT_EQ(n.load(), threads) << "the pool is not usable after the caller's exception";
  }
}

TEST(ThreadPool, ForFirstWorkersRunsOnlyThose) {
  ThreadPool pool(3);
  const std::thread::id me = std::this_thread::get_id();
  std::vector<std::atomic<int>> hits(3);
  std::atomic<bool> one_on_caller{false};
  pool.for_first_workers(1, [&](int64_t w) {
    hits[static_cast<size_t>(w)].fetch_add(1);
    one_on_caller = std::this_thread::get_id() == me;
  });
  EXPECT_TRUE(one_on_caller.load()) << "for_first_workers(1) must run on the caller";
  pool.for_first_workers(2, [&](int64_t w) { hits[static_cast<size_t>(w)].fetch_add(1); });
  EXPECT_EQ(hits[0].load(), 2);
  EXPECT_EQ(hits[1].load(), 1);
  EXPECT_EQ(hits[2].load(), 0);
  EXPECT_NE(
      error_of([&] { pool.for_first_workers(4, [](int64_t) {}); }).find("4 workers asked of a pool of 3"),
      std::string::npos);
}

TEST(ThreadPool, ExceptionsAreRethrownAndThePoolStaysUsable) {
  ThreadPool pool(3);
  EXPECT_THROW(pool.parallel_for(100,
                                 [](int64_t i) {
                                   if (i == 17) throw std::runtime_error("boom");
                                 }),
               std::runtime_error);
  std::atomic<int> n{0};
  pool.parallel_for(10, [&](int64_t) { n.fetch_add(1); });
  EXPECT_EQ(n.load(), 10);
}

TEST(ThreadPool, TheCallerRunsWithTheDefaultMxcsrAndGetsItsOwnBack) {
  for (int threads : {1, 2}) {
    ThreadPool pool(threads);
    const uint32_t callers = kDefaultMxcsr | 0x8040u;  // FTZ + DAZ: the caller's own choice
    _mm_setcsr(callers);
    std::atomic<int> not_default{0};
    pool.for_each_worker([&](int64_t) { not_default += mxcsr_is_default() ? 0 : 1; });
    EXPECT_EQ(not_default.load(), 0) << "worker 0 (the caller) ran without the default MXCSR";
    EXPECT_EQ(read_mxcsr() & kMxcsrControlMask, callers & kMxcsrControlMask) << "caller's MXCSR not restored";
    // A task on the caller that changes MXCSR is an error too.
    const std::thread::id me = std::this_thread::get_id();
    const std::string msg = error_of([&] {
      pool.for_each_worker([&](int64_t w) {
        if (w == 0 && std::this_thread::get_id() == me) _mm_setcsr(kDefaultMxcsr | 0x6000u);  // round to zero
      });
    });
    EXPECT_NE(msg.find("task 0 left MXCSR"), std::string::npos) << msg;
    EXPECT_EQ(read_mxcsr() & kMxcsrControlMask, callers & kMxcsrControlMask);
    set_default_mxcsr();
  }
}

TEST(ThreadPool, WorkersRunWithTheDefaultMxcsrAndAChangeIsAnError) {
  ThreadPool pool(2);
  std::atomic<int> not_default{0};
  pool.parallel_for(50, [&](int64_t) { not_default += mxcsr_is_default() ? 0 : 1; });
  EXPECT_EQ(not_default.load(), 0);
  const std::string msg = error_of([&] {
    pool.parallel_for(4, [](int64_t i) {
      if (i == 2) _mm_setcsr(kDefaultMxcsr | 0x8040u);  // FTZ + DAZ
    });
  });
  EXPECT_NE(msg.find("task 2 left MXCSR"), std::string::npos) << msg;
  pool.parallel_for(50, [&](int64_t) { not_default += mxcsr_is_default() ? 0 : 1; });
  EXPECT_EQ(not_default.load(), 0) << "the worker did not restore the default MXCSR";
}

TEST(ThreadPool, NestedCallIsRefused) {
  ThreadPool pool(2);
  const std::string msg =
      error_of([&] { pool.parallel_for(1, [&](int64_t) { pool.parallel_for(1, [](int64_t) {}); }); });
  EXPECT_NE(msg.find("inside one of its own tasks"), std::string::npos) << msg;
  // From the caller's own share (worker 0) as from the pool's threads.
  for (int64_t from : {0, 1}) {
    const std::string nested = error_of([&] {
      pool.for_each_worker([&](int64_t w) {
        if (w == from) pool.for_each_worker([](int64_t) {});
      });
    });
    EXPECT_NE(nested.find("inside one of its own tasks"), std::string::npos)
        << "worker " << from << ": " << nested;
  }
  EXPECT_FALSE(error_of([] { ThreadPool bad(0); }).empty());
}

TEST(ThreadPool, ForEachWorkerRunsEveryWorkerOnceOnItsOwnCpu) {
  const std::vector<int> allowed = threading::allowed_cpus();
  ASSERT_FALSE(allowed.empty());
  for (int threads : {1, 2, 3, 5, 9}) {
    std::vector<int> cpus;
    cpus.reserve(static_cast<size_t>(threads));
    for (int i = 0; i < threads; ++i)
      cpus.push_back(allowed[static_cast<size_t>(threads - 1 - i) % allowed.size()]);
    ThreadPool pool(cpus);
    EXPECT_EQ(pool.cpus(), cpus);
    EXPECT_EQ(pool.oversubscribed(), threads > static_cast<int>(allowed.size()));
    for (int rep = 0; rep < 20; ++rep) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(threads));
      std::vector<int> ran_on(static_cast<size_t>(threads), -2);
      pool.for_each_worker([&](int64_t w) {
        hits[static_cast<size_t>(w)].fetch_add(1);
        ran_on[static_cast<size_t>(w)] = sched_getcpu();
        if (!mxcsr_is_default()) throw std::runtime_error("worker MXCSR not default");
      });
      for (int w = 0; w < threads; ++w) {
        ASSERT_EQ(hits[static_cast<size_t>(w)].load(), 1) << "worker " << w << " of " << threads;
        ASSERT_EQ(ran_on[static_cast<size_t>(w)], cpus[static_cast<size_t>(w)]) << "worker " << w;
      }
    }
    // The two kinds of call interleave on one pool.
    std::atomic<int> n{0};
    pool.parallel_for(37, [&](int64_t) { n.fetch_add(1); });
    pool.for_each_worker([&](int64_t) { n.fetch_add(1); });
    EXPECT_EQ(n.load(), 37 + threads);
  }
  EXPECT_FALSE(error_of([] { ThreadPool none(std::vector<int>{}); }).empty());
  const std::string bad = error_of([] { ThreadPool p(std::vector<int>{CPU_SETSIZE - 1}); });
  EXPECT_NE(bad.find("pinning worker 0 (the caller) to CPU"), std::string::npos) << bad;
}

// A kernel that records which weights object and which worker thread each slice saw.
std::mutex g_seen_mutex;
std::map<int64_t, std::pair<const PackedWeights*, int>> g_seen;  // slice n0 -> (weights, cpu)
Plan fake_plan(int64_t, int64_t, int64_t) {
  return Plan{1, 16};
}
void fake_run(const PackedWeights& w, const ActivationView&, const OutputView&, const Slice& s) {
  const std::lock_guard<std::mutex> lock(g_seen_mutex);
  g_seen[s.n0] = {&w, sched_getcpu()};
}

TEST(RunGemm, SliceSRunsOnWorkerSModPWithThatWorkersWeights) {
  const std::vector<int> allowed = threading::allowed_cpus();
  KernelDesc k{};
  k.name = "test.fake";
  k.plan = fake_plan;
  k.run = fake_run;
  for (int threads : {1, 2, 3}) {
    std::vector<int> cpus;
    cpus.reserve(static_cast<size_t>(threads));
    for (int i = 0; i < threads; ++i) cpus.push_back(allowed[static_cast<size_t>(i) % allowed.size()]);
    ThreadPool pool(cpus);
    std::vector<PackedWeights> copies;
    copies.reserve(static_cast<size_t>(threads));
    // K large enough that workers_for() gives every worker a share.
    constexpr int64_t kK = 32 * 1024;
    ASSERT_EQ(threading::workers_for(k, 1, 160, kK, threads), threads);
    for (int i = 0; i < threads; ++i) copies.emplace_back(QType::Q8_0, Layout::gguf_rows, 160, kK, 64, 0);
    std::vector<const PackedWeights*> of_worker;
    of_worker.reserve(copies.size());
    for (const auto& c : copies) of_worker.push_back(&c);
    g_seen.clear();
    const OutputView y{nullptr, 160, 1, 160};
    threading::run_gemm(pool, k, of_worker, ActivationView{}, y);
    const auto slices = cut_output(1, 160, Plan{1, 16}, threads);
    ASSERT_EQ(g_seen.size(), slices.size());
    for (size_t s = 0; s < slices.size(); ++s) {
      const size_t w = s % static_cast<size_t>(threads);
      EXPECT_EQ(g_seen[slices[s].n0].first, of_worker[w]) << "slice " << s << " of " << threads;
      EXPECT_EQ(g_seen[slices[s].n0].second, cpus[w]) << "slice " << s << " of " << threads;
    }
    const std::vector<const PackedWeights*> too_few(of_worker.begin(), of_worker.end() - 1);
    EXPECT_NE(error_of([&] {
                threading::run_gemm(pool, k, too_few, ActivationView{}, y);
              }).find("one PackedWeights per worker"),
              std::string::npos);
  }
}

// A call too small to pay for a hand-off runs on the caller alone, whatever the pool.
TEST(RunGemm, SmallCallsRunOnTheCallerAlone) {
  KernelDesc k{};
  k.name = "test.fake";
  k.plan = fake_plan;
  k.run = fake_run;
  k.isa = kIsaAvx512 | kIsaAvx512Vnni;
  EXPECT_EQ(threading::workers_for(k, 1, 256, 512, 2), 1);
  EXPECT_EQ(threading::workers_for(k, 1, 1024, 4096, 2), 2);
  EXPECT_EQ(threading::workers_for(k, 512, 4096, 4096, 13), 13);
  EXPECT_EQ(threading::workers_for(k, 0, 0, 0, 3), 1);
  // Slower kernels split smaller calls: a portable kernel takes ~40x longer for the same work.
  KernelDesc portable = k;
  portable.isa = kIsaNone;
  EXPECT_EQ(threading::workers_for(portable, 1, 256, 512, 2), 2);
  KernelDesc avx2 = k;
  avx2.isa = kIsaAvx2 | kIsaAvxVnni;
  EXPECT_EQ(threading::workers_for(avx2, 1, 256, 1024, 2), 2);
  EXPECT_EQ(threading::workers_for(avx2, 1, 256, 256, 2), 1);
  ThreadPool pool(3);
  const PackedWeights w(QType::Q8_0, Layout::gguf_rows, 160, 32, 64, 0);
  g_seen.clear();
  threading::run_gemm(pool, k, w, ActivationView{}, OutputView{nullptr, 160, 1, 160});
  ASSERT_EQ(g_seen.size(), 1u);
  EXPECT_EQ(g_seen.begin()->second.second, pool.cpus()[0]);
}

// Packing is cut into strips that the pool's workers pack concurrently: the bytes (and
// the checksum) must be exactly those of a serial pack, for every layout in the registry.
TEST(PackOnThePool, EqualsTheSerialPackForEveryLayout) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    const ParallelFor on_pool = [&](int64_t count, const std::function<void(int64_t)>& fn) {
      pool.parallel_for(count, fn);
    };
    for (const KernelDesc& kd : kernel_registry()) {
      for (int64_t n : {1, 17, 100}) {
        const int64_t k = traits(kd.weight_type).block_elems == 256 ? 512 : 96;
        std::vector<float> wf(static_cast<size_t>(n * k));
        for (size_t i = 0; i < wf.size(); ++i) wf[i] = static_cast<float>((i * 37) % 23) - 11.0f;
        std::vector<std::byte> gguf(row_bytes(kd.weight_type, k) * static_cast<size_t>(n));
        quantize_weights(kd.weight_type, wf, n, k, gguf);
        const PackedWeights serial = kd.pack(kd.weight_type, gguf, n, k, default_memory_resource());
        const PackedWeights parallel =
            kd.pack(kd.weight_type, gguf, n, k, default_memory_resource(), on_pool);
        ASSERT_EQ(serial.bytes().size(), parallel.bytes().size()) << kd.name;
        EXPECT_EQ(0, std::memcmp(serial.bytes().data(), parallel.bytes().data(), serial.bytes().size()))
            << kd.name << " N=" << n << " threads=" << threads;
        EXPECT_EQ(serial.source_checksum(), parallel.source_checksum());
      }
    }
  }
}

// moe_gemm on the pool (the TSan run covers it): packing the expert stack in parallel and
// the gathered, grouped, per-worker work give the bits of one worker, for a routing that
// leaves experts empty and piles tokens on others.
TEST(MoeOnThePool, EqualsOneWorker) {
  constexpr int64_t kE = 8, kT = 64, kTop = 3, kN = 40, kK = 96;
  for (const char* name : {"q4_0_gemm_1x1__portable", "q8_0_gemm_4x32__avx512vnni"}) {
    const KernelDesc* kd = find_kernel(name);
    ASSERT_NE(kd, nullptr);
    if (!kernel_runnable(*kd)) continue;  // the portable kernel always runs
    std::vector<float> wf(static_cast<size_t>(kE * kN * kK)), af(static_cast<size_t>(kT * kK));
    for (size_t i = 0; i < wf.size(); ++i) wf[i] = static_cast<float>((i * 37) % 23) - 11.0f;
    for (size_t i = 0; i < af.size(); ++i) af[i] = static_cast<float>((i * 11) % 17) - 8.0f;
    std::vector<std::byte> gguf(row_bytes(kd->weight_type, kK) * static_cast<size_t>(kE * kN));
    quantize_weights(kd->weight_type, wf, kE * kN, kK, gguf);
    const size_t arow = row_bytes(kd->act_type, kK);
    std::vector<std::byte> aq(arow * kT);
    kd->quantize(ActQuant::runtime, af, kT, kK, aq);
    std::vector<int32_t> ids(static_cast<size_t>(kT * kTop));
    for (int64_t t = 0; t < kT; ++t) {
      for (int64_t j = 0; j < kTop; ++j)
        ids[static_cast<size_t>(t * kTop + j)] =
            static_cast<int32_t>(t % 5 == 0 ? j + 1 : 2 * j + (j == 0 ? 0 : 1));  // distinct per token
    }
    const moe::MoeKernels ks{kd, kd, 4};
    const ActivationView a{kd->act_type, aq.data(), arow, kT, kK};
    std::vector<float> want(static_cast<size_t>(kT * kTop * kN)), got(want.size());
    {
      const PackedWeights w = moe::pack_experts(*kd, kd->weight_type, gguf, kE, kN, kK);
      const PackedWeights* ws[] = {&w};
      moe::MoeScratch scratch;
      moe::moe_gemm(ks, ws, a, {ids, kT, kTop}, OutputView{want.data(), kN, kT * kTop, kN}, 1, serial_for(),
                    scratch);
    }
    for (int threads : {2, 3}) {
      ThreadPool pool(threads);
      const ParallelFor on_pool = [&](int64_t count, const std::function<void(int64_t)>& fn) {
        pool.parallel_for(count, fn);
      };
      const ParallelFor on_workers = [&](int64_t count, const std::function<void(int64_t)>& fn) {
        pool.for_first_workers(static_cast<int>(count), fn);
      };
      const PackedWeights w =
          moe::pack_experts(*kd, kd->weight_type, gguf, kE, kN, kK, default_memory_resource(), on_pool);
      const PackedWeights* ws[] = {&w};
      moe::MoeScratch scratch;
      for (int rep = 0; rep < 3; ++rep) {
        std::fill(got.begin(), got.end(), -1.0f);
        moe::moe_gemm(ks, ws, a, {ids, kT, kTop}, OutputView{got.data(), kN, kT * kTop, kN}, threads,
                      on_workers, scratch);
        ASSERT_EQ(0, std::memcmp(got.data(), want.data(), got.size() * 4)) << name << " threads=" << threads;
      }
    }
  }
}

TEST(CutOutput, CoversEveryElementOnceOnPlanSteps) {
  for (int64_t m : {1, 2, 5, 33, 512}) {
    for (int64_t n : {1, 16, 17, 100, 4096}) {
      for (Plan plan : {Plan{1, 1}, Plan{4, 32}, Plan{1, 64}, Plan{32, 32}, Plan{2, 16}}) {
        for (int parts : {1, 2, 3, 4, 7, 16}) {
          const auto slices = cut_output(m, n, plan, parts);
          std::vector<int> cover(static_cast<size_t>(m * n), 0);
          for (const Slice& s : slices) {
            ASSERT_TRUE(s.m0 < s.m1 && s.n0 < s.n1);
            ASSERT_TRUE(s.m0 % plan.m_step == 0 && (s.m1 % plan.m_step == 0 || s.m1 == m));
            ASSERT_TRUE(s.n0 % plan.n_step == 0 && (s.n1 % plan.n_step == 0 || s.n1 == n));
            for (int64_t i = s.m0; i < s.m1; ++i) {
              for (int64_t j = s.n0; j < s.n1; ++j) ++cover[static_cast<size_t>(i * n + j)];
            }
          }
          for (int c : cover) ASSERT_EQ(c, 1);
          const int64_t units = ((m + plan.m_step - 1) / plan.m_step) * ((n + plan.n_step - 1) / plan.n_step);
          EXPECT_GE(static_cast<int64_t>(slices.size()), std::min<int64_t>(parts, units))
              << "m=" << m << " n=" << n << " parts=" << parts;
        }
      }
    }
  }
}

}  // namespace
}  // namespace amxlab::testing
