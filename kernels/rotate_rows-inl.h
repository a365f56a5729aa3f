// Highway body of RotateRowsOnRing (kernels/rotate_rows.h), per target. A rotation by r on a ring of L bits is two funnel shifts of the
// word row, (x << r) | (x >> (L - r)), each a pair of unaligned loads, two
// shifts and an OR per vector.

#if defined(PHASE_ROUTER_KERNELS_ROTATE_ROWS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef PHASE_ROUTER_KERNELS_ROTATE_ROWS_INL_H_
#undef PHASE_ROUTER_KERNELS_ROTATE_ROWS_INL_H_
#else
#define PHASE_ROUTER_KERNELS_ROTATE_ROWS_INL_H_
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "hwy/highway.h"
#include "kernels/bit_matrix.h"
#include "kernels/rotate_rows.h"

HWY_BEFORE_NAMESPACE();
namespace phase_router {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// out[w] = word w of `in` (`words` words) shifted up by `shift` bits, for
// w < words. Bits shifted in are zero.
template <class D>
HWY_INLINE void ShiftRowUp(D d, const uint64_t* HWY_RESTRICT in, size_t words,
                           size_t shift, uint64_t* HWY_RESTRICT out) {
  const size_t N = hn::Lanes(d);
  const size_t q = shift / kWordBits;
  const int b = static_cast<int>(shift % kWordBits);
  const size_t zeros = q < words ? q : words;
  for (size_t w = 0; w < zeros; ++w) out[w] = 0;
  if (q >= words) return;
  if (b == 0) {
    std::memcpy(out + q, in, (words - q) * sizeof(uint64_t));
    return;
  }
  out[q] = in[0] << b;
  // For w > q both in[w - q] and in[w - q - 1] exist.
  size_t w = q + 1;
  for (; w + N <= words; w += N) {
    const auto hi = hn::ShiftLeftSame(hn::LoadU(d, in + w - q), b);
    const auto lo = hn::ShiftRightSame(hn::LoadU(d, in + w - q - 1), 64 - b);
    hn::StoreU(hn::Or(hi, lo), d, out + w);
  }
  for (; w < words; ++w) out[w] = (in[w - q] << b) | (in[w - q - 1] >> (64 - b));
}

// out[w] |= word w of `in` shifted down by `shift` bits, for w < out_words.
template <class D>
HWY_INLINE void OrRowShiftedDown(D d, const uint64_t* HWY_RESTRICT in,
                                 size_t words, size_t shift, size_t out_words,
                                 uint64_t* HWY_RESTRICT out) {
  const size_t N = hn::Lanes(d);
  const size_t q = shift / kWordBits;
  const int b = static_cast<int>(shift % kWordBits);
  size_t w = 0;
  if (b == 0) {
    for (; w < out_words && w + q < words; ++w) out[w] |= in[w + q];
    return;
  }
  // Vector body while in[w + q + N] (the last high word read) exists.
  for (; w + N <= out_words && w + q + N < words; w += N) {
    const auto lo = hn::ShiftRightSame(hn::LoadU(d, in + w + q), b);
    const auto hi = hn::ShiftLeftSame(hn::LoadU(d, in + w + q + 1), 64 - b);
    hn::StoreU(hn::Or(hn::LoadU(d, out + w), hn::Or(lo, hi)), d, out + w);
  }
  for (; w < out_words && w + q < words; ++w) {
    uint64_t v = in[w + q] >> b;
    if (w + q + 1 < words) v |= in[w + q + 1] << (64 - b);
    out[w] |= v;
  }
}

// Because the source's padding bits are zero, the down-shifted half adds
// nothing at or above bit r and needs no mask; only the up-shifted half spills
// past the ring and is masked.
HWY_INLINE void RotateRowsOnRing(const uint64_t* src, size_t src_stride,
                                 size_t rows, size_t ring,
                                 const uint32_t* offsets, uint64_t* dst,
                                 size_t dst_stride) {
  const hn::ScalableTag<uint64_t> d;
  const size_t words = WordsFor(ring);
  if (words <= hn::Lanes(d)) {
    // No vector body to run: the generic build's one-pass word loop is the
    // faster scalar code.
    generic::RotateRowsOnRing(src, src_stride, rows, ring, offsets, dst, dst_stride);
    return;
  }
  for (size_t r = 0; r < rows; ++r) {
    const uint64_t* in = src + r * src_stride;
    uint64_t* out = dst + r * dst_stride;
    const size_t up = offsets[r];
    ShiftRowUp(d, in, words, up, out);
    if (up != 0) OrRowShiftedDown(d, in, words, ring - up, WordsFor(up), out);
    out[words - 1] &= LastWordMask(ring);
  }
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace phase_router
HWY_AFTER_NAMESPACE();

#endif  // PHASE_ROUTER_KERNELS_ROTATE_ROWS_INL_H_
