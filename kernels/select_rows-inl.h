// Highway body of SelectRows (kernels/select_rows.h), per target: the AND +
// popcount of a row and its selection back to back, composed from
// and_popcount-inl.h and select_top_k-inl.h, so the row stays in L1 and
// neither building block is called through a pointer.

// Per-target include guard: this file is re-included once per target.
#if defined(PHASE_ROUTER_KERNELS_SELECT_ROWS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef PHASE_ROUTER_KERNELS_SELECT_ROWS_INL_H_
#undef PHASE_ROUTER_KERNELS_SELECT_ROWS_INL_H_
#else
#define PHASE_ROUTER_KERNELS_SELECT_ROWS_INL_H_
#endif

#include <cstddef>
#include <cstdint>

#include "hwy/cache_control.h"
#include "hwy/highway.h"
#include "kernels/and_popcount-inl.h"
#include "kernels/bit_matrix.h"
#include "kernels/random.h"
#include "kernels/select_rows.h"
#include "kernels/select_top_k-inl.h"

HWY_BEFORE_NAMESPACE();
namespace phase_router {
namespace HWY_NAMESPACE {

HWY_INLINE void SelectRows(const uint64_t* a, size_t a_stride, const uint64_t* b,
                           size_t b_stride, const uint32_t* b_index, size_t rows, size_t cols,
                           const SelectRule& rule, uint64_t* row, uint32_t* ids,
                           uint32_t* keys, uint32_t* counts, int32_t* out) {
  const size_t words = WordsFor(cols);
  for (size_t r = 0; r < rows; ++r) {
    if (b_index && r + kSelectPrefetchRows < rows) {  // select_rows.h says why
      hwy::Prefetch(b + b_index[r + kSelectPrefetchRows] * b_stride);
    }
    const uint64_t* rb = b + (b_index ? b_index[r] : r) * b_stride;
    AndPopcountRows(a + r * a_stride, a_stride, rb, b_stride, nullptr, 1, words, row, words,
                    counts + r);
    int32_t* row_out = out + r * rule.k;
    if (rule.random) {
      SelectRandomK(row, cols, counts[r], rule.k,
                    SelectionRowConstant(rule.seed, rule.first_source + r), row_out, ids, keys);
    } else {
      SelectLowestK(row, cols, counts[r], rule.k, row_out);
    }
  }
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace phase_router
HWY_AFTER_NAMESPACE();

#endif  // PHASE_ROUTER_KERNELS_SELECT_ROWS_INL_H_
