// SPEC.md's keyed bijection fperm applied to a run of indices: the
// permutation stage's kernel (kernels/random.h states the function itself).
//
// Every element is independent (O(1) expected: fewer than 4 passes of the
// eight-round network, as its domain 2^(2h) is below 4 L), so callers split
// a permutation into bands over threads, and a row range evaluates only its
// own rows.
#ifndef PHASE_ROUTER_KERNELS_FEISTEL_PERMUTE_H_
#define PHASE_ROUTER_KERNELS_FEISTEL_PERMUTE_H_

#include <cstddef>
#include <cstdint>

namespace phase_router {

// Which way through the network: fperm, or fperm_inverse.
enum class FeistelDirection { kForward, kInverse };

// out[j] = fperm(key, length, x_j) (or fperm_inverse) for j < count, where
// x_j = in[j], or first + j when `in` is null. Preconditions: 1 <= length
// <= 2^32 - 1 and every x_j < length. `in` may equal `out` (each element is
// read before it is written).
namespace scalar {
void FeistelPermute(uint64_t key, uint64_t length, FeistelDirection direction,
                    const uint32_t* in, uint32_t first, size_t count, uint32_t* out);
}  // namespace scalar
namespace generic {
void FeistelPermute(uint64_t key, uint64_t length, FeistelDirection direction,
                    const uint32_t* in, uint32_t first, size_t count, uint32_t* out);
}  // namespace generic

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_FEISTEL_PERMUTE_H_
