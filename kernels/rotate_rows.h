// Cyclic rotation of bit rows on the true ring (SPEC.md step 3), and its
// aligned fast path (steps 1, 3 and 6 at once: an aligned row rotated is an
// arc, and a matrix of arcs can be written transposed directly).
#ifndef PHASE_ROUTER_KERNELS_ROTATE_ROWS_H_
#define PHASE_ROUTER_KERNELS_ROTATE_ROWS_H_

#include <cstddef>
#include <cstdint>

namespace phase_router {

// RotateRowsOnRing: dst[r][(x + offsets[r]) mod ring] = src[r][x] for each of
// `rows` rows of `ring` bits. The wrap is at `ring`, not at the padded word
// length. Requires offsets[r] < ring, src and dst not overlapping.
//
// FillArcColumns: the transpose of a matrix whose row a is the arc
// [offsets[a], offsets[a] + lengths[a]) of Z_ring, written directly
// (SPEC.md steps 1, 3 and 6 at once): row j of dst is position
// y = y_begin + j of the ring, with bit a = [(y - offsets[a]) mod ring <
// lengths[a]] for a < arcs (rows of WordsFor(arcs) words). The generic build
// computes row y_begin directly and every later row from the one before by
// flipping the arcs listed in `toggles` (BuildArcToggles), so it streams
// whole rows like a memcpy; the scalar build ignores toggles. Requires
// y_begin <= y_end <= ring.
struct ArcToggles {
  const uint32_t* begin;  // ring + 1 entries: ids of position y are
  const uint32_t* ids;    // ids[begin[y] .. begin[y + 1])
};
namespace scalar {
void FillArcColumns(const uint32_t* lengths, const uint32_t* offsets, size_t arcs,
                    size_t ring, ArcToggles toggles, size_t y_begin, size_t y_end,
                    uint64_t* dst, size_t dst_stride);
}  // namespace scalar
namespace generic {
void FillArcColumns(const uint32_t* lengths, const uint32_t* offsets, size_t arcs,
                    size_t ring, ArcToggles toggles, size_t y_begin, size_t y_end,
                    uint64_t* dst, size_t dst_stride);
}  // namespace generic

// FillArcColumnsAt: FillArcColumns' rows for only some positions: for y in
// [y_begin, y_end) with row_of[y] != kNoRow, the row of position y goes to
// dst + row_of[y] * dst_stride. The generic build walks the ring like
// FillArcColumns in `scratch` (WordsFor(arcs) words) and copies out the rows
// asked for, so a routing of a few sources costs O(ring + arcs) flips plus
// its own rows; the scalar build computes each row asked for directly.
inline constexpr uint32_t kNoRow = 0xFFFFFFFFu;
namespace scalar {
void FillArcColumnsAt(const uint32_t* lengths, const uint32_t* offsets, size_t arcs,
                      size_t ring, ArcToggles toggles, size_t y_begin, size_t y_end,
                      const uint32_t* row_of, uint64_t* scratch, uint64_t* dst,
                      size_t dst_stride);
}  // namespace scalar
namespace generic {
void FillArcColumnsAt(const uint32_t* lengths, const uint32_t* offsets, size_t arcs,
                      size_t ring, ArcToggles toggles, size_t y_begin, size_t y_end,
                      const uint32_t* row_of, uint64_t* scratch, uint64_t* dst,
                      size_t dst_stride);
}  // namespace generic

// ExtractRingWindow: dst bit j = bit (start + j) mod ring of a packed row of
// `ring` bits (padding bits zero), for j < 64 * words: a window of the
// rotated row without rotating it (row ranges of unaligned routings read
// T_rot's columns this way). Requires start < ring. The bytes variant reads
// a byte row (nonzero = 1).
namespace scalar {
void ExtractRingWindow(const uint64_t* row, size_t ring, size_t start, size_t words,
                       uint64_t* dst);
}  // namespace scalar
namespace generic {
void ExtractRingWindow(const uint64_t* row, size_t ring, size_t start, size_t words,
                       uint64_t* dst);
}  // namespace generic
void ExtractRingWindowBytes(const uint8_t* row, size_t ring, size_t start, size_t words,
                            uint64_t* dst);

// The positions where each arc's membership flips: an arc with
// 0 < length < ring enters at its offset and leaves at (offset + length) mod
// ring; empty and full arcs never flip. begin gets ring + 1 entries, ids
// 2 * arcs. A counting sort: O(arcs + ring).
void BuildArcToggles(const uint32_t* lengths, const uint32_t* offsets, size_t arcs,
                     size_t ring, uint32_t* begin, uint32_t* ids);

namespace scalar {
void RotateRowsOnRing(const uint64_t* src, size_t src_stride, size_t rows,
                      size_t ring, const uint32_t* offsets, uint64_t* dst,
                      size_t dst_stride);
}  // namespace scalar
namespace generic {
void RotateRowsOnRing(const uint64_t* src, size_t src_stride, size_t rows,
                      size_t ring, const uint32_t* offsets, uint64_t* dst,
                      size_t dst_stride);
}  // namespace generic

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_ROTATE_ROWS_H_
