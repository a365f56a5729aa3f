// Target-independent helpers of the top-k selection, shared by the generic
// backend and the Highway bodies.
#ifndef PHASE_ROUTER_KERNELS_SELECT_TOP_K_COMMON_H_
#define PHASE_ROUTER_KERNELS_SELECT_TOP_K_COMMON_H_

#include <cstddef>
#include <cstdint>

namespace phase_router {

// The k-th smallest of the c distinct keys (1 <= k <= c), by a most-
// significant-byte-first radix select: each level histograms the next byte of
// the keys still tied with the prefix found so far. By the last byte at most
// one key sits in each bucket, so the search always ends; with random keys it
// ends after one or two levels. No allocation: 1 KiB of stack.
inline uint64_t KthSmallestKey(const uint64_t* keys, size_t c, size_t k) {
  uint64_t prefix = 0, mask = 0;
  size_t need = k;
  for (int shift = 56; shift >= 0; shift -= 8) {
    uint32_t hist[256] = {};
    for (size_t j = 0; j < c; ++j) {
      if ((keys[j] & mask) == prefix) ++hist[(keys[j] >> shift) & 0xFF];
    }
    size_t below = 0, bucket = 0;
    while (below + hist[bucket] < need) below += hist[bucket++];
    need -= below;
    prefix |= static_cast<uint64_t>(bucket) << shift;
    mask |= 0xFFull << shift;
    if (need == hist[bucket]) break;
  }
  // Every key of the final bucket is among the k smallest; the largest of
  // them is the k-th.
  uint64_t kth = 0;
  for (size_t j = 0; j < c; ++j) {
    if ((keys[j] & mask) == prefix && keys[j] > kth) kth = keys[j];
  }
  return kth;
}

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_SELECT_TOP_K_COMMON_H_
