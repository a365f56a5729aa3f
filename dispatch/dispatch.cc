#include "dispatch/dispatch.h"

#include "kernels/and_popcount.h"
#include "kernels/pack_bit_rows.h"
#include "kernels/rotate_rows.h"
#include "kernels/select_top_k.h"
#include "kernels/transpose_bits.h"
#include "phase_router/phase_router.h"

namespace phase_router {

const KernelTable& GenericKernels() {
  static constexpr KernelTable kTable = {
      "generic",
      &generic::PackBitRows,
      &generic::FillArcRows,
      &generic::RotateRowsOnRing,
      &generic::TransposeBits,
      &generic::AndPopcountRows,
      &generic::SelectLowestK,
      &generic::SelectRandomK,
  };
  return kTable;
}

std::vector<std::string> CompiledTargets() { return {"generic"}; }

std::vector<std::string> SupportedTargets() { return {"generic"}; }

const KernelTable& KernelsFor(const std::string& name) {
  if (name == "generic") return GenericKernels();
  throw Error(ErrorCode::kBadOption, "unknown kernel target '" + name +
                                         "' (compiled: generic)");
}

const KernelTable& ActiveKernels() { return GenericKernels(); }

}  // namespace phase_router
