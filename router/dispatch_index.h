// The router's per-target paths are compiled per Highway target in group
// units (bit_path_wide.cc, arc_path_narrow.cc, ...) and exported with
// HWY_EXPORT; a call runs the entry of its own target (KernelTable::target,
// which may be forced), not the process's HWY_DYNAMIC_DISPATCH choice.
#ifndef PHASE_ROUTER_ROUTER_DISPATCH_INDEX_H_
#define PHASE_ROUTER_ROUTER_DISPATCH_INDEX_H_

#include <cstddef>
#include <cstdint>

#include "hwy/targets.h"

namespace phase_router {

// The index of Highway target bit `target` (nonzero, compiled in the
// including translation unit) in an HWY_DISPATCH_TABLE, found as
// hwy::ChosenTarget::GetIndex finds the chosen target's (from a one-target
// mask). The mask is the including unit's HWY_TARGETS, which differs
// between the group units (kernels/hwy_target_groups.h), so the function
// has internal linkage: one definition per unit, never merged.
namespace {
inline size_t DispatchIndex(int64_t target) {
  return hwy::Num0BitsBelowLS1Bit_Nonzero64(static_cast<uint64_t>(
      HWY_CHOSEN_TARGET_SHIFT(target) & HWY_CHOSEN_TARGET_MASK_TARGETS));
}
}  // namespace

}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_DISPATCH_INDEX_H_
