// Packing byte matrices (nonzero = 1) into bit rows, with each row's popcount.
#ifndef PHASE_ROUTER_KERNELS_PACK_BIT_ROWS_H_
#define PHASE_ROUTER_KERNELS_PACK_BIT_ROWS_H_

#include <cstddef>
#include <cstdint>

namespace phase_router {

// Packs `rows` rows of `cols` bytes (row r at src + r * src_stride) into bit
// rows (row r at dst + r * dst_stride words, WordsFor(cols) <= dst_stride) and
// writes popcounts[r] (popcounts may be null). Padding bits are written zero.
namespace scalar {
void PackBitRows(const uint8_t* src, size_t src_stride, size_t rows,
                 size_t cols, uint64_t* dst, size_t dst_stride,
                 uint32_t* popcounts);
}  // namespace scalar
namespace generic {
void PackBitRows(const uint8_t* src, size_t src_stride, size_t rows,
                 size_t cols, uint64_t* dst, size_t dst_stride,
                 uint32_t* popcounts);
}  // namespace generic

// counts[r] = the nonzero bytes of row r of `rows` rows of `cols` bytes
// (row r at src + r * src_stride): a byte matrix's degrees, without packing.
namespace scalar {
void CountNonzeroBytes(const uint8_t* src, size_t src_stride, size_t rows, size_t cols,
                       uint32_t* counts);
}  // namespace scalar
namespace generic {
void CountNonzeroBytes(const uint8_t* src, size_t src_stride, size_t rows, size_t cols,
                       uint32_t* counts);
}  // namespace generic

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_PACK_BIT_ROWS_H_
