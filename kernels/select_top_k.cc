#include "kernels/select_top_k.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "kernels/bit_matrix.h"
#include "kernels/random.h"
#include "kernels/select_top_k_common.h"

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
                   uint32_t k, uint32_t row_constant, int32_t* out,
                   uint32_t* ids_scratch, uint32_t* keys_scratch) {
  uint32_t c = 0;
  for (size_t x = 0; x < cols; ++x) {
    if (GetBit(row, x)) {
      ids_scratch[c] = static_cast<uint32_t>(x);
      keys_scratch[c] = SelectionKey(row_constant, static_cast<uint32_t>(x));
      ++c;
    }
  }
  (void)count;
  std::vector<std::pair<uint32_t, uint32_t>> by_key(c);
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

}  // namespace

void SelectLowestK(const uint64_t* row, size_t cols, uint32_t /*count*/,
                   uint32_t k, int32_t* out) {
  uint32_t* ids = reinterpret_cast<uint32_t*>(out);
  uint32_t n = DecodeSetBits(row, cols, k, ids);
  for (; n < k; ++n) out[n] = -1;
}

// Up to this many candidates a row is ranked by counting (c^2 compares, which
// the compiler vectorizes); above, the bracket below.
constexpr uint32_t kSmallRow = 32;

// The SIMD bodies' method in plain C++: bracket the k-th smallest key
// around (k / c) 2^32 with one counting pass, rank only the bracket
// (RankInRange), and fall back to the radix select when the bracket misses
// (probability ~3e-3). The radix select on every row, as before, cost
// 1 KiB of histogram to clear and scan per level: almost half the time at
// 4096 columns, and most of it on MoE rows of a dozen candidates.
void SelectRandomK(const uint64_t* row, size_t cols, uint32_t count,
                   uint32_t k, uint32_t row_constant, int32_t* out,
                   uint32_t* ids_scratch, uint32_t* keys_scratch) {
  if (count <= k) {  // every candidate is taken: no keys needed
    SelectLowestK(row, cols, count, k, out);
    return;
  }
  const uint32_t c = DecodeSetBits(row, cols, count, ids_scratch);
  uint32_t* keys = keys_scratch;
  for (uint32_t j = 0; j < c; ++j) keys[j] = SelectionKey(row_constant, ids_scratch[j]);
  uint32_t n = 0;
  if (c <= kSmallRow) {
    // A key is a winner iff fewer than k keys are smaller; ids stay in order.
    for (uint32_t j = 0; j < c; ++j) {
      uint32_t smaller = 0;
      for (uint32_t i = 0; i < c; ++i) smaller += keys[i] < keys[j];
      ids_scratch[n] = ids_scratch[j];
      n += smaller < k;
    }
  } else {
    const Bracket b = BracketQuantile(static_cast<double>(k) / c, c, 0, kTwo32, ~0u);
    uint32_t* bracket = keys + c;  // room for 2 * c + 64 more keys
    size_t below_lo;
    const size_t m = CopyKeysInRange(keys, c, b.lo, b.hi, bracket, &below_lo);
    const uint32_t threshold =
        below_lo < k && k <= below_lo + m
            ? RankInRange(bracket, m, b.lo, b.hi, k - below_lo - 1, bracket + m)
            : KthSmallestKey(keys, c, k);
    CompactWinners(keys, 0, c, threshold, ids_scratch, 0);
  }
  std::copy(ids_scratch, ids_scratch + k, reinterpret_cast<uint32_t*>(out));
}

}  // namespace generic
}  // namespace phase_router
