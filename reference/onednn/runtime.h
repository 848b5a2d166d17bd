// oneDNN's process-wide settings, in one place: the ISA cap and the OpenMP threads.
//
// ISA cap. `dnnl::set_max_cpu_isa` (and the ONEDNN_MAX_CPU_ISA / DNNL_MAX_CPU_ISA
// environment variables, read by oneDNN itself) take effect once per process, and only
// before oneDNN's first ISA query: creating any primitive, any reorder, or calling
// `effective_isa_name()` locks the setting. After that oneDNN refuses a new cap, and
// set_max_isa() throws amxlab::Error saying so. To compare oneDNN-AMX with oneDNN-VNNI
// on an AMX machine, run one subprocess per ISA: give each child the environment
// setting from isa_subprocess_args() (e.g. "ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI"); the
// child calls set_max_isa_from_env() first thing (which checks the value and fails
// loudly if something already locked the cap), and the parent merges the results
// files. Record `isa_cap_name()` and each Matmul's impl() string; do not assume which
// implementation a cap selects.
//
// Threads. The Debian oneDNN runs on OpenMP (libgomp): a primitive uses
// omp_get_max_threads() of the thread that executes it (its blocking is chosen for the
// count in force when it is created). set_threads(n) sets that count for the calling
// thread (omp_set_num_threads). OpenMP's idle workers spin after a parallel region
// (libgomp: OMP_WAIT_POLICY unset = spin for a while, then sleep; `active` = spin);
// on a 2-core machine that steals time from whatever runs next, so run oneDNN and
// our own kernels in separate phases or with OMP_WAIT_POLICY=passive (must be set in
// the environment before the process starts; libgomp reads it once). Record
// omp_wait_policy() with every timing.
#pragma once

#include <cstdint>
#include <string>

namespace amxlab::onednn {

// Instruction-set caps oneDNN 2.6 understands (dnnl::cpu_isa).
enum class Isa : uint8_t {
  all,  // no cap
  sse41,
  avx,
  avx2,
  avx2_vnni,
  avx512_core,
  avx512_core_vnni,
  avx512_core_bf16,
  avx512_core_amx,
};

// "AVX512_CORE_AMX": the spelling of ONEDNN_MAX_CPU_ISA values.
std::string env_name(Isa isa);
// "avx512_core_amx": lower case, as in oneDNN's impl strings.
std::string name(Isa isa);
// Parses either spelling (case-insensitive); false when unknown.
bool parse_isa(const std::string& text, Isa& out);

// Caps oneDNN's ISA for the rest of the process (dnnl::set_max_cpu_isa). Must run
// before any other oneDNN call that creates a primitive or queries the ISA; throws
// amxlab::Error naming the requested cap when oneDNN has already locked it, or when
// this oneDNN build lacks the feature.
void set_max_isa(Isa isa);

// Reads ONEDNN_MAX_CPU_ISA (or the older DNNL_MAX_CPU_ISA) and, when set, applies it
// through set_max_isa() (so a bad value or a too-late call is an error, not ignored as
// oneDNN itself would). Returns the applied cap's name, or "" when the variable is unset.
std::string set_max_isa_from_env();

// The cap in force as requested: set_max_isa()'s value, else the environment variable's,
// else "all". Does not call oneDNN, so it never locks the cap.
std::string isa_cap_name();

// The ISA oneDNN will actually use (min of the cap and the CPU), lower case, e.g.
// "avx512_core_bf16". Calling it locks the cap (oneDNN's first ISA query).
std::string effective_isa_name();

// The environment setting a subprocess needs to run oneDNN capped at `isa`, e.g.
// "ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI" (pass it to execve's envp or setenv it in the
// child before exec). For the AMX vs VNNI comparison use Isa::avx512_core_amx and
// Isa::avx512_core_vnni (the bf16 implementations need Isa::avx512_core_bf16 or above).
std::string isa_subprocess_args(Isa isa);

// omp_set_num_threads(n) for the calling thread (n >= 1, else amxlab::Error).
void set_threads(int n);
// omp_get_max_threads() of the calling thread: what a primitive run now would use.
int max_threads();
// The OMP_WAIT_POLICY in force ("passive", "active", ...) or "(unset)".
std::string omp_wait_policy();

}  // namespace amxlab::onednn
