// Blocked bit transpose (SPEC.md step 6), optionally reading the source rows
// through an index so that a row gather and a transpose cost one pass.
#ifndef PHASE_ROUTER_KERNELS_TRANSPOSE_BITS_H_
#define PHASE_ROUTER_KERNELS_TRANSPOSE_BITS_H_

#include <cstddef>
#include <cstdint>

namespace phase_router {

// dst[x][r] = src[row_index ? row_index[r] : r][x] for r < rows, x < cols.
// dst is cols x rows: each dst row gets WordsFor(rows) words (padding zero).
// The source is read in 64 x 64 blocks; src and dst must not overlap. A band
// of source word columns can be transposed on its own by offsetting src by w
// words and dst by 64 * w rows, which is how the router splits the work.
namespace scalar {
void TransposeBits(const uint64_t* src, size_t src_stride,
                   const uint32_t* row_index, size_t rows, size_t cols,
                   uint64_t* dst, size_t dst_stride);
}  // namespace scalar
namespace generic {
void TransposeBits(const uint64_t* src, size_t src_stride,
                   const uint32_t* row_index, size_t rows, size_t cols,
                   uint64_t* dst, size_t dst_stride);
}  // namespace generic

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_TRANSPOSE_BITS_H_
