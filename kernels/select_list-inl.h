// Highway body of SelectFromList, per target: SPEC.md's selection from a
// list of distinct candidate ids in any order (the arc method lists them in
// lay-out or ring order). The contract and the portable build are
// SelectFromCandidates (kernels/arc_candidates.h), its twin.
//
// The random rule's work is the bit path's (select_top_k-inl.h) on a list
// instead of a row: the keys hashed in vectors; a short list ranked all at
// once by broadcast compares (SelectShortRow's way); a longer one bracketed,
// narrowed and ranked, then its winners kept by a vector compress. The
// winners come out in list order and are put in ascending order last: a few
// (<= kPlacedIds) by each one's count of smaller winners, the same broadcast
// compares, and one store to that place; more by the portable
// WriteIdsAscending (a bitmap of the id range, or a sort). The portable
// build hashed and ranked a key at a time and counted places with loops the
// compiler vectorized for SSE2 only.

// Per-target include guard: this file is re-included once per target.
#if defined(PHASE_ROUTER_KERNELS_SELECT_LIST_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef PHASE_ROUTER_KERNELS_SELECT_LIST_INL_H_
#undef PHASE_ROUTER_KERNELS_SELECT_LIST_INL_H_
#else
#define PHASE_ROUTER_KERNELS_SELECT_LIST_INL_H_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "kernels/arc_candidates.h"
#include "kernels/random.h"
#include "kernels/select_top_k-inl.h"
#include "kernels/select_top_k_common.h"

HWY_BEFORE_NAMESPACE();
namespace phase_router {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Winners placed by counting; more go through WriteIdsAscending.
constexpr size_t kPlacedIds = 32;

// out[place of ids[j]] = ids[j] for the n <= kPlacedIds distinct ids, where
// an id's place is the count of smaller ids: ascending order with no sort
// (a sort of eight random ids mispredicts a dozen compares, more than the
// whole selection of a MoE token). Padding lanes hold ~0, below no id.
HWY_INLINE void PlaceAscending(const uint32_t* HWY_RESTRICT ids, size_t n,
                               int32_t* HWY_RESTRICT out) {
  const hn::ScalableTag<uint32_t> d;
  const size_t N = hn::Lanes(d);
  constexpr size_t kMaxLanes = HWY_MAX_BYTES / sizeof(uint32_t);
  uint32_t padded_ids[kPlacedIds + kMaxLanes];
  uint32_t places[kPlacedIds + kMaxLanes];
  const size_t padded = (n + N - 1) / N * N;
  const auto none = hn::Set(d, ~0u);
  for (size_t j = 0; j < padded; j += N) {
    const auto id = hn::LoadU(d, ids + j);  // ids has whole vectors past n
    hn::StoreU(hn::IfThenElse(hn::FirstN(d, n - j), id, none), d, padded_ids + j);
  }
  for (size_t j = 0; j < padded; j += N) {
    const auto id = hn::LoadU(d, padded_ids + j);
    auto place = hn::Zero(d);
    for (size_t i = 0; i < n; ++i) {  // subtracting a true mask (all ones) adds 1
      place = hn::Sub(place, hn::VecFromMask(d, hn::Lt(hn::Set(d, padded_ids[i]), id)));
    }
    hn::StoreU(place, d, places + j);
  }
  for (size_t j = 0; j < n; ++j) out[places[j]] = static_cast<int32_t>(ids[j]);
}

// Keeps, in place and in list order, the k ids of the c > k whose keys are
// the smallest. ids and keys as SelectFromCandidates' scratch.
HWY_INLINE void KeepRandomWinners(uint32_t* HWY_RESTRICT ids, size_t c, uint32_t k,
                                  uint32_t row_constant, uint32_t* HWY_RESTRICT keys) {
  if (c <= kSmallRow) {
    // SelectShortRow ranks in list order, writing the winners in order.
    int32_t winners[kSmallRow];
    SelectShortRow(row_constant, ids, c, k, winners, keys);
    for (size_t j = 0; j < k; ++j) ids[j] = static_cast<uint32_t>(winners[j]);
    return;
  }
  uint32_t* bracket = keys + c;  // room for 2 * c + 64 more keys
  const Bracket b = BracketQuantile(static_cast<double>(k) / c, c, 0, kTwo32, ~0u);
  size_t below_lo;
  const ptrdiff_t in_bracket = HashIds(row_constant, ids, c, b.lo, b.hi, keys, bracket, &below_lo);
  const size_t m = in_bracket >= 0 ? static_cast<size_t>(in_bracket)
                                   : KeysInRange(keys, c, b.lo, b.hi, bracket);
  const uint32_t threshold =
      below_lo < k && k <= below_lo + m
          ? RankBracket(bracket, m, b.lo, b.hi, k - below_lo - 1, bracket + m + 16)
          : KthSmallestKey(keys, c, k);
  KeepWinners(keys, c, threshold, ids);
}

HWY_INLINE void SelectFromList(uint32_t* ids, size_t c, uint32_t k, bool random,
                               uint32_t row_constant, size_t id_bound, int32_t* out,
                               uint32_t* keys, uint64_t* bitmap) {
#if PHASE_ROUTER_NATIVE_COMPRESS
  if (c <= 16 && (random || c <= k)) {
    // In registers (select_top_k-inl.h, WinnersInVector): the winners, then
    // each one's place among them, then one masked scatter.
    __m512i chosen = _mm512_loadu_si512(ids);  // ids has whole vectors past c
    size_t n = c;
    if (c > k) {
      chosen = WinnersInVector(chosen, c, k, row_constant);
      n = k;
    }
    const __mmask16 valid = static_cast<__mmask16>((1u << n) - 1);
    const __m512i places = RanksInVector(_mm512_mask_mov_epi32(_mm512_set1_epi32(-1), valid, chosen));
    _mm512_mask_i32scatter_epi32(out, valid, places, chosen, 4);
    std::fill(out + n, out + k, -1);
    return;
  }
#endif
  size_t n = c;
  if (c > k) {
    if (random) {
      KeepRandomWinners(ids, c, k, row_constant, keys);
    } else {
      std::nth_element(ids, ids + k, ids + c);
    }
    n = k;
  }
  if (n <= kPlacedIds) {
    if (n > 0) PlaceAscending(ids, n, out);
    std::fill(out + n, out + k, -1);
  } else {
    WriteIdsAscending(ids, n, k, id_bound, out, bitmap);
  }
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace phase_router
HWY_AFTER_NAMESPACE();

#endif  // PHASE_ROUTER_KERNELS_SELECT_LIST_INL_H_
