#include "kernels/hwy_targets.h"

#include <algorithm>

namespace phase_router {

std::vector<HwyTarget> HwyCompiledTargets() {
  std::vector<HwyTarget> targets;
  AppendWideHwyTargets(&targets);
  AppendNarrowHwyTargets(&targets);
  std::sort(targets.begin(), targets.end(),
            [](const HwyTarget& a, const HwyTarget& b) { return a.bit < b.bit; });
  return targets;
}

}  // namespace phase_router
