// Highway body of AndPopcountRows (kernels/and_popcount.h), per target.
// On AVX3_DL PopulationCount is one VPOPCNTQ per vector; elsewhere Highway
// lowers it to the byte-table or SWAR sequence of the target.

// Per-target include guard: this file is re-included once per target.
#if defined(PHASE_ROUTER_KERNELS_AND_POPCOUNT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef PHASE_ROUTER_KERNELS_AND_POPCOUNT_INL_H_
#undef PHASE_ROUTER_KERNELS_AND_POPCOUNT_INL_H_
#else
#define PHASE_ROUTER_KERNELS_AND_POPCOUNT_INL_H_
#endif

#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace phase_router {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// popcount(a & b) over `words` words, writing a & b to out when kStore.
// Two accumulators hide the add latency behind the loads.
template <bool kStore, class D>
HWY_INLINE uint64_t AndPopcountRow(D d, const uint64_t* HWY_RESTRICT a,
                                   const uint64_t* HWY_RESTRICT b, size_t words,
                                   uint64_t* HWY_RESTRICT out) {
  const size_t N = hn::Lanes(d);
  auto sum0 = hn::Zero(d), sum1 = hn::Zero(d);
  size_t w = 0;
  for (; w + 2 * N <= words; w += 2 * N) {
    const auto v0 = hn::And(hn::LoadU(d, a + w), hn::LoadU(d, b + w));
    const auto v1 = hn::And(hn::LoadU(d, a + w + N), hn::LoadU(d, b + w + N));
    if (kStore) {
      hn::StoreU(v0, d, out + w);
      hn::StoreU(v1, d, out + w + N);
    }
    sum0 = hn::Add(sum0, hn::PopulationCount(v0));
    sum1 = hn::Add(sum1, hn::PopulationCount(v1));
  }
  for (; w + N <= words; w += N) {
    const auto v = hn::And(hn::LoadU(d, a + w), hn::LoadU(d, b + w));
    if (kStore) hn::StoreU(v, d, out + w);
    sum0 = hn::Add(sum0, hn::PopulationCount(v));
  }
  uint64_t count = hn::GetLane(hn::SumOfLanes(d, hn::Add(sum0, sum1)));
  for (; w < words; ++w) {
    const uint64_t v = a[w] & b[w];
    if (kStore) out[w] = v;
    count += hwy::PopCount(v);
  }
  return count;
}

template <class D>
HWY_INLINE void AndPopcountRowsWith(D d, const uint64_t* a, size_t a_stride,
                                    const uint64_t* b, size_t b_stride,
                                    const uint32_t* b_index, size_t rows, size_t words,
                                    uint64_t* out, size_t out_stride, uint32_t* counts) {
  for (size_t r = 0; r < rows; ++r) {
    const uint64_t* rb = b + (b_index ? b_index[r] : r) * b_stride;
    const uint64_t count =
        out ? AndPopcountRow<true>(d, a + r * a_stride, rb, words, out + r * out_stride)
            : AndPopcountRow<false>(d, a + r * a_stride, rb, words, nullptr);
    counts[r] = static_cast<uint32_t>(count);
  }
}

// Rows shorter than a full vector (256 bits on AVX-512) use a vector as wide
// as the row rather than the scalar tail.
HWY_INLINE void AndPopcountRows(const uint64_t* a, size_t a_stride,
                                const uint64_t* b, size_t b_stride,
                                const uint32_t* b_index, size_t rows,
                                size_t words, uint64_t* out, size_t out_stride,
                                uint32_t* counts) {
  const hn::ScalableTag<uint64_t> d;
  const hn::CappedTag<uint64_t, 4> d4;
  if (words >= hn::Lanes(d) || words < hn::Lanes(d4)) {
    AndPopcountRowsWith(d, a, a_stride, b, b_stride, b_index, rows, words, out, out_stride,
                        counts);
  } else {
    AndPopcountRowsWith(d4, a, a_stride, b, b_stride, b_index, rows, words, out, out_stride,
                        counts);
  }
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace phase_router
HWY_AFTER_NAMESPACE();

#endif  // PHASE_ROUTER_KERNELS_AND_POPCOUNT_INL_H_
