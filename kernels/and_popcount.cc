#include "kernels/and_popcount.h"

#include "kernels/bit_matrix.h"
#include "kernels/generic_vector.h"

namespace phase_router {
namespace scalar {

void AndPopcountRows(const uint64_t* a, size_t a_stride, const uint64_t* b,
                     size_t b_stride, const uint32_t* b_index, size_t rows,
                     size_t words, uint64_t* out, size_t out_stride,
                     uint32_t* counts) {
  for (size_t r = 0; r < rows; ++r) {
    const uint64_t* ra = a + r * a_stride;
    const uint64_t* rb = b + (b_index ? b_index[r] : r) * b_stride;
    uint32_t count = 0;
    for (size_t x = 0; x < words * kWordBits; ++x) {
      const bool bit = GetBit(ra, x) && GetBit(rb, x);
      count += bit;
      if (out && x % kWordBits == 0) out[r * out_stride + x / kWordBits] = 0;
      if (out && bit) SetBit(out + r * out_stride, x);
    }
    counts[r] = count;
  }
}

}  // namespace scalar

namespace generic {

void AndPopcountRows(const uint64_t* a, size_t a_stride, const uint64_t* b,
                     size_t b_stride, const uint32_t* b_index, size_t rows,
                     size_t words, uint64_t* out, size_t out_stride,
                     uint32_t* counts) {
  const size_t vec_words = words - words % kLanes;
  for (size_t r = 0; r < rows; ++r) {
    const uint64_t* ra = a + r * a_stride;
    const uint64_t* rb = b + (b_index ? b_index[r] : r) * b_stride;
    uint64_t* ro = out ? out + r * out_stride : nullptr;
    U64x2 sum = {0, 0};
    size_t w = 0;
    for (; w < vec_words; w += kLanes) {
      const U64x2 v = LoadU(ra + w) & LoadU(rb + w);
      if (ro) StoreU(v, ro + w);
      sum += PopcountLanes(v);
    }
    uint64_t count = sum[0] + sum[1];
    for (; w < words; ++w) {
      const uint64_t v = ra[w] & rb[w];
      if (ro) ro[w] = v;
      count += PopcountWord(v);
    }
    counts[r] = static_cast<uint32_t>(count);
  }
}

}  // namespace generic
}  // namespace phase_router
