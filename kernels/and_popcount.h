// AND + popcount of two bit matrices row by row (SPEC.md step 7).
#ifndef PHASE_ROUTER_KERNELS_AND_POPCOUNT_H_
#define PHASE_ROUTER_KERNELS_AND_POPCOUNT_H_

#include <cstddef>
#include <cstdint>

namespace phase_router {

// out[r] = a[r] & b[b_index ? b_index[r] : r] over `words` words and
// counts[r] = popcount(out[r]), for r < rows. out may be null (counts only).
// The index lets the caller AND against a row-permuted b without copying it.
namespace scalar {
void AndPopcountRows(const uint64_t* a, size_t a_stride, const uint64_t* b,
                     size_t b_stride, const uint32_t* b_index, size_t rows,
                     size_t words, uint64_t* out, size_t out_stride,
                     uint32_t* counts);
}  // namespace scalar
namespace generic {
void AndPopcountRows(const uint64_t* a, size_t a_stride, const uint64_t* b,
                     size_t b_stride, const uint32_t* b_index, size_t rows,
                     size_t words, uint64_t* out, size_t out_stride,
                     uint32_t* counts);
}  // namespace generic

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_AND_POPCOUNT_H_
