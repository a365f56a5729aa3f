// The public names of the kernel targets (phase_router.h), over dispatch/.
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/dispatch.h"
#include "phase_router/phase_router.h"

namespace phase_router {

std::vector<std::string> CompiledTargets() { return CompiledTargetNames(); }
std::vector<std::string> SupportedTargets() { return SupportedTargetNames(); }
std::string ActiveTarget() { return ActiveKernels().name; }
void ForceTarget(std::string_view name) { ForceKernels(name); }

}  // namespace phase_router
