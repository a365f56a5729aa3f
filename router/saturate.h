// Saturating byte and element counts: absurd shapes give UINT64_MAX, never
// a wrapped count that would pass a memory check.
#ifndef PHASE_ROUTER_ROUTER_SATURATE_H_
#define PHASE_ROUTER_ROUTER_SATURATE_H_

#include <cstdint>
#include <limits>

namespace phase_router {

inline constexpr uint64_t kMaxU64 = std::numeric_limits<uint64_t>::max();

inline uint64_t SatAdd(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? kMaxU64 : r;
}

inline uint64_t SatMul(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? kMaxU64 : r;
}

}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_SATURATE_H_
