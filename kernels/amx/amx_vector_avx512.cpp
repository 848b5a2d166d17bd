// The AMX kernels' vector steps at 512 bits (amx_vector_body.h), built with AVX-512
// F/BW/VNNI (kernels/amx/sources.cmake): the native kernels' steps, and the emulated
// kernels' where the CPU has that ISA.
#include "kernels/amx/amx_vector_body.h"

namespace amxlab::amx {

const VectorSteps& vector_steps_avx512() {
  return kSteps;
}

}  // namespace amxlab::amx
