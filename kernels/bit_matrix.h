// Layout of the packed bit matrices every kernel works on.
//
// A bit matrix is row-major: row r starts at word r * stride, bit x of the row
// is bit (x % 64) of word x / 64 (least significant bit first). A row of `cols`
// bits uses WordsFor(cols) words; the rest of the stride and the high bits of
// the last word are padding, and padding bits are always zero: kernels rely on
// it (popcounts of whole words) and keep it so.
#ifndef PHASE_ROUTER_KERNELS_BIT_MATRIX_H_
#define PHASE_ROUTER_KERNELS_BIT_MATRIX_H_

#include <cstddef>
#include <cstdint>

namespace phase_router {

inline constexpr size_t kWordBits = 64;

constexpr size_t WordsFor(size_t bits) { return (bits + kWordBits - 1) / kWordBits; }

// Mask of the valid bits in the last word of a row of `bits` bits.
constexpr uint64_t LastWordMask(size_t bits) {
  return (bits % kWordBits) == 0 ? ~0ull : (1ull << (bits % kWordBits)) - 1;
}

inline bool GetBit(const uint64_t* row, size_t x) {
  return (row[x / kWordBits] >> (x % kWordBits)) & 1;
}

inline void SetBit(uint64_t* row, size_t x) {
  row[x / kWordBits] |= 1ull << (x % kWordBits);
}

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_BIT_MATRIX_H_
