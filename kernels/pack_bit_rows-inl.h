// Highway body of PackBitRows (kernels/pack_bit_rows.h), per target: one
// compare and one StoreMaskBits per vector of bytes.

#if defined(PHASE_ROUTER_KERNELS_PACK_BIT_ROWS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef PHASE_ROUTER_KERNELS_PACK_BIT_ROWS_INL_H_
#undef PHASE_ROUTER_KERNELS_PACK_BIT_ROWS_INL_H_
#else
#define PHASE_ROUTER_KERNELS_PACK_BIT_ROWS_INL_H_
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "hwy/highway.h"
#include "kernels/bit_matrix.h"

HWY_BEFORE_NAMESPACE();
namespace phase_router {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Mask bits are stored least significant bit first, byte by byte; on a
// little-endian machine (every target Highway builds for here) those bytes
// are exactly the packed words of bit_matrix.h.
HWY_INLINE void PackBitRows(const uint8_t* src, size_t src_stride, size_t rows,
                            size_t cols, uint64_t* dst, size_t dst_stride,
                            uint32_t* popcounts) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
                "packed words are little-endian bytes");
  const hn::ScalableTag<uint8_t> d8;
  const size_t N = hn::Lanes(d8);  // a multiple of 8 on every SIMD target
  const size_t words = WordsFor(cols);
  const auto zero = hn::Zero(d8);
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t* in = src + r * src_stride;
    uint64_t* out = dst + r * dst_stride;
    uint8_t* out_bytes = reinterpret_cast<uint8_t*>(out);
    out[words - 1] = 0;  // the tail below ORs into it
    size_t count = 0, x = 0;
    for (; x + N <= cols; x += N) {
      const auto set = hn::Ne(hn::LoadU(d8, in + x), zero);
      hn::StoreMaskBits(d8, set, out_bytes + x / 8);
      count += hn::CountTrue(d8, set);
    }
    for (; x < cols; ++x) {
      const uint64_t bit = in[x] != 0;
      out[x / kWordBits] |= bit << (x % kWordBits);
      count += bit;
    }
    if (popcounts) popcounts[r] = static_cast<uint32_t>(count);
  }
}

// counts[r] = the nonzero bytes of row r (a byte matrix's degrees). One
// compare and one subtract per vector: each lane counts its own nonzero
// bytes (the mask is all ones, -1) for up to 255 vectors before SumsOf8
// widens the lane counts into 64-bit sums, so the loop has no horizontal
// step and no popcount.
HWY_INLINE void CountNonzeroBytes(const uint8_t* src, size_t src_stride, size_t rows,
                                  size_t cols, uint32_t* counts) {
  const hn::ScalableTag<uint8_t> d8;
  const hn::Repartition<uint64_t, decltype(d8)> d64;
  const size_t N = hn::Lanes(d8);
  const auto zero = hn::Zero(d8);
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t* in = src + r * src_stride;
    auto total = hn::Zero(d64);
    size_t x = 0;
    while (x + N <= cols) {
      const size_t vectors = HWY_MIN((cols - x) / N, size_t{255});
      auto lanes = hn::Zero(d8);
      for (size_t v = 0; v < vectors; ++v, x += N) {
        lanes = hn::Sub(lanes, hn::VecFromMask(d8, hn::Ne(hn::LoadU(d8, in + x), zero)));
      }
      total = hn::Add(total, hn::SumsOf8(lanes));
    }
    uint64_t count = hn::GetLane(hn::SumOfLanes(d64, total));
    for (; x < cols; ++x) count += in[x] != 0;
    counts[r] = static_cast<uint32_t>(count);
  }
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace phase_router
HWY_AFTER_NAMESPACE();

#endif  // PHASE_ROUTER_KERNELS_PACK_BIT_ROWS_INL_H_
