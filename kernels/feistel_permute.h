// SPEC.md's keyed bijection fperm applied to a run of indices: the
// permutation stage's kernel (kernels/random.h states the function itself).
//
// Every element is independent (O(1) expected: fewer than 4 passes of the
// eight-round network, as its domain 2^(2h) is below 4 L), so callers split
// a permutation into bands over threads, and a row range evaluates only its
// own rows.
//
// Cost: a round hashes a half of h <= 16 bits with SPEC.md's 64-bit draw,
// about 20 ns a pass when computed. A network has only 8 * 2^h distinct
// rounds, so permuting many elements first tabulates them (a FeistelTable,
// 2^(h+4) bytes: 64 KiB at L = 10^7; built with vectors, shared read-only
// by every thread), and a pass becomes eight table lookups and XORs, about
// 2 ns. Few elements of a large domain (a short row range) compute their
// rounds directly instead: the table would cost more than it saves.
#ifndef PHASE_ROUTER_KERNELS_FEISTEL_PERMUTE_H_
#define PHASE_ROUTER_KERNELS_FEISTEL_PERMUTE_H_

#include <cstddef>
#include <cstdint>

#include "kernels/random.h"

namespace phase_router {

// Which way through the network: fperm, or fperm_inverse.
enum class FeistelDirection { kForward, kInverse };

// One network's rounds tabulated: rounds[(r << h) | x] = draw(key, r 2^32 +
// x) & (2^h - 1) for r < 8 and x < 2^h (h = FeistelHalfBits(length)).
// Lengths <= 1 have no network and no table.
constexpr size_t FeistelTableEntries(uint64_t length) {
  return length <= 1 ? 0 : size_t{8} << FeistelHalfBits(length);
}

// Tabulating pays when the elements permuted outnumber the table's entries
// by this factor's inverse (a computed pass costs about ten lookups' worth
// of the table build, and an element takes about 1.5 passes).
constexpr bool FeistelTablePays(uint64_t length, size_t count) {
  return length > 1 && count * 4 >= FeistelTableEntries(length);
}

// Writes entries [begin, end) of the table of (key, length): bands of one
// table may be built on different threads.
namespace scalar {
void BuildFeistelTable(uint64_t key, uint64_t length, size_t begin, size_t end,
                       uint16_t* rounds);
}  // namespace scalar
namespace generic {
void BuildFeistelTable(uint64_t key, uint64_t length, size_t begin, size_t end,
                       uint16_t* rounds);
}  // namespace generic

// out[j] = fperm(key, length, x_j) (or fperm_inverse) for j < count, where
// x_j = in[j], or first + j when `in` is null. `rounds` is the table of
// (key, length), or null to compute the rounds. Preconditions: 1 <= length
// <= 2^32 - 1 and every x_j < length. `in` may equal `out` (each element is
// read before it is written).
namespace scalar {
void FeistelPermute(uint64_t key, uint64_t length, const uint16_t* rounds,
                    FeistelDirection direction, const uint32_t* in, uint32_t first,
                    size_t count, uint32_t* out);
}  // namespace scalar
namespace generic {
void FeistelPermute(uint64_t key, uint64_t length, const uint16_t* rounds,
                    FeistelDirection direction, const uint32_t* in, uint32_t first,
                    size_t count, uint32_t* out);
}  // namespace generic

// The table-driven passes, shared by the generic and Highway builds (a
// lookup has no vector form that beats the scalar loads: gathers cost more
// per element than the eight loads they replace; AVX3_DL's byte lookups in
// registers, for networks of h <= 8, are the exception:
// feistel_permute-inl.h).

// One pass of the network on kLanes values, y[l] in place, their rounds
// interleaved: each value's eight lookups depend on one another (a chain of
// loads), so four independent chains side by side keep the load ports busy
// where the core's window alone overlapped fewer (1.4x; eight spilled).
template <bool kForward, int kLanes>
inline void FeistelTablePassN(const uint16_t* rounds, uint32_t h, uint32_t* y) {
  const uint32_t mask = (1u << h) - 1;
  uint32_t lo[kLanes], hi[kLanes];
  for (int l = 0; l < kLanes; ++l) {
    lo[l] = y[l] & mask;
    hi[l] = y[l] >> h;
  }
  if (kForward) {
    for (uint32_t r = 0; r < 8; ++r) {
      for (int l = 0; l < kLanes; ++l) {
        const uint32_t next_lo = hi[l] ^ rounds[(r << h) | lo[l]];
        hi[l] = lo[l];
        lo[l] = next_lo;
      }
    }
  } else {
    for (uint32_t r = 8; r-- > 0;) {
      for (int l = 0; l < kLanes; ++l) {
        const uint32_t prev_hi = lo[l] ^ rounds[(r << h) | hi[l]];
        lo[l] = hi[l];
        hi[l] = prev_hi;
      }
    }
  }
  for (int l = 0; l < kLanes; ++l) y[l] = (hi[l] << h) | lo[l];
}

// One value's pass.
template <bool kForward>
inline uint32_t FeistelTablePass(const uint16_t* rounds, uint32_t h, uint32_t y) {
  FeistelTablePassN<kForward, 1>(rounds, h, &y);
  return y;
}

// Cycle walking without a branch per element: a data-dependent "walk
// again?" branch mispredicts on about 40% of elements at L = 10^7 and
// serializes the lookups behind it (latency bound, 5x slower). Instead a
// batch runs one pass over every element still walking, branch-free, then
// compacts the indices of those still >= L and passes again: every pass is
// independent lookups the core overlaps. 1 KiB of stack.
template <bool kForward>
inline void FeistelPermuteByTable(const uint16_t* rounds, uint64_t length, const uint32_t* in,
                                  uint32_t first, size_t count, uint32_t* out) {
  constexpr size_t kBatch = 128, kInterleaved = 4;
  const uint32_t h = FeistelHalfBits(length);
  uint32_t walking[kBatch];
  for (size_t j0 = 0; j0 < count; j0 += kBatch) {
    const size_t n = count - j0 < kBatch ? count - j0 : kBatch;
    uint32_t* y = out + j0;
    size_t left = 0, j = 0;
    for (; j + kInterleaved <= n; j += kInterleaved) {
      for (size_t l = 0; l < kInterleaved; ++l) {
        y[j + l] = in ? in[j0 + j + l] : first + static_cast<uint32_t>(j0 + j + l);
      }
      FeistelTablePassN<kForward, kInterleaved>(rounds, h, y + j);
      for (size_t l = 0; l < kInterleaved; ++l) {
        walking[left] = static_cast<uint32_t>(j + l);
        left += y[j + l] >= length;
      }
    }
    for (; j < n; ++j) {
      const uint32_t x = in ? in[j0 + j] : first + static_cast<uint32_t>(j0 + j);
      y[j] = FeistelTablePass<kForward>(rounds, h, x);
      walking[left] = static_cast<uint32_t>(j);
      left += y[j] >= length;
    }
    while (left > 0) {
      size_t still = 0;
      for (size_t l = 0; l < left; ++l) {
        const uint32_t j = walking[l];
        y[j] = FeistelTablePass<kForward>(rounds, h, y[j]);
        walking[still] = j;
        still += y[j] >= length;
      }
      left = still;
    }
  }
}

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_FEISTEL_PERMUTE_H_
