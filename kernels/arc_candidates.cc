#include "kernels/arc_candidates.h"

#include <algorithm>
#include <limits>

#include "hwy/targets.h"
#include "kernels/random.h"
#include "kernels/select_top_k_common.h"

namespace phase_router {

ArcIndexSizes ArcIndexSizes::For(size_t E, uint64_t total) {
  ArcIndexSizes z;
  while ((total >> z.shift) > 2 * uint64_t{E}) ++z.shift;
  z.buckets = (total >> z.shift) + 1;
  return z;
}

bool ListsSourceArcsInVectors(int64_t target) {
  return (target & PHASE_ROUTER_VECTOR_LIST_TARGETS) != 0;
}

void BuildArcIndex(const ArcIndexSizes& sizes, uint32_t* first, TargetArcs* arcs) {
  const size_t E = arcs->E;
  const uint64_t* start = arcs->start;
  // first[b]: the last place starting at or before b << shift; a zero-length
  // arc is always passed over, as the next one starts where it does.
  size_t t = 0;
  for (uint64_t b = 0; b <= sizes.buckets; ++b) {
    const uint64_t point = b << sizes.shift;
    while (t + 1 < E && start[t + 1] <= point) ++t;
    first[b] = static_cast<uint32_t>(t);
  }
  arcs->first = first;
  arcs->shift = sizes.shift;
}

namespace {

// The place holding the unrolled point p < Σt': the last place with
// start[place] <= p.
// It lies between the arcs holding the starts of p's bucket and the next;
// buckets hold about half an arc each, so the scan is short unless many
// tiny arcs share one, where a binary search takes over.
inline uint32_t Locate(const TargetArcs& arcs, uint64_t p) {
  const uint64_t b = p >> arcs.shift;
  uint32_t lo = arcs.first[b];
  const uint32_t hi = arcs.first[b + 1];
  if (hi - lo > 8) {
    return static_cast<uint32_t>(
        std::upper_bound(arcs.start + lo + 1, arcs.start + hi + 1, p) - arcs.start - 1);
  }
  while (lo < hi && arcs.start[lo + 1] <= p) ++lo;
  return lo;
}

}  // namespace

size_t CandidatesByTargetArcs(const TargetArcs& arcs, uint32_t s, uint32_t phi, uint32_t y,
                              uint32_t* ids) {
  size_t n = 0;
  const uint64_t total = arcs.total();
  for (uint64_t p = y; p < total; p += arcs.M) {
    const uint32_t t = arcs.order[Locate(arcs, p)];
    ids[n] = t;
    n += ArcHolds(phi, s, arcs.position[t], arcs.E);
  }
  return n;
}

size_t CandidatesBySourceArc(const TargetArcs& arcs, uint32_t s, uint32_t phi, uint32_t y,
                             uint32_t* ids) {
  size_t n = 0;
  uint32_t x = phi;
  for (uint32_t d = 0; d < s; ++d) {
    const uint32_t t = arcs.target_at[x];
    ids[n] = t;
    n += ArcHolds(arcs.offset[t], arcs.length[t], y, arcs.M);
    x = x + 1 == arcs.E ? 0 : x + 1;
  }
  return n;
}

namespace {

// Counts, for each of the first c values (c <= N), the values below it among
// all N, where v[c..N) hold INT32_MAX (never below any value): N is a
// constant, so the inner loop is whole vectors with no tail (the compiler
// vectorizes it), and there is no branch.
template <size_t N>
inline void CountBelow(const int32_t* v, size_t c, uint32_t* below) {
  for (size_t j = 0; j < c; ++j) {
    uint32_t count = 0;
    for (size_t l = 0; l < N; ++l) count += v[l] < v[j];
    below[j] = count;
  }
}

// CountBelow over the smallest padded size that holds c <= 32 values;
// `v` has room for 32.
inline void CountBelowPadded(int32_t* v, size_t c, uint32_t* below) {
  const size_t padded = c <= 8 ? 8 : (c <= 16 ? 16 : 32);
  std::fill(v + c, v + padded, std::numeric_limits<int32_t>::max());
  if (padded == 8) {
    CountBelow<8>(v, c, below);
  } else if (padded == 16) {
    CountBelow<16>(v, c, below);
  } else {
    CountBelow<32>(v, c, below);
  }
}

}  // namespace

// The lists come in lay-out or ring order, so they are ordered here:
//  * a few ids (n <= 32; MoE shapes keep k of about Σt / M): each id's
//    place is the count of smaller ids, no branch (a sort of eight random
//    ids mispredicts a dozen compares, more than the whole selection);
//  * many ids from a dense range: a bitmap of the id range, about
//    id_bound / 64 words against n log n compares;
//  * otherwise a sort.
void WriteIdsAscending(uint32_t* ids, size_t n, uint32_t k, size_t id_bound, int32_t* out,
                       uint64_t* bitmap) {
  const size_t words = (id_bound + 63) / 64;
  size_t log_n = 0;
  while ((size_t{1} << log_n) < n) ++log_n;
  if (n <= 32) {
    int32_t v[32];  // ids < 2^31
    uint32_t place[32];
    for (size_t j = 0; j < n; ++j) v[j] = static_cast<int32_t>(ids[j]);
    CountBelowPadded(v, n, place);
    for (size_t j = 0; j < n; ++j) out[place[j]] = v[j];
  } else if (words < n * log_n) {
    std::fill(bitmap, bitmap + words, 0);
    for (size_t j = 0; j < n; ++j) bitmap[ids[j] / 64] |= uint64_t{1} << (ids[j] % 64);
    size_t written = 0;
    for (size_t w = 0; w < words; ++w) {
      for (uint64_t bits = bitmap[w]; bits != 0; bits &= bits - 1) {
        out[written++] = static_cast<int32_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(bits)));
      }
    }
  } else {
    std::sort(ids, ids + n);
    for (size_t j = 0; j < n; ++j) out[j] = static_cast<int32_t>(ids[j]);
  }
  std::fill(out + n, out + k, -1);
}

void SelectFromCandidates(uint32_t* ids, size_t c, uint32_t k, bool random,
                          uint32_t row_constant, size_t id_bound, int32_t* out, uint32_t* keys,
                          uint64_t* bitmap) {
  size_t n = c;
  if (c > k) {
    if (!random) {
      std::nth_element(ids, ids + k, ids + c);
    } else {
      for (size_t j = 0; j < c; ++j) keys[j] = SelectionKey(row_constant, ids[j]);
      n = 0;
      if (c <= 32) {
        // Few candidates (the common case at scale: about Σt / M): rank
        // each key by counting, no histogram to clear. Keys are compared
        // as int32 with the sign bit flipped (the same order), the compare
        // every ISA's vectors have.
        int32_t v[32];
        uint32_t rank[32];
        for (size_t j = 0; j < c; ++j) v[j] = static_cast<int32_t>(keys[j] ^ 0x80000000u);
        CountBelowPadded(v, c, rank);
        for (size_t j = 0; j < c; ++j) {
          ids[n] = ids[j];
          n += rank[j] < k;
        }
      } else {
        n = CompactWinners(keys, 0, c, KthSmallestKey(keys, c, k), ids, 0);
      }
    }
    n = k;
  }
  WriteIdsAscending(ids, n, k, id_bound, out, bitmap);
}

namespace scalar {

size_t Candidates(const TargetArcs& arcs, uint32_t s, uint32_t phi, uint32_t y,
                  uint32_t* ids) {
  size_t n = 0;
  for (uint32_t t = 0; t < arcs.E; ++t) {
    if (ArcHolds(phi, s, arcs.position[t], arcs.E) &&
        ArcHolds(arcs.offset[t], arcs.length[t], y, arcs.M)) {
      ids[n++] = t;
    }
  }
  return n;
}

}  // namespace scalar
}  // namespace phase_router
