// Target-independent helpers of the top-k selection, shared by the generic
// backend and the Highway bodies.
#ifndef PHASE_ROUTER_KERNELS_SELECT_TOP_K_COMMON_H_
#define PHASE_ROUTER_KERNELS_SELECT_TOP_K_COMMON_H_

#include <cmath>
#include <cstddef>
#include <cstdint>

#include <algorithm>

namespace phase_router {

// [lo, hi) around the q-quantile of n uniform draws from [base, base +
// width): q +- (3 sigma + 1 / n), sigma = sqrt(q (1 - q) / n), clipped to
// [base, top). A uniform sample misses it with probability ~3e-3, and a
// miss costs a radix select of the row (a few times the row's cost), so a
// wider bracket (4 sigma: 1e-4) costs more in ranking than it saves.
struct Bracket {
  uint32_t lo, hi;
};
inline Bracket BracketQuantile(double q, double n, uint32_t base, double width,
                                   uint32_t top) {
  const double margin = 3.0 * std::sqrt(q * (1 - q) / n) + 1.0 / n;
  const double a = q - margin, b = q + margin;
  Bracket r;
  r.lo = a <= 0 ? base : base + static_cast<uint32_t>(a * width);
  r.hi = b >= 1 ? top : base + static_cast<uint32_t>(b * width);
  return r;
}
// The whole key range (top: a key of ~0 is never the k-th smallest of more
// than k keys, so excluding it loses nothing).
inline constexpr double kTwo32 = 4294967296.0;

// Counts the c keys below lo and copies those in [lo, hi) to out (room for
// c), in order, branch-free; returns how many were copied.
inline size_t CopyKeysInRange(const uint32_t* keys, size_t c, uint32_t lo, uint32_t hi,
                              uint32_t* out, size_t* below_lo) {
  size_t n = 0, below = 0;
  for (size_t j = 0; j < c; ++j) {
    out[n] = keys[j];
    below += keys[j] < lo;
    n += keys[j] - lo < hi - lo;  // lo <= key < hi, as lo <= hi
  }
  *below_lo = below;
  return n;
}

// The k-th smallest of the c distinct keys (1 <= k <= c), by a most-
// significant-byte-first radix select: each level histograms the next byte of
// the keys still tied with the prefix found so far. By the last byte at most
// one key sits in each bucket, so the search always ends; with random keys it
// ends after one or two levels. No allocation: 1 KiB of stack.
inline uint32_t KthSmallestKey(const uint32_t* keys, size_t c, size_t k) {
  uint32_t prefix = 0, mask = 0;
  size_t need = k;
  for (int shift = 24; shift >= 0; shift -= 8) {
    uint32_t hist[256] = {};
    for (size_t j = 0; j < c; ++j) {
      if ((keys[j] & mask) == prefix) ++hist[(keys[j] >> shift) & 0xFF];
    }
    size_t below = 0, bucket = 0;
    while (below + hist[bucket] < need) below += hist[bucket++];
    need -= below;
    prefix |= static_cast<uint32_t>(bucket) << shift;
    mask |= 0xFFu << shift;
    if (need == hist[bucket]) break;
  }
  // Every key of the final bucket is among the k smallest; the largest of
  // them is the k-th.
  uint32_t kth = 0;
  for (size_t j = 0; j < c; ++j) {
    if ((keys[j] & mask) == prefix && keys[j] > kth) kth = keys[j];
  }
  return kth;
}

// The rank-th smallest (0-based) of the m distinct keys, all in [lo, hi):
// one histogram pass over about m / 2 equal slices of [lo, hi) (a power of
// two from 16 to 256), then an exact rank among the few keys of the slice
// that holds it. Meant for a bracket of roughly uniform keys; exact for any.
// Uses `scratch` for up to m keys.
inline uint32_t RankInRange(const uint32_t* keys, size_t m, uint32_t lo, uint32_t hi,
                            size_t rank, uint32_t* scratch) {
  size_t slices = 16;
  while (slices < 256 && slices * 2 <= m) slices *= 2;
  const uint32_t width = hi - lo;
  int shift = 0;
  while (shift < 32 && (width >> shift) >= slices) ++shift;
  uint32_t hist[257];  // (width >> shift) < slices <= 256
  std::fill(hist, hist + slices + 1, 0u);
  for (size_t j = 0; j < m; ++j) ++hist[(keys[j] - lo) >> shift];
  size_t below = 0, slice = 0;
  while (below + hist[slice] <= rank) below += hist[slice++];
  size_t n = 0;
  for (size_t j = 0; j < m; ++j) {
    scratch[n] = keys[j];
    n += ((keys[j] - lo) >> shift) == slice;
  }
  std::nth_element(scratch, scratch + (rank - below), scratch + n);
  return scratch[rank - below];
}

// Keeps ids[j] for j in [begin, c) whose key is <= threshold, compacting
// them in place after the n already kept; returns the new count. The ids are
// ascending, so the winners stay in id order and need no sort; every store
// lands at or before the id just read, and the loop has no data-dependent
// branch.
inline size_t CompactWinners(const uint32_t* keys, size_t begin, size_t c, uint32_t threshold,
                             uint32_t* ids, size_t n) {
  for (size_t j = begin; j < c; ++j) {
    ids[n] = ids[j];
    n += keys[j] <= threshold;
  }
  return n;
}

// positions[b] lists the set bits of byte b, ascending (unused entries 0).
// uint32_t so that a row of it is one vector of ids to offset.
struct SetBitPositionTable {
  uint32_t positions[256][8];
};
inline const SetBitPositionTable& SetBitPositions() {
  static const SetBitPositionTable table = [] {
    SetBitPositionTable t{};
    for (int b = 0; b < 256; ++b) {
      int n = 0;
      for (int i = 0; i < 8; ++i) {
        if (b & (1 << i)) t.positions[b][n++] = static_cast<uint32_t>(i);
      }
    }
    return t;
  }();
  return table;
}

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_SELECT_TOP_K_COMMON_H_
