#include "kernels/select_top_k.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "kernels/bit_matrix.h"
#include "kernels/random.h"

namespace phase_router {
namespace scalar {

void SelectLowestK(const uint64_t* row, size_t cols, uint32_t /*count*/,
                   uint32_t k, int32_t* out) {
  uint32_t n = 0;
  for (size_t x = 0; x < cols && n < k; ++x) {
    if (GetBit(row, x)) out[n++] = static_cast<int32_t>(x);
  }
  for (; n < k; ++n) out[n] = -1;
}

// The statement of the rule: sort the candidates by key, keep the first k,
// report them by id.
void SelectRandomK(const uint64_t* row, size_t cols, uint32_t count,
                   uint32_t k, uint64_t row_key, int32_t* out,
                   uint32_t* ids_scratch, uint64_t* keys_scratch) {
  uint32_t c = 0;
  for (size_t x = 0; x < cols; ++x) {
    if (GetBit(row, x)) {
      ids_scratch[c] = static_cast<uint32_t>(x);
      keys_scratch[c] = Draw(row_key, x);
      ++c;
    }
  }
  (void)count;
  std::vector<std::pair<uint64_t, uint32_t>> by_key(c);
  for (uint32_t j = 0; j < c; ++j) by_key[j] = {keys_scratch[j], ids_scratch[j]};
  std::sort(by_key.begin(), by_key.end());
  const uint32_t taken = std::min(k, c);
  for (uint32_t j = 0; j < taken; ++j) out[j] = static_cast<int32_t>(by_key[j].second);
  std::sort(out, out + taken);
  for (uint32_t j = taken; j < k; ++j) out[j] = -1;
}

}  // namespace scalar

namespace generic {
namespace {

// Writes the ids of the first `limit` set bits of row to out; returns how
// many were written.
inline uint32_t DecodeSetBits(const uint64_t* row, size_t cols, uint32_t limit,
                              uint32_t* out) {
  uint32_t n = 0;
  const size_t words = WordsFor(cols);
  for (size_t w = 0; w < words && n < limit; ++w) {
    for (uint64_t bits = row[w]; bits != 0 && n < limit; bits &= bits - 1) {
      out[n++] = static_cast<uint32_t>(w * kWordBits + __builtin_ctzll(bits));
    }
  }
  return n;
}

// The largest `prefix` (compared on the bits of `mask`) such that exactly k
// of keys[0..c) satisfy (key & mask) <= prefix, found by a most-significant-
// byte-first radix select: each level histograms the next byte of the keys
// still tied with the prefix. Keys are distinct, so by the last byte at most
// one key sits in each bucket and the search always ends; with random keys it
// ends after one or two levels. Requires 1 <= k < c.
inline void RadixSelectPrefix(const uint64_t* keys, uint32_t c, uint32_t k,
                              uint64_t* prefix_out, uint64_t* mask_out) {
  uint64_t prefix = 0, mask = 0;
  uint32_t need = k;
  for (int shift = 56; shift >= 0; shift -= 8) {
    uint32_t hist[256] = {};
    for (uint32_t j = 0; j < c; ++j) {
      if ((keys[j] & mask) == prefix) ++hist[(keys[j] >> shift) & 0xFF];
    }
    uint32_t below = 0, bucket = 0;
    while (below + hist[bucket] < need) below += hist[bucket++];
    need -= below;
    prefix |= static_cast<uint64_t>(bucket) << shift;
    mask |= 0xFFull << shift;
    if (need == hist[bucket]) break;
  }
  *prefix_out = prefix;
  *mask_out = mask;
}

}  // namespace

void SelectLowestK(const uint64_t* row, size_t cols, uint32_t /*count*/,
                   uint32_t k, int32_t* out) {
  uint32_t* ids = reinterpret_cast<uint32_t*>(out);
  uint32_t n = DecodeSetBits(row, cols, k, ids);
  for (; n < k; ++n) out[n] = -1;
}

void SelectRandomK(const uint64_t* row, size_t cols, uint32_t count,
                   uint32_t k, uint64_t row_key, int32_t* out,
                   uint32_t* ids_scratch, uint64_t* keys_scratch) {
  if (count <= k) {  // every candidate is taken: no keys needed
    SelectLowestK(row, cols, count, k, out);
    return;
  }
  const uint32_t c = DecodeSetBits(row, cols, count, ids_scratch);
  for (uint32_t j = 0; j < c; ++j) keys_scratch[j] = Draw(row_key, ids_scratch[j]);
  uint64_t prefix, mask;
  RadixSelectPrefix(keys_scratch, c, k, &prefix, &mask);
  // The ids are ascending already, so keeping the winners in id order gives
  // the ascending output without a sort.
  uint32_t n = 0;
  for (uint32_t j = 0; j < c; ++j) {
    if ((keys_scratch[j] & mask) <= prefix) out[n++] = static_cast<int32_t>(ids_scratch[j]);
  }
}

}  // namespace generic
}  // namespace phase_router
