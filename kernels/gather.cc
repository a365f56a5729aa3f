#include "kernels/gather.h"

#include <cstring>

#include "kernels/bit_matrix.h"
#include "kernels/transpose_bits.h"

namespace phase_router {
namespace scalar {

void GatherRows(const uint64_t* src, size_t src_stride,
                const uint32_t* row_index, size_t rows, size_t words,
                uint64_t* dst, size_t dst_stride) {
  for (size_t r = 0; r < rows; ++r) {
    for (size_t w = 0; w < words; ++w) {
      dst[r * dst_stride + w] = src[row_index[r] * src_stride + w];
    }
  }
}

void GatherColumns(const uint64_t* src, size_t src_stride, size_t rows,
                   size_t cols, const uint32_t* perm, uint64_t* dst,
                   size_t dst_stride, uint64_t* /*scratch*/) {
  for (size_t r = 0; r < rows; ++r) {
    const uint64_t* in = src + r * src_stride;
    uint64_t* out = dst + r * dst_stride;
    std::memset(out, 0, WordsFor(cols) * sizeof(uint64_t));
    for (size_t c = 0; c < cols; ++c) {
      if (GetBit(in, perm[c])) SetBit(out, c);
    }
  }
}

}  // namespace scalar

namespace generic {

void GatherRows(const uint64_t* src, size_t src_stride,
                const uint32_t* row_index, size_t rows, size_t words,
                uint64_t* dst, size_t dst_stride) {
  for (size_t r = 0; r < rows; ++r) {
    std::memcpy(dst + r * dst_stride, src + row_index[r] * src_stride,
                words * sizeof(uint64_t));
  }
}

// Moving a column is a bit operation per row, but moving a row is a memcpy:
// transpose, move whole rows (fused into the second transpose's row reads),
// transpose back. Two word-parallel passes instead of rows * cols bit moves.
void GatherColumns(const uint64_t* src, size_t src_stride, size_t rows,
                   size_t cols, const uint32_t* perm, uint64_t* dst,
                   size_t dst_stride, uint64_t* scratch) {
  const size_t scratch_stride = WordsFor(rows);
  TransposeBits(src, src_stride, nullptr, rows, cols, scratch, scratch_stride);
  TransposeBits(scratch, scratch_stride, perm, cols, rows, dst, dst_stride);
}

}  // namespace generic
}  // namespace phase_router
