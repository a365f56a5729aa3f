// Permutations of a bit matrix: whole rows (SPEC.md step 5) and columns
// (step 4).
#ifndef PHASE_ROUTER_KERNELS_GATHER_H_
#define PHASE_ROUTER_KERNELS_GATHER_H_

#include <cstddef>
#include <cstdint>

namespace phase_router {

// GatherRows: dst[r] = src[row_index[r]] for r < rows, `words` words a row.
//
// GatherColumns: dst[r][c] = src[r][perm[c]] for r < rows, c < cols, where
// perm is a permutation of [0, cols). The generic build transposes, gathers
// whole rows and transposes back, which is word-parallel; it needs `scratch`
// of cols * WordsFor(rows) words. The scalar build ignores scratch.
namespace scalar {
void GatherRows(const uint64_t* src, size_t src_stride,
                const uint32_t* row_index, size_t rows, size_t words,
                uint64_t* dst, size_t dst_stride);
void GatherColumns(const uint64_t* src, size_t src_stride, size_t rows,
                   size_t cols, const uint32_t* perm, uint64_t* dst,
                   size_t dst_stride, uint64_t* scratch);
}  // namespace scalar
namespace generic {
void GatherRows(const uint64_t* src, size_t src_stride,
                const uint32_t* row_index, size_t rows, size_t words,
                uint64_t* dst, size_t dst_stride);
void GatherColumns(const uint64_t* src, size_t src_stride, size_t rows,
                   size_t cols, const uint32_t* perm, uint64_t* dst,
                   size_t dst_stride, uint64_t* scratch);
}  // namespace generic

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_GATHER_H_
