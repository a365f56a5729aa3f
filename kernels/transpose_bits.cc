#include "kernels/transpose_bits.h"

#include <cstring>

#include "kernels/bit_matrix.h"

namespace phase_router {
namespace scalar {

void TransposeBits(const uint64_t* src, size_t src_stride,
                   const uint32_t* row_index, size_t rows, size_t cols,
                   uint64_t* dst, size_t dst_stride) {
  const size_t dst_words = WordsFor(rows);
  for (size_t x = 0; x < cols; ++x) {
    std::memset(dst + x * dst_stride, 0, dst_words * sizeof(uint64_t));
  }
  for (size_t r = 0; r < rows; ++r) {
    const uint64_t* in = src + (row_index ? row_index[r] : r) * src_stride;
    for (size_t x = 0; x < cols; ++x) {
      if (GetBit(in, x)) SetBit(dst + x * dst_stride, r);
    }
  }
}

}  // namespace scalar

namespace generic {
namespace {

// In-place transpose of a 64 x 64 bit block (word j = row j, bit x = column
// x) by the recursive swap network: at each of six levels, the off-diagonal
// quadrants of every 2s x 2s sub-block trade places. 6 * 32 masked swaps.
void Transpose64x64(uint64_t* a) {
  static constexpr uint64_t kMasks[6] = {
      0x00000000FFFFFFFFull, 0x0000FFFF0000FFFFull, 0x00FF00FF00FF00FFull,
      0x0F0F0F0F0F0F0F0Full, 0x3333333333333333ull, 0x5555555555555555ull};
  size_t level = 0;
  for (size_t s = 32; s != 0; s >>= 1, ++level) {
    const uint64_t m = kMasks[level];
    for (size_t j = 0; j < 64; j = (j + s + 1) & ~s) {
      const uint64_t t = ((a[j] >> s) ^ a[j + s]) & m;
      a[j] ^= t << s;
      a[j + s] ^= t;
    }
  }
}

}  // namespace

void TransposeBits(const uint64_t* src, size_t src_stride,
                   const uint32_t* row_index, size_t rows, size_t cols,
                   uint64_t* dst, size_t dst_stride) {
  const size_t src_words = WordsFor(cols);
  const size_t row_blocks = WordsFor(rows);
  alignas(64) uint64_t block[64];
  for (size_t bc = 0; bc < src_words; ++bc) {
    const size_t out_rows =
        (bc + 1) * kWordBits <= cols ? kWordBits : cols - bc * kWordBits;
    for (size_t br = 0; br < row_blocks; ++br) {
      const size_t r0 = br * kWordBits;
      const size_t n = rows - r0 < kWordBits ? rows - r0 : kWordBits;
      for (size_t j = 0; j < n; ++j) {
        const size_t r = row_index ? row_index[r0 + j] : r0 + j;
        block[j] = src[r * src_stride + bc];
      }
      // Rows past the end are zero so that the padding bits come out zero.
      for (size_t j = n; j < kWordBits; ++j) block[j] = 0;
      Transpose64x64(block);
      uint64_t* out = dst + bc * kWordBits * dst_stride + br;
      for (size_t j = 0; j < out_rows; ++j) out[j * dst_stride] = block[j];
    }
  }
}

}  // namespace generic
}  // namespace phase_router
