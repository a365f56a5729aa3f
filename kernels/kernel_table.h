// One backend's kernels, as a table the router calls through. The router picks
// a table once per call (dispatch.h) and every stage calls its kernels on row
// bands, so the indirect call costs once per band, never per row or word.
#ifndef PHASE_ROUTER_KERNELS_KERNEL_TABLE_H_
#define PHASE_ROUTER_KERNELS_KERNEL_TABLE_H_

#include <cstddef>
#include <cstdint>

#include "kernels/arc_candidates.h"
#include "kernels/feistel_permute.h"
#include "kernels/rotate_rows.h"
#include "kernels/select_rows.h"

namespace phase_router {

struct KernelTable {
  const char* name;  // "generic", or a Highway target name such as "AVX3_DL"
  int64_t target;    // the Highway target bit (HWY_AVX3_DL, ...); 0 for generic
  void (*pack_bit_rows)(const uint8_t* src, size_t src_stride, size_t rows,
                        size_t cols, uint64_t* dst, size_t dst_stride,
                        uint32_t* popcounts);
  void (*count_nonzero_bytes)(const uint8_t* src, size_t src_stride, size_t rows,
                              size_t cols, uint32_t* counts);
  void (*rotate_rows_on_ring)(const uint64_t* src, size_t src_stride,
                              size_t rows, size_t ring,
                              const uint32_t* offsets, uint64_t* dst,
                              size_t dst_stride);
  void (*transpose_bits)(const uint64_t* src, size_t src_stride,
                         const uint32_t* row_index, size_t rows, size_t cols,
                         uint64_t* dst, size_t dst_stride);
  void (*and_popcount_rows)(const uint64_t* a, size_t a_stride,
                            const uint64_t* b, size_t b_stride,
                            const uint32_t* b_index, size_t rows, size_t words,
                            uint64_t* out, size_t out_stride, uint32_t* counts);
  void (*select_lowest_k)(const uint64_t* row, size_t cols, uint32_t count,
                          uint32_t k, int32_t* out);
  void (*select_random_k)(const uint64_t* row, size_t cols, uint32_t count,
                          uint32_t k, uint32_t row_constant, int32_t* out,
                          uint32_t* ids_scratch, uint32_t* keys_scratch);
  // and_popcount_rows and select_*_k fused per row (kernels/select_rows.h).
  void (*select_rows)(const uint64_t* a, size_t a_stride, const uint64_t* b, size_t b_stride,
                      const uint32_t* b_index, size_t rows, size_t cols,
                      const SelectRule& rule, uint64_t* row, uint32_t* ids, uint32_t* keys,
                      uint32_t* counts, int32_t* out);
  // Store-bound (a row copy and a few bit flips per row): every target
  // uses the generic build.
  void (*fill_arc_columns)(const uint32_t* lengths, const uint32_t* offsets,
                           size_t arcs, size_t ring, ArcToggles toggles,
                           size_t y_begin, size_t y_end, uint64_t* dst,
                           size_t dst_stride);
  // The arc method's listing of a source's candidates by its own arc
  // (kernels/arc_candidates.h, kernels/arc_candidates-inl.h); the other
  // way, by the target arcs, is the portable CandidatesByTargetArcs on
  // every target.
  size_t (*list_by_source_arc)(const TargetArcs& arcs, uint32_t s, uint32_t phi, uint32_t y,
                               uint32_t* ids);
  // SPEC.md's selection from a list of candidate ids in any order (the arc
  // method's; kernels/select_list-inl.h, kernels/arc_candidates.h).
  void (*select_from_list)(uint32_t* ids, size_t c, uint32_t k, bool random,
                           uint32_t row_constant, size_t id_bound, int32_t* out,
                           uint32_t* keys, uint64_t* bitmap);
  void (*build_feistel_table)(uint64_t key, uint64_t length, size_t begin,
                              size_t end, uint16_t* rounds);
  void (*feistel_permute)(uint64_t key, uint64_t length, const uint16_t* rounds,
                          FeistelDirection direction, const uint32_t* in,
                          uint32_t first, size_t count, uint32_t* out);
};

}  // namespace phase_router

#endif  // PHASE_ROUTER_KERNELS_KERNEL_TABLE_H_
