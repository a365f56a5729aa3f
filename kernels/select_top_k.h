// Top-k selection from one candidate bit row (SPEC.md "Selection").
#ifndef PHASE_ROUTER_KERNELS_SELECT_TOP_K_H_
#define PHASE_ROUTER_KERNELS_SELECT_TOP_K_H_

#include <cstddef>
#include <cstdint>

namespace phase_router {

// Both write exactly k entries to out: the chosen column ids in ascending
// order, then -1. `row` has `cols` bits of which `count` are set (the
// popcount, known from the AND stage).
//
// SelectLowestK: the min(k, count) lowest set bits.
// SelectRandomK: the min(k, count) set bits x with the smallest 32-bit
//   SelectionKey(row_constant, x) (kernels/random.h); keys within a row are
//   distinct, so there are no ties.
//   Scratch: ids_scratch holds count + 64 entries and keys_scratch
//   3 * count + 64
//   (the SIMD builds store whole vectors and rank a bracket of keys apart).
namespace scalar {
void SelectLowestK(const uint64_t* row, size_t cols, uint32_t count,
                   uint32_t k, int32_t* out);
void SelectRandomK(const uint64_t* row, size_t cols, uint32_t count,
                   uint32_t k, uint32_t row_constant, int32_t* out,
                   uint32_t* ids_scratch, uint32_t* keys_scratch);
}  // namespace scalar
namespace generic {
void SelectLowestK(const uint64_t* row, size_t cols, uint32_t count,
                   uint32_t k, int32_t* out);
void SelectRandomK(const uint64_t* row, size_t cols, uint32_t count,
                   uint32_t k, uint32_t row_constant, int32_t* out,
                   uint32_t* ids_scratch, uint32_t* keys_scratch);
}  // namespace generic

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_SELECT_TOP_K_H_
