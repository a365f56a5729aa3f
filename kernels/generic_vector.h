// Helpers of the generic-vector backend: portable C++ with GCC/Clang vector
// extensions, no intrinsics. U64x2 is 128 bits, the width every baseline
// ISA has (SSE2 on x86-64, NEON on arm64), so it lowers to one register.
#ifndef PHASE_ROUTER_KERNELS_GENERIC_VECTOR_H_
#define PHASE_ROUTER_KERNELS_GENERIC_VECTOR_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace phase_router::generic {

typedef uint64_t U64x2 __attribute__((vector_size(16)));

inline constexpr size_t kLanes = 2;

inline U64x2 LoadU(const uint64_t* p) {
  U64x2 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline void StoreU(U64x2 v, uint64_t* p) { std::memcpy(p, &v, sizeof(v)); }

// Per-lane popcount by the classic SWAR reduction: baseline x86-64 has no
// POPCNT, and the shifts and adds vectorize on every ISA.
inline U64x2 PopcountLanes(U64x2 v) {
  const uint64_t m1 = 0x5555555555555555ull, m2 = 0x3333333333333333ull,
                 m4 = 0x0F0F0F0F0F0F0F0Full;
  v = v - ((v >> 1) & m1);
  v = (v & m2) + ((v >> 2) & m2);
  v = (v + (v >> 4)) & m4;
  v = v + (v >> 8);
  v = v + (v >> 16);
  v = v + (v >> 32);
  return v & 0x7F;
}

inline uint64_t PopcountWord(uint64_t v) {
  const uint64_t m1 = 0x5555555555555555ull, m2 = 0x3333333333333333ull,
                 m4 = 0x0F0F0F0F0F0F0F0Full;
  v = v - ((v >> 1) & m1);
  v = (v & m2) + ((v >> 2) & m2);
  v = (v + (v >> 4)) & m4;
  return (v * 0x0101010101010101ull) >> 56;
}

}  // namespace phase_router::generic

#endif  // PHASE_ROUTER_KERNELS_GENERIC_VECTOR_H_
