#include "kernels/rotate_rows.h"

#include <cstring>

#include "kernels/bit_matrix.h"

namespace phase_router {
namespace scalar {

void RotateRowsOnRing(const uint64_t* src, size_t src_stride, size_t rows,
                      size_t ring, const uint32_t* offsets, uint64_t* dst,
                      size_t dst_stride) {
  for (size_t r = 0; r < rows; ++r) {
    const uint64_t* in = src + r * src_stride;
    uint64_t* out = dst + r * dst_stride;
    std::memset(out, 0, WordsFor(ring) * sizeof(uint64_t));
    for (size_t x = 0; x < ring; ++x) {
      if (GetBit(in, x)) SetBit(out, (x + offsets[r]) % ring);
    }
  }
}

void FillArcColumns(const uint32_t* lengths, const uint32_t* offsets, size_t arcs,
                    size_t ring, ArcToggles /*toggles*/, size_t y_begin, size_t y_end,
                    uint64_t* dst, size_t dst_stride) {
  for (size_t y = y_begin; y < y_end; ++y) {
    uint64_t* out = dst + (y - y_begin) * dst_stride;
    std::memset(out, 0, WordsFor(arcs) * sizeof(uint64_t));
    for (size_t a = 0; a < arcs; ++a) {
      // (y - offsets[a]) mod ring, without a division: both are < ring.
      const size_t from_start = y >= offsets[a] ? y - offsets[a] : y + ring - offsets[a];
      if (from_start < lengths[a]) SetBit(out, a);
    }
  }
}

}  // namespace scalar

void BuildArcToggles(const uint32_t* lengths, const uint32_t* offsets, size_t arcs,
                     size_t ring, uint32_t* begin, uint32_t* ids) {
  std::memset(begin, 0, (ring + 1) * sizeof(uint32_t));
  auto flips = [&](size_t a) { return lengths[a] != 0 && lengths[a] != ring; };
  for (size_t a = 0; a < arcs; ++a) {
    if (!flips(a)) continue;
    ++begin[offsets[a] + 1];
    ++begin[(offsets[a] + lengths[a]) % ring + 1];
  }
  for (size_t y = 0; y < ring; ++y) begin[y + 1] += begin[y];
  // Fill with a moving cursor per position (begin[y] advanced, then undone).
  for (size_t a = 0; a < arcs; ++a) {
    if (!flips(a)) continue;
    ids[begin[offsets[a]]++] = static_cast<uint32_t>(a);
    ids[begin[(offsets[a] + lengths[a]) % ring]++] = static_cast<uint32_t>(a);
  }
  for (size_t y = ring; y > 0; --y) begin[y] = begin[y - 1];
  begin[0] = 0;
}

namespace generic {

void FillArcColumns(const uint32_t* lengths, const uint32_t* offsets, size_t arcs,
                    size_t ring, ArcToggles toggles, size_t y_begin, size_t y_end,
                    uint64_t* dst, size_t dst_stride) {
  if (y_begin >= y_end) return;
  const size_t words = WordsFor(arcs);
  scalar::FillArcColumns(lengths, offsets, arcs, ring, toggles, y_begin, y_begin + 1, dst,
                         dst_stride);
  for (size_t y = y_begin + 1; y < y_end; ++y) {
    uint64_t* out = dst + (y - y_begin) * dst_stride;
    std::memcpy(out, out - dst_stride, words * sizeof(uint64_t));
    for (uint32_t j = toggles.begin[y]; j < toggles.begin[y + 1]; ++j) {
      const uint32_t a = toggles.ids[j];
      out[a / kWordBits] ^= 1ull << (a % kWordBits);
    }
  }
}

namespace {

// Word w of the bit string `in` (of `words` words) shifted towards higher bit
// positions by `shift` bits; bits shifted in are zero.
inline uint64_t ShiftedUpWord(const uint64_t* in, size_t words, size_t w,
                              size_t shift) {
  const size_t q = shift / kWordBits, b = shift % kWordBits;
  if (w < q || w - q >= words) return 0;
  uint64_t v = in[w - q] << b;
  if (b != 0 && w >= q + 1) v |= in[w - q - 1] >> (kWordBits - b);
  return v;
}

// Word w of `in` shifted towards lower bit positions by `shift` bits.
inline uint64_t ShiftedDownWord(const uint64_t* in, size_t words, size_t w,
                                size_t shift) {
  const size_t q = shift / kWordBits, b = shift % kWordBits;
  if (w + q >= words) return 0;
  uint64_t v = in[w + q] >> b;
  if (b != 0 && w + q + 1 < words) v |= in[w + q + 1] << (kWordBits - b);
  return v;
}

}  // namespace

// Rotating up by r on a ring of L bits is (x << r) | (x >> (L - r)) truncated
// to L bits. Because the source's padding bits are zero, the down-shifted
// part contributes nothing at or above bit r and needs no mask; only the
// up-shifted part spills past L and is masked.
void RotateRowsOnRing(const uint64_t* src, size_t src_stride, size_t rows,
                      size_t ring, const uint32_t* offsets, uint64_t* dst,
                      size_t dst_stride) {
  const size_t words = WordsFor(ring);
  const uint64_t last_mask = LastWordMask(ring);
  for (size_t r = 0; r < rows; ++r) {
    const uint64_t* in = src + r * src_stride;
    uint64_t* out = dst + r * dst_stride;
    const size_t up = offsets[r], down = ring - up;
    for (size_t w = 0; w < words; ++w) {
      out[w] = ShiftedUpWord(in, words, w, up) |
               (up == 0 ? 0 : ShiftedDownWord(in, words, w, down));
    }
    out[words - 1] &= last_mask;
  }
}

}  // namespace generic
}  // namespace phase_router
