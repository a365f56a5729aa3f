// Cyclic rotation of bit rows on the true ring (SPEC.md step 3), and its
// aligned fast path (steps 1 and 3 at once: an aligned row rotated is an arc).
#ifndef PHASE_ROUTER_KERNELS_ROTATE_ROWS_H_
#define PHASE_ROUTER_KERNELS_ROTATE_ROWS_H_

#include <cstddef>
#include <cstdint>

namespace phase_router {

// RotateRowsOnRing: dst[r][(x + offsets[r]) mod ring] = src[r][x] for each of
// `rows` rows of `ring` bits. The wrap is at `ring`, not at the padded word
// length. Requires offsets[r] < ring, src and dst not overlapping.
//
// FillArcRows: dst row r becomes the arc [offsets[r], offsets[r] + lengths[r])
// of Z_ring, i.e. RotateRowsOnRing of the aligned row [x < lengths[r]].
// Requires lengths[r] <= ring, offsets[r] < ring.
namespace scalar {
void RotateRowsOnRing(const uint64_t* src, size_t src_stride, size_t rows,
                      size_t ring, const uint32_t* offsets, uint64_t* dst,
                      size_t dst_stride);
void FillArcRows(const uint32_t* lengths, const uint32_t* offsets, size_t rows,
                 size_t ring, uint64_t* dst, size_t dst_stride);
}  // namespace scalar
namespace generic {
void RotateRowsOnRing(const uint64_t* src, size_t src_stride, size_t rows,
                      size_t ring, const uint32_t* offsets, uint64_t* dst,
                      size_t dst_stride);
void FillArcRows(const uint32_t* lengths, const uint32_t* offsets, size_t rows,
                 size_t ring, uint64_t* dst, size_t dst_stride);
}  // namespace generic

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_ROTATE_ROWS_H_
