#include "kernels/select_rows.h"

#include "kernels/and_popcount.h"
#include "kernels/bit_matrix.h"
#include "kernels/random.h"
#include "kernels/select_top_k.h"

namespace phase_router {
namespace {

// One composition for both twins: the fused loop is the same, only the
// building blocks differ.
template <class AndPopcount, class Lowest, class Random>
void SelectRowsWith(AndPopcount and_popcount, Lowest lowest, Random random, const uint64_t* a,
                    size_t a_stride, const uint64_t* b, size_t b_stride,
                    const uint32_t* b_index, size_t rows, size_t cols, const SelectRule& rule,
                    uint64_t* row, uint32_t* ids, uint32_t* keys, uint32_t* counts,
                    int32_t* out) {
  const size_t words = WordsFor(cols);
  for (size_t r = 0; r < rows; ++r) {
    if (b_index && r + kSelectPrefetchRows < rows) {  // select_rows.h says why
      __builtin_prefetch(b + b_index[r + kSelectPrefetchRows] * b_stride);
    }
    const uint64_t* rb = b + (b_index ? b_index[r] : r) * b_stride;
    and_popcount(a + r * a_stride, a_stride, rb, b_stride, nullptr, 1, words, row, words,
                 counts + r);
    int32_t* row_out = out + r * rule.k;
    if (rule.random) {
      random(row, cols, counts[r], rule.k, SelectionRowConstant(rule.seed, rule.first_source + r),
             row_out, ids, keys);
    } else {
      lowest(row, cols, counts[r], rule.k, row_out);
    }
  }
}

}  // namespace

namespace scalar {
void SelectRows(const uint64_t* a, size_t a_stride, const uint64_t* b, size_t b_stride,
                const uint32_t* b_index, size_t rows, size_t cols, const SelectRule& rule,
                uint64_t* row, uint32_t* ids, uint32_t* keys, uint32_t* counts,
                int32_t* out) {
  SelectRowsWith(AndPopcountRows, SelectLowestK, SelectRandomK, a, a_stride, b, b_stride,
                 b_index, rows, cols, rule, row, ids, keys, counts, out);
}
}  // namespace scalar

namespace generic {
void SelectRows(const uint64_t* a, size_t a_stride, const uint64_t* b, size_t b_stride,
                const uint32_t* b_index, size_t rows, size_t cols, const SelectRule& rule,
                uint64_t* row, uint32_t* ids, uint32_t* keys, uint32_t* counts,
                int32_t* out) {
  SelectRowsWith(AndPopcountRows, SelectLowestK, SelectRandomK, a, a_stride, b, b_stride,
                 b_index, rows, cols, rule, row, ids, keys, counts, out);
}
}  // namespace generic

}  // namespace phase_router
