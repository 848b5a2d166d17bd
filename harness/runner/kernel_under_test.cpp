// PlacedKernel's copy preparation (kernel_under_test.h).
#include "harness/runner/kernel_under_test.h"

#include <stdexcept>

namespace amxlab::harness {

void PlacedKernel::prepare_copy(const Case& c, const CaseData& /*d*/, const KernelUnderTest& source) {
  const auto* from = dynamic_cast<const PlacedKernel*>(&source);
  if (from == nullptr || from->name() != name() || !from->placement_)
    throw std::logic_error("PlacedKernel::prepare_copy: the source is not a prepared " + name());
  const PackedWeights& packed = from->placement_->first_copy();
  if (packed.n() != c.n || packed.k() != c.k)
    throw std::logic_error("PlacedKernel::prepare_copy: the source was prepared for another shape");
  // Its own workers, policy and page touch; only the packing is skipped.
  placement_.emplace(c, placement_options_).place(packed);
  on_placed();
}

}  // namespace amxlab::harness
