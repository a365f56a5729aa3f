// Each target's kernels as a KernelTable: out-of-line entry points over the
// -inl.h building blocks, re-included once per target by the group
// translation units (kernels/hwy_kernels_wide.cc, hwy_kernels_narrow.cc).
// SCALAR/EMU128 get no table: without vectors they add nothing over the
// generic backend, which is the fallback.

// Per-target include guard: this file is re-included once per target.
#if defined(PHASE_ROUTER_KERNELS_HWY_KERNELS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef PHASE_ROUTER_KERNELS_HWY_KERNELS_INL_H_
#undef PHASE_ROUTER_KERNELS_HWY_KERNELS_INL_H_
#else
#define PHASE_ROUTER_KERNELS_HWY_KERNELS_INL_H_
#endif

#include "hwy/highway.h"

#if HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128
#include "kernels/and_popcount-inl.h"
#include "kernels/arc_candidates-inl.h"
#include "kernels/feistel_permute-inl.h"
#include "kernels/pack_bit_rows-inl.h"
#include "kernels/rotate_rows-inl.h"
#include "kernels/select_list-inl.h"
#include "kernels/select_rows-inl.h"
#include "kernels/select_top_k-inl.h"
#include "kernels/transpose_bits-inl.h"
#endif

#include "kernels/kernel_table.h"
#include "kernels/rotate_rows.h"

HWY_BEFORE_NAMESPACE();
namespace phase_router {
namespace HWY_NAMESPACE {

#if HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128
// Out-of-line entry points: the table needs addresses, and each one is a
// whole kernel call, so the call costs nothing next to the work.
void PackBitRowsEntry(const uint8_t* src, size_t src_stride, size_t rows, size_t cols,
                      uint64_t* dst, size_t dst_stride, uint32_t* popcounts) {
  PackBitRows(src, src_stride, rows, cols, dst, dst_stride, popcounts);
}
void CountNonzeroBytesEntry(const uint8_t* src, size_t src_stride, size_t rows, size_t cols,
                            uint32_t* counts) {
  CountNonzeroBytes(src, src_stride, rows, cols, counts);
}
void RotateRowsOnRingEntry(const uint64_t* src, size_t src_stride, size_t rows,
                           size_t ring, const uint32_t* offsets, uint64_t* dst,
                           size_t dst_stride) {
  RotateRowsOnRing(src, src_stride, rows, ring, offsets, dst, dst_stride);
}
void TransposeBitsEntry(const uint64_t* src, size_t src_stride, const uint32_t* row_index,
                        size_t rows, size_t cols, uint64_t* dst, size_t dst_stride) {
  TransposeBits(src, src_stride, row_index, rows, cols, dst, dst_stride);
}
void AndPopcountRowsEntry(const uint64_t* a, size_t a_stride, const uint64_t* b,
                          size_t b_stride, const uint32_t* b_index, size_t rows,
                          size_t words, uint64_t* out, size_t out_stride,
                          uint32_t* counts) {
  AndPopcountRows(a, a_stride, b, b_stride, b_index, rows, words, out, out_stride, counts);
}
void SelectLowestKEntry(const uint64_t* row, size_t cols, uint32_t count, uint32_t k,
                        int32_t* out) {
  SelectLowestK(row, cols, count, k, out);
}
void SelectRandomKEntry(const uint64_t* row, size_t cols, uint32_t count, uint32_t k,
                        uint32_t row_constant, int32_t* out, uint32_t* ids_scratch,
                        uint32_t* keys_scratch) {
  SelectRandomK(row, cols, count, k, row_constant, out, ids_scratch, keys_scratch);
}
void SelectRowsEntry(const uint64_t* a, size_t a_stride, const uint64_t* b, size_t b_stride,
                     const uint32_t* b_index, size_t rows, size_t cols, const SelectRule& rule,
                     uint64_t* row, uint32_t* ids, uint32_t* keys, uint32_t* counts,
                     int32_t* out) {
  SelectRows(a, a_stride, b, b_stride, b_index, rows, cols, rule, row, ids, keys, counts, out);
}
size_t ListBySourceArcEntry(const TargetArcs& arcs, uint32_t s, uint32_t phi, uint32_t y,
                            uint32_t* ids) {
  return ListBySourceArc(arcs, s, phi, y, ids);
}
void SelectFromListEntry(uint32_t* ids, size_t c, uint32_t k, bool random, uint32_t row_constant,
                         size_t id_bound, int32_t* out, uint32_t* keys, uint64_t* bitmap) {
  SelectFromList(ids, c, k, random, row_constant, id_bound, out, keys, bitmap);
}
void BuildFeistelTableEntry(uint64_t key, uint64_t length, size_t begin, size_t end,
                            uint16_t* rounds) {
  BuildFeistelTable(key, length, begin, end, rounds);
}
void FeistelPermuteEntry(uint64_t key, uint64_t length, const uint16_t* rounds,
                         FeistelDirection direction, const uint32_t* in, uint32_t first,
                         size_t count, uint32_t* out) {
  FeistelPermute(key, length, rounds, direction, in, first, count, out);
}

const KernelTable* GetKernelTable() {
  static const KernelTable kTable = {
      hwy::TargetName(HWY_TARGET), HWY_TARGET, &PackBitRowsEntry, &CountNonzeroBytesEntry,
      &RotateRowsOnRingEntry,      &TransposeBitsEntry,   &AndPopcountRowsEntry,
      &SelectLowestKEntry,         &SelectRandomKEntry,   &SelectRowsEntry,
      &generic::FillArcColumns,    &ListBySourceArcEntry,
      &SelectFromListEntry,
      &BuildFeistelTableEntry,     &FeistelPermuteEntry,
  };
  return &kTable;
}
#endif

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace phase_router
HWY_AFTER_NAMESPACE();

#endif  // PHASE_ROUTER_KERNELS_HWY_KERNELS_INL_H_
