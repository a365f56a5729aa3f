// Which kernel backend runs. Today the project compiles one backend, the
// portable `generic` one; SIMD targets register here as they are added.
#ifndef PHASE_ROUTER_DISPATCH_DISPATCH_H_
#define PHASE_ROUTER_DISPATCH_DISPATCH_H_

#include <string>
#include <vector>

#include "dispatch/kernel_table.h"

namespace phase_router {

// Names of the backends built into this binary, best first.
std::vector<std::string> CompiledTargets();
// The compiled backends this CPU can run, best first.
std::vector<std::string> SupportedTargets();
// The table the router uses now: the forced one, else the best supported.
const KernelTable& ActiveKernels();
// The kernels of one named backend; throws Error(kBadOption) when the name is
// unknown or this CPU cannot run it.
const KernelTable& KernelsFor(const std::string& name);

const KernelTable& GenericKernels();

}  // namespace phase_router

#endif  // PHASE_ROUTER_DISPATCH_DISPATCH_H_
