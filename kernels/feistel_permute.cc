#include "kernels/feistel_permute.h"

#include "kernels/random.h"

namespace phase_router {
namespace scalar {

void FeistelPermute(uint64_t key, uint64_t length, FeistelDirection direction,
                    const uint32_t* in, uint32_t first, size_t count, uint32_t* out) {
  for (size_t j = 0; j < count; ++j) {
    const uint32_t x = in ? in[j] : first + static_cast<uint32_t>(j);
    out[j] = direction == FeistelDirection::kForward ? Fperm(key, length, x)
                                                     : FpermInverse(key, length, x);
  }
}

}  // namespace scalar

namespace generic {

// Four elements side by side: their networks are independent, so the
// core overlaps the rounds' multiply chains (one element alone is latency
// bound: 8 rounds of two dependent 64-bit multiplies).
void FeistelPermute(uint64_t key, uint64_t length, FeistelDirection direction,
                    const uint32_t* in, uint32_t first, size_t count, uint32_t* out) {
  if (length <= 1) {
    for (size_t j = 0; j < count; ++j) out[j] = 0;
    return;
  }
  const uint32_t h = FeistelHalfBits(length);
  const bool forward = direction == FeistelDirection::kForward;
  auto pass = [&](uint32_t y) {
    return forward ? FeistelForward(key, h, y) : FeistelBackward(key, h, y);
  };
  size_t j = 0;
  for (; j + 4 <= count; j += 4) {
    uint32_t y[4];
    for (size_t l = 0; l < 4; ++l) y[l] = pass(in ? in[j + l] : first + static_cast<uint32_t>(j + l));
    for (size_t l = 0; l < 4; ++l) {
      while (y[l] >= length) y[l] = pass(y[l]);
      out[j + l] = y[l];
    }
  }
  scalar::FeistelPermute(key, length, direction, in ? in + j : nullptr,
                         first + static_cast<uint32_t>(j), count - j, out + j);
}

}  // namespace generic
}  // namespace phase_router
