#include "kernels/pack_bit_rows.h"

#include <cstring>

#include "kernels/bit_matrix.h"
#include "kernels/generic_vector.h"

namespace phase_router {
namespace scalar {

void PackBitRows(const uint8_t* src, size_t src_stride, size_t rows,
                 size_t cols, uint64_t* dst, size_t dst_stride,
                 uint32_t* popcounts) {
  for (size_t r = 0; r < rows; ++r) {
    uint64_t* out = dst + r * dst_stride;
    std::memset(out, 0, WordsFor(cols) * sizeof(uint64_t));
    uint32_t count = 0;
    for (size_t x = 0; x < cols; ++x) {
      if (src[r * src_stride + x] != 0) {
        SetBit(out, x);
        ++count;
      }
    }
    if (popcounts) popcounts[r] = count;
  }
}

void CountNonzeroBytes(const uint8_t* src, size_t src_stride, size_t rows, size_t cols,
                       uint32_t* counts) {
  for (size_t r = 0; r < rows; ++r) {
    uint32_t count = 0;
    for (size_t x = 0; x < cols; ++x) count += src[r * src_stride + x] != 0;
    counts[r] = count;
  }
}

}  // namespace scalar

namespace generic {
namespace {

// Bit j of the result = (byte j of the 8 bytes at p != 0).
inline uint64_t PackEightBytes(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  // Fold each byte onto its lowest bit, then gather the eight low bits into
  // the top byte with one multiply: 0x0102040810204080 moves byte j's bit to
  // bit 56 + j and no two partial products collide, so nothing carries.
  v |= v >> 4;
  v |= v >> 2;
  v |= v >> 1;
  v &= 0x0101010101010101ull;
  return (v * 0x0102040810204080ull) >> 56;
}

}  // namespace

void PackBitRows(const uint8_t* src, size_t src_stride, size_t rows,
                 size_t cols, uint64_t* dst, size_t dst_stride,
                 uint32_t* popcounts) {
  const size_t full_words = cols / kWordBits;
  const size_t words = WordsFor(cols);
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t* in = src + r * src_stride;
    uint64_t* out = dst + r * dst_stride;
    uint64_t count = 0;
    for (size_t w = 0; w < full_words; ++w) {
      uint64_t word = 0;
      for (size_t b = 0; b < 8; ++b) {
        word |= PackEightBytes(in + w * kWordBits + b * 8) << (b * 8);
      }
      out[w] = word;
      count += PopcountWord(word);
    }
    if (words > full_words) {
      uint64_t word = 0;
      for (size_t x = full_words * kWordBits; x < cols; ++x) {
        word |= static_cast<uint64_t>(in[x] != 0) << (x % kWordBits);
      }
      out[full_words] = word;
      count += PopcountWord(word);
    }
    if (popcounts) popcounts[r] = static_cast<uint32_t>(count);
  }
}

// Eight bytes a word: (b | b >> 1 | ... ) folded to one bit a byte and
// counted by popcount, with the compiler's vectorizer free to widen it.
void CountNonzeroBytes(const uint8_t* src, size_t src_stride, size_t rows, size_t cols,
                       uint32_t* counts) {
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7Full;
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t* in = src + r * src_stride;
    uint64_t count = 0;
    size_t x = 0;
    for (; x + 8 <= cols; x += 8) {
      uint64_t w;
      std::memcpy(&w, in + x, sizeof(w));
      // A byte's high bit: set iff the byte is nonzero.
      const uint64_t nonzero = ((w & kLow7) + kLow7) | w;
      count += PopcountWord(nonzero & ~kLow7);
    }
    for (; x < cols; ++x) count += in[x] != 0;
    counts[r] = static_cast<uint32_t>(count);
  }
}

}  // namespace generic
}  // namespace phase_router
