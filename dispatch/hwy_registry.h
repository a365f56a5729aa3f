// The Highway targets compiled into this binary (dispatch/hwy_kernels.cc).
#ifndef PHASE_ROUTER_DISPATCH_HWY_REGISTRY_H_
#define PHASE_ROUTER_DISPATCH_HWY_REGISTRY_H_

#include <cstdint>
#include <vector>

#include "dispatch/kernel_table.h"

namespace phase_router {

struct HwyTarget {
  int64_t bit;                // HWY_AVX2 etc.
  const KernelTable* kernels;  // its name is hwy::TargetName(bit)
};

// Best first.
std::vector<HwyTarget> HwyCompiledTargets();

}  // namespace phase_router

#endif  // PHASE_ROUTER_DISPATCH_HWY_REGISTRY_H_
