// The bit-matrix path's one dispatch per call: the generic backend's
// instantiation here, or the entry of the call's target from the group
// unit that compiled it (bit_path_wide.cc, bit_path_narrow.cc). The target
// is K's, which may be forced: not the process's HWY_DYNAMIC_DISPATCH
// choice. The stages are bit_path_stages.h.
#include "router/bit_path.h"

#include <string>

#include "phase_router/error.h"
#include "router/bit_path_stages.h"

namespace phase_router {

namespace bit_path {

const char* RouteBitsGeneric(const BitPathCall& c) {
  RouteBitsWith<GenericBitKernels>(c.in, c.plan, c.options, c.s, c.w, c.out, c.timer);
  return GenericBitKernels::kName;
}

}  // namespace bit_path

const char* RouteBits(const KernelTable& K, const Input& in, const Plan& plan,
                      const Options& options, const uint32_t* s, Workspace& w, int32_t* out,
                      StageTimer& timer) {
  const bit_path::BitPathCall call{in, plan, options, s, w, out, timer};
  if (K.target == 0) return bit_path::RouteBitsGeneric(call);
  // Every target with a kernel table is compiled in one of the groups.
  bit_path::BitPathEntry entry = bit_path::WideBitPath(K.target);
  if (entry == nullptr) entry = bit_path::NarrowBitPath(K.target);
  if (entry == nullptr) {  // a table from a build whose groups differ: never a crash
    throw Error(ErrorCode::kBadOption, std::string("no bit path compiled for target ") + K.name);
  }
  return entry(call);
}

}  // namespace phase_router
