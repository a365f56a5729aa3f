#include "kernels/feistel_permute.h"

#include "kernels/random.h"

namespace phase_router {
namespace scalar {

void BuildFeistelTable(uint64_t key, uint64_t length, size_t begin, size_t end,
                       uint16_t* rounds) {
  const uint32_t h = FeistelHalfBits(length), mask = (1u << h) - 1;
  for (size_t e = begin; e < end; ++e) {
    rounds[e] = static_cast<uint16_t>(
        FeistelRound(key, static_cast<uint32_t>(e >> h), static_cast<uint32_t>(e) & mask, mask));
  }
}

// The statement of the rule: Fperm per element (rounds unused).
void FeistelPermute(uint64_t key, uint64_t length, const uint16_t* /*rounds*/,
                    FeistelDirection direction, const uint32_t* in, uint32_t first,
                    size_t count, uint32_t* out) {
  for (size_t j = 0; j < count; ++j) {
    const uint32_t x = in ? in[j] : first + static_cast<uint32_t>(j);
    out[j] = direction == FeistelDirection::kForward ? Fperm(key, length, x)
                                                     : FpermInverse(key, length, x);
  }
}

}  // namespace scalar

namespace generic {

void BuildFeistelTable(uint64_t key, uint64_t length, size_t begin, size_t end,
                       uint16_t* rounds) {
  scalar::BuildFeistelTable(key, length, begin, end, rounds);
}

void FeistelPermute(uint64_t key, uint64_t length, const uint16_t* rounds,
                    FeistelDirection direction, const uint32_t* in, uint32_t first,
                    size_t count, uint32_t* out) {
  if (length <= 1) {
    for (size_t j = 0; j < count; ++j) out[j] = 0;
  } else if (rounds == nullptr) {
    scalar::FeistelPermute(key, length, nullptr, direction, in, first, count, out);
  } else if (direction == FeistelDirection::kForward) {
    FeistelPermuteByTable<true>(rounds, length, in, first, count, out);
  } else {
    FeistelPermuteByTable<false>(rounds, length, in, first, count, out);
  }
}

}  // namespace generic
}  // namespace phase_router
