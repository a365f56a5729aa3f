// Which kernel backend runs: the compiled targets (Highway targets built by
// foreach_target, plus `generic`), the ones this CPU supports, and the one
// chosen. The public side of this (names, forcing) is declared in
// phase_router.h; the router asks ActiveKernels() once per call.
#ifndef PHASE_ROUTER_DISPATCH_DISPATCH_H_
#define PHASE_ROUTER_DISPATCH_DISPATCH_H_

#include <string_view>

#include "dispatch/kernel_table.h"

namespace phase_router {

// The forced target (ForceTarget, else $PHASE_ROUTER_TARGET), else the best
// supported. Throws Error(kBadOption) for an unknown or unsupported name.
const KernelTable& ActiveKernels();

// The kernels of one named target; throws Error(kBadOption) when the name is
// unknown or this CPU cannot run it. Names match case-insensitively.
const KernelTable& KernelsFor(std::string_view name);

const KernelTable& GenericKernels();

}  // namespace phase_router

#endif  // PHASE_ROUTER_DISPATCH_DISPATCH_H_
