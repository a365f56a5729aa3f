// The routing spec's random functions (SPEC.md, "Randomness"), and nothing
// else: every random number in the project is drawn here. All arithmetic is on
// uint64_t, mod 2^64, so the results are the same on every platform.
#ifndef PHASE_ROUTER_KERNELS_RANDOM_H_
#define PHASE_ROUTER_KERNELS_RANDOM_H_

#include <cstddef>
#include <cstdint>

namespace phase_router {

inline constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ull;
inline constexpr uint64_t kDomainMul = 0xD1B54A32D192ED03ull;

// Key domains of domain_key(d).
enum class Domain : uint64_t {
  kSourceColumns = 1,  // pS
  kTargetColumns = 2,  // pT
  kSourceRows = 3,     // rS
  kTargetRows = 4,     // rT
  kSelection = 5,      // per-row selection keys
  // Not part of the routing spec: the baselines' streams
  // (phase_router/analysis.h).
  kHashRouter = 6,
  kChungLu = 7,
  kTwoChoice = 8,
};

// SplitMix64's finalizer; a bijection on uint64_t.
constexpr uint64_t Mix(uint64_t z) {
  z ^= z >> 30;
  z *= 0xBF58476D1CE4E5B9ull;
  z ^= z >> 27;
  z *= 0x94D049BB133111EBull;
  z ^= z >> 31;
  return z;
}

// The n-th output (0-based) of SplitMix64 started at state `key`.
constexpr uint64_t Draw(uint64_t key, uint64_t n) {
  return Mix(key + (n + 1) * kGamma);
}

constexpr uint64_t DomainKey(uint64_t seed, Domain d) {
  return Mix(seed ^ (static_cast<uint64_t>(d) * kDomainMul));
}

// floor(x * n / 2^64): the high half of the 128-bit product, no rejection.
constexpr uint64_t Bounded(uint64_t x, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(x) * n) >> 64);
}

// perm(K, L): Fisher-Yates from the top, one draw per swap. Writes p[0..L).
inline void Perm(uint64_t key, size_t length, uint32_t* p) {
  for (size_t i = 0; i < length; ++i) p[i] = static_cast<uint32_t>(i);
  uint64_t n = 0;
  for (size_t i = length; i-- > 1;) {
    const size_t j = Bounded(Draw(key, n++), i + 1);
    const uint32_t tmp = p[i];
    p[i] = p[j];
    p[j] = tmp;
  }
}

// R_i of SPEC.md's selection: the key of source i's private stream.
constexpr uint64_t SelectionRowKey(uint64_t seed, uint64_t source) {
  return Draw(DomainKey(seed, Domain::kSelection), source);
}

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_RANDOM_H_
