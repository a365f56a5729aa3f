// The routing spec's random functions (SPEC.md version 2, "Randomness"), and
// nothing else: every random number in the project is drawn here. All
// arithmetic is on unsigned integers, mod 2^64 (or 2^32 where marked), so the
// results are the same on every platform.
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
  kLayout = 6,         // sigma, the targets' lay-out order
  // Not part of the routing spec: the baselines' streams
  // (phase_router/analysis.h).
  kHashRouter = 16,
  kChungLu = 17,
  kTwoChoice = 18,
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
// (The baselines' draws; the routing spec itself has no bounded draw.)
constexpr uint64_t Bounded(uint64_t x, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(x) * n) >> 64);
}

// MurmurHash3's 32-bit finalizer; a bijection on uint32_t.
constexpr uint32_t Fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return h;
}

// ---- fperm(K, L, x): SPEC.md's keyed bijection on [0, L) -------------------
// An eight-round Feistel network on 2h bits (the smallest even width that
// holds L - 1), walked in cycles until the value falls below L. Any element
// costs O(1) (fewer than 4 network passes on average, as 2^(2h) < 4L), so
// permutations are evaluated in parallel, and a row range needs only its own
// rows. kernels/feistel_permute.h applies it to whole ranges with vectors.

// The network's half width h for length L >= 2: b = bit length of L - 1,
// h = ceil(b / 2).
constexpr uint32_t FeistelHalfBits(uint64_t length) {
  uint32_t b = 0;
  while (b < 64 && ((length - 1) >> b) != 0) ++b;
  return (b + 1) / 2;
}

// Round r's function of the half `half` (< 2^16 for L <= 2^32).
constexpr uint32_t FeistelRound(uint64_t key, uint32_t r, uint32_t half, uint32_t mask) {
  return static_cast<uint32_t>(Draw(key, (uint64_t{r} << 32) + half)) & mask;
}

constexpr uint32_t FeistelForward(uint64_t key, uint32_t h, uint32_t y) {
  const uint32_t mask = (1u << h) - 1;
  uint32_t lo = y & mask, hi = y >> h;
  for (uint32_t r = 0; r < 8; ++r) {
    const uint32_t next_lo = hi ^ FeistelRound(key, r, lo, mask);
    hi = lo;
    lo = next_lo;
  }
  return (hi << h) | lo;
}

constexpr uint32_t FeistelBackward(uint64_t key, uint32_t h, uint32_t y) {
  const uint32_t mask = (1u << h) - 1;
  uint32_t lo = y & mask, hi = y >> h;
  for (uint32_t r = 8; r-- > 0;) {
    const uint32_t prev_hi = lo ^ FeistelRound(key, r, hi, mask);
    lo = hi;
    hi = prev_hi;
  }
  return (hi << h) | lo;
}

// fperm(key, length, x) for 1 <= length <= 2^32 - 1 and x < length.
constexpr uint32_t Fperm(uint64_t key, uint64_t length, uint32_t x) {
  if (length <= 1) return 0;
  const uint32_t h = FeistelHalfBits(length);
  uint32_t y = FeistelForward(key, h, x);
  while (y >= length) y = FeistelForward(key, h, y);
  return y;
}

// fperm_inverse: Fperm(key, length, FpermInverse(key, length, y)) == y.
constexpr uint32_t FpermInverse(uint64_t key, uint64_t length, uint32_t y) {
  if (length <= 1) return 0;
  const uint32_t h = FeistelHalfBits(length);
  uint32_t x = FeistelBackward(key, h, y);
  while (x >= length) x = FeistelBackward(key, h, x);
  return x;
}

// ---- selection ---------------------------------------------------------------

// R_i of SPEC.md's selection: the key of source i's private stream.
constexpr uint64_t SelectionRowKey(uint64_t seed, uint64_t source) {
  return Draw(DomainKey(seed, Domain::kSelection), source);
}

// The 32-bit row constant c = R_i mod 2^32 of source i.
constexpr uint32_t SelectionRowConstant(uint64_t seed, uint64_t source) {
  return static_cast<uint32_t>(SelectionRowKey(seed, source));
}

inline constexpr uint32_t kGamma32 = 0x9E3779B9u;

// key(i, t) = fmix32(c + (t + 1) * 0x9E3779B9) mod 2^32; distinct within a
// row (the multiplier is odd and fmix32 a bijection).
constexpr uint32_t SelectionKey(uint32_t row_constant, uint32_t target) {
  return Fmix32(row_constant + (target + 1) * kGamma32);
}

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_RANDOM_H_
