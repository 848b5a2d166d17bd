// How packers (and other one-off preparation work) may run in parallel without the
// kernels library owning threads: the caller hands in a ParallelFor — the harness's
// pool, or serial_for() — and the packer cuts its work into independent pieces (strips).
#pragma once

#include <cstdint>
#include <functional>

namespace amxlab {

// Calls fn(i) exactly once for every i in [0, count), possibly concurrently, and returns
// when all calls are done (rethrowing the first exception).
using ParallelFor = std::function<void(int64_t count, const std::function<void(int64_t)>& fn)>;

// fn(0), fn(1), ... in order on the calling thread.
const ParallelFor& serial_for();

}  // namespace amxlab
