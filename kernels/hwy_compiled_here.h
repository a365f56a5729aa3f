// AppendTargetsCompiledHere: the kernel tables of the targets the including
// translation unit compiled (its HWY_TARGETS), best first. Included once, in
// the HWY_ONCE part of each group translation unit (hwy_targets.h), after
// hwy_kernels-inl.h has defined each target's GetKernelTable(); the function
// is in an anonymous namespace because each unit's list differs.
#ifndef PHASE_ROUTER_KERNELS_HWY_COMPILED_HERE_H_
#define PHASE_ROUTER_KERNELS_HWY_COMPILED_HERE_H_

#include <vector>

#include "hwy/highway.h"
#include "kernels/hwy_targets.h"

namespace phase_router {
namespace {

void AppendTargetsCompiledHere(std::vector<HwyTarget>* out) {
#define PHASE_ROUTER_ADD_TARGET(TARGET, NS)                                   \
  if ((HWY_TARGETS & (TARGET)) != 0) out->push_back({TARGET, NS::GetKernelTable()});
#if HWY_ARCH_X86
#if HWY_TARGETS & HWY_AVX3_DL
  PHASE_ROUTER_ADD_TARGET(HWY_AVX3_DL, N_AVX3_DL)
#endif
#if HWY_TARGETS & HWY_AVX3
  PHASE_ROUTER_ADD_TARGET(HWY_AVX3, N_AVX3)
#endif
#if HWY_TARGETS & HWY_AVX2
  PHASE_ROUTER_ADD_TARGET(HWY_AVX2, N_AVX2)
#endif
#if HWY_TARGETS & HWY_SSE4
  PHASE_ROUTER_ADD_TARGET(HWY_SSE4, N_SSE4)
#endif
#if HWY_TARGETS & HWY_SSSE3
  PHASE_ROUTER_ADD_TARGET(HWY_SSSE3, N_SSSE3)
#endif
#elif HWY_ARCH_ARM_A64
#if HWY_TARGETS & HWY_SVE2_128
  PHASE_ROUTER_ADD_TARGET(HWY_SVE2_128, N_SVE2_128)
#endif
#if HWY_TARGETS & HWY_SVE_256
  PHASE_ROUTER_ADD_TARGET(HWY_SVE_256, N_SVE_256)
#endif
#if HWY_TARGETS & HWY_SVE2
  PHASE_ROUTER_ADD_TARGET(HWY_SVE2, N_SVE2)
#endif
#if HWY_TARGETS & HWY_SVE
  PHASE_ROUTER_ADD_TARGET(HWY_SVE, N_SVE)
#endif
#if HWY_TARGETS & HWY_NEON
  PHASE_ROUTER_ADD_TARGET(HWY_NEON, N_NEON)
#endif
#endif
#undef PHASE_ROUTER_ADD_TARGET
}

}  // namespace
}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_HWY_COMPILED_HERE_H_
