// Highway body of TransposeBits (kernels/transpose_bits.h), per target.
//
// Method: lane-parallel swap networks. A vector load of row r at word column
// bc holds row r of N adjacent 64 x 64 blocks, one per lane. Loading the 64
// rows of a block row gives 64 vectors in which lane b is block b, so the six
// stages of the classic recursive transpose (swap the off-diagonal s x s
// quadrants, s = 32 ... 1) pair whole vectors and need no shuffles: N blocks
// are transposed by 6 * 32 vertical swaps, done eight rows at a time in
// registers. The rows are read contiguously and
// through the optional row index, so a row gather costs nothing extra.

#if defined(PHASE_ROUTER_KERNELS_TRANSPOSE_BITS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef PHASE_ROUTER_KERNELS_TRANSPOSE_BITS_INL_H_
#undef PHASE_ROUTER_KERNELS_TRANSPOSE_BITS_INL_H_
#else
#define PHASE_ROUTER_KERNELS_TRANSPOSE_BITS_INL_H_
#endif

#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "kernels/bit_matrix.h"

HWY_BEFORE_NAMESPACE();
namespace phase_router {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Rows lo and hi trade their off-diagonal kS-bit groups: one stage of the
// network for one pair of rows, on every lane.
template <int kS, class D, class V = hn::Vec<D>>
HWY_INLINE void SwapBits(D d, V& lo, V& hi, uint64_t mask) {
  const V t = hn::And(hn::Xor(hn::ShiftRight<kS>(lo), hi), hn::Set(d, mask));
  lo = hn::Xor(lo, hn::ShiftLeft<kS>(t));
  hi = hn::Xor(hi, t);
}

// The three stages whose pairs are 4, 2 and 1 rows apart, on eight rows held
// in registers (stride 32, 16, 8 in the first pass; 4, 2, 1 in the second).
template <int kS4, int kS2, int kS1, class D, class V = hn::Vec<D>>
HWY_INLINE void ThreeStages(D d, V& v0, V& v1, V& v2, V& v3, V& v4, V& v5, V& v6, V& v7,
                            uint64_t m4, uint64_t m2, uint64_t m1) {
  SwapBits<kS4>(d, v0, v4, m4);
  SwapBits<kS4>(d, v1, v5, m4);
  SwapBits<kS4>(d, v2, v6, m4);
  SwapBits<kS4>(d, v3, v7, m4);
  SwapBits<kS2>(d, v0, v2, m2);
  SwapBits<kS2>(d, v1, v3, m2);
  SwapBits<kS2>(d, v4, v6, m2);
  SwapBits<kS2>(d, v5, v7, m2);
  SwapBits<kS1>(d, v0, v1, m1);
  SwapBits<kS1>(d, v2, v3, m1);
  SwapBits<kS1>(d, v4, v5, m1);
  SwapBits<kS1>(d, v6, v7, m1);
}

// Transposes a tile of 64 rows x N lanes (row j at tile + j * N) in two
// register passes: stages 32, 16, 8 only pair rows of equal residue mod 8,
// stages 4, 2, 1 only rows of the same group of 8, so each pass holds eight
// rows in registers and the tile is read and written twice in all.
template <class D>
HWY_INLINE void TransposeTile(D d, uint64_t* HWY_RESTRICT tile) {
  const size_t N = hn::Lanes(d);
  for (size_t g = 0; g < 8; ++g) {
    uint64_t* p = tile + g * N;
    auto v0 = hn::Load(d, p + 0 * 8 * N), v1 = hn::Load(d, p + 1 * 8 * N);
    auto v2 = hn::Load(d, p + 2 * 8 * N), v3 = hn::Load(d, p + 3 * 8 * N);
    auto v4 = hn::Load(d, p + 4 * 8 * N), v5 = hn::Load(d, p + 5 * 8 * N);
    auto v6 = hn::Load(d, p + 6 * 8 * N), v7 = hn::Load(d, p + 7 * 8 * N);
    ThreeStages<32, 16, 8>(d, v0, v1, v2, v3, v4, v5, v6, v7, 0x00000000FFFFFFFFull,
                           0x0000FFFF0000FFFFull, 0x00FF00FF00FF00FFull);
    hn::Store(v0, d, p + 0 * 8 * N);
    hn::Store(v1, d, p + 1 * 8 * N);
    hn::Store(v2, d, p + 2 * 8 * N);
    hn::Store(v3, d, p + 3 * 8 * N);
    hn::Store(v4, d, p + 4 * 8 * N);
    hn::Store(v5, d, p + 5 * 8 * N);
    hn::Store(v6, d, p + 6 * 8 * N);
    hn::Store(v7, d, p + 7 * 8 * N);
  }
  for (size_t g = 0; g < 8; ++g) {
    uint64_t* p = tile + g * 8 * N;
    auto v0 = hn::Load(d, p + 0 * N), v1 = hn::Load(d, p + 1 * N);
    auto v2 = hn::Load(d, p + 2 * N), v3 = hn::Load(d, p + 3 * N);
    auto v4 = hn::Load(d, p + 4 * N), v5 = hn::Load(d, p + 5 * N);
    auto v6 = hn::Load(d, p + 6 * N), v7 = hn::Load(d, p + 7 * N);
    ThreeStages<4, 2, 1>(d, v0, v1, v2, v3, v4, v5, v6, v7, 0x0F0F0F0F0F0F0F0Full,
                         0x3333333333333333ull, 0x5555555555555555ull);
    hn::Store(v0, d, p + 0 * N);
    hn::Store(v1, d, p + 1 * N);
    hn::Store(v2, d, p + 2 * N);
    hn::Store(v3, d, p + 3 * N);
    hn::Store(v4, d, p + 4 * N);
    hn::Store(v5, d, p + 5 * N);
    hn::Store(v6, d, p + 6 * N);
    hn::Store(v7, d, p + 7 * N);
  }
}

// Transposes the block rows of source word columns [bc, bc + Lanes(d)).
template <class D>
HWY_INLINE void TransposeColumnBand(D d, const uint64_t* src, size_t src_stride,
                                    const uint32_t* row_index, size_t rows,
                                    size_t cols, size_t bc, uint64_t* dst,
                                    size_t dst_stride, uint64_t* HWY_RESTRICT tile) {
  const size_t N = hn::Lanes(d);
  const size_t row_blocks = WordsFor(rows);
  for (size_t br = 0; br < row_blocks; ++br) {
    const size_t r0 = br * kWordBits;
    const size_t n = rows - r0 < kWordBits ? rows - r0 : kWordBits;
    for (size_t j = 0; j < n; ++j) {
      const size_t r = row_index ? row_index[r0 + j] : r0 + j;
      hn::Store(hn::LoadU(d, src + r * src_stride + bc), d, tile + j * N);
    }
    // Rows past the end are zero so that the padding bits come out zero.
    for (size_t j = n; j < kWordBits; ++j) hn::Store(hn::Zero(d), d, tile + j * N);
    TransposeTile(d, tile);
    for (size_t b = 0; b < N; ++b) {
      const size_t x0 = (bc + b) * kWordBits;
      const size_t out_rows = cols - x0 < kWordBits ? cols - x0 : kWordBits;
      uint64_t* out = dst + x0 * dst_stride + br;
      for (size_t j = 0; j < out_rows; ++j) out[j * dst_stride] = tile[j * N + b];
    }
  }
}

HWY_INLINE void TransposeBits(const uint64_t* src, size_t src_stride,
                              const uint32_t* row_index, size_t rows,
                              size_t cols, uint64_t* dst, size_t dst_stride) {
  const hn::ScalableTag<uint64_t> d;
  const size_t N = hn::Lanes(d);
  HWY_ALIGN uint64_t tile[64 * HWY_LANES(uint64_t)];
  const size_t src_words = WordsFor(cols);
  size_t bc = 0;
  for (; bc + N <= src_words; bc += N) {
    TransposeColumnBand(d, src, src_stride, row_index, rows, cols, bc, dst, dst_stride, tile);
  }
  // The right edge (fewer than N word columns left, all of a narrow matrix):
  // narrower vectors of 4, 2, then 1 lanes, so no lane is wasted.
  const hn::CappedTag<uint64_t, 4> d4;
  const hn::CappedTag<uint64_t, 2> d2;
  const hn::CappedTag<uint64_t, 1> d1;
  if (hn::Lanes(d4) < N && src_words - bc >= hn::Lanes(d4)) {
    TransposeColumnBand(d4, src, src_stride, row_index, rows, cols, bc, dst, dst_stride, tile);
    bc += hn::Lanes(d4);
  }
  if (hn::Lanes(d2) < N && src_words - bc >= hn::Lanes(d2)) {
    TransposeColumnBand(d2, src, src_stride, row_index, rows, cols, bc, dst, dst_stride, tile);
    bc += hn::Lanes(d2);
  }
  for (; bc < src_words; ++bc) {
    TransposeColumnBand(d1, src, src_stride, row_index, rows, cols, bc, dst, dst_stride, tile);
  }
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace phase_router
HWY_AFTER_NAMESPACE();

#endif  // PHASE_ROUTER_KERNELS_TRANSPOSE_BITS_INL_H_
