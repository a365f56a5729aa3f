// Highway body of TransposeBits (kernels/transpose_bits.h), per target.
//
// Method: lane-parallel swap networks. A vector load of row r at word column
// bc holds row r of N adjacent 64 x 64 blocks, one per lane. Loading the 64
// rows of a block row gives 64 vectors in which lane b is block b, so the six
// stages of the classic recursive transpose (swap the off-diagonal s x s
// quadrants, s = 32 ... 1) pair whole vectors and need no shuffles: N blocks
// are transposed by 6 * 32 vertical swaps. The rows are read contiguously and
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

// One stage of the network on a tile of 64 rows x N lanes (row j at
// tile + j * N): rows j and j + kS trade their off-diagonal kS-bit groups.
template <int kS, class D>
HWY_INLINE void SwapStage(D d, uint64_t* HWY_RESTRICT tile, uint64_t mask) {
  const size_t N = hn::Lanes(d);
  const auto m = hn::Set(d, mask);
  for (size_t j = 0; j < 64; j = (j + kS + 1) & ~size_t{kS}) {
    auto lo = hn::Load(d, tile + j * N);
    auto hi = hn::Load(d, tile + (j + kS) * N);
    const auto t = hn::And(hn::Xor(hn::ShiftRight<kS>(lo), hi), m);
    lo = hn::Xor(lo, hn::ShiftLeft<kS>(t));
    hi = hn::Xor(hi, t);
    hn::Store(lo, d, tile + j * N);
    hn::Store(hi, d, tile + (j + kS) * N);
  }
}

template <class D>
HWY_INLINE void TransposeTile(D d, uint64_t* HWY_RESTRICT tile) {
  SwapStage<32>(d, tile, 0x00000000FFFFFFFFull);
  SwapStage<16>(d, tile, 0x0000FFFF0000FFFFull);
  SwapStage<8>(d, tile, 0x00FF00FF00FF00FFull);
  SwapStage<4>(d, tile, 0x0F0F0F0F0F0F0F0Full);
  SwapStage<2>(d, tile, 0x3333333333333333ull);
  SwapStage<1>(d, tile, 0x5555555555555555ull);
}

// Transposes the block rows of source word columns [bc, bc + lanes) with a
// tile `lanes` wide; when lanes < N (the right edge) the tile is filled
// word by word and the missing lanes are zero.
template <class D>
HWY_INLINE void TransposeColumnBand(D d, const uint64_t* src, size_t src_stride,
                                    const uint32_t* row_index, size_t rows,
                                    size_t cols, size_t bc, size_t lanes,
                                    uint64_t* dst, size_t dst_stride,
                                    uint64_t* HWY_RESTRICT tile) {
  const size_t N = hn::Lanes(d);
  const size_t row_blocks = WordsFor(rows);
  for (size_t br = 0; br < row_blocks; ++br) {
    const size_t r0 = br * kWordBits;
    const size_t n = rows - r0 < kWordBits ? rows - r0 : kWordBits;
    for (size_t j = 0; j < n; ++j) {
      const size_t r = row_index ? row_index[r0 + j] : r0 + j;
      const uint64_t* in = src + r * src_stride + bc;
      if (lanes == N) {
        hn::Store(hn::LoadU(d, in), d, tile + j * N);
      } else {
        for (size_t b = 0; b < N; ++b) tile[j * N + b] = b < lanes ? in[b] : 0;
      }
    }
    // Rows past the end are zero so that the padding bits come out zero.
    for (size_t j = n; j < kWordBits; ++j) hn::Store(hn::Zero(d), d, tile + j * N);
    TransposeTile(d, tile);
    for (size_t b = 0; b < lanes; ++b) {
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
  for (size_t bc = 0; bc < src_words; bc += N) {
    const size_t lanes = src_words - bc < N ? src_words - bc : N;
    TransposeColumnBand(d, src, src_stride, row_index, rows, cols, bc, lanes, dst,
                        dst_stride, tile);
  }
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace phase_router
HWY_AFTER_NAMESPACE();

#endif  // PHASE_ROUTER_KERNELS_TRANSPOSE_BITS_INL_H_
