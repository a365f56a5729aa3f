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


void FillArcColumnsAt(const uint32_t* lengths, const uint32_t* offsets, size_t arcs,
                      size_t ring, ArcToggles toggles, size_t y_begin, size_t y_end,
                      const uint32_t* row_of, uint64_t* /*scratch*/, uint64_t* dst,
                      size_t dst_stride) {
  for (size_t y = y_begin; y < y_end; ++y) {
    if (row_of[y] == kNoRow) continue;
    FillArcColumns(lengths, offsets, arcs, ring, toggles, y, y + 1,
                   dst + row_of[y] * dst_stride, dst_stride);
  }
}

void ExtractRingWindow(const uint64_t* row, size_t ring, size_t start, size_t words,
                       uint64_t* dst) {
  std::memset(dst, 0, words * sizeof(uint64_t));
  for (size_t j = 0; j < words * kWordBits; ++j) {
    if (GetBit(row, (start + j) % ring)) SetBit(dst, j);
  }
}

}  // namespace scalar

void ExtractRingWindowBytes(const uint8_t* row, size_t ring, size_t start, size_t words,
                            uint64_t* dst) {
  size_t x = start;
  for (size_t w = 0; w < words; ++w) {
    uint64_t word = 0;
    for (size_t b = 0; b < kWordBits; ++b) {
      word |= static_cast<uint64_t>(row[x] != 0) << b;
      x = x + 1 == ring ? 0 : x + 1;
    }
    dst[w] = word;
  }
}

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

void FillArcColumnsAt(const uint32_t* lengths, const uint32_t* offsets, size_t arcs,
                      size_t ring, ArcToggles toggles, size_t y_begin, size_t y_end,
                      const uint32_t* row_of, uint64_t* scratch, uint64_t* dst,
                      size_t dst_stride) {
  if (y_begin >= y_end) return;
  const size_t words = WordsFor(arcs);
  scalar::FillArcColumns(lengths, offsets, arcs, ring, toggles, y_begin, y_begin + 1,
                         scratch, words);
  for (size_t y = y_begin; y < y_end; ++y) {
    if (y != y_begin) {
      for (uint32_t j = toggles.begin[y]; j < toggles.begin[y + 1]; ++j) {
        const uint32_t a = toggles.ids[j];
        scratch[a / kWordBits] ^= 1ull << (a % kWordBits);
      }
    }
    if (row_of[y] != kNoRow) {
      std::memcpy(dst + row_of[y] * dst_stride, scratch, words * sizeof(uint64_t));
    }
  }
}

// Bits [p, p + n) of a row of `ring` bits, n <= 64 and p + n <= ring, as the
// low n bits of a word; reads no word past the row's last.
static inline uint64_t BitsAt(const uint64_t* row, size_t ring, size_t p, size_t n) {
  const size_t w = p / kWordBits, b = p % kWordBits;
  uint64_t v = row[w] >> b;
  if (b != 0 && w + 1 < WordsFor(ring)) v |= row[w + 1] << (kWordBits - b);
  return n == kWordBits ? v : v & ((1ull << n) - 1);
}

void ExtractRingWindow(const uint64_t* row, size_t ring, size_t start, size_t words,
                       uint64_t* dst) {
  if (ring < 2 * kWordBits) {  // the window may wrap more than once a word
    scalar::ExtractRingWindow(row, ring, start, words, dst);
    return;
  }
  size_t p = start;
  for (size_t w = 0; w < words; ++w) {
    if (p + kWordBits <= ring) {
      dst[w] = BitsAt(row, ring, p, kWordBits);
      p += kWordBits;
    } else {  // the ring's end falls inside this word
      const size_t head = ring - p;
      dst[w] = BitsAt(row, ring, p, head) | BitsAt(row, ring, 0, kWordBits - head) << head;
      p = kWordBits - head;
    }
    if (p == ring) p = 0;
  }
}

namespace {

// FillArcColumns' rows after the first: each is the row before with its
// toggles applied. kWords > 0: rows of exactly kWords words, copied with a
// constant size (a few moves; a memcpy call per 32-byte row was a fifth of
// this stage at E = 256); 0: any length, by memcpy.
template <size_t kWords>
void FillFromToggles(size_t words, ArcToggles toggles, size_t y_begin, size_t y_end,
                     uint64_t* dst, size_t dst_stride) {
  const size_t n = kWords ? kWords : words;
  for (size_t y = y_begin + 1; y < y_end; ++y) {
    uint64_t* out = dst + (y - y_begin) * dst_stride;
    std::memcpy(out, out - dst_stride, n * sizeof(uint64_t));
    for (uint32_t j = toggles.begin[y]; j < toggles.begin[y + 1]; ++j) {
      const uint32_t a = toggles.ids[j];
      out[a / kWordBits] ^= 1ull << (a % kWordBits);
    }
  }
}

}  // namespace

void FillArcColumns(const uint32_t* lengths, const uint32_t* offsets, size_t arcs,
                    size_t ring, ArcToggles toggles, size_t y_begin, size_t y_end,
                    uint64_t* dst, size_t dst_stride) {
  if (y_begin >= y_end) return;
  const size_t words = WordsFor(arcs);
  scalar::FillArcColumns(lengths, offsets, arcs, ring, toggles, y_begin, y_begin + 1, dst,
                         dst_stride);
  switch (words) {
    case 1: return FillFromToggles<1>(words, toggles, y_begin, y_end, dst, dst_stride);
    case 2: return FillFromToggles<2>(words, toggles, y_begin, y_end, dst, dst_stride);
    case 4: return FillFromToggles<4>(words, toggles, y_begin, y_end, dst, dst_stride);
    case 8: return FillFromToggles<8>(words, toggles, y_begin, y_end, dst, dst_stride);
    default: return FillFromToggles<0>(words, toggles, y_begin, y_end, dst, dst_stride);
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
