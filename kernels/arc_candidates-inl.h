// Highway body of the arc method's listing by the source arc
// (kernels/arc_candidates.h explains the geometry; CandidatesBySourceArc
// is the portable twin, and the list comes out in the same order).
//
// A source's arc is s consecutive positions; the targets there are one
// plain load of N lanes (target_at is padded so that a vector may be read
// past its end), their arcs two gathers, the test of y against each arc N
// lanes at once, and the kept ids are compressed to the list
// (StoreCompressed). The portable loop is a chain of three dependent loads
// and a store per position.
//
// Only targets with hardware gathers and a vector compress take it (AVX2,
// AVX3, AVX3_DL); elsewhere the portable loop runs: SSE4's gathers are
// Highway's lane-by-lane loads. The other way of listing, by the target
// arcs over y, stays portable on every target: in lanes it was six
// gathers per vector of points, five deep (bucket, bracket, start, target,
// position), and a MoE routing (65536 x 1024, k = 8, one thread) took
// 8.8 ms with it against 7.2 ms with the portable loop on Zen 4 (AVX3_DL,
// one binary, docs/kernels.md): the loop's loads for one point never wait
// on another point's, and its scan's branches are mostly predicted.

// Per-target include guard: this file is re-included once per target.
#if defined(PHASE_ROUTER_KERNELS_ARC_CANDIDATES_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef PHASE_ROUTER_KERNELS_ARC_CANDIDATES_INL_H_
#undef PHASE_ROUTER_KERNELS_ARC_CANDIDATES_INL_H_
#else
#define PHASE_ROUTER_KERNELS_ARC_CANDIDATES_INL_H_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "kernels/arc_candidates.h"
#include "kernels/select_top_k-inl.h"

HWY_BEFORE_NAMESPACE();
namespace phase_router {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if PHASE_ROUTER_VECTOR_COMPRESS && (HWY_TARGET & PHASE_ROUTER_VECTOR_LIST_TARGETS)
static_assert(HWY_MAX_BYTES / sizeof(uint32_t) <= kTargetAtPadding,
              "target_at's padding holds a whole vector");

// ArcHolds on every lane: [offset, offset + length) on Z_ring holds point.
template <class D>
HWY_INLINE hn::Mask<D> ArcsHold(D d, hn::Vec<D> offset, hn::Vec<D> length, hn::Vec<D> point,
                                uint32_t ring) {
  const auto wrap = hn::IfThenElseZero(hn::Lt(point, offset), hn::Set(d, ring));
  return hn::Lt(hn::Add(hn::Sub(point, offset), wrap), length);
}

HWY_INLINE size_t ListBySourceArc(const TargetArcs& arcs, uint32_t s, uint32_t phi, uint32_t y,
                                  uint32_t* HWY_RESTRICT ids) {
  const hn::ScalableTag<uint32_t> d;
  const hn::RebindToSigned<decltype(d)> di;
  const size_t N = hn::Lanes(d);
  const auto point = hn::Set(d, y);
  const auto ring = static_cast<uint32_t>(arcs.M);
  size_t n = 0;
  // The arc's positions [phi, phi + s) on Z_E: up to E, then from 0.
  uint32_t x = phi;
  for (uint32_t left = s; left > 0; x = 0) {
    const uint32_t run = std::min<uint32_t>(left, static_cast<uint32_t>(arcs.E) - x);
    for (uint32_t j = 0; j < run; j += static_cast<uint32_t>(N)) {
      const auto t = hn::LoadU(d, arcs.target_at + x + j);  // padded past E
      const auto index = hn::BitCast(di, t);
      const auto holds = ArcsHold(d, hn::GatherIndex(d, arcs.offset, index),
                                  hn::GatherIndex(d, arcs.length, index), point, ring);
      n += StoreCompressed(d, t, hn::And(holds, hn::FirstN(d, run - j)), ids + n);
    }
    left -= run;
  }
  return n;
}

#else
HWY_INLINE size_t ListBySourceArc(const TargetArcs& arcs, uint32_t s, uint32_t phi, uint32_t y,
                                  uint32_t* HWY_RESTRICT ids) {
  return CandidatesBySourceArc(arcs, s, phi, y, ids);
}
#endif

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace phase_router
HWY_AFTER_NAMESPACE();

#endif  // PHASE_ROUTER_KERNELS_ARC_CANDIDATES_INL_H_
