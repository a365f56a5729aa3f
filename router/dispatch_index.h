// The router's per-target paths (bit_path.cc, arc_path.cc) are compiled per
// Highway target and exported with HWY_EXPORT; a call runs the entry of its
// own target (KernelTable::target, which may be forced), not the process's
// HWY_DYNAMIC_DISPATCH choice.
#ifndef PHASE_ROUTER_ROUTER_DISPATCH_INDEX_H_
#define PHASE_ROUTER_ROUTER_DISPATCH_INDEX_H_

#include <cstddef>
#include <cstdint>

#include "hwy/targets.h"

namespace phase_router {

// The index of Highway target bit `target` (nonzero, compiled) in an
// HWY_DISPATCH_TABLE, found as hwy::ChosenTarget::GetIndex finds the chosen
// target's (from a one-target mask).
inline size_t DispatchIndex(int64_t target) {
  return hwy::Num0BitsBelowLS1Bit_Nonzero64(static_cast<uint64_t>(
      HWY_CHOSEN_TARGET_SHIFT(target) & HWY_CHOSEN_TARGET_MASK_TARGETS));
}

}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_DISPATCH_INDEX_H_
