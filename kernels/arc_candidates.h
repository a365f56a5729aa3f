// Candidates of an aligned routing straight from the arcs (SPEC.md's closed
// form), with no bit matrix: the arc-intersection backend's kernels.
//
// With alignment on, after rotation and the (folded) permutations:
//   source i is the arc  [phi_i, phi_i + s_i)  on Z_E, sitting at y_i on Z_M;
//   target t is the arc  [psi_t, psi_t + t'_t) on Z_M, sitting at x_t on Z_E;
// and t is a candidate of i iff x_t lies in i's arc and y_i in t's arc
// (x_t = q_s[t], y_i = q_t[i]: router/bit_path_stages.h folds the row permutations
// into these). Two ways to list source i's candidates:
//   * by its own arc: the s_i positions of the arc, each naming one target
//     (target_at[x]) whose arc is then tested: s_i O(1) tests;
//   * by the target arcs over y_i: the layout lays the target arcs end to
//     end, in its shuffled order, on the unrolled line [0, Σt')
//     (kernels/target_layout.h), so the arcs covering y_i are the ones
//     holding y_i, y_i + M, y_i + 2M, ... (at most one arc each, as no arc
//     is longer than M), found by a bucketed search of the places' starts;
//     each is then tested against i's arc: about Σt' / M searches.
// Each source takes the cheaper way (ArcCostModel). Candidates come out in
// lay-out order from the second way and in ring order from the first;
// SelectFromCandidates accepts any order.
#ifndef PHASE_ROUTER_KERNELS_ARC_CANDIDATES_H_
#define PHASE_ROUTER_KERNELS_ARC_CANDIDATES_H_

#include <cstddef>
#include <cstdint>

namespace phase_router {

// [offset, offset + length) on Z_ring holds `point` (all < ring except
// length, which may equal ring).
inline bool ArcHolds(uint32_t offset, uint32_t length, uint32_t point, size_t ring) {
  const size_t from_start = point >= offset ? point - offset : point + ring - offset;
  return from_start < length;
}

// Entries of target_at past E that a vector may read (16 lanes of 32 bits).
constexpr size_t kTargetAtPadding = 16;

// The target side, read-only and shared by every thread. The caller owns
// every array; ArcIndexSizes says how large the locator's are.
struct TargetArcs {
  size_t M = 0, E = 0;
  const uint32_t* length = nullptr;     // t'_t, E entries
  const uint32_t* offset = nullptr;     // psi_t, E entries
  const uint32_t* position = nullptr;   // x_t = q_s[t], E entries
  // Inverse of position: E entries, then kTargetAtPadding more readable
  // ones below E (a vector read of the last positions runs past E).
  const uint32_t* target_at = nullptr;
  // The locator: start[p] = where the arc at place p starts on the
  // unrolled line (E + 1 entries, start[E] = Σt'; LayTargetArcs), order[p]
  // = the target at place p, and first[b] = the place holding the point
  // b << shift (buckets + 1 entries, clamped to the last non-empty arc).
  const uint64_t* start = nullptr;
  const uint32_t* order = nullptr;
  const uint32_t* first = nullptr;
  uint32_t shift = 0;

  // The arrays the listing by the source arc reads; the locator's are set
  // apart (start and order by the caller, first by BuildArcIndex).
  static TargetArcs Of(size_t M, size_t E, const uint32_t* length, const uint32_t* offset,
                       const uint32_t* position, const uint32_t* target_at) {
    TargetArcs arcs;
    arcs.M = M;
    arcs.E = E;
    arcs.length = length;
    arcs.offset = offset;
    arcs.position = position;
    arcs.target_at = target_at;
    return arcs;
  }

  uint64_t total() const { return start[E]; }
  // Arcs over point y of Z_M: one per unrolled point y, y + M, ... < Σt.
  uint64_t HitsAt(uint32_t y) const { return y < total() ? (total() - 1 - y) / M + 1 : 0; }
};

// Entries of the locator for E arcs summing to `total`: a power-of-two
// bucket width giving about two buckets per arc.
struct ArcIndexSizes {
  uint32_t shift = 0;
  uint64_t buckets = 0;  // first[] has buckets + 1 entries
  static ArcIndexSizes For(size_t E, uint64_t total);
};

// Fills first[] of `arcs` (E, M and start set) for `sizes`.
void BuildArcIndex(const ArcIndexSizes& sizes, uint32_t* first, TargetArcs* arcs);

// Source i's candidates, written to ids; returns their count. Every tested
// target is stored before the test decides whether it stays (a whole
// vector of them in the per-target builds, kernels/arc_candidates-inl.h),
// so ids needs room for HitsAt(y) entries (ByTargetArcs) or s (BySourceArc),
// plus kTargetAtPadding: E + kTargetAtPadding always suffices.
//   ByTargetArcs: in lay-out order; costs HitsAt(y) searches.
//   BySourceArc: in the order of the arc's positions; costs s tests.
size_t CandidatesByTargetArcs(const TargetArcs& arcs, uint32_t s, uint32_t phi, uint32_t y,
                              uint32_t* ids);
size_t CandidatesBySourceArc(const TargetArcs& arcs, uint32_t s, uint32_t phi, uint32_t y,
                             uint32_t* ids);

// The Highway targets that list by the source arc in vectors
// (ListBySourceArc, kernels/arc_candidates-inl.h): those with hardware
// gathers and a vector compress. Expanded where Highway's target bits are
// defined (the -inl.h's #if, arc_candidates.cc).
#define PHASE_ROUTER_VECTOR_LIST_TARGETS (HWY_AVX2 | HWY_AVX3 | HWY_AVX3_DL)

// Whether Highway target bit `target` (0: generic) is one of them. The
// router's cost model prices a tested position by it.
bool ListsSourceArcsInVectors(int64_t target);

// The per-source choice: search the target arcs when their hits cost less
// than testing the s positions of the source's own arc. A search costs about
// kSearchCost tests (measured: bench/scale_bench.cc, docs/scale.md: a
// search costs 6-8 ns, a test of the source arc about 1.7 ns).
struct ArcCostModel {
  static constexpr uint64_t kSearchCost = 4;
  static bool SearchTargets(uint32_t s, uint64_t hits) { return hits * kSearchCost < s; }
};

// SPEC.md's selection from a candidate list of c distinct target ids below
// id_bound (any order): writes exactly k entries to out, the chosen ids
// ascending, then -1.
// random: the min(k, c) ids with the smallest SelectionKey(row_constant, id);
// lowest: the min(k, c) smallest ids. Scratch: keys holds c entries and
// bitmap ceil(id_bound / 64). Reorders ids.
// The portable build, and the twin of each target's SelectFromList
// (kernels/select_list-inl.h), which needs the larger scratch of
// select_top_k.h (ids: c + 64, keys: 3c + 64 entries: whole vectors).
void SelectFromCandidates(uint32_t* ids, size_t c, uint32_t k, bool random,
                          uint32_t row_constant, size_t id_bound, int32_t* out, uint32_t* keys,
                          uint64_t* bitmap);

// The n distinct ids below id_bound (any order) ascending into out, then -1
// up to k: each id's place by counting (n <= 32), a bitmap of the id range
// (many ids from a dense range), or a sort. Reorders ids.
void WriteIdsAscending(uint32_t* ids, size_t n, uint32_t k, size_t id_bound, int32_t* out,
                       uint64_t* bitmap);

namespace scalar {
// The twin: every target tested by the closed form, ascending ids.
size_t Candidates(const TargetArcs& arcs, uint32_t s, uint32_t phi, uint32_t y,
                  uint32_t* ids);
}  // namespace scalar

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_ARC_CANDIDATES_H_
