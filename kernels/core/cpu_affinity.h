// The CPUs this process may run on: one answer for the pool, the calibration's pinned
// workers, the NUMA planner's messages and the golden model's split over CPUs.
#pragma once

#include <vector>

namespace amxlab {

// The calling thread's CPU affinity (sched_getaffinity), ascending; empty when the
// system refuses to say.
std::vector<int> allowed_cpus();

}  // namespace amxlab
