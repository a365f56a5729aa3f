// Candidates and selection fused per row (SPEC.md steps 6-7): row r's
// candidates are a[r] & b[b_index[r]] (or b[r] when b_index is null), its
// candidate count goes to counts[r], and the k it routes to out + r * k,
// chosen by the random rule (32-bit keys with the row constant of source
// first_source + r) or the lowest ids.
//
// Why fused: the AND of a row is written to one row of scratch (`row`,
// WordsFor(cols) words) and selected from while it is still in L1, instead
// of a rows x E candidate matrix written by one stage and read back by the
// next (at 4096 x 4096 that matrix is 2 MiB, past L2).
#ifndef PHASE_ROUTER_KERNELS_SELECT_ROWS_H_
#define PHASE_ROUTER_KERNELS_SELECT_ROWS_H_

#include <cstddef>
#include <cstdint>

namespace phase_router {

// The selection rule of a call and where its row constants come from.
struct SelectRule {
  uint32_t k = 1;
  bool random = true;         // false: the lowest ids (Select::kLowest)
  uint64_t seed = 0;          // SelectionRowConstant(seed, first_source + r)
  uint64_t first_source = 0;  // the source of row 0
};

// b's rows through b_index are random (a permutation of the ring), so no
// hardware prefetcher sees them coming; they are known ahead, so each row
// asks for the one this many rows later. At 65536 x 256 (32-byte rows of a
// 2 MiB matrix another core had just written) the wait for that load was
// half of the selection on two threads, which then ran no faster than one.
inline constexpr size_t kSelectPrefetchRows = 8;

// ids/keys: the selection scratch of select_top_k.h (SelectIdsPerThread,
// SelectKeysPerThread entries).
namespace scalar {
void SelectRows(const uint64_t* a, size_t a_stride, const uint64_t* b, size_t b_stride,
                const uint32_t* b_index, size_t rows, size_t cols, const SelectRule& rule,
                uint64_t* row, uint32_t* ids, uint32_t* keys, uint32_t* counts,
                int32_t* out);
}  // namespace scalar
namespace generic {
void SelectRows(const uint64_t* a, size_t a_stride, const uint64_t* b, size_t b_stride,
                const uint32_t* b_index, size_t rows, size_t cols, const SelectRule& rule,
                uint64_t* row, uint32_t* ids, uint32_t* keys, uint32_t* counts,
                int32_t* out);
}  // namespace generic

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_SELECT_ROWS_H_
