// Every kernel on its own, in both builds (scalar:: and generic::), against a
// naive bit-by-bit version written here, on odd sizes, rectangular shapes and
// strides wider than needed. Outputs start as garbage in the row words the
// kernel defines, zero in the stride's spare words and a sentinel after the
// buffer: afterwards every padding bit must be zero and the sentinel intact.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <numeric>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "dispatch/dispatch.h"
#include "kernels/kernel_table.h"
#include "gtest/gtest.h"
#include "kernels/and_popcount.h"
#include "kernels/arc_candidates.h"
#include "kernels/select_rows.h"
#include "kernels/bit_matrix.h"
#include "kernels/gather.h"
#include "kernels/pack_bit_rows.h"
#include "kernels/random.h"
#include "kernels/rotate_rows.h"
#include "kernels/select_top_k.h"
#include "kernels/transpose_bits.h"

namespace phase_router {
namespace {

// One build of the kernels: the two plain C++ builds, or a Highway target's
// table from dispatch/ (which has no row/column gathers: gather_* are null).
struct Backend {
  const char* name;
  decltype(&scalar::PackBitRows) pack_bit_rows;
  decltype(&scalar::CountNonzeroBytes) count_nonzero_bytes;
  decltype(&scalar::RotateRowsOnRing) rotate_rows_on_ring;
  decltype(&scalar::GatherRows) gather_rows;
  decltype(&scalar::GatherColumns) gather_columns;
  decltype(&scalar::TransposeBits) transpose_bits;
  decltype(&scalar::AndPopcountRows) and_popcount_rows;
  decltype(&scalar::SelectLowestK) select_lowest_k;
  decltype(&scalar::SelectRandomK) select_random_k;
  decltype(&scalar::SelectRows) select_rows;
  decltype(&SelectFromCandidates) select_from_list;
  decltype(&CandidatesBySourceArc) list_by_source_arc;
};

const Backend kScalar = {"scalar",
                         scalar::PackBitRows,
                         scalar::CountNonzeroBytes,
                         scalar::RotateRowsOnRing,
                         scalar::GatherRows,
                         scalar::GatherColumns,
                         scalar::TransposeBits,
                         scalar::AndPopcountRows,
                         scalar::SelectLowestK,
                         scalar::SelectRandomK,
                         scalar::SelectRows,
                         SelectFromCandidates,
                         CandidatesBySourceArc};
const Backend kGeneric = {"generic",
                          generic::PackBitRows,
                          generic::CountNonzeroBytes,
                          generic::RotateRowsOnRing,
                          generic::GatherRows,
                          generic::GatherColumns,
                          generic::TransposeBits,
                          generic::AndPopcountRows,
                          generic::SelectLowestK,
                          generic::SelectRandomK,
                          generic::SelectRows,
                          SelectFromCandidates,
                          CandidatesBySourceArc};

// scalar, generic, and every Highway target this CPU runs.
std::vector<Backend> AllBackends() {
  std::vector<Backend> all = {kScalar, kGeneric};
  for (const std::string& name : SupportedTargetNames()) {
    if (name == "generic") continue;
    const KernelTable& t = KernelsFor(name);
    all.push_back({t.name, t.pack_bit_rows, t.count_nonzero_bytes, t.rotate_rows_on_ring,
                   nullptr, nullptr, t.transpose_bits,
                   t.and_popcount_rows, t.select_lowest_k, t.select_random_k,
                   t.select_rows, t.select_from_list, t.list_by_source_arc});
  }
  return all;
}

// Test names and failure messages show the build's name, not its bytes.
void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

constexpr uint64_t kSentinel = 0xA5A5F00DF00DA5A5ull;
constexpr size_t kTail = 3;  // sentinel words after every buffer

// Sizes from the brief: word boundaries and one large size.
constexpr size_t kSizes[] = {1, 63, 64, 65, 127, 128, 129, 1000};

uint64_t Uniform(std::mt19937_64& rng, uint64_t lo, uint64_t hi) {
  return std::uniform_int_distribution<uint64_t>(lo, hi)(rng);
}

// A packed bit matrix with explicit stride and guard words, accessed through
// naive per-bit loops (deliberately not kernels/bit_matrix.h's helpers).
struct Bits {
  // `tail`: sentinel words after the last row (outputs); inputs get none, so
  // that AddressSanitizer sees any read past the matrix.
  Bits(size_t r, size_t c, size_t extra_words, size_t tail = kTail)
      : rows(r),
        cols(c),
        stride((c + 63) / 64 + extra_words),
        tail_words(tail),
        w(r * stride + tail, 0) {
    for (size_t n = 0; n < tail; ++n) w[rows * stride + n] = kSentinel;
  }
  bool get(size_t r, size_t c) const {
    return (w[r * stride + c / 64] >> (c % 64)) & 1;
  }
  void set(size_t r, size_t c, bool v) {
    const uint64_t bit = uint64_t{1} << (c % 64);
    uint64_t& word = w[r * stride + c / 64];
    word = v ? (word | bit) : (word & ~bit);
  }
  uint64_t* row(size_t r) { return w.data() + r * stride; }
  const uint64_t* row(size_t r) const { return w.data() + r * stride; }
  // Random content, padding zero; the density is one of 0, ~1/64, 1/4, 1/2,
  // 3/4, 1 for the whole matrix.
  void Randomize(std::mt19937_64& rng) {
    const uint64_t density = Uniform(rng, 0, 5);
    const size_t words = (cols + 63) / 64;
    for (size_t r = 0; r < rows; ++r) {
      for (size_t n = 0; n < words; ++n) {
        uint64_t v;
        switch (density) {
          case 0:
            v = 0;
            break;
          case 1:
            v = uint64_t{1} << (rng() % 64);
            break;
          case 2:
            v = rng() & rng();
            break;
          case 3:
            v = rng();
            break;
          case 4:
            v = rng() | rng();
            break;
          default:
            v = ~uint64_t{0};
            break;
        }
        if (n == words - 1 && cols % 64 != 0) {
          v &= (uint64_t{1} << (cols % 64)) - 1;
        }
        w[r * stride + n] = v;
      }
    }
  }
  // Output preparation: garbage in the row's own words (incl. the high bits
  // of the last one), zero in the stride's spare words.
  void FillGarbage(std::mt19937_64& rng) {
    for (size_t r = 0; r < rows; ++r) {
      for (size_t n = 0; n < stride; ++n) {
        w[r * stride + n] = n < (cols + 63) / 64 ? rng() : 0;
      }
    }
  }
  size_t rows, cols, stride, tail_words;
  std::vector<uint64_t> w;
};

// Padding bits zero, sentinel intact.
::testing::AssertionResult PaddingClean(const Bits& b) {
  for (size_t r = 0; r < b.rows; ++r) {
    for (size_t c = b.cols; c < b.stride * 64; ++c) {
      if (b.get(r, c)) {
        return ::testing::AssertionFailure()
               << "padding bit set at row " << r << " bit " << c;
      }
    }
  }
  if (b.tail_words == 0) {
    return ::testing::AssertionFailure() << "not an output buffer";
  }
  for (size_t n = 0; n < b.tail_words; ++n) {
    if (b.w[b.rows * b.stride + n] != kSentinel) {
      return ::testing::AssertionFailure() << "wrote past the last row";
    }
  }
  return ::testing::AssertionSuccess();
}

// First differing bit of the valid area, if any.
::testing::AssertionResult SameBits(const Bits& want, const Bits& got) {
  if (want.rows != got.rows || want.cols != got.cols) {
    return ::testing::AssertionFailure() << "shape differs";
  }
  for (size_t r = 0; r < want.rows; ++r) {
    for (size_t c = 0; c < want.cols; ++c) {
      if (want.get(r, c) != got.get(r, c)) {
        return ::testing::AssertionFailure()
               << "bit (" << r << ", " << c << "): want " << want.get(r, c)
               << " got " << got.get(r, c);
      }
    }
  }
  return ::testing::AssertionSuccess();
}

std::vector<uint32_t> RandomPermutation(size_t n, std::mt19937_64& rng) {
  std::vector<uint32_t> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint32_t>(i);
  std::shuffle(p.begin(), p.end(), rng);
  return p;
}

// (rows, cols) pairs: every size squared, and rectangular pairs.
std::vector<std::pair<size_t, size_t>> Shapes(std::mt19937_64& rng) {
  std::vector<std::pair<size_t, size_t>> shapes;
  for (size_t n : kSizes) shapes.emplace_back(n, n);
  for (size_t n = 0; n < 12; ++n) {
    shapes.emplace_back(kSizes[Uniform(rng, 0, std::size(kSizes) - 1)],
                        kSizes[Uniform(rng, 0, std::size(kSizes) - 1)]);
  }
  shapes.emplace_back(3, 1000);
  shapes.emplace_back(1000, 3);
  shapes.emplace_back(Uniform(rng, 1, 300), Uniform(rng, 1, 300));
  return shapes;
}

class KernelTest : public ::testing::TestWithParam<Backend> {};
// The gathers exist in the scalar and generic builds only.
class GatherTest : public ::testing::TestWithParam<Backend> {};

// Degrees of byte rows: any nonzero value counts once, rows long enough for
// the SIMD bodies' 255-vector chunks (16320 bytes on AVX-512) and lengths
// that are no multiple of any vector, with bytes past the width nonzero.
TEST_P(KernelTest, CountNonzeroBytes) {
  const Backend& k = GetParam();
  std::mt19937_64 rng(5);
  for (size_t cols : {size_t{1}, size_t{7}, size_t{63}, size_t{64}, size_t{65}, size_t{1000},
                      size_t{16320}, size_t{16385}, size_t{40001}}) {
    const size_t rows = 3, stride = cols + Uniform(rng, 0, 9);
    std::vector<uint8_t> src(rows * stride + 64, 0xEE);
    std::vector<uint32_t> want(rows, 0), got(rows + 1, 0xFFFFFFFFu);
    const double p = std::uniform_real_distribution<double>(0, 1)(rng);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < cols; ++c) {
        // Row 0 all zero, row 1 all nonzero, row 2 at density p.
        const bool one =
            r == 1 || (r == 2 && std::uniform_real_distribution<double>(0, 1)(rng) < p);
        src[r * stride + c] = one ? static_cast<uint8_t>(Uniform(rng, 1, 255)) : 0;
        want[r] += one;
      }
    }
    k.count_nonzero_bytes(src.data(), stride, rows, cols, got.data());
    for (size_t r = 0; r < rows; ++r) {
      EXPECT_EQ(got[r], want[r]) << "cols " << cols << " row " << r;
    }
    EXPECT_EQ(got[rows], 0xFFFFFFFFu) << "wrote past counts";
  }
}

TEST_P(KernelTest, PackBitRows) {
  const Backend& k = GetParam();
  std::mt19937_64 rng(1);
  for (auto [rows, cols] : Shapes(rng)) {
    SCOPED_TRACE(std::to_string(rows) + "x" + std::to_string(cols));
    const size_t src_stride = cols + Uniform(rng, 0, 9);
    std::vector<uint8_t> src(rows * src_stride);
    const double p = std::uniform_real_distribution<double>(0, 1)(rng);
    Bits want(rows, cols, 0);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < src_stride; ++c) {
        const uint8_t nonzero = static_cast<uint8_t>(Uniform(rng, 1, 255));
        const bool one = std::uniform_real_distribution<double>(0, 1)(rng) < p;
        src[r * src_stride + c] = (c >= cols || one) ? nonzero : 0;
        if (c < cols) want.set(r, c, one);
      }
    }
    Bits got(rows, cols, Uniform(rng, 1, 3));
    got.FillGarbage(rng);
    std::vector<uint32_t> counts(rows + 1, 0xFFFFFFFFu);
    k.pack_bit_rows(src.data(), src_stride, rows, cols, got.w.data(),
                    got.stride, counts.data());
    EXPECT_TRUE(SameBits(want, got));
    EXPECT_TRUE(PaddingClean(got));
    for (size_t r = 0; r < rows; ++r) {
      uint32_t n = 0;
      for (size_t c = 0; c < cols; ++c) n += want.get(r, c);
      ASSERT_EQ(counts[r], n) << "row " << r;
    }
    EXPECT_EQ(counts[rows], 0xFFFFFFFFu) << "wrote past popcounts";
    // popcounts may be null.
    Bits again(rows, cols, 1);
    again.FillGarbage(rng);
    k.pack_bit_rows(src.data(), src_stride, rows, cols, again.w.data(),
                    again.stride, nullptr);
    EXPECT_TRUE(SameBits(want, again));
    EXPECT_TRUE(PaddingClean(again));
  }
}

TEST_P(KernelTest, RotateRowsOnRing) {
  const Backend& k = GetParam();
  std::mt19937_64 rng(2);
  for (auto [rows, ring] : Shapes(rng)) {
    SCOPED_TRACE(std::to_string(rows) + " rows, ring " + std::to_string(ring));
    Bits src(rows, ring, Uniform(rng, 0, 2), 0);
    src.Randomize(rng);
    std::vector<uint32_t> offsets(rows);
    for (size_t r = 0; r < rows; ++r) {
      const uint64_t pick = Uniform(rng, 0, 3);
      offsets[r] =
          static_cast<uint32_t>(pick == 0   ? 0
                                : pick == 1 ? ring - 1
                                            : Uniform(rng, 0, ring - 1));
    }
    Bits want(rows, ring, 0);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t x = 0; x < ring; ++x) {
        want.set(r, (x + offsets[r]) % ring, src.get(r, x));
      }
    }
    Bits got(rows, ring, Uniform(rng, 1, 3));
    got.FillGarbage(rng);
    k.rotate_rows_on_ring(src.w.data(), src.stride, rows, ring, offsets.data(),
                          got.w.data(), got.stride);
    EXPECT_TRUE(SameBits(want, got));
    EXPECT_TRUE(PaddingClean(got));
  }
}

TEST_P(GatherTest, GatherRows) {
  const Backend& k = GetParam();
  std::mt19937_64 rng(4);
  for (auto [rows, cols] : Shapes(rng)) {
    SCOPED_TRACE(std::to_string(rows) + "x" + std::to_string(cols));
    const size_t src_rows = Uniform(rng, 1, rows + 5);
    Bits src(src_rows, cols, Uniform(rng, 0, 2), 0);
    src.Randomize(rng);
    std::vector<uint32_t> index(rows);
    if (src_rows == rows && Uniform(rng, 0, 1)) {
      index = RandomPermutation(rows, rng);
    } else {
      for (auto& v : index)
        v = static_cast<uint32_t>(Uniform(rng, 0, src_rows - 1));
    }
    Bits want(rows, cols, 0);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < cols; ++c) want.set(r, c, src.get(index[r], c));
    }
    Bits got(rows, cols, Uniform(rng, 1, 3));
    got.FillGarbage(rng);
    k.gather_rows(src.w.data(), src.stride, index.data(), rows,
                  (cols + 63) / 64, got.w.data(), got.stride);
    EXPECT_TRUE(SameBits(want, got));
    EXPECT_TRUE(PaddingClean(got));
  }
}

TEST_P(GatherTest, GatherColumns) {
  const Backend& k = GetParam();
  const bool generic = std::string(k.name) == "generic";
  std::mt19937_64 rng(5);
  for (auto [rows, cols] : Shapes(rng)) {
    SCOPED_TRACE(std::to_string(rows) + "x" + std::to_string(cols));
    Bits src(rows, cols, Uniform(rng, 0, 2), 0);
    src.Randomize(rng);
    const std::vector<uint32_t> perm = RandomPermutation(cols, rng);
    Bits want(rows, cols, 0);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < cols; ++c) want.set(r, c, src.get(r, perm[c]));
    }
    Bits got(rows, cols, Uniform(rng, 1, 3));
    got.FillGarbage(rng);
    // Exactly the documented scratch size, then sentinels.
    const size_t scratch_words = cols * ((rows + 63) / 64);
    std::vector<uint64_t> scratch(scratch_words + kTail, kSentinel);
    for (size_t n = 0; n < scratch_words; ++n) scratch[n] = rng();
    k.gather_columns(src.w.data(), src.stride, rows, cols, perm.data(),
                     got.w.data(), got.stride,
                     generic ? scratch.data() : nullptr);
    EXPECT_TRUE(SameBits(want, got));
    EXPECT_TRUE(PaddingClean(got));
    for (size_t n = 0; n < kTail; ++n) {
      EXPECT_EQ(scratch[scratch_words + n], kSentinel)
          << "wrote past the documented scratch size";
    }
  }
}

// dst[x][r] = src[index ? index[r] : r][x].
Bits NaiveTranspose(const Bits& src, const std::vector<uint32_t>* index,
                    size_t rows) {
  Bits t(src.cols, rows, 0);
  for (size_t r = 0; r < rows; ++r) {
    const size_t from = index ? (*index)[r] : r;
    for (size_t x = 0; x < src.cols; ++x) t.set(x, r, src.get(from, x));
  }
  return t;
}

TEST_P(KernelTest, TransposeBits) {
  const Backend& k = GetParam();
  std::mt19937_64 rng(6);
  for (auto [rows, cols] : Shapes(rng)) {
    for (bool with_index : {false, true}) {
      SCOPED_TRACE(std::to_string(rows) + "x" + std::to_string(cols) +
                   (with_index ? " with row_index" : ""));
      const size_t src_rows = with_index ? Uniform(rng, 1, rows + 70) : rows;
      Bits src(src_rows, cols, Uniform(rng, 0, 2), 0);
      src.Randomize(rng);
      std::vector<uint32_t> index(rows);
      if (with_index) {
        if (src_rows == rows) {
          index = RandomPermutation(rows, rng);
        } else {
          for (auto& v : index) {
            v = static_cast<uint32_t>(Uniform(rng, 0, src_rows - 1));
          }
        }
      }
      const std::vector<uint32_t>* ip = with_index ? &index : nullptr;
      const Bits want = NaiveTranspose(src, ip, rows);
      Bits got(cols, rows, Uniform(rng, 1, 3));
      got.FillGarbage(rng);
      k.transpose_bits(src.w.data(), src.stride,
                       with_index ? index.data() : nullptr, rows, cols,
                       got.w.data(), got.stride);
      EXPECT_TRUE(SameBits(want, got));
      EXPECT_TRUE(PaddingClean(got));

      // The same transpose in bands of 1..3 source words: src offset by w
      // words, dst offset by 64 * w rows.
      Bits banded(cols, rows, Uniform(rng, 1, 3));
      banded.FillGarbage(rng);
      const size_t src_words = (cols + 63) / 64;
      int bands = 0;
      for (size_t w = 0; w < src_words;) {
        const size_t width =
            std::min<size_t>(Uniform(rng, 1, 3), src_words - w);
        const size_t band_cols = std::min(64 * width, cols - 64 * w);
        k.transpose_bits(src.w.data() + w, src.stride,
                         with_index ? index.data() : nullptr, rows, band_cols,
                         banded.w.data() + 64 * w * banded.stride,
                         banded.stride);
        w += width;
        ++bands;
      }
      EXPECT_GE(bands, 1);
      EXPECT_TRUE(SameBits(want, banded)) << "banded";
      EXPECT_TRUE(PaddingClean(banded)) << "banded";
    }
  }
}

TEST_P(KernelTest, AndPopcountRows) {
  const Backend& k = GetParam();
  std::mt19937_64 rng(7);
  for (auto [rows, cols] : Shapes(rng)) {
    for (int variant = 0; variant < 4; ++variant) {
      const bool with_index = variant & 1, with_out = !(variant & 2);
      SCOPED_TRACE(std::to_string(rows) + "x" + std::to_string(cols) +
                   (with_index ? " b_index" : "") +
                   (with_out ? "" : " out=null"));
      const size_t b_rows = with_index ? Uniform(rng, 1, rows + 9) : rows;
      Bits a(rows, cols, Uniform(rng, 0, 2), 0);
      Bits b(b_rows, cols, Uniform(rng, 0, 2), 0);
      a.Randomize(rng);
      b.Randomize(rng);
      std::vector<uint32_t> index(rows);
      for (auto& v : index)
        v = static_cast<uint32_t>(Uniform(rng, 0, b_rows - 1));
      Bits want(rows, cols, 0);
      std::vector<uint32_t> want_counts(rows, 0);
      for (size_t r = 0; r < rows; ++r) {
        for (size_t c = 0; c < cols; ++c) {
          const bool v = a.get(r, c) && b.get(with_index ? index[r] : r, c);
          want.set(r, c, v);
          want_counts[r] += v;
        }
      }
      Bits got(rows, cols, Uniform(rng, 1, 3));
      got.FillGarbage(rng);
      std::vector<uint32_t> counts(rows + 1, 0xFFFFFFFFu);
      k.and_popcount_rows(a.w.data(), a.stride, b.w.data(), b.stride,
                          with_index ? index.data() : nullptr, rows,
                          (cols + 63) / 64, with_out ? got.w.data() : nullptr,
                          got.stride, counts.data());
      EXPECT_EQ(counts.back(), 0xFFFFFFFFu) << "wrote past counts";
      counts.pop_back();
      EXPECT_EQ(counts, want_counts);
      if (with_out) {
        EXPECT_TRUE(SameBits(want, got));
        EXPECT_TRUE(PaddingClean(got));
      }
    }
  }
}

// Naive selection: the set bits ordered by `key`, the first min(k, count)
// sorted ascending, then -1.
std::vector<int32_t> NaiveSelect(const Bits& row, uint32_t k, bool random,
                                 uint32_t row_constant) {
  std::vector<std::pair<uint32_t, int32_t>> keyed;
  for (size_t x = 0; x < row.cols; ++x) {
    if (row.get(0, x)) {
      const auto id = static_cast<uint32_t>(x);
      keyed.emplace_back(random ? SelectionKey(row_constant, id) : id,
                         static_cast<int32_t>(x));
    }
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<int32_t> out;
  for (size_t n = 0; n < std::min<size_t>(k, keyed.size()); ++n) {
    out.push_back(keyed[n].second);
  }
  std::sort(out.begin(), out.end());
  out.resize(k, -1);
  return out;
}

TEST_P(KernelTest, SelectLowestAndRandomK) {
  const Backend& kb = GetParam();
  std::mt19937_64 rng(8);
  int rows_checked = 0;
  for (size_t cols : kSizes) {
    for (int trial = 0; trial < 24; ++trial) {
      Bits row(1, cols, Uniform(rng, 0, 2), 0);
      if (trial == 1) {
        for (size_t x = 0; x < cols; ++x) row.set(0, x, true);  // full
      } else if (trial != 0) {                                  // 0: empty
        row.Randomize(rng);
      }
      uint32_t count = 0;
      for (size_t x = 0; x < cols; ++x) count += row.get(0, x);
      const uint32_t k_choices[] = {
          1, count == 0 ? 1 : count, count + 1,
          static_cast<uint32_t>(Uniform(rng, 1, cols + 3)),
          static_cast<uint32_t>(cols + 3)};
      const uint32_t k = k_choices[trial % 5];
      const auto row_constant = static_cast<uint32_t>(trial == 2 ? 0 : rng());
      SCOPED_TRACE("cols " + std::to_string(cols) + " count " +
                   std::to_string(count) + " k " + std::to_string(k));
      std::vector<int32_t> out(k + kTail, 0x7777);
      kb.select_lowest_k(row.w.data(), cols, count, k, out.data());
      for (size_t n = 0; n < kTail; ++n) ASSERT_EQ(out[k + n], 0x7777);
      out.resize(k);
      EXPECT_EQ(out, NaiveSelect(row, k, false, 0)) << "lowest";

      std::vector<int32_t> out2(k + kTail, 0x7777);
      // The documented scratch sizes (select_top_k.h): ids count + 64,
      // keys 3 * count + 64; then sentinels.
      const size_t ids_size = count + 64, keys_size = 3 * size_t{count} + 64;
      std::vector<uint32_t> ids(ids_size + kTail, 0xABCDu);
      std::vector<uint32_t> keys(keys_size + kTail, 0xA5A5F00Du);
      kb.select_random_k(row.w.data(), cols, count, k, row_constant, out2.data(),
                         ids.data(), keys.data());
      for (size_t n = 0; n < kTail; ++n) {
        ASSERT_EQ(out2[k + n], 0x7777);
        ASSERT_EQ(ids[ids_size + n], 0xABCDu) << "ids scratch overrun";
        ASSERT_EQ(keys[keys_size + n], 0xA5A5F00Du) << "keys scratch overrun";
      }
      out2.resize(k);
      EXPECT_EQ(out2, NaiveSelect(row, k, true, row_constant)) << "random";
      ++rows_checked;
    }
  }
  EXPECT_EQ(rows_checked, 24 * static_cast<int>(std::size(kSizes)));
}

// The fused kernel: row r's candidates a[r] & b[b_index[r]] counted and
// selected from at once must equal the AND taken naively and the naive
// selection of that row, with source first_source + r's row constant; the
// output, the counts and the one row of scratch stay inside their bounds.
TEST_P(KernelTest, SelectRowsIsTheAndThenTheSelection) {
  const Backend& kb = GetParam();
  std::mt19937_64 rng(31);
  for (size_t cols : kSizes) {
    for (int trial = 0; trial < 6; ++trial) {
      const size_t rows = Uniform(rng, 1, 9), b_rows = Uniform(rng, 1, 12);
      Bits a(rows, cols, Uniform(rng, 0, 2), 0), b(b_rows, cols, Uniform(rng, 0, 2), 0);
      a.Randomize(rng);
      b.Randomize(rng);
      std::vector<uint32_t> b_index(rows);
      for (uint32_t& i : b_index) i = static_cast<uint32_t>(Uniform(rng, 0, b_rows - 1));
      const bool indexed = trial % 2 == 0 || rows > b_rows;
      SelectRule rule;
      rule.k = static_cast<uint32_t>(Uniform(rng, 1, cols + 2));
      rule.random = trial % 3 != 2;
      rule.seed = rng();
      rule.first_source = Uniform(rng, 0, 1000000);
      SCOPED_TRACE("cols " + std::to_string(cols) + " rows " + std::to_string(rows) + " k " +
                   std::to_string(rule.k) + (rule.random ? " random" : " lowest"));
      const size_t words = (cols + 63) / 64;
      std::vector<uint64_t> row(words + kTail, kSentinel);
      std::vector<uint32_t> ids(cols + 64 + kTail), keys(3 * cols + 64 + kTail);
      std::vector<uint32_t> counts(rows + kTail, 0x7777);
      std::vector<int32_t> out(rows * rule.k + kTail, 0x7777);
      kb.select_rows(a.row(0), a.stride, b.row(0), b.stride, indexed ? b_index.data() : nullptr,
                     rows, cols, rule, row.data(), ids.data(), keys.data(), counts.data(),
                     out.data());
      for (size_t n = 0; n < kTail; ++n) {
        ASSERT_EQ(row[words + n], kSentinel) << "row scratch overrun";
        ASSERT_EQ(counts[rows + n], 0x7777u);
        ASSERT_EQ(out[rows * rule.k + n], 0x7777);
      }
      for (size_t r = 0; r < rows; ++r) {
        Bits both(1, cols, 0, 0);
        uint32_t count = 0;
        for (size_t x = 0; x < cols; ++x) {
          const bool bit = a.get(r, x) && b.get(indexed ? b_index[r] : r, x);
          both.set(0, x, bit);
          count += bit;
        }
        EXPECT_EQ(counts[r], count) << "row " << r;
        const std::vector<int32_t> want = NaiveSelect(
            both, rule.k, rule.random, SelectionRowConstant(rule.seed, rule.first_source + r));
        EXPECT_EQ(std::vector<int32_t>(out.begin() + r * rule.k, out.begin() + (r + 1) * rule.k),
                  want)
            << "row " << r;
      }
    }
  }
}

// SelectRandomK against the scalar twin (the statement of the rule) on rows
// long enough for every path of the SIMD bodies: sparse rows decoded by
// count-trailing-zeros or by vectors (one id in 64 columns to every column),
// short rows ranked by counting, brackets narrowed and ranked, with column
// counts not multiples of 64 or of any vector width and k from 1 to past the
// count. Documented scratch sizes, with sentinels after them.
void CheckRandomK(const Backend& kb, const Bits& row, uint32_t k, uint32_t row_constant) {
  const size_t cols = row.cols;
  uint32_t count = 0;
  for (size_t x = 0; x < cols; ++x) count += row.get(0, x);
  SCOPED_TRACE("cols " + std::to_string(cols) + " count " + std::to_string(count) + " k " +
               std::to_string(k) + " row_constant " + std::to_string(row_constant));
  std::vector<int32_t> want(k);
  std::vector<uint32_t> want_ids(count + 64), want_keys(3 * size_t{count} + 64);
  scalar::SelectRandomK(row.w.data(), cols, count, k, row_constant, want.data(),
                        want_ids.data(), want_keys.data());
  const size_t ids_size = count + 64, keys_size = 3 * size_t{count} + 64;
  std::vector<int32_t> out(k + kTail, 0x7777);
  std::vector<uint32_t> ids(ids_size + kTail, 0xABCDu);
  std::vector<uint32_t> keys(keys_size + kTail, 0xA5A5F00Du);
  kb.select_random_k(row.w.data(), cols, count, k, row_constant, out.data(), ids.data(),
                     keys.data());
  for (size_t n = 0; n < kTail; ++n) {
    ASSERT_EQ(out[k + n], 0x7777) << "out overrun";
    ASSERT_EQ(ids[ids_size + n], 0xABCDu) << "ids scratch overrun";
    ASSERT_EQ(keys[keys_size + n], 0xA5A5F00Du) << "keys scratch overrun";
  }
  out.resize(k);
  ASSERT_EQ(out, want);
}

// Rows sparse on average (mostly at most 4 ids a word, where the AVX3_DL
// decoder stores only a word's first 16 ids unless it holds more) with one
// word of 17 to 64 ids, at the row's start, middle or end.
TEST_P(KernelTest, SelectRandomKSparseRowsWithADenseWord) {
  const Backend& kb = GetParam();
  std::mt19937_64 rng(47);
  for (size_t cols : {1000, 4096, 4133}) {
    const size_t words = WordsFor(cols);
    for (size_t dense : {size_t{0}, words / 2, words - 2}) {
      for (uint32_t in_word : {17u, 31u, 33u, 48u, 49u, 64u}) {
        Bits row(1, cols, 0, 0);
        std::vector<size_t> bits(64);
        std::iota(bits.begin(), bits.end(), size_t{0});
        std::shuffle(bits.begin(), bits.end(), rng);
        for (uint32_t b = 0; b < in_word; ++b) row.set(0, dense * 64 + bits[b], true);
        for (size_t w = 0; w < words; w += 5) {  // one more id every fifth word
          if (w == dense) continue;
          const size_t x = w * 64 + Uniform(rng, 0, 63);
          if (x < cols) row.set(0, x, true);
        }
        uint32_t count = 0;
        for (size_t x = 0; x < cols; ++x) count += row.get(0, x);
        for (uint32_t k : {1u, count / 2, count - 1, count + 1}) {
          CheckRandomK(kb, row, std::max(k, 1u), static_cast<uint32_t>(rng()));
          if (HasFatalFailure()) return;
        }
      }
    }
  }
}

TEST_P(KernelTest, SelectRandomKDensities) {
  const Backend& kb = GetParam();
  std::mt19937_64 rng(13);
  // Probability of a set bit, in 1/64ths: 1/64 to every column.
  const int densities[] = {1, 4, 16, 32, 48, 60, 64};
  for (size_t cols : {200, 999, 3001, 4100}) {
    for (int density : densities) {
      Bits row(1, cols, 0, 0);
      for (size_t x = 0; x < cols; ++x) row.set(0, x, static_cast<int>(rng() % 64) < density);
      uint32_t count = 0;
      for (size_t x = 0; x < cols; ++x) count += row.get(0, x);
      const uint32_t ks[] = {1,
                             2,
                             std::max<uint32_t>(1, count / 8),
                             std::max<uint32_t>(1, count / 2),
                             std::max<uint32_t>(1, count - count / 8),
                             std::max<uint32_t>(1, count - 1),
                             std::max<uint32_t>(1, count),
                             count + 7,
                             static_cast<uint32_t>(Uniform(rng, 1, count + 1))};
      for (uint32_t k : ks) {
        CheckRandomK(kb, row, k, static_cast<uint32_t>(rng()));
        if (HasFatalFailure()) return;
      }
    }
  }
}

// Short rows (MoE shapes: a handful of candidates a token), every count from
// 1 to past the short-row limit (24) and every k up to past the count, on
// row lengths with and without a partial word and vector.
TEST_P(KernelTest, SelectRandomKShortRows) {
  const Backend& kb = GetParam();
  std::mt19937_64 rng(41);
  for (size_t cols : {40, 64, 256, 300, 1000}) {
    for (uint32_t count = 1; count <= 34 && count <= cols; ++count) {
      Bits row(1, cols, 0, 0);
      for (uint32_t set = 0; set < count;) {
        const size_t x = Uniform(rng, 0, cols - 1);
        if (!row.get(0, x)) {
          row.set(0, x, true);
          ++set;
        }
      }
      for (uint32_t k = 1; k <= count + 1; ++k) {
        CheckRandomK(kb, row, k, static_cast<uint32_t>(rng()));
        if (HasFatalFailure()) return;
      }
    }
  }
}

// The selection from a list of candidate ids in any order (the arc
// method's) against SPEC.md stated directly: sort by key (or id), keep k,
// ascending, -1 after. Lists from empty to past every short-list, placing
// and bracketing limit, unordered, with the documented scratch sizes
// (ids: c + 64, keys: 3c + 64) and sentinels after them and after out.
TEST_P(KernelTest, SelectFromListIsTheSpec) {
  const Backend& kb = GetParam();
  std::mt19937_64 rng(43);
  int lists = 0;
  for (size_t id_bound : {1, 7, 64, 100, 300, 1000, 5000}) {
    for (int trial = 0; trial < 60; ++trial) {
      std::vector<uint32_t> all(id_bound);
      std::iota(all.begin(), all.end(), 0u);
      std::shuffle(all.begin(), all.end(), rng);
      const size_t c = trial < 40 ? Uniform(rng, 0, std::min<size_t>(id_bound, 70))
                                  : Uniform(rng, 0, id_bound);
      const uint32_t k = static_cast<uint32_t>(trial % 4 == 0 ? Uniform(rng, 1, c + 2)
                                                              : Uniform(rng, 1, 40));
      const bool random = trial % 5 != 4;
      const auto row_constant = static_cast<uint32_t>(rng());
      SCOPED_TRACE("id_bound " + std::to_string(id_bound) + " c " + std::to_string(c) + " k " +
                   std::to_string(k) + (random ? " random" : " lowest"));
      std::vector<uint32_t> chosen(all.begin(), all.begin() + c);
      auto rank = [&](uint32_t id) { return random ? SelectionKey(row_constant, id) : id; };
      std::sort(chosen.begin(), chosen.end(),
                [&](uint32_t x, uint32_t y) { return rank(x) < rank(y); });
      chosen.resize(std::min<size_t>(k, c));
      std::sort(chosen.begin(), chosen.end());
      std::vector<int32_t> want(chosen.begin(), chosen.end());
      want.resize(k, -1);

      std::vector<uint32_t> ids(all.begin(), all.begin() + c);
      ids.resize(c + 64 + kTail, 0xABCDu);
      std::vector<uint32_t> keys(3 * c + 64 + kTail, 0xA5A5F00Du);
      std::vector<uint64_t> bitmap((id_bound + 63) / 64 + kTail, kSentinel);
      std::vector<int32_t> out(k + kTail, 0x7777);
      kb.select_from_list(ids.data(), c, k, random, row_constant, id_bound, out.data(),
                          keys.data(), bitmap.data());
      for (size_t n = 0; n < kTail; ++n) {
        ASSERT_EQ(out[k + n], 0x7777) << "out overrun";
        ASSERT_EQ(ids[c + 64 + n], 0xABCDu) << "ids scratch overrun";
        ASSERT_EQ(keys[3 * c + 64 + n], 0xA5A5F00Du) << "keys scratch overrun";
        ASSERT_EQ(bitmap[(id_bound + 63) / 64 + n], kSentinel) << "bitmap overrun";
      }
      out.resize(k);
      ASSERT_EQ(out, want);
      ++lists;
    }
  }
  EXPECT_EQ(lists, 7 * 60);
}

// The listing by the source arc against the closed form stated directly
// (every target tested, ascending) and the portable loop's order (the
// arc's positions), for arcs that wrap the ring, runs that end in partial
// vectors, s = 0 and s = E, and sentinels after the documented room for
// ids (s + kTargetAtPadding). The geometry is random, not an aligned
// routing's, so lists hold from none to all of the arc's targets.
TEST_P(KernelTest, ListBySourceArcIsTheClosedForm) {
  const Backend& kb = GetParam();
  std::mt19937_64 rng(47);
  size_t listed = 0;
  for (size_t E : {1, 5, 16, 17, 100, 1000}) {
    for (size_t M : {1, 7, 64, 999}) {
      std::vector<uint32_t> length(E), offset(E), position(E), target_at(E + kTargetAtPadding, 0);
      for (size_t t = 0; t < E; ++t) {
        length[t] = static_cast<uint32_t>(Uniform(rng, 0, M));
        offset[t] = static_cast<uint32_t>(Uniform(rng, 0, M - 1));
        position[t] = static_cast<uint32_t>(t);
      }
      std::shuffle(position.begin(), position.end(), rng);
      for (size_t t = 0; t < E; ++t) target_at[position[t]] = static_cast<uint32_t>(t);
      const TargetArcs arcs =
          TargetArcs::Of(M, E, length.data(), offset.data(), position.data(), target_at.data());
      for (int source = 0; source < 30; ++source) {
        const auto s = static_cast<uint32_t>(source == 0 ? 0 : source == 1 ? E : Uniform(rng, 0, E));
        const auto phi = static_cast<uint32_t>(Uniform(rng, 0, E - 1));
        const auto y = static_cast<uint32_t>(Uniform(rng, 0, M - 1));
        SCOPED_TRACE(std::to_string(M) + "x" + std::to_string(E) + " s " + std::to_string(s) +
                     " phi " + std::to_string(phi) + " y " + std::to_string(y));
        std::vector<uint32_t> want(E);
        want.resize(scalar::Candidates(arcs, s, phi, y, want.data()));
        std::vector<uint32_t> in_order(E);
        in_order.resize(CandidatesBySourceArc(arcs, s, phi, y, in_order.data()));
        std::vector<uint32_t> got(s + kTargetAtPadding + kTail, 0xABCDu);
        const size_t c = kb.list_by_source_arc(arcs, s, phi, y, got.data());
        for (size_t n = 0; n < kTail; ++n) {
          ASSERT_EQ(got[s + kTargetAtPadding + n], 0xABCDu) << "ids overrun";
        }
        got.resize(c);
        ASSERT_EQ(got, in_order) << "not in the arc's order";
        std::sort(got.begin(), got.end());
        ASSERT_EQ(got, want);
        listed += c;
      }
    }
  }
  EXPECT_GT(listed, 1000u);
}

// Many rows at once: the brackets of the k-th key miss with probability
// ~3e-3 per row (and per narrowing), so a few thousand rows also take the
// exact fallbacks (radix select, RankInRange).
TEST_P(KernelTest, SelectRandomKManyRows) {
  const Backend& kb = GetParam();
  std::mt19937_64 rng(21);
  for (int trial = 0; trial < 3000; ++trial) {
    const size_t cols = trial % 2 ? 1000 : 333;
    Bits row(1, cols, 0, 0);
    const int density = trial % 3 == 0 ? 16 : 40;
    for (size_t x = 0; x < cols; ++x) row.set(0, x, static_cast<int>(rng() % 64) < density);
    uint32_t count = 0;
    for (size_t x = 0; x < cols; ++x) count += row.get(0, x);
    const uint32_t k = trial % 4 == 0 ? std::max<uint32_t>(1, count / 10)
                                      : static_cast<uint32_t>(Uniform(rng, 1, count + 1));
    CheckRandomK(kb, row, k, static_cast<uint32_t>(rng()));
    if (HasFatalFailure()) return;
  }
}

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Builds, KernelTest, ::testing::ValuesIn(AllBackends()),
                         BackendName);
INSTANTIATE_TEST_SUITE_P(Builds, GatherTest,
                         ::testing::Values(kScalar, kGeneric), BackendName);

TEST(KernelBuilds, EveryHighwayTargetIsTested) {
  // scalar + generic + the Highway targets: nothing supported is left out.
  EXPECT_EQ(AllBackends().size(), SupportedTargetNames().size() + 1);
}

// Differential: the two builds give identical words (padding included) on the
// same input, beyond what the naive oracle compares.
TEST(KernelBuilds, ScalarAndGenericAgreeWordForWord) {
  std::mt19937_64 rng(9);
  for (auto [rows, cols] : Shapes(rng)) {
    Bits src(rows, cols, 1, 0);
    src.Randomize(rng);
    Bits a(cols, rows, 2), b(cols, rows, 2);
    scalar::TransposeBits(src.w.data(), src.stride, nullptr, rows, cols,
                          a.w.data(), a.stride);
    generic::TransposeBits(src.w.data(), src.stride, nullptr, rows, cols,
                           b.w.data(), b.stride);
    EXPECT_EQ(a.w, b.w) << rows << "x" << cols;
    std::vector<uint32_t> offsets(rows);
    for (auto& o : offsets)
      o = static_cast<uint32_t>(Uniform(rng, 0, cols - 1));
    Bits c(rows, cols, 1), d(rows, cols, 1);
    scalar::RotateRowsOnRing(src.w.data(), src.stride, rows, cols,
                             offsets.data(), c.w.data(), c.stride);
    generic::RotateRowsOnRing(src.w.data(), src.stride, rows, cols,
                              offsets.data(), d.w.data(), d.stride);
    EXPECT_EQ(c.w, d.w) << rows << "x" << cols;
  }
}

}  // namespace
}  // namespace phase_router

namespace phase_router {
namespace {

// FillArcColumns (every table's entry and the scalar twin) against the
// definition, on random arcs including empty, full and wrapping ones, and on
// bands that start mid-ring.
TEST(FillArcColumns, MatchesTheDefinitionOnEveryTarget) {
  std::mt19937_64 rng(77);
  for (int round = 0; round < 40; ++round) {
    const size_t arcs = Uniform(rng, 1, 200), ring = Uniform(rng, 1, 300);
    std::vector<uint32_t> len(arcs), off(arcs);
    for (size_t a = 0; a < arcs; ++a) {
      const uint64_t kind = Uniform(rng, 0, 5);
      len[a] = static_cast<uint32_t>(kind == 0 ? 0 : kind == 1 ? ring : Uniform(rng, 0, ring));
      off[a] = static_cast<uint32_t>(Uniform(rng, 0, ring - 1));
    }
    std::vector<uint32_t> begin(ring + 1), ids(2 * arcs);
    BuildArcToggles(len.data(), off.data(), arcs, ring, begin.data(), ids.data());
    const size_t y0 = Uniform(rng, 0, ring - 1), y1 = Uniform(rng, y0, ring);
    const size_t extra = Uniform(rng, 0, 2);
    Bits want(y1 - y0, arcs, extra);
    for (size_t y = y0; y < y1; ++y) {
      for (size_t a = 0; a < arcs; ++a) {
        want.set(y - y0, a, (y + ring - off[a]) % ring < len[a]);
      }
    }
    std::vector<std::pair<std::string, decltype(&scalar::FillArcColumns)>> builds = {
        {"scalar", &scalar::FillArcColumns}};
    for (const std::string& t : SupportedTargetNames()) {
      builds.emplace_back(t, KernelsFor(t).fill_arc_columns);
    }
    for (const auto& [name, fill] : builds) {
      Bits got(y1 - y0, arcs, extra);
      got.FillGarbage(rng);
      fill(len.data(), off.data(), arcs, ring, ArcToggles{begin.data(), ids.data()}, y0, y1,
           got.w.data(), got.stride);
      EXPECT_TRUE(SameBits(want, got)) << name << " round " << round;
      EXPECT_TRUE(PaddingClean(got)) << name;
    }
  }
}

}  // namespace
}  // namespace phase_router
