// Which kernel backend runs: the compiled targets (Highway targets built by
// foreach_target, plus `generic`), the ones this CPU supports, and the one
// chosen. Depends on the kernels and the error type only; the router's
// public API (CompiledTargets, ForceTarget, ...) forwards here
// (router/targets.cc), and the router asks ActiveKernels() once per call.
#ifndef PHASE_ROUTER_DISPATCH_DISPATCH_H_
#define PHASE_ROUTER_DISPATCH_DISPATCH_H_

#include <string>
#include <string_view>
#include <vector>

#include "kernels/kernel_table.h"

namespace phase_router {

// Target names, best first, "generic" last: every one compiled, and those
// this CPU runs.
std::vector<std::string> CompiledTargetNames();
std::vector<std::string> SupportedTargetNames();

// The forced target (ForceKernels, else $PHASE_ROUTER_TARGET), else the best
// supported. Throws Error(kBadOption) for an unknown or unsupported name.
const KernelTable& ActiveKernels();

// The kernels of one named target; throws Error(kBadOption) when the name is
// unknown or this CPU cannot run it. Names match case-insensitively.
const KernelTable& KernelsFor(std::string_view name);

// Forces `name` for the whole process ("" restores the default); an
// unknown or unsupported name throws Error(kBadOption) and changes nothing.
void ForceKernels(std::string_view name);

const KernelTable& GenericKernels();

}  // namespace phase_router

#endif  // PHASE_ROUTER_DISPATCH_DISPATCH_H_
