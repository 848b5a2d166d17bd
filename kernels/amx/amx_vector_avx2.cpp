// The AMX kernels' vector steps at 256 bits (amx_vector_body.h), built with AVX2 + FMA +
// F16C (kernels/amx/sources.cmake): the emulated kernels' steps on CPUs without AVX-512.
#include "kernels/amx/amx_vector_body.h"

namespace amxlab::amx {

const VectorSteps& vector_steps_avx2() {
  return kSteps;
}

}  // namespace amxlab::amx
